/**
 * The open model's schedule in the load loop: each timer turn sends what falls due within the next
 * 1.5 ms (earlyWindowMs), so no send waits for a timer's rounding; the pool grows
 * (`--max-connections`) only for a send that is due, never for one that could merely go early.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {defaultPolicy, type EndpointPlan} from '../source/config/types.js';
import {LoadLoop} from '../source/engine/load-loop.js';
import {waitFor} from './helpers/wait.js';

const servers: http.Server[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => new Promise(resolve => {
		server.closeAllConnections();
		server.close(resolve);
	})));
});

/** A target that holds every request until the test answers it. */
async function holdingTarget(): Promise<{origin: string; held: http.ServerResponse[]}> {
	const held: http.ServerResponse[] = [];
	const server = http.createServer((_request, response) => {
		held.push(response);
	});
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return {origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, held};
}

describe("the open model's schedule", () => {
	it('grows the pool for a send that is due, not for one it could send a little early', async () => {
		const target = await holdingTarget();
		const plan: EndpointPlan = {name: 'api', method: 'GET', url: `${target.origin}/`, origin: target.origin, path: '/', headers: {}, body: undefined, weight: 1};
		// A send every millisecond, one connection, room to grow to ten.
		const loop = new LoadLoop(
			{endpoints: [plan], policy: {...defaultPolicy, timeoutMs: 5000}, connections: 1, maxConnections: 10, rate: 1000, maxLateMs: 1000, issued: undefined, maxRequests: undefined, extraHeaders: {}, paused: false},
			{onExhausted() {}, onUnauthorized() {}},
		);
		loop.start();
		// The start's timer turn sent the send due now, and could send the one due in 1 ms as well, but
		// the only connection is busy: that one waits for it rather than open a second connection.
		expect(loop.snapshot(0, 0).connections).toBe(1);
		// The server holds every response, so sends fall due with the connection still busy: for those
		// the pool grows, one connection each.
		await waitFor(() => target.held.length >= 4, 'four requests held');
		expect(loop.snapshot(0, 0).connections).toBeGreaterThanOrEqual(4);
		for (const response of target.held.splice(0)) {
			response.writeHead(200, {'content-length': 2});
			response.end('ok');
		}

		await loop.stop(0);
	});
});
