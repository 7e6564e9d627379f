import net from 'node:net';
import type {AddressInfo} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import {quickBaselineRequests, runBaseline} from '../source/engine/baseline.js';
import {renderTextSummary} from '../source/report/text.js';
import {prepareRun} from '../source/session/prepare.js';
import {Session} from '../source/session/session.js';
import {computeSpeedup, mixRate} from '../source/stats/speedup.js';
import {baselineSegments} from '../source/ui/screens/summary-screen.js';
import {report, testHardware} from './helpers/ui-fixtures.js';
import {useTargets, type Responder} from './helpers/target-server.js';

const target = useTargets(afterEach);

/** `/slow` answers after 40 ms, everything else at once; both count as the server saw them. */
const fastAndSlow: Responder = (request, _index, response) => {
	const answer = (): void => {
		response.writeHead(200, {'content-length': 2});
		response.end('ok');
	};

	if (request.url.startsWith('/slow')) setTimeout(answer, 40);
	else answer();
};

describe('per-endpoint baselines', () => {
	it('the quick baseline sends every endpoint its requests, in turn, whatever the weights', async () => {
		expect(quickBaselineRequests(5, 1)).toBe(5);
		expect(quickBaselineRequests(5, 5)).toBe(25);
		expect(quickBaselineRequests(0, 3)).toBe(0);
		const server = await target({keep: 100});
		const {plan} = resolveConfig({requests: [
			{name: 'a', url: `${server.url}/a`, weight: 100},
			{name: 'b', url: `${server.url}/b`, weight: 1},
			{name: 'c', url: `${server.url}/c`, weight: 1},
		]}, {source: 'test', env: {}});
		const run = await runBaseline(plan, {count: quickBaselineRequests(2, 3)});
		expect(run.samples.map(sample => sample.endpoint)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
		expect(server.seen.map(request => request.url)).toEqual(['/a', '/b', '/c', '/a', '/b', '/c']);
		// Each endpoint's first request is cold: the warm figures hold the second.
		expect(run.totals.endpoints.map(endpoint => endpoint.requests)).toEqual([2, 2, 2]);
		expect(run.warm.endpoints.map(endpoint => endpoint.requests)).toEqual([1, 1, 1]);
	});

	it('the extended baseline cycles through the endpoints too', async () => {
		const server = await target({keep: 100_000});
		const {plan} = resolveConfig({requests: [
			{name: 'a', url: `${server.url}/a`, weight: 9},
			{name: 'b', url: `${server.url}/b`, weight: 1},
		]}, {source: 'test', env: {}});
		const run = await runBaseline(plan, {durationMs: 400});
		const [a, b] = run.totals.endpoints;
		expect(a!.requests).toBeGreaterThan(5);
		expect(Math.abs(a!.requests - b!.requests)).toBeLessThanOrEqual(1);
		expect(run.durationS).toBeGreaterThan(0.35);
	});

	it('the quick baseline stops at the first request that times out, says so, and the run goes on', async () => {
		// A target that accepts connections and never answers.
		const sockets = new Set<net.Socket>();
		const hung = net.createServer(socket => {
			sockets.add(socket);
			socket.on('error', () => undefined);
		});
		await new Promise<void>(resolve => {
			hung.listen(0, '127.0.0.1', resolve);
		});
		const {port} = hung.address() as AddressInfo;
		try {
			const prepared = prepareRun({url: `http://127.0.0.1:${port}/`, threads: '1', connections: '2', duration: '1', grace: '0.2'}, testHardware, {}, {timeout_ms: 300});
			const session = new Session({prepared, hardware: testHardware, quickBaselineCount: 5, extendedBaselineMs: undefined});
			const started = performance.now();
			const result = await session.run();
			const elapsedMs = performance.now() - started;
			const quick = result.baseline!.quick!;
			expect(quick.requests).toBe(1);
			expect(quick.errors).toBe(1);
			expect(quick.stoppedAtTimeout).toBe(true);
			expect(quick.samplesMs).toHaveLength(1);
			// One timeout (0.3 s) rather than five, then the 1 s run and its short drain.
			expect(elapsedMs).toBeLessThan(5000);
			expect(result.summary.durationS).toBeGreaterThan(0.5);
			expect(result.speedup).toBeUndefined();
			expect(renderTextSummary(result)).toContain('The quick baseline stopped at its first timeout');
			expect(baselineSegments(result)).toContain('stopped at its first timeout: the rest would time out too');
		} finally {
			for (const socket of sockets) socket.destroy();
			await new Promise(resolve => {
				hung.close(resolve);
			});
		}
	});
});

describe('speedup per endpoint', () => {
	it('compares each endpoint with itself alone: a slow endpoint that stays slow grows about 1x', async () => {
		const server = await target({respond: fastAndSlow});
		const prepared = prepareRun({threads: '1', connections: '4', duration: '1.5'}, testHardware, {}, {requests: [
			{name: 'fast', url: `${server.url}/fast`, weight: 3},
			{name: 'slow', url: `${server.url}/slow`, weight: 1},
		]});
		const session = new Session({prepared, hardware: testHardware, quickBaselineCount: 5, extendedBaselineMs: undefined});
		const result = await session.run();
		const quick = result.baseline!.quick!;
		expect(quick.requests).toBe(10);
		expect(quick.endpoints!.map(endpoint => [endpoint.name, endpoint.requests])).toEqual([['fast', 4], ['slow', 4]]);
		const speedup = result.speedup!;
		const [fast, slow] = speedup.endpoints!;
		// 40 ms alone and about 40 ms under four connections: about 1x (not 0.00x, not 100x).
		expect(slow!.latencyGrowthP50).toBeGreaterThan(0.8);
		expect(slow!.latencyGrowthP50).toBeLessThan(1.6);
		expect(slow!.baselineP50Ms).toBeGreaterThan(35);
		expect(fast!.latencyGrowthP50).toBeGreaterThan(0);
		// The overall growth is the weighted mix of the two.
		const mix = ((3 * fast!.latencyGrowthP50!) + slow!.latencyGrowthP50!) / 4;
		expect(Math.abs(speedup.latencyGrowthP50! - mix)).toBeLessThan(0.01);
		// One connection at this mix does at most about 1 / (0.25 * 40 ms) = 100 req/s: the baseline's rate says so.
		expect(quick.rps).toBeGreaterThan(50);
		expect(quick.rps).toBeLessThan(110);
		expect(speedup.throughput).toBeGreaterThan(1);
		const text = renderTextSummary(result);
		expect(text).toMatch(/endpoint +weight +alone p50 +loaded p50 +growth/);
		expect(text).toMatch(/\n {2}slow +1 +4\d\.\d ms +4\d\.\d ms +[01]\.\d\dx/);
		expect(text).not.toContain('0.00x');
	});

	it('shows n/a rather than a figure that cannot be right', () => {
		// A baseline that measured nothing: no throughput, no growth (never 0.00x).
		const none = computeSpeedup({rps: 500, p50: 2, p99: 5}, {rps: 0, p50: 0, p99: 0}, 1, 10);
		expect(none).toMatchObject({throughput: null, latencyGrowthP50: null, latencyGrowthP99: null, perConnectionEfficiency: null, perThreadRps: 500});
		expect(none.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^throughput n\/a/), expect.stringMatching(/^latency growth n\/a/)]));
		// Each connection under load faster than the lone one: efficiency above 110% is n/a, with why.
		const cold = computeSpeedup({rps: 5000, p50: 0.5, p99: 2}, {rps: 100, p50: 1, p99: 2}, 2, 10);
		expect(cold.throughput).toBe(50);
		expect(cold.perConnectionEfficiency).toBeNull();
		expect(cold.notes?.join(' ')).toMatch(/per-connection efficiency n\/a.*500%/);
		// A few percent above 100% is a baseline's noise around perfect scaling: shown as measured.
		expect(computeSpeedup({rps: 1030, p50: 1, p99: 2}, {rps: 100, p50: 1, p99: 2}, 1, 10).perConnectionEfficiency).toBe(1.03);
		expect(computeSpeedup({rps: 1200, p50: 1, p99: 2}, {rps: 100, p50: 1, p99: 2}, 1, 10).perConnectionEfficiency).toBeNull();
		// An endpoint with no response alone: n/a for it, the mix over the others, and a note.
		const partial = computeSpeedup({rps: 100, p50: 2, p99: 4}, {rps: 50, p50: 1, p99: 2}, 1, 4, {
			run: [{name: 'a', weight: 3, p50: 2, p99: 4}, {name: 'b', weight: 1, p50: 10, p99: 20}],
			baseline: [{name: 'a', weight: 3, p50: 1, p99: 2}, {name: 'b', weight: 1}],
		});
		expect(partial.endpoints?.[1]).toMatchObject({latencyGrowthP50: null, baselineP50Ms: null, p50Ms: 10});
		expect(partial.latencyGrowthP50).toBe(2);
		expect(partial.notes).toContain('latency growth leaves out b (no response alone or under load)');
		// The mix rate weighs each endpoint's own time per request, leaving out those without one.
		expect(mixRate([{weight: 3, secondsEach: 0.001}, {weight: 1, secondsEach: 0.04}])).toBeCloseTo(4 / 0.043, 2);
		expect(mixRate([{weight: 1, secondsEach: undefined}])).toBe(0);

		const shown = report({speedup: {against: 'quick', ...cold}});
		const segments = baselineSegments(shown).join(' · ');
		expect(segments).toContain('per connection n/a (above 110%: each connection under load beat the lone one)');
		expect(renderTextSummary(shown)).toMatch(/Per connection {4}n\/a/);
		const empty = report({speedup: {against: 'quick', ...none}});
		expect(baselineSegments(empty).join(' · ')).toContain('throughput n/a');
		expect(renderTextSummary(empty)).not.toContain('0.00x');
	});
});
