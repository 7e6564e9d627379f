/**
 * HTTP/2 end to end through the built CLI (dist/cli.js), against node:http2 servers on 127.0.0.1:
 * h2c with prior knowledge, h2 over TLS (a certificate made with openssl here), streams per
 * connection, the open model, checks and an OAuth2 token on every stream, and the clear error for a
 * server without HTTP/2. The oracle is always the server's own count (sessions, streams, headers).
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {decodeHistogram} from '../source/stats/histogram.js';
import {defaultPolicy, type EndpointPlan, type RequestPolicy} from '../source/config/types.js';
import {LoadLoop, loadHttpClient} from '../source/engine/load-loop.js';
import {runCli} from './helpers/cli.js';
import {startTarget} from './helpers/target-server.js';
import {oneRequestBlockedAtStart} from './helpers/blocked-start.js';
import {maxOfPairsMs} from './helpers/pairs.js';

const temporary = mkdtempSync(path.join(os.tmpdir(), 'pystress-h2-'));
const file = (name: string): string => path.join(temporary, name);

/** What an HTTP/2 server saw: sessions, and per session its streams and their most at once. */
type H2Server = {
	url: string;
	sessions: Array<{streams: number; open: number; maxOpen: number; alpn: string | false | undefined; closed: boolean}>;
	streams: number;
	bearer: number;
	bad: number;
	close(): Promise<void>;
};

type Answer = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, index: number, server: H2Server) => void;

function answerOk(stream: http2.ServerHttp2Stream): void {
	stream.respond({':status': 200, 'content-type': 'text/plain'});
	stream.end('ok');
}

