/**
 * Connect time and time to first byte recorded under load, for both clients, against loopback
 * servers that count (and time) what they see: the server's own delay is the oracle for the time
 * to first byte, its connection count for the connect histogram's count.
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, {type AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {defaultPolicy, type EndpointPlan} from '../source/config/types.js';
import {LoadLoop, loadHttpClient} from '../source/engine/load-loop.js';
import type {JsonReport} from '../source/report/types.js';
import {createHistogram, decodeHistogram, summarize} from '../source/stats/histogram.js';
import {runCli} from './helpers/cli.js';
import {oneRequestBlockedAtStart} from './helpers/blocked-start.js';
import {maxOfPairsMs} from './helpers/pairs.js';

const temporary = mkdtempSync(path.join(os.tmpdir(), 'pystress-ttfb-'));
const file = (name: string): string => path.join(temporary, name);
const clients = ['socket', 'undici'] as const;
/** The slow server holds every response head this long, ms (timed by the server itself). */
const headDelayMs = 60;

type Counted = {url: string; requests: number; connections: number; shortestHoldMs: number; close(): Promise<void>};

async function listen(server: net.Server): Promise<number> {
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return (server.address() as AddressInfo).port;
}

function closer(server: http.Server | net.Server): () => Promise<void> {
	return async () => new Promise(resolve => {
		if (server instanceof http.Server) server.closeAllConnections();
		server.close(() => resolve());
	});
}

/** An HTTP server that answers after `delayMs` (its own timer: `shortestHoldMs` is the shortest hold it measured). */
async function httpServer(delayMs: number): Promise<Counted> {
	const server = http.createServer();
	const counted: Counted = {url: '', requests: 0, connections: 0, shortestHoldMs: Number.POSITIVE_INFINITY, close: closer(server)};
	server.on('connection', () => counted.connections++);
	server.on('request', (_request: http.IncomingMessage, response: http.ServerResponse) => {
		counted.requests++;
		const received = performance.now();
		setTimeout(() => {
			counted.shortestHoldMs = Math.min(counted.shortestHoldMs, performance.now() - received);
			response.end('ok');
		}, delayMs);
	});
	counted.url = `http://127.0.0.1:${await listen(server)}/`;
	return counted;
}

function makeCertificate(): void {
	writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {cwd: temporary, stdio: 'ignore'});
}

/**
 * An HTTPS server behind a TCP front that accepts at once but holds the bytes of each connection
 * for `handshakeDelayMs` before passing them on: a fast TCP connect, a slow TLS handshake. Counts
 * connections (the front's) and requests.
 */
