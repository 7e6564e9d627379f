import {lookup} from 'node:dns';
import {appendFileSync} from 'node:fs';
import type http from 'node:http';
import type {Socket} from 'node:net';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {redactHeaders, redactUrl} from '../config/redact.js';
import type {EndpointPlan, RequestPolicy, TestPlan} from '../config/types.js';
import {nodeHttpOptions} from '../engine/connect-options.js';
import {classifyError} from '../engine/errors.js';
import {proxiedForm} from '../engine/http-request.js';
import {formatBytes, formatMs} from '../report/format.js';

/**
 * Milliseconds from the start of the request to each phase's end (0 when the phase did not happen).
 * The request starts with its first step on the network: the DNS lookup, or the connection attempt
 * when the host is an address (as curl's `time_connect` counts); what this process does before
 * (building the request, Node loading its HTTP client on first use) is not the network's time.
 */
export type Timings = {
	readonly dnsMs: number;
	readonly connectMs: number;
	readonly tlsMs: number;
	readonly firstByteMs: number;
	readonly totalMs: number;
};

/** One request and its response, secrets redacted, bodies cut to a preview. */
export type Exchange = {
	readonly request: {readonly method: string; readonly url: string; readonly headers: Record<string, string>; readonly body: string; readonly bodyBytes: number};
	readonly response?: {readonly status: number; readonly statusText: string; readonly headers: Record<string, string>; readonly body: string; readonly bodyBytes: number};
	readonly error?: {readonly kind: string; readonly message: string};
	readonly timings: Timings;
	/** The endpoint's response checks, each passed or not (an endpoint with checks that got a response). */
	readonly checks?: ReadonlyArray<{readonly name: string; readonly passed: boolean}>;
};

const previewBytes = 2048;

export function preview(body: Buffer): string {
	const text = body.subarray(0, previewBytes).toString('utf8');
	return body.length > previewBytes ? `${text}… (${formatBytes(body.length)} in all)` : text;
}