async function h2Server(options: {tls?: boolean; answer?: Answer} = {}): Promise<H2Server> {
	const server = options.tls
		? http2.createSecureServer({key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem'))})
		: http2.createServer();
	const answer = options.answer ?? answerOk;
	const seen: H2Server = {url: '', sessions: [], streams: 0, bearer: 0, bad: 0, close: async () => undefined};
	server.on('session', session => {
		const counted = {streams: 0, open: 0, maxOpen: 0, alpn: session.alpnProtocol, closed: false};
		seen.sessions.push(counted);
		session.on('close', () => counted.closed = true);
		session.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
			counted.streams++;
			counted.open++;
			counted.maxOpen = Math.max(counted.maxOpen, counted.open);
			stream.on('close', () => counted.open--);
			if (headers.authorization?.startsWith('Bearer ')) seen.bearer++;
			answer(stream, headers, seen.streams++, seen);
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	seen.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
	const sessions = new Set<http2.ServerHttp2Session>();
	server.on('session', session => sessions.add(session));
	seen.close = async () => {
		for (const session of sessions) session.destroy();
		await new Promise<void>(resolve => server.close(() => resolve()));
	};

	return seen;
}

/** Sessions that carried streams (the run's); the probe before the run opens one that carries none. */
const carrying = (server: H2Server) => server.sessions.filter(session => session.streams > 0);

async function run(args: string[], env?: Record<string, string>): Promise<{code: number | null; stderr: string; stdout: string; report: JsonReport | undefined}> {
	const jsonPath = file(`report-${Math.random().toString(36).slice(2)}.json`);
	const result = await runCli(['--headless', '--no-baseline', '--no-report', '--json', jsonPath, ...args], {timeoutMs: 30_000, ...(env ? {env} : {})});
	let report: JsonReport | undefined;
	try {
		report = JSON.parse(readFileSync(jsonPath, 'utf8')) as JsonReport;
	} catch {}

	return {code: result.code, stderr: result.stderr, stdout: result.stdout, report};
}

function writeConfig(config: Record<string, unknown>): string {
	const name = file(`config-${Math.random().toString(36).slice(2)}.json`);
	writeFileSync(name, JSON.stringify(config));
	return name;
}

function openssl(...args: string[]): void {
	execFileSync('openssl', args, {cwd: temporary, stdio: 'ignore'});
}

const servers: Array<{close(): Promise<void>}> = [];

beforeAll(() => {
	const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
	openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=pystress h2 test CA');
	writeFileSync(file('server.ext'), 'subjectAltName=DNS:test.local,IP:127.0.0.1\n');
	openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=test.local');
	openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
});

afterAll(async () => {
	await Promise.all(servers.map(async server => server.close()));
	rmSync(temporary, {recursive: true, force: true});
});

describe('HTTP/2 (node:http2 servers on loopback)', () => {
	it('h2c: -c 2 --streams 8 -n 2000 is 2000 streams on 2 sessions, up to 8 at once on each', async () => {
		// Each answer waits a little, so every slot has its stream open at once.
		const server = await h2Server({answer(stream) {
			setTimeout(() => answerOk(stream), 2);
		}});
		servers.push(server);
		const {code, report} = await run(['--url', `${server.url}/`, '--http2', '-c', '2', '--streams', '8', '-n', '2000', '-t', '2']);
		expect(code).toBe(0);
		expect(server.streams).toBe(2000);
		expect(carrying(server)).toHaveLength(2);
		// The probe's session, which carries no stream, and the run's two: nothing else.
		expect(server.sessions).toHaveLength(3);
		expect(carrying(server).map(session => session.maxOpen)).toEqual([8, 8]);
		expect(report!.summary.requests).toBe(2000);
		expect(report!.summary.responses).toBe(2000);
		expect(report!.summary.statusCodes).toEqual({200: 2000});
		expect(report!.settings.protocol).toBe('h2c');
		expect(report!.settings.streams).toBe(8);
		expect(report!.settings.connections).toBe(2);
		// Connect time per session opened (the run's two), time to first byte per response.
		const [endpoint] = report!.endpoints;
		expect(decodeHistogram(endpoint!.connectHistogram!).totalCount).toBe(2);
		expect(decodeHistogram(endpoint!.ttfbHistogram!).totalCount).toBe(2000);
	});

	it('h2 over TLS (ALPN) with --ca-file: every stream counted, the session negotiated h2', async () => {
		const server = await h2Server({tls: true});
		servers.push(server);
		const {code, report, stdout} = await run(['--url', `${server.url}/tls`, '--http2', '--ca-file', file('ca.pem'), '-c', '2', '--streams', '4', '-n', '600', '-t', '1']);
		expect(code).toBe(0);
		expect(server.streams).toBe(600);
		expect(carrying(server)).toHaveLength(2);
		expect(carrying(server).every(session => session.alpn === 'h2')).toBe(true);
		expect(report!.summary.responses).toBe(600);
		expect(report!.settings.protocol).toBe('h2');
		expect(decodeHistogram(report!.endpoints[0]!.tlsHistogram!).totalCount).toBe(2);
		expect(stdout).toContain('Protocol          h2 (HTTP/2 over TLS), 4 streams per connection');
	});

	it('--single-request with --http2 sends one stream over h2 (TLS), timed, its checks judged', async () => {
		const server = await h2Server({tls: true, answer(stream, headers) {
			stream.respond({':status': 201, 'content-type': 'application/json'});
			stream.end(JSON.stringify({ok: true, method: headers[':method']}));
		}});
		servers.push(server);
		const config = writeConfig({url: `${server.url}/one`, method: 'POST', json: {a: 1}, http2: true, ca_file: file('ca.pem'), checks: {status: [201], json: {'$.ok': true}}});
		const result = await runCli(['--config', config, '--single-request']);
		expect(result.code).toBe(0);
		expect(server.streams).toBe(1);
		expect(carrying(server)[0]!.alpn).toBe('h2');
		expect(result.stdout).toContain('201 (h2)');
		expect(result.stdout).toContain('{"ok":true,"method":"POST"}');
		expect(result.stdout).toMatch(/pass {2}status/);
		expect(result.stdout).toMatch(/TLS done\s+\d/);
	});

	it('h2 over TLS fails like HTTP/1.1 does without the CA: TLS errors, not responses', async () => {
		const server = await h2Server({tls: true});
		servers.push(server);
		const {report} = await run(['--url', `${server.url}/`, '--http2', '-c', '1', '-n', '5', '-t', '1']);
		expect(server.streams).toBe(0);
		expect(report!.summary.responses).toBe(0);
		expect(report!.summary.errorKinds).toEqual({tls: 5});
	});

	it('--http2 against an HTTP/1-only server (h2c or ALPN http/1.1) exits 1 with one line, before any request', async () => {
		const plain = await startTarget();
		servers.push(plain);
		const cleartext = await run(['--url', `${plain.url}/`, '--http2', '-c', '2', '-n', '100']);
		expect(cleartext.code).toBe(1);
		expect(cleartext.stderr.trim().split('\n')).toHaveLength(1);
		expect(cleartext.stderr).toMatch(/^pystress-tui: the server does not speak HTTP\/2 \(http:\/\/127\.0\.0\.1:\d+: h2c prior knowledge was answered "HTTP\/1\.1 400 Bad Request"\)/);
		expect(cleartext.report).toBeUndefined();

		const secure = https.createServer({key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), ALPNProtocols: ['http/1.1']}, (_request, response) => {
			served++;
			response.end('ok');
		});
		let served = 0;
		await new Promise<void>(resolve => secure.listen(0, '127.0.0.1', resolve));
		servers.push({close: async () => new Promise<void>(resolve => secure.close(() => resolve()))});
		const url = `https://127.0.0.1:${(secure.address() as AddressInfo).port}/`;
		const tls = await run(['--url', url, '--http2', '--ca-file', file('ca.pem'), '-c', '2', '-n', '100']);
		expect(tls.code).toBe(1);
		expect(tls.stderr.trim().split('\n')).toHaveLength(1);
		expect(tls.stderr).toContain(`the server does not speak HTTP/2 (${url.slice(0, -1)}: ALPN picked http/1.1, not h2)`);
		expect(served).toBe(0);
		secure.closeAllConnections();
	});

	it('an OAuth2 token on every stream, and checks judged on h2 responses (the server counts its bad answers)', async () => {
		const secret = 'h2-client-secret';
		const token = await startTarget({respond(_request, _index, response) {
			response.setHeader('content-type', 'application/json');
			response.end(JSON.stringify({access_token: 'h2-token-value', token_type: 'bearer', expires_in: 3600}));
		}});
		servers.push(token);
		const api = await h2Server({answer(stream, headers, index, server) {
			const ok = (index + 1) % 7 !== 0 && headers.authorization === 'Bearer h2-token-value';
			if (!ok) server.bad++;
			stream.respond({':status': 200, 'content-type': 'application/json', 'x-served': 'by-h2'});
			stream.end(JSON.stringify({ok, items: [1, 2]}));
		}});
		servers.push(api);
		const config = writeConfig({
			token_acquisition: {url: `${token.url}/token`, form: {grant_type: 'client_credentials', client_id: 'load', client_secret: '${H2_SECRET}'}},
			stress_test: {url: `${api.url}/api`, http2: true, streams: 5, checks: {status: [200], json: {'$.ok': true, '$.items.length': {'>': 1}}, header: {'x-served': 'h2'}}},
		});
		const {code, report} = await run(['--config', config, '-c', '2', '-n', '700', '-t', '2'], {H2_SECRET: secret});
		expect(code).toBe(0);
		expect(token.count).toBe(1);
		expect(api.streams).toBe(700);
		expect(api.bearer).toBe(700);
		expect(api.bad).toBe(100);
		expect(report!.summary.responses).toBe(700);
		expect(report!.summary.checks!.failed).toBe(api.bad);
		expect(report!.summary.checks!.passed).toBe(700 - api.bad);
		expect(JSON.stringify(report)).not.toContain('h2-token-value');
		expect(JSON.stringify(report)).not.toContain(secret);
	});

	it('a 401 over h2 refreshes the token and retries that request once with the new one', async () => {
		const issued: string[] = [];
		const token = await startTarget({respond(_request, _index, response) {
			const value = `h2-tok-${issued.length + 1}`;
			issued.push(value);
			response.setHeader('content-type', 'application/json');
			response.end(JSON.stringify({access_token: value, token_type: 'bearer', expires_in: 3600}));
		}});
		servers.push(token);
		// Each token works for 200 streams, then the API answers 401 to it.
		const uses = new Map<string, number>();
		let unauthorized = 0;
		const api = await h2Server({answer(stream, headers) {
			const value = /^Bearer (.+)$/.exec(String(headers.authorization))?.[1] ?? '';
			const used = (uses.get(value) ?? 0) + 1;
			uses.set(value, used);
			const valid = issued.includes(value) && used <= 200;
			if (!valid) unauthorized++;
			stream.respond({':status': valid ? 200 : 401});
			stream.end();
		}});
		servers.push(api);
		const config = writeConfig({token_acquisition: {url: `${token.url}/token`, form: {grant_type: 'client_credentials'}}, stress_test: {url: `${api.url}/api`, http2: true, streams: 4}});
		const {code, report} = await run(['--config', config, '-c', '1', '-n', '700', '-t', '1']);
		expect(code).toBe(0);
		// One refresh per token used up (after 200, 400 and 600 streams; the 700, retries included, never
		// reach 800), however many streams were in flight with the old one.
		expect(report!.token!.refreshes).toBe(3);
		expect(issued).toHaveLength(4);
		expect(report!.token!.requests).toBe(issued.length);
		expect(api.streams).toBe(700);
		// The report counts the 401s the server sent; requests that got one were retried (at most once each, as over HTTP/1.1).
		expect(report!.summary.statusCodes['401'] ?? 0).toBe(unauthorized);
		expect(unauthorized).toBeGreaterThan(0);
		expect(report!.summary.retries).toBeGreaterThan(0);
		expect(report!.summary.retries).toBeLessThanOrEqual(unauthorized);
		// Every refreshed token went out on streams.
		expect(issued.every(value => (uses.get(value) ?? 0) > 0)).toBe(true);
	});

	it('--streams 32 on one session: every slot waits for the session at the start, and nothing warns', async () => {
		// All 32 streams are asked for while the session connects; each is timed from when the session
		// is up (one listener on the session for all of them: one each made Node warn of a leak).
		const server = await h2Server({answer(stream) {
			setTimeout(() => answerOk(stream), 2);
		}});
		servers.push(server);
		const {code, stderr, report} = await run(['--url', `${server.url}/`, '--http2', '-c', '1', '--streams', '32', '-n', '640', '-t', '1']);
		expect(code, stderr).toBe(0);
		expect(stderr).not.toMatch(/Warning/);
		expect(server.streams).toBe(640);
		expect(carrying(server).map(session => session.maxOpen)).toEqual([32]);
		expect(report!.summary.responses).toBe(640);
	});

	it('a stream that waited for its session is timed from its send, the wait only in the corrected latency', async () => {
		// As for HTTP/1.1 (connect-ttfb.test.ts): the thread blocks while the session is being made;
		// the stream's latency runs from when it went out on the session, the corrected one from its
		// intended time.
		const server = await h2Server();
		servers.push(server);
		const blockMs = 40;
		const policy: RequestPolicy = {...defaultPolicy, http2: {streams: 1}};
		const plan: EndpointPlan = {name: 'wait', method: 'GET', url: `${server.url}/wait`, origin: server.url, path: '/wait', headers: {}, body: undefined, weight: 1};
		const interval = await oneRequestBlockedAtStart(plan, policy, blockMs);

		expect(server.streams).toBe(1);
		expect(interval.responses).toBe(1);
		expect(maxOfPairsMs(interval.histogram)).toBeGreaterThan(0);
		expect(maxOfPairsMs(interval.histogram)).toBeLessThan(blockMs);
		expect(maxOfPairsMs(interval.correctedHistogram)).toBeGreaterThanOrEqual(blockMs);
	});

	it('open model: --rate with h2c sends the count asked for, as the server counts it', async () => {
		const server = await h2Server();
		servers.push(server);
		const {code, report} = await run(['--url', `${server.url}/open`, '--http2', '--streams', '4', '-c', '2', '--rate', '400', '-n', '300', '-t', '2']);
		expect(code).toBe(0);
		expect(server.streams).toBe(300);
		expect(report!.summary.requests).toBe(300);
		expect(report!.summary.responses).toBe(300);
		expect(report!.settings.rate).toBe(400);
		expect(report!.correctedHistogram).toBeDefined();
	});

	it('more streams than the server allows at once: the refused ones go again, every request answered once', async () => {
		// A server that allows 2 streams at once.
		const limited = http2.createServer({settings: {maxConcurrentStreams: 2}});
		let answered = 0;
		let open = 0;
		let maxOpen = 0;
		limited.on('stream', stream => {
			answered++;
			maxOpen = Math.max(maxOpen, ++open);
			stream.on('close', () => open--);
			setTimeout(() => answerOk(stream), 2);
		});
		await new Promise<void>(resolve => limited.listen(0, '127.0.0.1', resolve));
		servers.push({close: async () => new Promise<void>(resolve => limited.close(() => resolve()))});
		const {code, report} = await run(['--url', `http://127.0.0.1:${(limited.address() as AddressInfo).port}/`, '--http2', '--streams', '8', '-c', '1', '-n', '300', '-t', '1']);
		expect(code).toBe(0);
		expect(answered).toBe(300);
		expect(maxOpen).toBe(2);
		expect(report!.summary.responses).toBe(300);
		expect(report!.summary.errors).toBe(0);
		// Refused before the server's limit was known: at most the first burst past the limit.
		expect(report!.summary.connectionEvents['refused-stream']).toBeGreaterThan(0);
		expect(report!.summary.connectionEvents['refused-stream']).toBeLessThanOrEqual(6);
	});

	it('a POST body goes out whole on each stream, with its content-length', async () => {
		let bodies = 0;
		const server = await h2Server({answer(stream, headers) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				if (Buffer.concat(chunks).toString() === '{"a":1}' && headers['content-length'] === '7' && headers[':method'] === 'POST') bodies++;
				answerOk(stream);
			});
		}});
		servers.push(server);
		const {code} = await run(['--url', `${server.url}/post`, '--http2', '-m', 'POST', '--json-body', '{"a":1}', '-c', '1', '--streams', '3', '-n', '90', '-t', '1']);
		expect(code).toBe(0);
		expect(bodies).toBe(90);
	});

	it('data-driven requests over h2: each CSV row\'s path, header and body on its stream, each row the same number of times', async () => {
		const rows = Array.from({length: 20}, (_, index) => index + 1);
		writeFileSync(file('users.csv'), `id,name\n${rows.map(id => `${id},name é ${id}`).join('\n')}\n`);
		const seen: Array<{path: string; user: string; body: string}> = [];
		const server = await h2Server({answer(stream, headers) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('end', () => {
				seen.push({path: String(headers[':path']), user: String(headers['x-user']), body: Buffer.concat(chunks).toString()});
				answerOk(stream);
			});
		}});
		servers.push(server);
		const config = writeConfig({
			data: {file: file('users.csv')},
			url: `${server.url}/items/\${data.id}`,
			method: 'POST',
			http2: true,
			streams: 4,
			headers: {'X-User': 'user-${data.id}'},
			json: {id: '${data.id}', name: '${data.name}'},
		});
		const {code} = await run(['--config', config, '-n', '200', '-t', '2', '-c', '2']);
		expect(code).toBe(0);
		expect(seen).toHaveLength(200);
		const counts = new Map<string, number>();
		for (const request of seen) {
			counts.set(request.path, (counts.get(request.path) ?? 0) + 1);
			const id = request.path.slice('/items/'.length);
			expect(request.user).toBe(`user-${id}`);
			expect(JSON.parse(request.body)).toEqual({id, name: `name é ${id}`});
		}

		expect(rows.filter(id => counts.get(`/items/${id}`) !== 10)).toEqual([]);
	});

	it('live changes in the load loop: more connections open sessions, fewer close them; a new token goes on the next streams', async () => {
		const authorizations: string[] = [];
		const server = await h2Server({answer(stream, headers) {
			authorizations.push(String(headers.authorization));
			setTimeout(() => answerOk(stream), 1);
		}});
		servers.push(server);
		const closedSessions = () => carrying(server).filter(session => session.closed).length;
		const policy: RequestPolicy = {...defaultPolicy, http2: {streams: 4}};
		const plan: EndpointPlan = {name: 'live', method: 'GET', url: `${server.url}/live`, origin: server.url, path: '/live', headers: {}, body: undefined, weight: 1};
		await loadHttpClient(policy);
		const loop = new LoadLoop({endpoints: [plan], policy, connections: 1, rate: undefined, maxLateMs: 0, issued: undefined, maxRequests: undefined, extraHeaders: {Authorization: 'Bearer one'}, paused: false}, {onExhausted() {}, onUnauthorized() {}});
		const until = async (condition: () => boolean): Promise<void> => {
			const deadline = Date.now() + 10_000;
			while (!condition() && Date.now() < deadline) {
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => setTimeout(resolve, 5));
			}
		};

		loop.start();
		await until(() => server.streams >= 100);
		expect(carrying(server)).toHaveLength(1);
		expect(loop.snapshot(0, 0).connections).toBe(1);
		loop.setConnections(3);
		await until(() => carrying(server).length === 3 && carrying(server).every(session => session.streams >= 50));
		expect(carrying(server)).toHaveLength(3);
		expect(carrying(server).map(session => session.maxOpen)).toEqual([4, 4, 4]);
		expect(loop.snapshot(0, 0).connections).toBe(3);
		const sentBefore = authorizations.length;
		loop.setExtraHeaders({Authorization: 'Bearer two'});
		await until(() => authorizations.length >= sentBefore + 200);
		// Only the streams in flight at the change (at most 3 x 4) may still carry the old token.
		expect(authorizations.slice(sentBefore).filter(value => value === 'Bearer one').length).toBeLessThanOrEqual(12);
		expect(authorizations.slice(-50).every(value => value === 'Bearer two')).toBe(true);
		loop.setConnections(1);
		await until(() => closedSessions() === 2);
		expect(closedSessions()).toBe(2);
		expect(loop.snapshot(0, 0).connections).toBe(1);
		await loop.stop(2000);
		expect(authorizations).toHaveLength(server.streams);
	});

	it('bad HTTP/2 settings are one line each, exit 2', async () => {
		const streamsAlone = await runCli(['--url', 'http://127.0.0.1:9/', '--streams', '8', '--headless']);
		expect(streamsAlone.code).toBe(2);
		expect(streamsAlone.stderr).toContain('streams: streams are HTTP/2\'s; add "http2": true (--http2) or remove streams');
		const badStreams = await runCli(['--url', 'http://127.0.0.1:9/', '--http2', '--streams', '0', '--headless']);
		expect(badStreams.code).toBe(2);
		expect(badStreams.stderr).toContain('--streams: "0" is not valid');
		const undici = await runCli(['--url', 'http://127.0.0.1:9/', '--http2', '--http-client', 'undici', '--headless']);
		expect(undici.code).toBe(2);
		expect(undici.stderr).toContain('http_client: "undici" is an HTTP/1.1 client, but http2 sends with node:http2');
		const proxied = await runCli(['--url', 'http://127.0.0.1:9/', '--http2', '--proxy', 'http://127.0.0.1:3128', '--headless']);
		expect(proxied.code).toBe(2);
		expect(proxied.stderr).toContain('proxy: GET / would go through the proxy http://127.0.0.1:3128');
		for (const result of [streamsAlone, badStreams, undici, proxied]) {
			expect(result.stderr).not.toMatch(/\n\s+at /);
			expect(result.stderr.trim().split('\n').filter(line => line.includes('http2') || line.includes('streams') || line.includes('HTTP/2'))).toHaveLength(1);
		}
	});

	it('a plain HTTP/1.1 run says so in its report', async () => {
		const plain = await startTarget();
		servers.push(plain);
		const {report} = await run(['--url', `${plain.url}/`, '-c', '1', '-n', '5', '-t', '1']);
		expect(report!.settings.protocol).toBe('http/1.1');
		expect(report!.settings.streams).toBeUndefined();
	});
});
