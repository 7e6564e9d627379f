/**
 * The load loop's warm-up phases (LoadLoop.warmPhase): the warm-up moves to a new phase at every
 * snapshot, and an attempt sent in one phase that ends in a later one (or after the clock started)
 * is counted apart without being recorded, as one sent in the warm-up and ended in the measured run
 * is. So that path runs in the warm-up too and is compiled before the clock starts. Every request
 * the server saw is counted exactly once: recorded in a warm-up snapshot, counted apart, or measured.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {defaultPolicy, type EndpointPlan} from '../source/config/types.js';
import {LoadLoop} from '../source/engine/load-loop.js';
import type {WorkerSnapshot} from '../source/stats/snapshot.js';
import {waitFor} from './helpers/wait.js';

const servers: http.Server[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => new Promise(resolve => {
		server.closeAllConnections();
		server.close(resolve);
	})));
});

/** A target that holds every request until the test answers it. */
async function holdingTarget(): Promise<{origin: string; held: http.ServerResponse[]; count: () => number}> {
	const held: http.ServerResponse[] = [];
	let count = 0;
	const server = http.createServer((_request, response) => {
		count++;
		held.push(response);
	});
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return {origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, held, count: () => count};
}

const answerAll = (held: http.ServerResponse[]): void => {
	for (const response of held.splice(0)) {
		response.writeHead(200, {'content-length': 2});
		response.end('ok');
	}
};

const recorded = (snapshot: WorkerSnapshot): number => snapshot.endpoints[0]!.responses;
const apart = (snapshot: WorkerSnapshot): number => snapshot.warmUp?.responses ?? 0;

describe('warm-up phases in the load loop', () => {
	it('counts an attempt that crosses a phase apart, records one that ends in its own, and loses or doubles none', async () => {
		const target = await holdingTarget();
		const plan: EndpointPlan = {name: 'api', method: 'GET', url: `${target.origin}/`, origin: target.origin, path: '/', headers: {}, body: undefined, weight: 1};
		let onExhausted!: () => void;
		const exhausted = new Promise<void>(resolve => {
			onExhausted = resolve;
		});
		// Two measured requests in all (the warm-up takes none of the budget).
		const loop = new LoadLoop(
			{endpoints: [plan], policy: {...defaultPolicy, timeoutMs: 5000}, connections: 2, rate: undefined, maxLateMs: 1000, issued: new Int32Array(new SharedArrayBuffer(4)), maxRequests: 2, extraHeaders: {}, paused: false, warmUp: true},
			{onExhausted, onUnauthorized() {}},
		);
		const snapshots: WorkerSnapshot[] = [];
		loop.start();
		await waitFor(() => target.held.length === 2, 'two requests held');
		// Phase 1 ends with this snapshot; the two requests in flight were sent in it.
		snapshots.push(loop.snapshot(0, 0));
		answerAll(target.held);
		// They ended in phase 2: counted apart, not recorded. Each connection sent its next one (phase 2).
		await waitFor(() => target.held.length === 2, 'two requests held');
		answerAll(target.held);
		// Those ended in the phase they were sent in: recorded as usual, in a snapshot marked warming.
		await waitFor(() => target.held.length === 2, 'two requests held');
		snapshots.push(loop.snapshot(0, 0));
		// The clock starts with two requests of the warm-up's (phase 3) in flight.
		loop.measure();
		answerAll(target.held);
		// Then the two measured requests, answered, and the budget is spent.
		await waitFor(() => target.held.length === 2, 'two requests held');
		answerAll(target.held);
		await exhausted;
		snapshots.push(loop.snapshot(0, 0));
		await loop.stop(1000);

		expect(snapshots.map(snapshot => snapshot.warming === true)).toEqual([true, true, false]);
		expect(snapshots.map(recorded)).toEqual([0, 2, 2]);
		expect(snapshots.map(apart)).toEqual([0, 2, 2]);
		// The server's count: 6 in the warm-up (2 recorded in a warming snapshot, 4 counted apart), 2 measured.
		expect(target.count()).toBe(8);
		expect(snapshots.reduce((sum, snapshot) => sum + recorded(snapshot) + apart(snapshot), 0)).toBe(target.count());
	});
});
