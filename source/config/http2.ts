/*
 * HTTP/2: `http2` (h2 by ALPN for https:// URLs, h2c with prior knowledge for http:// ones) and
 * `streams`, the concurrent streams on each connection. Read here, once, on the main thread; the
 * resolved options ride in the request policy to the workers (engine/clients.ts picks the client).
 * Connection settings like `verify_tls`, so they sit at the top level (or in `stress_test`), not per
 * endpoint; the token request keeps HTTP/1.1.
 */
import {joinPath, type ConfigIssue} from './interpolate.js';
import type {TestPlan} from './types.js';
import {boolean, int, lte, meta, number, optional, positive} from './zod.js';

/** The most streams per connection: far above what servers allow at once (nginx 128, h2o 100). */
export const maxStreams = 1000;

/** Resolved HTTP/2 options; a policy carries them only with `http2: true`. */
export type Http2Options = {
	/** Concurrent streams per connection (default 1). */
	readonly streams: number;
};

/** What the report calls the protocol of a run. */
export type Protocol = 'http/1.1' | 'h2' | 'h2c';

/** Config keys, spread into the test fields of config/schema.ts. */
export const http2Fields = {
	http2: optional(boolean({error: 'expected true or false'}).check(meta({description: 'true: send over HTTP/2 (node:http2): h2 by ALPN for https:// URLs, h2c with prior knowledge for http:// ones (--http2). Default false.'}))),
	streams: optional(number({error: `expected a whole number of streams, 1 to ${maxStreams}`}).check(
		int({error: `expected a whole number of streams, 1 to ${maxStreams}`}),
		positive({error: `expected a whole number of streams, 1 to ${maxStreams}`}),
		lte(maxStreams, {error: `expected a whole number of streams, 1 to ${maxStreams}`}),
		meta({description: 'With http2: concurrent streams on each connection, so connections x streams requests are in flight (--streams). Default 1.'}),
	)),
};

type Http2Config = {
	readonly http2?: boolean | undefined;
	readonly streams?: number | undefined;
	readonly http_client?: string | undefined;
	readonly keepalive?: boolean | undefined;
};

/** Flags for these options, as the command line gives them. */
export type Http2Flags = {
	/** `--http2` makes it true; false (the default) leaves the config as it is. */
	readonly http2?: boolean | undefined;
	readonly streams?: string | undefined;
};

/** Puts the flags given into the raw config (`target`: the top level, or `stress_test`). */
export function applyHttp2Flags(target: Record<string, unknown>, flags: Http2Flags, issues: ConfigIssue[]): void {
	if (flags.http2 === true) target['http2'] = true;
	if (flags.streams !== undefined) {
		const streams = Number(flags.streams);
		if (Number.isInteger(streams) && streams >= 1 && streams <= maxStreams) {
			target['streams'] = streams;
		} else {
			issues.push({path: '--streams', message: `"${flags.streams}" is not valid; expected a whole number of streams per connection, 1 to ${maxStreams}, e.g. --streams 50`});
		}
	}
}

/** Validates the options; undefined without `http2: true` (HTTP/1.1, as before). */
export function resolveHttp2(config: Http2Config, base: string, issues: ConfigIssue[]): Http2Options | undefined {
	const at = (key: string): string => joinPath(base, key);
	if (config.http2 !== true) {
		if (config.streams !== undefined) {
			issues.push({path: at('streams'), message: 'streams are HTTP/2\'s; add "http2": true (--http2) or remove streams'});
		}

		return undefined;
	}

	if (config.http_client !== undefined) {
		issues.push({path: at('http_client'), message: `"${config.http_client}" is an HTTP/1.1 client, but http2 sends with node:http2; remove http_client (--http-client) or http2`});
	}

	if (config.keepalive === false) {
		issues.push({path: at('keepalive'), message: 'keep-alive off (a connection per request) is HTTP/1.1\'s; with http2 every stream shares its connection: remove keepalive: false (--no-keepalive) or http2'});
	}

	return {streams: config.streams ?? 1};
}

/**
 * What HTTP/2 cannot be combined with once the plan is whole: a proxy (an h2 session goes direct;
 * `--proxy`, `"proxy"` or the environment's HTTP(S)_PROXY / ALL_PROXY would otherwise be bypassed
 * without a word).
 */
export function http2Conflicts(plan: TestPlan, base: string): ConfigIssue[] {
	if (plan.policy.http2 === undefined) return [];
	const proxied = plan.endpoints.find(endpoint => endpoint.proxy !== undefined);
	if (proxied === undefined) return [];
	const fromEnvironment = plan.policy.proxy?.source === 'environment';
	return [{
		path: joinPath(base, 'proxy'),
		message: `${proxied.name} would go through the proxy ${proxied.proxy!.url}${fromEnvironment ? ' (from HTTP_PROXY, HTTPS_PROXY or ALL_PROXY)' : ''}, but HTTP/2 goes direct; remove http2 (--http2)${fromEnvironment ? ', or name the host in NO_PROXY' : ', or the proxy'}`,
	}];
}

/** The protocol a run speaks: HTTP/1.1, or h2 (TLS) / h2c (cleartext) by the first endpoint's URL. */
export function protocolOf(http2: Http2Options | undefined, url: string): Protocol {
	if (http2 === undefined) return 'http/1.1';
	return new URL(url).protocol === 'https:' ? 'h2' : 'h2c';
}