export const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Sends one request with node:http(s), timing DNS, connect, TLS, first byte and total. */
export async function sendOnce(endpoint: EndpointPlan, policy: RequestPolicy, extraHeaders: Readonly<Record<string, string>>): Promise<Exchange> {
	const url = new URL(endpoint.url);
	// Loaded only where used, before the clock starts (a few ms of start-up): node:https (with TLS and
	// crypto) for an https:// URL, the CONNECT tunnel for one through a proxy, the checks for an
	// endpoint with checks.
	const secure = url.protocol === 'https:';
	const [transport, tunnel, checks] = await Promise.all([
		secure ? import('node:https').then(module => module.default) : import('node:http').then(module => module.default),
		secure && endpoint.proxy !== undefined ? import('../engine/proxy-tunnel.js') : undefined,
		endpoint.checks === undefined ? undefined : import('../engine/checks.js'),
	]);
	const headers: Record<string, string> = {...endpoint.headers, ...extraHeaders};
	const body = endpoint.body === undefined ? Buffer.alloc(0) : Buffer.from(endpoint.body);
	const requestRecord = {method: endpoint.method, url: redactUrl(endpoint.url), headers: redactHeaders(headers), body: preview(body), bodyBytes: body.length};
	// TLS files and trust (a deferred NODE_EXTRA_CA_CERTS is parsed here: tls-trust.ts), before any clock.
	const networkOptions = nodeHttpOptions(policy.network, policy.verifyTls, secure);
	// Until the first network step the clock starts here (an error before it: total from here).
	let start = performance.now();
	let started = false;
	const begin = (): void => {
		if (started) return;
		started = true;
		start = performance.now();
	};

	const marks = {dns: 0, connect: 0, tls: 0, firstByte: 0};
	const since = (): number => performance.now() - start;
	const watch = (socket: Socket): void => {
		// connectionAttempt comes just before connect(2), a tick after the socket is created: it is seen.
		socket.once('lookup', () => (marks.dns = since()));
		socket.once('connectionAttempt', begin);
		socket.once('connect', () => (marks.connect = since()));
		socket.once('secureConnect', () => (marks.tls = since()));
	};

	const timeoutError = (): Error => Object.assign(new Error(`no complete response within ${policy.timeoutMs} ms`), {code: 'ETIMEDOUT'});
	return new Promise<Exchange>(resolve => {
		// A fresh agent (no keep-alive, as agent: false would make) that shows us each socket as it is
		// created, and hands it to the request only once connected (and TLS done): the request's own
		// set-up (its parser, the first time) then runs after the connect, not inside its time.
		const agent: http.Agent = new transport.Agent();
		const createConnection = agent.createConnection.bind(agent);
		const connected = secure ? 'secureConnect' : 'connect';
		const hand = (socket: Socket, callback: ((error: Error | null, socket: Socket) => void) | undefined): void => {
			// The request's timeout starts once it has the socket: until then, this bounds the connect.
			const timer = setTimeout(() => socket.destroy(timeoutError()), policy.timeoutMs);
			const settle = (error?: Error): void => {
				clearTimeout(timer);
				socket.off(connected, onConnected);
				socket.off('error', settle);
				callback?.(error ?? null, socket);
			};

			const onConnected = (): void => {
				settle();
			};

			socket.once(connected, onConnected);
			socket.once('error', settle);
		};

		const {proxy} = endpoint;
		agent.createConnection = (options, callback) => {
			if (proxy !== undefined && tunnel !== undefined) {
				// Through a proxy: a CONNECT tunnel (its time is the connect), then TLS inside it.
				const port = url.port === '' ? 443 : Number(url.port);
				const raw: Socket = tunnel.openTunnel(proxy, url.hostname.replace(/^\[|\]$/g, ''), port, error => {
					clearTimeout(timer);
					if (error !== undefined) {
						raw.destroy();
						callback?.(error, raw);
						return;
					}

					marks.connect = since();
					// The agent's tls.connect, on the tunnel's socket (a TLS option its types leave out).
					const socket = createConnection({...options, socket: raw} as typeof options) as Socket;
					socket.once('secureConnect', () => (marks.tls = since()));
					hand(socket, callback);
				});
				raw.once('lookup', () => (marks.dns = since()));
				raw.once('connectionAttempt', begin);
				const timer = setTimeout(() => raw.destroy(timeoutError()), policy.timeoutMs);
				return undefined;
			}

			const socket = createConnection(options) as Socket;
			watch(socket);
			hand(socket, callback);
			return undefined;
		};

		// http:// through a proxy: to the proxy, the request target in absolute form.
		const proxied = proxiedForm(endpoint);
		const sentHeaders = body.length > 0 ? {...headers, 'Content-Length': String(body.length)} : headers;
		const request = transport.request(url, {
			method: endpoint.method,
			headers: proxied === undefined ? sentHeaders : {...(Object.keys(sentHeaders).some(name => name.toLowerCase() === 'host') ? {} : {host: url.host}), ...sentHeaders, ...(proxied.authorization === undefined ? {} : {'proxy-authorization': proxied.authorization})},
			...(proxied === undefined || proxy === undefined ? {} : {host: proxy.host, port: proxy.port, path: proxied.target}),
			timeout: policy.timeoutMs,
			rejectUnauthorized: policy.verifyTls,
			...networkOptions,
			agent,
			lookup(hostname, options, callback) {
				begin();
				lookup(hostname, options, callback);
			},
		});
		const timings = (): Timings => ({dnsMs: round(marks.dns), connectMs: round(marks.connect), tlsMs: round(marks.tls), firstByteMs: round(marks.firstByte), totalMs: round(since())});
		request.on('timeout', () => {
			request.destroy(timeoutError());
		});
		request.on('error', error => {
			// A proxy's refusal says more in its message (the status and what to do) than in its code.
			const {code} = error as NodeJS.ErrnoException;
			resolve({request: requestRecord, error: {kind: classifyError(error), message: code === undefined || code === 'ERR_PROXY' ? error.message : code}, timings: timings()});
		});
		request.on('response', response => {
			marks.firstByte = since();
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => {
				const responseBody = Buffer.concat(chunks);
				const responseHeaders = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]));
				resolve({
					request: requestRecord,
					response: {status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: redactHeaders(responseHeaders), body: preview(responseBody), bodyBytes: responseBody.length},
					timings: timings(),
					...(endpoint.checks && checks ? {checks: checks.judgeResponse(endpoint.checks, response.statusCode ?? 0, response.rawHeaders, responseBody)} : {}),
				});
			});
		});
		request.end(body);
	});
}

