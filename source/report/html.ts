/** The self-contained HTML report: inline CSS and SVG, no script, no request to anything else. Pure. */
import {describeNetwork} from './network-format.js';
import {describeProtocol} from './protocol-format.js';
import {escapeHtml as esc, formatBytes, formatCount, formatMs, formatPercent, formatRate, formatSeconds, formatSetRate, formatTimestamp, plural} from './format.js';
import {errorsFigure, latencyFigure, spectrumFigure, throughputFigure, tickSeconds} from './html-plots.js';
import {checksHtml} from './checks-format.js';
import {agentsSection, baselineSection, card, configSection, endpointsSection, errorsSection, generatorSection, latencySection, statusSection, thresholdsSection} from './html-sections.js';
import {htmlDocument} from './html-style.js';
import {warmUpLine} from './text.js';
import type {JsonReport} from './types.js';

/** Blocks every fetch and script: the page needs nothing but its own inline styles. */

/** The target as a short text: the URL, plus how many more endpoints. */
export function targetText(report: JsonReport): string {
	const more = report.endpoints.length - 1;
	return more > 0 ? `${report.target.url} (+${more} more endpoint${more === 1 ? '' : 's'})` : report.target.url;
}

function banner(report: JsonReport): string {
	const {target, endpoints} = report;
	const many = endpoints.length > 1;
	const chips = many
		? `<ul class="endpoint-chips">${endpoints.map(endpoint => `<li><b>${esc(endpoint.method)}</b>${esc(endpoint.name)} <span class="mono">${esc(endpoint.url)}</span> ×${esc(String(endpoint.weight))}</li>`).join('')}</ul>`
		: '';
	const name = many ? `${esc(target.name)}; each request picks one by weight` : esc(target.name);
	return `<header class="banner" id="target">`
		+ `<div class="brand"><strong>pystress-tui</strong><span>load test report</span><span class="chip">v${esc(report.tool.version)}</span><span class="chip">stopped: ${esc(report.stopReason)}</span></div>`
		+ `<p class="target-label">Target</p>`
		+ `<h1 class="target-main"><span class="method">${esc(target.method)}</span><span class="target-url">${esc(target.url)}</span></h1>`
		+ (name === '' || name === esc(target.url) ? '' : `<p class="target-name">${name}</p>`)
		+ chips
		+ `<p class="meta"><span>Started <b><time datetime="${esc(report.startedAt)}">${esc(formatTimestamp(report.startedAt))}</time></b></span>`
		+ `<span>Ended <b><time datetime="${esc(report.endedAt)}">${esc(formatTimestamp(report.endedAt))}</time></b></span>`
		+ `<span>Duration <b>${formatSeconds(report.summary.durationS)}</b></span><span>Stop reason <b>${esc(report.stopReason)}</b></span></p>`
		+ '</header>';
}

function stat(label: string, value: string, sub: string, tone = '', unit = ''): string {
	return `<div class="stat${tone ? ` ${tone}` : ''}"><div class="stat-label">${esc(label)}</div><div class="stat-value">${esc(value)}${unit ? `<span class="unit">${esc(unit)}</span>` : ''}</div><div class="stat-sub">${esc(sub)}</div></div>`;
}

