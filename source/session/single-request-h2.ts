/**
 * `--single-request` over HTTP/2 (the config's `http2`): one session (h2 by ALPN, or h2c with prior
 * knowledge), one stream, timed like the HTTP/1.1 request in single-request.ts: DNS, connect, TLS,
 * first byte (the response's HEADERS) and total. Loaded only for an HTTP/2 config.
 */
import http2 from 'node:http2';
import net from 'node:net';
import {performance} from 'node:perf_hooks';
import tls from 'node:tls';
import {redactHeaders, redactUrl} from '../config/redact.js';
import type {EndpointPlan, RequestPolicy} from '../config/types.js';
import {judgeResponse} from '../engine/checks.js';
import {connectOptions} from '../engine/connect-options.js';
import {classifyError} from '../engine/errors.js';
import {requestHeaderBlock} from '../engine/http2-connection.js';
import {socketTarget} from '../engine/http-request.js';
import {preview, round, type Exchange} from './single-request.js';

export async function sendOnceHttp2(endpoint: EndpointPlan, policy: RequestPolicy, extraHeaders: Readonly<Record<string, string>>): Promise<Exchange> {
	const target = socketTarget(endpoint);
	const headers: Record<string, string> = {...endpoint.headers, ...extraHeaders};
	const body = endpoint.body === undefined ? Buffer.alloc(0) : Buffer.from(endpoint.body);
	const requestRecord = {method: endpoint.method, url: redactUrl(endpoint.url), headers: redactHeaders(headers), body: preview(body), bodyBytes: body.length};
	// TLS files and trust (a deferred NODE_EXTRA_CA_CERTS is parsed here: tls-trust.ts), before the clock.
	const {path, ...tlsOptions} = connectOptions(policy.network, policy.verifyTls, target.tls);
	const start = performance.now();
	const since = (): number => performance.now() - start;
	const marks = {dns: 0, connect: 0, tls: 0, firstByte: 0};
	const timings = () => ({dnsMs: round(marks.dns), connectMs: round(marks.connect), tlsMs: round(marks.tls), firstByteMs: round(marks.firstByte), totalMs: round(since())});
	const createConnection = (): net.Socket => {
		const socket = target.tls
			? tls.connect({host: target.host, port: target.port, ...(target.servername === undefined ? {} : {servername: target.servername}), rejectUnauthorized: policy.verifyTls, ALPNProtocols: ['h2'], ...tlsOptions, ...(path === undefined ? {} : {path})})
			: (path === undefined ? net.connect({host: target.host, port: target.port}) : net.connect({path}));
		socket.once('lookup', () => (marks.dns = since()));
		socket.once('connect', () => (marks.connect = since()));
		socket.once('secureConnect', () => (marks.tls = since()));
		return socket;
	};

	return new Promise<Exchange>(resolve => {
		const session = http2.connect(target.origin, {createConnection});
		const timer = setTimeout(() => {
			finish({request: requestRecord, error: {kind: 'timeout', message: `no complete response within ${policy.timeoutMs} ms`}, timings: timings()});
		}, policy.timeoutMs);
		let done = false;
		function finish(exchange: Exchange): void {
			if (done) return;
			done = true;
			clearTimeout(timer);
			session.destroy();
			resolve(exchange);
		}

		const failed = (error: Error & {code?: string; cause?: unknown}): void => {
			const reason = error.code === 'ERR_HTTP2_STREAM_CANCEL' && error.cause instanceof Error ? error.cause as Error & {code?: string} : error;
			finish({request: requestRecord, error: {kind: classifyError(reason), message: reason.code ?? reason.message}, timings: timings()});
		};

		session.on('error', failed);
		const block = requestHeaderBlock(endpoint, target.tls, endpoint.path, Object.entries(headers).flat(), body.length > 0 ? body.length : undefined);
		const stream = session.request(block, {endStream: body.length === 0});
		stream.on('error', failed);
		stream.on('response', responseHeaders => {
			marks.firstByte = since();
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				const status = Number(responseHeaders[':status']);
				const fields = Object.entries(responseHeaders).filter(([name]) => !name.startsWith(':'));
				const flat = Object.fromEntries(fields.map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]));
				const responseBody = Buffer.concat(chunks);
				finish({
					request: requestRecord,
					response: {status, statusText: `(${target.tls ? 'h2' : 'h2c'})`, headers: redactHeaders(flat), body: preview(responseBody), bodyBytes: responseBody.length},
					timings: timings(),
					...(endpoint.checks ? {checks: judgeResponse(endpoint.checks, status, fields.flatMap(([name, value]) => (Array.isArray(value) ? value.flatMap(one => [name, one]) : [name, String(value)])), responseBody)} : {}),
				});
			});
		});
		if (body.length > 0) stream.end(body);
	});
}
