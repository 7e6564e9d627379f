import {readFileSync} from 'node:fs';
import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import type {RunSettings} from '../source/config/types.js';
import {Engine} from '../source/engine/engine.js';
import {delayed, useTargets} from './helpers/target-server.js';
import {sleep, waitFor} from './helpers/wait.js';

const target = useTargets(afterEach);

function settings(overrides: Partial<RunSettings>): RunSettings {
	return {threads: 1, connections: 4, durationMs: 2000, maxRequests: undefined, rate: undefined, graceMs: 2000, ...overrides};
}

function engineWith(raw: Record<string, unknown>, run: Partial<RunSettings>): Engine {
	const {plan} = resolveConfig(raw, {source: 'test', env: {}});
	return new Engine({plan, settings: settings(run), snapshotIntervalMs: 100});
}

// Everything the engine promises holds for both HTTP clients: the socket client (default) and undici.
describe.each(['socket', 'undici'] as const)('engine against a real server (%s client)', client => {
	const engineFor = (raw: Record<string, unknown>, run: Partial<RunSettings>): Engine => engineWith({...raw, http_client: client}, run);

	it('counts no more responses than the server saw, and no fewer requests than it saw minus in-flight', async () => {
		const server = await target();
		const engine = engineFor({url: `${server.url}/`}, {threads: 2, connections: 10, durationMs: 1500});
		const result = await engine.start();
		const {overall} = result.totals;
		expect(overall.requests).toBeGreaterThan(100);
		expect(overall.responses).toBeLessThanOrEqual(server.count);
		expect(server.count - overall.requests).toBeGreaterThanOrEqual(0);
		expect(server.count - overall.requests).toBeLessThanOrEqual(10);
		expect(overall.statusCodes['200']).toBe(overall.responses);
		expect(result.timeline.length).toBeGreaterThanOrEqual(1);
		expect(result.timeline.reduce((sum, point) => sum + point.requests, 0)).toBe(overall.requests);
	});

	it('stops after exactly N requests', async () => {
		const server = await target();
		const engine = engineFor({url: `${server.url}/`}, {threads: 2, connections: 7, durationMs: undefined, maxRequests: 503});
		const result = await engine.start();
		expect(result.stopReason).toBe('requests');
		expect(result.totals.overall.requests).toBe(503);
		expect(server.count).toBe(503);
	});

	it('sends headers, basic auth and bodies as configured', async () => {
		const server = await target({keep: 1000});
		const engine = engineFor({
			headers: {'X-Trace': 'abc'},
			basic_auth: {username: 'alice', password: 'wonder land'},
			requests: [
				{name: 'json', method: 'POST', url: `${server.url}/json`, json: {a: 1, b: [true]}},
				{name: 'form', method: 'PUT', url: `${server.url}/form`, form: {q: 'x y', n: 3}},
				{name: 'raw', method: 'PATCH', url: `${server.url}/raw?z=1`, body: 'hello', headers: {'Content-Type': 'text/x-custom'}},
			],
		}, {connections: 3, durationMs: undefined, maxRequests: 300});
		const result = await engine.start();
		expect(result.totals.endpoints.map(endpoint => endpoint.requests).reduce((a, b) => a + b)).toBe(300);
		const byPath = (prefix: string) => server.seen.find(request => request.url.startsWith(prefix));
		const json = byPath('/json')!;
		expect(json.method).toBe('POST');
		expect(JSON.parse(json.body)).toEqual({a: 1, b: [true]});
		expect(json.headers['content-type']).toBe('application/json');
		expect(json.headers['x-trace']).toBe('abc');
		expect(json.headers.authorization).toBe(`Basic ${Buffer.from('alice:wonder land').toString('base64')}`);
		const form = byPath('/form')!;
		expect(form.method).toBe('PUT');
		expect(form.body).toBe('q=x+y&n=3');
		expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
		const raw = byPath('/raw?z=1')!;
		expect(raw.method).toBe('PATCH');
		expect(raw.body).toBe('hello');
		expect(raw.headers['content-type']).toBe('text/x-custom');
	});

	it('chooses endpoints by weight and keeps stats per endpoint', async () => {
		const server = await target();
		const engine = engineFor({requests: [
			{name: 'heavy', url: `${server.url}/heavy`, weight: 9},
			{name: 'light', url: `${server.url}/light`, weight: 1},
		]}, {connections: 4, durationMs: undefined, maxRequests: 4000});
		const result = await engine.start();
		const [heavy, light] = result.totals.endpoints;
		expect(heavy!.requests + light!.requests).toBe(4000);
		// 10% expected: 400 +- a wide margin (binomial sd ~19).
		expect(light!.requests).toBeGreaterThan(300);
		expect(light!.requests).toBeLessThan(500);
		expect(heavy!.histogram.totalCount).toBe(heavy!.requests);
	});

	it('retries listed statuses with backoff, counting every attempt', async () => {
		const arrivals: number[] = [];
		const server = await target({
			respond(_request, index, response) {
				arrivals.push(performance.now());
				// Every request fails twice, then succeeds: 503, 503, 200, 503, 503, 200, ...
				const status = index % 3 === 2 ? 200 : 503;
				response.writeHead(status, {'content-length': 0});
				response.end();
			},
		});
		const engine = engineFor({url: `${server.url}/`, retries: 2, backoff_ms: 40, backoff_max_ms: 60, retry_on_statuses: [503]}, {connections: 1, durationMs: undefined, maxRequests: 9});
		const result = await engine.start();
		expect(server.count).toBe(9);
		expect(result.totals.overall.requests).toBe(9);
		expect(result.totals.overall.statusCodes).toEqual({200: 3, 503: 6});
		// Backoff: the first retry waits >= 40 ms, the second >= 60 ms (capped from 80).
		expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(39);
		expect(arrivals[2]! - arrivals[1]!).toBeGreaterThanOrEqual(59);
	});

	it('retries network errors', async () => {
		const server = await target({
			respond(_request, index, response) {
				if (index % 2 === 0) {
					// Cut off in the middle of the response: a network error (a connection closed before
					// any byte would be a stale keep-alive connection, which is resent without a retry).
					response.socket?.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok');
					response.socket?.destroy();
					return;
				}

				response.writeHead(200, {'content-length': 2});
				response.end('ok');
			},
		});
		const engine = engineFor({url: `${server.url}/`, retries: 1, backoff_ms: 1}, {connections: 1, durationMs: undefined, maxRequests: 10});
		const result = await engine.start();
		expect(result.totals.overall.requests).toBe(10);
		expect(result.totals.overall.errors).toBe(5);
		expect(result.totals.overall.responses).toBe(5);
		expect(result.totals.overall.retries).toBe(5);
		expect(server.count).toBe(10);
		expect(Object.keys(result.totals.overall.errorKinds)).toEqual(['reset']);
	});

	it('counts timeouts as errors', async () => {
		const server = await target({respond: delayed(400)});
		const engine = engineFor({url: `${server.url}/`, timeout_ms: 100}, {connections: 2, durationMs: undefined, maxRequests: 4});
		const result = await engine.start();
		expect(result.totals.overall.errorKinds).toEqual({timeout: 4});
	});

	it('accepts a self-signed certificate only with verify_tls false', async () => {
		const tls = {key: readFileSync(new URL('fixtures/self-signed-key.pem', import.meta.url), 'utf8'), cert: readFileSync(new URL('fixtures/self-signed-cert.pem', import.meta.url), 'utf8')};
		const server = await target({tls});
		const insecure = await engineFor({url: `${server.url}/`, verify_tls: false}, {connections: 2, durationMs: undefined, maxRequests: 20}).start();
		expect(insecure.totals.overall.statusCodes).toEqual({200: 20});
		const strict = await engineFor({url: `${server.url}/`}, {connections: 1, durationMs: undefined, maxRequests: 3}).start();
		expect(strict.totals.overall.responses).toBe(0);
		expect(strict.totals.overall.errorKinds).toEqual({tls: 3});
	});

	it.each([false, true])('counts every byte of large bodies on many connections at once (TLS: %s)', async useTls => {
		// Bodies several times the socket client's shared 16 KiB read buffer, length-framed and chunked
		// in uneven writes, on 6 connections of one thread: reads of different connections interleave.
		const lengthBody = Buffer.alloc(300_001, 'a');
		const chunkedBody = Buffer.alloc(200_000, 'b');
		const tls = useTls ? {key: readFileSync(new URL('fixtures/self-signed-key.pem', import.meta.url), 'utf8'), cert: readFileSync(new URL('fixtures/self-signed-cert.pem', import.meta.url), 'utf8')} : undefined;
		const server = await target({
			...(tls ? {tls} : {}),
			respond(request, _index, response) {
				if (request.url === '/chunked') {
					response.writeHead(200);
					response.write(chunkedBody.subarray(0, 70_001));
					response.write(chunkedBody.subarray(70_001, 70_002));
					response.end(chunkedBody.subarray(70_002));
				} else {
					response.writeHead(200, {'content-length': lengthBody.length});
					response.end(lengthBody);
				}
			},
		});
		const result = await engineFor({verify_tls: false, requests: [
			{name: 'length', url: `${server.url}/length`},
			{name: 'chunked', url: `${server.url}/chunked`},
		]}, {threads: 1, connections: 6, durationMs: undefined, maxRequests: 120}).start();
		const [length, chunked] = result.totals.endpoints;
		expect(result.totals.overall.errors).toBe(0);
		expect(result.totals.overall.responses).toBe(120);
		expect(server.count).toBe(120);
		expect(length!.bytesRead).toBe(length!.responses * lengthBody.length);
		expect(chunked!.bytesRead).toBe(chunked!.responses * chunkedBody.length);
	});

	it('changes worker threads and connections live, keeping counts', async () => {
		const server = await target();
		const engine = engineFor({url: `${server.url}/`}, {threads: 1, connections: 4, durationMs: 20_000});
		const done = engine.start();
		const live = () => engine.workerHealth;
		await waitFor(() => engine.totals.overall.requests > 50, 'first requests');
		engine.setThreads(2);
		await waitFor(() => live().length === 2 && live().every(worker => worker.connections === 2 && worker.inFlight > 0), 'two workers with two connections each');
		engine.setConnections(9);
		await waitFor(() => live().map(worker => worker.connections).join(',') === '5,4', 'nine connections over two workers');
		const beforeShrink = engine.totals.overall.requests;
		engine.setThreads(1);
		await waitFor(() => live().length === 1 && live()[0]!.connections === 9, 'one worker holding all nine connections');
		expect(engine.totals.overall.requests).toBeGreaterThanOrEqual(beforeShrink);
		engine.setConnections(3);
		await waitFor(() => live()[0]!.connections === 3, 'three connections');
		const result = await engine.stop();
		expect(result.finalSettings).toMatchObject({threads: 1, connections: 3});
		expect(result.markers.map(marker => marker.kind)).toEqual(['threads', 'connections', 'threads', 'connections', 'stop']);
		expect(server.count - result.totals.overall.requests).toBeGreaterThanOrEqual(0);
		expect(server.count - result.totals.overall.requests).toBeLessThanOrEqual(9);
		await done;
	});

	it('pauses (the server count stands still) and resumes', async () => {
		const server = await target();
		const engine = engineFor({url: `${server.url}/`}, {threads: 2, connections: 4, durationMs: 20_000});
		const done = engine.start();
		await waitFor(() => server.count > 100, 'traffic');
		engine.pause();
		expect(engine.state).toBe('paused');
		await sleep(300);
		const paused = server.count;
		await sleep(700);
		expect(server.count).toBe(paused);
		engine.resume();
		await waitFor(() => server.count > paused + 100, 'traffic after resume');
		const result = await engine.stop();
		await done;
		expect(result.markers.map(marker => marker.kind)).toEqual(['pause', 'resume', 'stop']);
		expect(result.timeline.some(point => point.paused), JSON.stringify(result.timeline.map(point => [point.t, point.paused, point.requests]))).toBe(true);
		// Paused time does not count towards the duration of load.
		const wall = (result.endedAt.getTime() - result.startedAt.getTime()) / 1000;
		expect(result.durationS).toBeLessThan(wall - 0.8);
	});

	it('drains in-flight requests at stop and counts them as incomplete, with their age, after the grace period', async () => {
		const server = await target({respond: delayed(3000)});
		const engine = engineFor({url: `${server.url}/`}, {connections: 3, durationMs: 20_000, graceMs: 200});
		const done = engine.start();
		await waitFor(() => server.count === 3, 'three requests in flight');
		const stoppedAt = performance.now();
		const result = await engine.stop();
		await done;
		const {overall} = result.totals;
		expect(overall.requests).toBe(0);
		expect(overall.incomplete).toBe(3);
		expect(result.cancelled).toBe(0);
		expect(server.count).toBe(3);
		// Each was in flight from before the stop through the 200 ms grace period.
		expect(overall.incompleteHistogram?.totalCount).toBe(3);
		expect(overall.incompleteHistogram!.minNonZeroValue).toBeGreaterThanOrEqual(200_000);
		expect(overall.incompleteHistogram!.maxValue / 1000).toBeLessThan(performance.now() - stoppedAt + 3000);
		// Nothing of them enters the latency of responses.
		expect(overall.histogram.totalCount).toBe(0);
	});

	it('keeps connection errors out of the latency of responses (their own time-to-fail histogram)', async () => {
		// A port that was just free: nothing listens there.
		const probe = net.createServer();
		await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
		const {port} = probe.address() as net.AddressInfo;
		await new Promise<void>(resolve => probe.close(() => resolve()));
		const engine = engineFor({url: `http://127.0.0.1:${port}/`}, {connections: 2, durationMs: undefined, maxRequests: 20, graceMs: 200});
		const result = await engine.start();
		const {overall} = result.totals;
		expect(overall.errors).toBe(20);
		expect(overall.errorKinds).toEqual({refused: 20});
		expect(overall.histogram.totalCount).toBe(0);
		expect(overall.failureHistogram?.totalCount).toBe(20);
	});

	it('frames chunked, close-delimited, HEAD and Connection: close responses, counting body bytes', async () => {
		const body = 'x'.repeat(70_000);
		const server = await target({
			respond(request, index, response) {
				if (request.url === '/chunked') {
					// No Content-Length: node:http sends the body chunked, in two chunks here.
					response.writeHead(200, {'content-type': 'text/plain'});
					response.write(body.slice(0, 1000));
					response.end(body.slice(1000));
				} else if (request.url === '/close') {
					response.writeHead(200, {'content-length': 5, connection: 'close'});
					response.end('close');
				} else {
					response.writeHead(index % 2 === 0 ? 200 : 204, {'content-length': 5});
					response.end(request.method === 'HEAD' ? undefined : 'hello');
				}
			},
		});
		const engine = engineFor({requests: [
			{name: 'chunked', url: `${server.url}/chunked`},
			{name: 'close', url: `${server.url}/close`},
			{name: 'head', method: 'HEAD', url: `${server.url}/head`},
		]}, {connections: 3, durationMs: undefined, maxRequests: 300});
		const result = await engine.start();
		const [chunked, close, head] = result.totals.endpoints;
		expect(result.totals.overall.errors).toBe(0);
		expect(result.totals.overall.requests).toBe(300);
		expect(server.count).toBe(300);
		expect(chunked!.bytesRead).toBe(chunked!.responses * body.length);
		expect(close!.bytesRead).toBe(close!.responses * 5);
		expect(head!.bytesRead).toBe(0);
		expect(head!.responses).toBeGreaterThan(0);
	});

	it('measures each response against its own request: a 40 ms endpoint never shows a fast response', async () => {
		const slow = delayed(40);
		const server = await target({
			respond(request, index, response) {
				if (request.url === '/slow') {
					slow(request, index, response);
				} else {
					response.writeHead(200, {'content-length': 2});
					response.end('ok');
				}
			},
		});
		const engine = engineFor({requests: [
			{name: 'fast', url: `${server.url}/fast`, weight: 3},
			{name: 'slow', url: `${server.url}/slow`},
		]}, {connections: 4, durationMs: undefined, maxRequests: 400});
		const result = await engine.start();
		const [fast, slowTotals] = result.totals.endpoints;
		expect(fast!.responses + slowTotals!.responses).toBe(400);
		expect(slowTotals!.responses).toBeGreaterThan(20);
		// Node's timers fire up to 1 ms early (millisecond clock) and HDR buckets round down a little:
		// 38 ms allows both; a response credited to the wrong request would take ~0.1 ms.
		expect(slowTotals!.histogram.minNonZeroValue).toBeGreaterThanOrEqual(38_000);
		expect(fast!.histogram.totalCount).toBe(fast!.responses);
	});

	it('reconnects when the server closes idle keep-alive connections', async () => {
		const server = await target({keepAliveTimeoutMs: 20});
		const engine = engineFor({url: `${server.url}/`}, {connections: 2, durationMs: undefined, maxRequests: 12, rate: 20});
		const result = await engine.start();
		expect(result.totals.overall.requests).toBe(12);
		expect(result.totals.overall.errorKinds).toEqual({});
		expect(result.totals.overall.statusCodes).toEqual({200: 12});
	});

	it('reports a target that does not speak HTTP/1.1 as protocol errors, and one cut mid-body as resets', async () => {
		const garbage = net.createServer(socket => {
			socket.on('data', () => {
				socket.write('SSH-2.0-OpenSSH_9.2\r\n\r\n');
			});
		});
		const cut = net.createServer(socket => {
			socket.on('data', () => {
				socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part');
			});
		});
		await Promise.all([garbage, cut].map(async server => new Promise<void>(resolve => {
			server.listen(0, '127.0.0.1', resolve);
		})));
		try {
			const portOf = (server: net.Server): number => (server.address() as net.AddressInfo).port;
			const bad = await engineFor({url: `http://127.0.0.1:${portOf(garbage)}/`}, {connections: 1, durationMs: undefined, maxRequests: 3}).start();
			expect(bad.totals.overall.errorKinds).toEqual({protocol: 3});
			const short = await engineFor({url: `http://127.0.0.1:${portOf(cut)}/`}, {connections: 1, durationMs: undefined, maxRequests: 3}).start();
			expect(short.totals.overall.errorKinds).toEqual({reset: 3});
			expect(short.totals.overall.responses).toBe(0);
		} finally {
			garbage.close();
			cut.close();
		}
	});
});