/** Renders an exchange for the terminal. Pure. */
export function renderExchange(exchange: Exchange): string {
	const {request, response, error, timings} = exchange;
	const lines = ['REQUEST', `  ${request.method} ${request.url}`];
	for (const [name, value] of Object.entries(request.headers)) lines.push(`  ${name}: ${value}`);
	lines.push(request.bodyBytes > 0 ? `\n  body (${formatBytes(request.bodyBytes)}):\n  ${request.body.replaceAll('\n', '\n  ')}` : '  (no body)', '');
	if (response) {
		lines.push('RESPONSE', `  ${response.status} ${response.statusText}`);
		for (const [name, value] of Object.entries(response.headers)) lines.push(`  ${name}: ${value}`);
		lines.push(response.bodyBytes > 0 ? `\n  body (${formatBytes(response.bodyBytes)}):\n  ${response.body.replaceAll('\n', '\n  ')}` : '  (no body)');
	} else if (error) {
		lines.push('ERROR', `  ${error.kind}: ${error.message}`);
	}

	if (exchange.checks) {
		lines.push('', 'CHECKS', ...exchange.checks.map(check => `  ${check.passed ? 'pass' : 'FAIL'}  ${check.name}`));
	}

	lines.push('', 'TIMING (from the start of the request)');
	lines.push(`  DNS lookup    ${timings.dnsMs > 0 ? formatMs(timings.dnsMs) : '-'}`);
	lines.push(`  connected     ${timings.connectMs > 0 ? formatMs(timings.connectMs) : '-'}`);
	lines.push(`  TLS done      ${timings.tlsMs > 0 ? formatMs(timings.tlsMs) : '-'}`);
	lines.push(`  first byte    ${timings.firstByteMs > 0 ? formatMs(timings.firstByteMs) : '-'}`);
	lines.push(`  total         ${formatMs(timings.totalMs)}`);
	return `${lines.join('\n')}\n`;
}

/**
 * `--single-request`: one request of the first endpoint with the full config (token, auth, body),
 * printed with a timing breakdown and its response checks. Exit 0 for 2xx/3xx passing every check, 1 otherwise. `logPath` appends the exchange.
 */
export async function runSingleRequest(plan: TestPlan, io: {stdout(text: string): void; stderr(text: string): void}, logPath?: string): Promise<number> {
	let extraHeaders: Record<string, string> = {};
	if (plan.token) {
		const {TokenManager} = await import('./token.js');
		const token = new TokenManager(plan.token);
		try {
			await token.start();
			extraHeaders = token.headers;
			io.stderr(`token acquired from ${redactUrl(plan.token.endpoint.url)}\n`);
		} finally {
			token.stop();
		}
	}

	const first = plan.endpoints[0]!;
	// Placeholders: the first data row, ${seq} 1 (loaded only then).
	const endpoint = first.template === undefined ? first : (await import('../engine/request-template.js')).firstRequestPlan(first, plan.data);
	if (plan.endpoints.length > 1) {
		io.stderr(`sending the first of ${plan.endpoints.length} endpoints: ${endpoint.name}\n`);
	}

	// HTTP/2 (the config's http2): one stream on its own session (loaded only then).
	const exchange = plan.policy.http2 === undefined ? await sendOnce(endpoint, plan.policy, extraHeaders) : await (await import('./single-request-h2.js')).sendOnceHttp2(endpoint, plan.policy, extraHeaders);
	io.stdout(renderExchange(exchange));
	if (logPath !== undefined) {
		const {ensureDirectory} = await import('../report/write.js');
		ensureDirectory(path.dirname(logPath));
		appendFileSync(logPath, `${JSON.stringify({ts: new Date().toISOString(), endpoint: endpoint.name, ...exchange})}\n`);
	}

	const status = exchange.response?.status ?? 0;
	return status >= 200 && status < 400 && (exchange.checks ?? []).every(check => check.passed) ? 0 : 1;
}
