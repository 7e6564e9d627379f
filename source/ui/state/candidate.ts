import {formatDuration} from '../../config/duration.js';
import type {ConfigIssue} from '../../config/interpolate.js';
import {redactUrl} from '../../config/redact.js';
import {protocolOf} from '../../config/http2.js';
import {describeProxy} from '../../config/proxy.js';
import type {RequestPolicy, RunSettings} from '../../config/types.js';
import {formatSetRate, plural} from '../../report/format.js';

import type {PreparedRun} from '../../session/prepare.js';

/** Where a config in the picker comes from. */
export type CandidateKind = 'profile' | 'recent' | 'example' | 'file' | 'url' | 'flags';

/** A config ready to run, or why it cannot run (every issue, with its JSON path). */
export type Choice =
	| {
		readonly ok: true;
		readonly prepared: PreparedRun;
		/** Extended baseline length (ms) from the flags, the profile or the config. */
		readonly extendedBaselineMs: number | undefined;
		/** The config file, when it came from one (recent runs remember the path). */
		readonly path: string | undefined;
	}
	| {readonly ok: false; readonly source: string; readonly issues: readonly ConfigIssue[]};

/** One entry of the config picker. */
export type Candidate = {
	readonly id: string;
	readonly kind: CandidateKind;
	readonly label: string;
	/** A path, a date, or where it came from. */
	readonly detail: string;
	readonly choice: Choice;
	/** What choosing it does besides running it (shown in the preview). */
	readonly note?: string;
};

export const kindLabels: Readonly<Record<CandidateKind, string>> = {
	profile: 'profile',
	recent: 'recent',
	example: 'example',
	file: 'file',
	url: 'url',
	flags: 'flags',
};

/** `GET http://host/` for one endpoint, `5 endpoints` otherwise. */
export function targetLabel(prepared: PreparedRun): string {
	const {endpoints} = prepared.config.plan;
	const first = endpoints[0];
	if (!first) return '(no endpoint)';
	const {http2} = prepared.config.plan.policy;
	// HTTP/2 runs say so (and their streams); HTTP/1.1 is the default and says nothing.
	const protocol = http2 === undefined ? '' : ` · ${protocolOf(http2, first.url)} ×${http2.streams} ${http2.streams === 1 ? 'stream' : 'streams'}`;
	const network = networkTags(prepared.config.plan.policy);
	return (endpoints.length === 1 ? `${first.method} ${redactUrl(first.url)}` : `${first.method} ${redactUrl(first.url)} (+${endpoints.length - 1} more)`) + protocol + (network === '' ? '' : ` · ${network}`);
}

/** The TLS and network options in a few words for the run header (`keep-alive off · proxy host:port`); '' when none is set. */
export function networkTags(policy: RequestPolicy, withProxy = true): string {
	const {network, proxy} = policy;
	const tags: string[] = [];
	if (network?.keepalive === false) tags.push('keep-alive off');
	if (network?.unixSocket !== undefined) tags.push(`unix ${network.unixSocket}`);
	if (network?.certFile !== undefined) tags.push('mTLS');
	if (network?.caFile !== undefined) tags.push('CA file');
	if (network?.servername !== undefined) tags.push(`SNI ${network.servername}`);
	const server = proxy?.http ?? proxy?.https;
	if (server !== undefined && withProxy) tags.push(`proxy ${server.url.replace(/^http:\/\/([^@]*@)?/, '')}`);
	return tags.join(' · ');
}

/** The TLS and network options and the proxy, one line each, for the previews; none when none is set. */
export function networkLines(policy: RequestPolicy): string[] {
	const network = networkTags(policy, false);
	return [...(network === '' ? [] : [`Network: ${network}`]), ...(policy.proxy === undefined ? [] : [`Proxy: ${describeProxy(policy.proxy)}`])];
}

/** `32 connections, 10s, rate 200/s` */
export function settingsLabel(settings: RunSettings): string {
	const amount = settings.durationMs === undefined ? plural(settings.maxRequests ?? 0, 'request') : formatDuration(settings.durationMs) + (settings.maxRequests === undefined ? '' : ` or ${plural(settings.maxRequests, 'request')}`);
	return `${plural(settings.threads, 'thread')}, ${plural(settings.connections, 'connection')}, ${amount}${settings.rate === undefined ? '' : `, rate ${formatSetRate(settings.rate)}/s`}`;
}

/** The preview lines of a candidate: method, url(s), endpoints and settings; or its errors. */
export function previewLines(candidate: Candidate, maxLines = 8, withSettings = true): string[] {
	const {choice} = candidate;
	if (!choice.ok) {
		const lines = [`✗ ${choice.issues.length === 1 ? 'invalid config' : `${choice.issues.length} problems`} (${choice.source})`, ...choice.issues.map(issue => `  ${issue.path}: ${issue.message}`)];
		return lines.length > maxLines ? [...lines.slice(0, maxLines - 1), `  … ${lines.length - maxLines + 1} more`] : lines;
	}

	const {prepared} = choice;
	const {endpoints} = prepared.config.plan;
	const lines: string[] = [];
	if (prepared.config.name) lines.push(prepared.config.name);
	if (candidate.note) lines.push(candidate.note);
	if (endpoints.length === 1) {
		lines.push(`${endpoints[0]!.method} ${redactUrl(endpoints[0]!.url)}`);
	} else {
		lines.push(`${endpoints.length} endpoints (weighted):`);
		const room = Math.max(1, maxLines - lines.length - 2);
		for (const endpoint of endpoints.slice(0, room)) {
			lines.push(`  ${endpoint.name}: ${endpoint.method} ${redactUrl(endpoint.url)} ×${endpoint.weight}`);
		}

		if (endpoints.length > room) lines.push(`  … ${endpoints.length - room} more`);
	}

	if (prepared.config.plan.token) lines.push(`OAuth2 token from ${redactUrl(prepared.config.plan.token.endpoint.url)}`);
	lines.push(...networkLines(prepared.config.plan.policy));
	if (withSettings) lines.push(settingsLabel(prepared.settings) + (choice.extendedBaselineMs ? `, baseline ${formatDuration(choice.extendedBaselineMs)}` : ''));
	return lines.slice(0, maxLines);
}