async function slowTlsServer(handshakeDelayMs: number): Promise<Counted> {
	const server = https.createServer({key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem'))});
	const counted: Counted = {url: '', requests: 0, connections: 0, shortestHoldMs: Number.POSITIVE_INFINITY, close: async () => undefined};
	server.on('request', (_request: http.IncomingMessage, response: http.ServerResponse) => {
		counted.requests++;
		response.end('ok');
	});
	const backend = await listen(server);
	const sockets = new Set<net.Socket>();
	const front = net.createServer(socket => {
		counted.connections++;
		sockets.add(socket);
		socket.pause();
		const accepted = performance.now();
		setTimeout(() => {
			counted.shortestHoldMs = Math.min(counted.shortestHoldMs, performance.now() - accepted);
			const upstream = net.connect(backend, '127.0.0.1', () => {
				socket.pipe(upstream).pipe(socket);
				socket.resume();
			});
			sockets.add(upstream);
			upstream.on('error', () => socket.destroy());
			socket.on('error', () => upstream.destroy());
			socket.on('close', () => upstream.destroy());
		}, handshakeDelayMs);
	});
	counted.url = `https://127.0.0.1:${await listen(front)}/`;
	counted.close = async () => {
		for (const socket of sockets) socket.destroy();
		await closer(front)();
		await closer(server)();
	};

	return counted;
}

async function run(args: string[]): Promise<{code: number | null; output: string; report: JsonReport}> {
	const jsonPath = file(`report-${Math.random().toString(36).slice(2)}.json`);
	const result = await runCli(['--headless', '--no-baseline', '--no-report', '-t', '1', '--json', jsonPath, ...args], {timeoutMs: 30_000});
	const output = result.stdout + result.stderr;
	expect(result.code, output).toBe(0);
	return {code: result.code, output, report: JSON.parse(readFileSync(jsonPath, 'utf8')) as JsonReport};
}

describe('connect time and time to first byte under load', () => {
	let slow: Counted;
	let quick: Counted;
	let slowTls: Counted;
	beforeAll(async () => {
		makeCertificate();
		slow = await httpServer(headDelayMs);
		quick = await httpServer(0);
		slowTls = await slowTlsServer(headDelayMs);
	});
	afterAll(async () => {
		await slow?.close();
		await quick?.close();
		await slowTls?.close();
	});

	for (const client of clients) {
		it(`a server that holds its response head: the time to first byte shows it, the connect does not (${client})`, async () => {
			const before = {requests: slow.requests, connections: slow.connections};
			const {report, output} = await run(['--url', slow.url, '-n', '20', '-c', '2', '--http-client', client]);
			expect(slow.shortestHoldMs).toBeGreaterThanOrEqual(headDelayMs - 1);
			const {summary} = report;
			expect(summary.ttfbMs?.count).toBe(slow.requests - before.requests);
			expect(summary.ttfbMs!.p50).toBeGreaterThanOrEqual(headDelayMs - 1);
			expect(summary.ttfbMs!.p50).toBeLessThanOrEqual(summary.latencyMs.p50);
			expect(summary.connectMs?.count).toBe(slow.connections - before.connections);
			expect(summary.connectMs!.p50).toBeLessThan(summary.ttfbMs!.p50);
			expect(summary.tlsHandshakeMs).toBeUndefined();
			expect(report.endpoints[0]!.ttfbHistogram).toBeTypeOf('string');
			expect(summarize(decodeHistogram(report.endpoints[0]!.ttfbHistogram!)).count).toBe(report.endpoints[0]!.ttfbMs!.count);
			expect(output).toContain('CONNECT AND TIME TO FIRST BYTE');
			expect(output).toMatch(/time to first byte\s+20\s/);
		});

		it(`--no-keepalive: the connect histogram counts exactly the server's connections (${client})`, async () => {
			const before = quick.connections;
			const {report} = await run(['--url', quick.url, '-n', '37', '-c', '3', '--no-keepalive', '--http-client', client]);
			expect(quick.connections - before).toBe(37);
			expect(report.summary.connectMs?.count).toBe(37);
			expect(report.summary.ttfbMs?.count).toBe(37);
		});

		it(`a server slow in its TLS handshake: the handshake shows it, the TCP connect does not (${client})`, async () => {
			const before = {requests: slowTls.requests, connections: slowTls.connections};
			const {report} = await run(['--url', slowTls.url, '-n', '12', '-c', '3', '--no-keepalive', '--http-client', client, '--ca-file', file('server.pem')]);
			expect(slowTls.shortestHoldMs).toBeGreaterThanOrEqual(headDelayMs - 1);
			const connections = slowTls.connections - before.connections;
			expect(slowTls.requests - before.requests).toBe(12);
			expect(connections).toBe(12);
			const {summary} = report;
			expect(summary.connectMs?.count).toBe(connections);
			expect(summary.tlsHandshakeMs?.count).toBe(connections);
			expect(summary.tlsHandshakeMs!.p50).toBeGreaterThanOrEqual(headDelayMs - 1);
			expect(summary.connectMs!.p50).toBeLessThan(summary.tlsHandshakeMs!.p50);
		});
	}

	for (const client of clients) {
		it(`the connect clock starts at connect(2) for an IP address, before the lookup for a host name (${client})`, async () => {
			// The thread blocks right after the loop makes its sockets, before their connect(2) (a tick
			// later): for 127.0.0.1 that wait is the client's own, not the connect's; for "localhost"
			// the lookup, and so the wait, is part of the connect (DNS included).
			const blockMs = 40;
			const connectMaxMs = async (host: string): Promise<{count: number; maxMs: number}> => {
				const url = quick.url.replace('127.0.0.1', host);
				const policy = {...defaultPolicy, httpClient: client};
				const plan: EndpointPlan = {name: 'clock', method: 'GET', url, origin: new URL(url).origin, path: '/', headers: {}, body: undefined, weight: 1};
				await loadHttpClient(policy);
				const before = quick.requests;
				const loop = new LoadLoop({endpoints: [plan], policy, connections: 3, rate: undefined, maxLateMs: 0, issued: undefined, maxRequests: undefined, extraHeaders: {}, paused: false}, {onExhausted() {}, onUnauthorized() {}});
				loop.start();
				const until = performance.now() + blockMs;
				while (performance.now() < until) {
					// Busy: the event loop (and the ticks that call connect) wait.
				}

				const deadline = Date.now() + 10_000;
				// A connection's first request goes out once its connect is recorded.
				while (quick.requests - before < 6 && Date.now() < deadline) {
					// eslint-disable-next-line no-await-in-loop
					await new Promise(resolve => setTimeout(resolve, 5));
				}

				await loop.stop(2000);
				const pairs = loop.snapshot(0, 0).endpoints[0]!.connectHistogram!;
				let count = 0;
				let maxMicros = 0;
				for (let index = 0; index < pairs.length; index += 2) {
					count += pairs[index + 1]!;
					maxMicros = Math.max(maxMicros, pairs[index]!);
				}

				return {count, maxMs: maxMicros / 1000};
			};

			const byAddress = await connectMaxMs('127.0.0.1');
			expect(byAddress.count).toBe(3);
			expect(byAddress.maxMs).toBeLessThan(blockMs);
			const byName = await connectMaxMs('localhost');
			expect(byName.count).toBe(3);
			expect(byName.maxMs).toBeGreaterThanOrEqual(blockMs);
		});
	}

	for (const client of clients) {
		it(`a request that waited for its connection is timed from its write, the wait only in the corrected latency (${client})`, async () => {
			// The thread blocks right after the loop makes its socket and sends (a request waiting for
			// its connection), as a just-started worker compiling its first code does. The response's
			// latency and time to first byte run from the request's write, after the connect; the open
			// model's corrected latency runs from the intended time, the wait included.
			const blockMs = 40;
			const policy = {...defaultPolicy, httpClient: client};
			const plan: EndpointPlan = {name: 'clock', method: 'GET', url: quick.url, origin: new URL(quick.url).origin, path: '/', headers: {}, body: undefined, weight: 1};
			const before = quick.requests;
			const interval = await oneRequestBlockedAtStart(plan, policy, blockMs);
			// One request, at the server too.
			expect(quick.requests - before).toBe(1);
			expect(interval.responses).toBe(1);
			expect(maxOfPairsMs(interval.histogram)).toBeGreaterThan(0);
			expect(maxOfPairsMs(interval.histogram)).toBeLessThan(blockMs);
			expect(maxOfPairsMs(interval.ttfbHistogram)).toBeLessThan(blockMs);
			expect(maxOfPairsMs(interval.correctedHistogram)).toBeGreaterThanOrEqual(blockMs);
		});
	}

	it('merge adds the connect and first-byte histograms exactly; a schema-3 report without them still merges', async () => {
		const runs = await Promise.all([25, 15, 10].map(async count => (await run(['--url', quick.url, '-n', String(count), '-c', '1', '--no-keepalive'])).report));
		// The third as an older schema-3 report: no connect or first-byte figures at all.
		const older = structuredClone(runs[2]!) as Record<string, any>;
		for (const target of [older['summary'], ...older['endpoints']]) {
			for (const key of ['connectMs', 'tlsHandshakeMs', 'ttfbMs', 'connectHistogram', 'tlsHistogram', 'ttfbHistogram']) delete target[key];
		}

		const inputs = [runs[0], runs[1], older].map((report, index) => {
			const input = file(`merge-${index}.json`);
			writeFileSync(input, JSON.stringify(report));
			return input;
		});
		const jsonPath = file('merged.json');
		const result = await runCli(['merge', ...inputs, '--json', jsonPath, '-q'], {timeoutMs: 30_000});
		expect(result.code, result.stderr + result.stdout).toBe(0);
		const merged = JSON.parse(readFileSync(jsonPath, 'utf8')) as JsonReport;
		expect(merged.summary.requests).toBe(50);
		for (const [key, summaryKey] of [['connectHistogram', 'connectMs'], ['ttfbHistogram', 'ttfbMs']] as const) {
			const parts = [runs[0]!, runs[1]!];
			const all = createHistogram();
			for (const report of parts) all.add(decodeHistogram(report.endpoints[0]![key]!));
			const expected = summarize(all);
			const got = merged.summary[summaryKey]!;
			expect(got.count).toBe(40);
			expect([got.p50, got.p90, got.p99]).toEqual([expected.p50, expected.p90, expected.p99]);
			// The exact ends come from the inputs' own figures.
			expect(got.min).toBe(Math.min(...parts.map(report => report.summary[summaryKey]!.min)));
			expect(got.max).toBe(Math.max(...parts.map(report => report.summary[summaryKey]!.max)));
		}
	});
});