function quickStats(report: JsonReport): string {
	const {summary} = report;
	const sent = summary.requests + summary.incomplete;
	const answered = summary.responses > 0;
	const pass = summary.passRate;
	const passTone = pass === null ? '' : (pass >= 0.99 ? 'good' : (pass >= 0.95 ? 'warn' : 'bad'));
	const failed = summary.errors + summary.incomplete;
	const errorShare = sent > 0 ? failed / sent : 0;
	const tiles = [
		stat('Pass rate', formatPercent(pass), summary.incomplete > 0 ? '2xx + 3xx of requests + incomplete' : '2xx + 3xx of all requests', passTone),
		stat('Throughput', formatRate(summary.rps), `${formatBytes(summary.bytesRead / Math.max(summary.durationS, 1e-9))}/s read`, '', 'req/s'),
		stat('Total requests', formatCount(summary.requests), `${formatCount(summary.responses)} responses${summary.incomplete > 0 ? `, ${formatCount(summary.incomplete)} incomplete` : ''}`),
		stat('Duration', formatSeconds(summary.durationS), `stopped: ${report.stopReason}`),
		stat('Errors', formatCount(failed), `${sent > 0 ? formatPercent(errorShare, 2) : 'n/a'} of requests${summary.incomplete > 0 ? ' (incomplete included)' : ''}`, failed === 0 ? (sent > 0 ? 'good' : '') : (errorShare < 0.01 ? 'warn' : 'bad')),
		stat('p99 latency', answered ? formatMs(summary.latencyMs.p99) : 'n/a', answered ? `p50 ${formatMs(summary.latencyMs.p50)}` : 'no responses'),
	];
	return card('quick-stats', 'At a glance', `<div class="stats">${tiles.join('')}</div>`);
}

function hardwareSection(report: JsonReport): string {
	const {hardware} = report;
	const rows: Array<[string, string]> = [
		['CPU model', hardware.cpuModel],
		['Physical cores', String(hardware.physicalCores)],
		['Logical processors', String(hardware.logicalProcessors)],
		['CPU quota (cgroup)', hardware.cpuQuota === null ? 'none' : `${hardware.cpuQuota} CPUs`],
		['Memory', formatBytes(hardware.totalMemoryBytes)],
		['Node.js', hardware.node],
		['Platform', hardware.platform],
	];
	return card('hardware', 'Load generator hardware', definitionList(rows));
}

function definitionList(rows: ReadonlyArray<readonly [string, string, string?]>): string {
	return `<dl class="kv">${rows.map(([term, value, className]) => `<dt>${esc(term)}</dt><dd${className ? ` class="${className}"` : ''}>${esc(value)}</dd>`).join('')}</dl>`;
}

function settingsSection(report: JsonReport): string {
	const {settings, summary, token} = report;
	const {final} = settings;
	const changed = final.threads !== settings.threads || final.connections !== settings.connections || final.rate !== settings.rate;
	const rate = (value: number | null): string => (value === null ? 'closed model (as fast as answers come)' : `${formatSetRate(value)} req/s (open model)`);
	const rows: Array<[string, string, string?]> = [
		['Threads', String(settings.threads)],
		['Connections', String(settings.connections)],
		['Duration', settings.durationS === null ? 'until the request count' : formatSeconds(settings.durationS)],
		...(settings.maxRequests === null ? [] : [['Max requests', formatCount(settings.maxRequests)] as [string, string]]),
		['Rate', rate(settings.rate)],
		['Protocol', describeProtocol(settings)],
		['HTTP client', settings.protocol === 'h2' || settings.protocol === 'h2c' ? 'node:http2' : (settings.httpClient === 'socket' ? 'socket (prebuilt requests on plain sockets)' : 'undici')],
		[
			'Final (after live changes)',
			`${plural(final.threads, 'thread')}, ${plural(final.connections, 'connection')}${final.rate === null ? '' : `, ${formatSetRate(final.rate)} req/s`}${changed ? ' (changed during the run)' : ' (unchanged)'}`,
			changed ? 'changed' : undefined,
		],
	];
	const network = describeNetwork(settings.network);
	if (network !== undefined) rows.push(['Network', network]);
	if (settings.proxy !== undefined) rows.push(['Proxy', settings.proxy]);
	if (settings.rate !== null || final.rate !== null) {
		rows.push(['Late / dropped sends', `${formatCount(summary.late)} late, ${formatCount(summary.dropped)} dropped`]);
	}

	if (summary.incomplete > 0) {
		rows.push(['Incomplete', `${formatCount(summary.incomplete)} still in flight when the run ended${summary.incompleteAgeMs ? `, oldest ${formatMs(summary.incompleteAgeMs.max)}` : ''} (failures for the pass and error rates)`]);
	}

	if (summary.retries > 0) {
		rows.push(['Retries', `${formatCount(summary.retries)} of the requests were retries`]);
	}

	if (summary.cancelled > 0) {
		rows.push(['Cancelled at stop', `${formatCount(summary.cancelled)} ${summary.cancelled === 1 ? 'retry' : 'retries'} not sent (not requests)`]);
	}

	if (report.warmUp) {
		rows.push(['Warm-up', warmUpLine(report.warmUp)]);
	}

	if (token) {
		rows.push(['Auth token', `${formatCount(token.requests)} requests, ${formatCount(token.refreshes)} refreshes, ${formatCount(token.errors)} errors`]);
	}

	return card('settings', 'Settings', definitionList(rows));
}

