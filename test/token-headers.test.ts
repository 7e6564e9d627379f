/**
 * The load loop and token headers: a 401 for a request that carried a token replaced since (it
 * crossed the new one on the way) is retried at once with the current token and asks for no
 * refresh; headers the loop already has (sent again by the engine) release nothing.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {defaultPolicy, type EndpointPlan} from '../source/config/types.js';
import {LoadLoop} from '../source/engine/load-loop.js';

const servers: http.Server[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => new Promise(resolve => {
		server.closeAllConnections();
		server.close(resolve);
	})));
});

/**
 * An API that answers 200 to token B and 401 to any other; it holds the first `hold` requests with
 * token A (the test decides when each gets its 401).
 */
async function api(hold: number): Promise<{origin: string; seen: string[]; held: http.ServerResponse[]; arrived: Promise<void>}> {
	const seen: string[] = [];
	const held: http.ServerResponse[] = [];
	let bothHeld!: () => void;
	const arrived = new Promise<void>(resolve => {
		bothHeld = resolve;
	});
	const server = http.createServer((request, response) => {
		seen.push(String(request.headers.authorization));
		if (held.length < hold && request.headers.authorization === 'Bearer A') {
			held.push(response);
			if (held.length === hold) bothHeld();
			return;
		}

		response.writeHead(request.headers.authorization === 'Bearer B' ? 200 : 401, {'content-length': 0});
		response.end();
	});
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return {origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, held, arrived};
}

const unauthorized = (response: http.ServerResponse): void => {
	response.writeHead(401, {'content-length': 0});
	response.end();
};

/**
 * A load loop of `count` requests with token A; `asked`: the header versions it asked a refresh
 * for; `exhausted`: resolves once every request it could send has finished.
 */
function loopFor(origin: string, connections: number, count: number): {loop: LoadLoop; asked: number[]; exhausted: Promise<void>} {
	const plan: EndpointPlan = {name: 'api', method: 'GET', url: `${origin}/`, origin, path: '/', headers: {}, body: undefined, weight: 1};
	const asked: number[] = [];
	let onExhausted!: () => void;
	const exhausted = new Promise<void>(resolve => {
		onExhausted = resolve;
	});
	const loop = new LoadLoop(
		{endpoints: [plan], policy: {...defaultPolicy, timeoutMs: 5000}, connections, rate: undefined, maxLateMs: 1000, issued: new Int32Array(new SharedArrayBuffer(4)), maxRequests: count, extraHeaders: {authorization: 'Bearer A'}, paused: false},
		{onExhausted, onUnauthorized: version => asked.push(version)},
	);
	return {loop, asked, exhausted};
}

describe('token headers in the load loop', () => {
	it('a 401 for a replaced token is retried at once with the current one, without asking for another refresh', async () => {
		const server = await api(2);
		const {loop, asked, exhausted} = loopFor(server.origin, 2, 4);
		loop.start();
		await server.arrived;
		// The first 401 asks for a refresh; the new token arrives; only then the second 401 (sent with A) lands.
		unauthorized(server.held[0]!);
		await new Promise(resolve => setTimeout(resolve, 50));
		expect(asked).toEqual([0]);
		loop.setExtraHeaders({authorization: 'Bearer B'});
		unauthorized(server.held[1]!);
		await exhausted;
		await loop.stop(1000);
		expect(asked).toEqual([0]);
		// The server's record: two requests with A (both 401), both retried once with B.
		expect(server.seen).toEqual(['Bearer A', 'Bearer A', 'Bearer B', 'Bearer B']);
		const figures = loop.snapshot(0, 0).endpoints[0]!;
		expect(figures.statusCodes).toEqual({200: 2, 401: 2});
		expect(figures.retries).toBe(2);
	});

	it('headers it already has (the same version again) release no request waiting for a refresh', async () => {
		const server = await api(0);
		const {loop, asked, exhausted} = loopFor(server.origin, 1, 2);
		loop.start();
		// The request with A gets its 401 and waits for a refresh of version 0.
		while (asked.length === 0) await new Promise(resolve => setTimeout(resolve, 10));
		expect(asked).toEqual([0]);
		// Version 0 again (as the engine sends after a 401 for an older token): nothing is released.
		loop.setExtraHeaders({authorization: 'Bearer X'}, 0);
		await new Promise(resolve => setTimeout(resolve, 100));
		expect(server.seen).toEqual(['Bearer A']);
		// The refresh itself (version 1): the waiting request goes again with B.
		loop.setExtraHeaders({authorization: 'Bearer B'});
		await exhausted;
		await loop.stop(1000);
		expect(server.seen).toEqual(['Bearer A', 'Bearer B']);
		expect(loop.snapshot(0, 0).endpoints[0]!.statusCodes).toEqual({200: 1, 401: 1});
	});
});