function chartsSection(report: JsonReport): string {
	const events = report.markers.length === 0
		? ''
		: `<h3>Run events</h3><ol class="events">${[...report.markers].sort((a, b) => a.t - b.t).map(marker => `<li><b>${esc(tickSeconds(Number(marker.t.toFixed(1))))}</b> ${esc(marker.label)}</li>`).join('')}</ol>`;
	const note = report.timeline.length <= 1 ? '<p class="note">The run was too short for more than one one-second sample.</p>' : '';
	return card('charts', 'Over time', `<div class="charts-grid">${latencyFigure(report)}${throughputFigure(report)}${errorsFigure(report)}</div>${note}${events}`);
}

const sectionLinks: ReadonlyArray<readonly [string, string]> = [
	['quick-stats', 'Summary'],
	['hardware', 'Hardware'],
	['settings', 'Settings'],
	['latency', 'Latency'],
	['charts', 'Charts'],
	['spectrum', 'Percentiles'],
	['status-codes', 'Status codes'],
	['errors', 'Errors'],
	['endpoints', 'Endpoints'],
	['checks', 'Checks'],
	['agents', 'Agents'],
	['baseline', 'Baseline'],
	['thresholds', 'Thresholds'],
	['generator', 'Generator'],
	['config', 'Config'],
];

/** Renders the whole report as one HTML document. */
export function renderHtmlReport(report: JsonReport): string {
	const sections = [
		quickStats(report),
		`<div class="grid-2">${hardwareSection(report)}${settingsSection(report)}</div>`,
		latencySection(report),
		chartsSection(report),
		card('spectrum', 'Latency percentile spectrum', spectrumFigure(report)),
		`<div class="grid-2">${statusSection(report)}${errorsSection(report)}</div>`,
		endpointsSection(report),
		report.summary.checks ? card('checks', 'Response checks', checksHtml(report)) : '',
		agentsSection(report),
		baselineSection(report),
		thresholdsSection(report),
		generatorSection(report),
		configSection(report),
	].join('\n');
	const links = sectionLinks.filter(([id]) => sections.includes(`id="${id}"`)).map(([id, label]) => `<li><a href="#${id}">${label}</a></li>`).join('');
	const saturated = report.generator.saturated
		? `<p class="alert" role="alert"><strong>Warning:</strong> the load generator was saturated (${formatPercent(report.generator.peakEventLoopUtilization, 0)} event-loop utilisation); see <a href="#generator">generator health</a>.</p>`
		: '';
	const stalls = report.generator.stallWarning
		? `<p class="alert" role="alert"><strong>Warning:</strong> the load generator's own event-loop stalls (longest ${esc(formatMs(report.generator.maxEventLoopDelayMs ?? 0))}) could explain the latency's tail; see <a href="#generator">generator health</a>.</p>`
		: '';
	return htmlDocument({
		title: `pystress-tui report — ${targetText(report)}`,
		version: report.tool.version,
		parts: [banner(report), `<nav aria-label="Sections"><ul class="toc">${links}</ul></nav>`, `${saturated}${stalls}`, sections],
		footer: `Generated by ${report.tool.name} ${report.tool.version} · report schema v${report.schemaVersion} · a self-contained file: no scripts, no external resources.`,
	});
}
