import {afterEach, describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import type {RunSettings} from '../source/config/types.js';
import {Engine} from '../source/engine/engine.js';
import {parseStage, stageAt, stagesDurationMs} from '../source/engine/stages.js';
import {summarizeTotals} from '../source/stats/aggregate.js';
import {evaluateThreshold, parseThreshold} from '../source/stats/thresholds.js';
import {runCli} from './helpers/cli.js';
import {delayed, useTargets, type TargetServer} from './helpers/target-server.js';
import {parseDurationMs} from '../source/config/duration.js';

const target = useTargets(afterEach);

function engineFor(url: string, settings: Partial<RunSettings>): Engine {
	const {plan} = resolveConfig({url}, {source: 'test', env: {}});
	return new Engine({plan, settings: {threads: 1, connections: 4, durationMs: 2000, maxRequests: undefined, rate: undefined, graceMs: 2000, ...settings}, snapshotIntervalMs: 100});
}

/**
 * A server that freezes one second out of every five (seconds 2-3, 7-8, ... after it starts):
 * every response due in a frozen second waits until the second ends, like a GC pause.
 */
async function stallingTarget(): Promise<TargetServer> {
	const started = Date.now();
	return target({
		respond(_request, _index, response) {
			const elapsed = (Date.now() - started) % 5000;
			const answer = (): void => {
				response.writeHead(200, {'content-length': 2});
				response.end('ok');
			};

			if (elapsed >= 2000 && elapsed < 3000) {
				setTimeout(answer, 3000 - elapsed);
			} else {
				answer();
			}
		},
	});
}

describe('open model (constant rate)', () => {
	it('shows a server stall in the corrected p99 but not in the uncorrected one, and counts late sends', async () => {
		const server = await stallingTarget();
		const engine = engineFor(`${server.url}/`, {threads: 1, connections: 4, rate: 200, durationMs: 10_000});
		const result = await engine.start();
		const summary = summarizeTotals(result.totals.overall, result.durationS);
		// Two stalls of one second in ten: a fifth of the intended sends are held back.
		expect(summary.correctedLatencyMs).toBeDefined();
		expect(summary.correctedLatencyMs!.p99).toBeGreaterThanOrEqual(500);
		expect(summary.latencyMs.p99).toBeLessThan(100);
		// Only the four requests in flight when each stall began saw it directly.
		expect(summary.latencyMs.max).toBeGreaterThan(500);
		expect(result.totals.late).toBeGreaterThan(100);
		// Sends later than the 1 s bound were dropped, not sent.
		expect(result.totals.late + result.totals.dropped + summary.requests).toBeGreaterThanOrEqual(1900);
		expect(server.count - summary.requests).toBeLessThanOrEqual(4);
	}, 30_000);

	for (const threads of [1, 2]) {
		it(`holds the rate within 2% over 10 s with ${threads} thread(s)`, async () => {
			const server = await target();
			const engine = engineFor(`${server.url}/`, {threads, connections: 8, rate: 300, durationMs: 10_000});
			const result = await engine.start();
			const {requests} = result.totals.overall;
			const achieved = requests / result.durationS;
			expect(Math.abs(achieved - 300) / 300).toBeLessThan(0.02);
			expect(server.count).toBe(requests);
			expect(result.timeline.every(point => point.rate === 300)).toBe(true);
		}, 30_000);
	}

	it('changes the rate live and marks the change on the timeline', async () => {
		const server = await target();
		const engine = engineFor(`${server.url}/`, {threads: 2, connections: 6, rate: 100, durationMs: 4000});
		const done = engine.start();
		await new Promise(resolve => setTimeout(resolve, 2000));
		const before = server.count;
		engine.setRate(400);
		const result = await done;
		const after = server.count - before;
		// About 2 s at 400/s after the change (vs 200 at the old rate).
		expect(after).toBeGreaterThan(600);
		expect(result.markers.find(marker => marker.kind === 'rate')).toMatchObject({value: 400, label: 'rate 400/s'});
		expect(result.finalSettings.rate).toBe(400);
	}, 30_000);

	it('grows the pool up to --max-connections to hold the rate against a slow server', async () => {
		const server = await target({respond: delayed(100)});
		// 200/s at 100 ms each needs ~20 connections; start with 2, allow 40.
		const engine = engineFor(`${server.url}/`, {threads: 1, connections: 2, maxConnections: 40, rate: 200, durationMs: 3000});
		const done = engine.start();
		await new Promise(resolve => setTimeout(resolve, 2000));
		const grown = engine.workerHealth.reduce((sum, worker) => sum + worker.connections, 0);
		const result = await done;
		expect(grown).toBeGreaterThan(10);
		expect(grown).toBeLessThanOrEqual(40);
		expect(result.totals.overall.requests / result.durationS).toBeGreaterThan(180);
	}, 30_000);
});

describe('ramps', () => {
	it('computes stage values', () => {
		const stages = [{durationMs: 1000, target: 100}, {durationMs: 1000, target: 100}, {durationMs: 2000, target: 0}];
		expect(stageAt(stages, 0).value).toBe(0);
		expect(stageAt(stages, 500).value).toBe(50);
		expect(stageAt(stages, 1500)).toEqual({index: 1, value: 100, target: 100});
		expect(stageAt(stages, 3000).value).toBe(50);
		expect(stageAt(stages, 9000)).toEqual({index: 3, value: 0, target: 0});
		expect(stagesDurationMs(stages)).toBe(4000);
		expect(parseStage('30s:200', parseDurationMs)).toEqual({durationMs: 30_000, target: 200});
		expect(parseStage('soon:1', parseDurationMs)).toBeUndefined();
	});

	it('ramps the rate through stages on schedule', async () => {
		const server = await target();
		const engine = engineFor(`${server.url}/`, {threads: 1, connections: 8, rate: 1, durationMs: 4000, stages: [{durationMs: 2000, target: 400}, {durationMs: 2000, target: 400}]});
		const result = await engine.start();
		const [first, second, third, fourth] = result.timeline;
		// Linear 0 -> 400 over 2 s: about 100 requests in the first second, 300 in the second, then 400
		// a second. Counts over whole stages, with room for a loaded machine's timer jitter: the shape
		// is what is checked, not the clock.
		expect(first!.requests).toBeLessThan(second!.requests);
		expect(first!.requests + second!.requests).toBeGreaterThan(300);
		expect(first!.requests + second!.requests).toBeLessThan(500);
		expect(third!.requests + fourth!.requests).toBeGreaterThan(650);
		expect(second!.requests).toBeLessThan(third!.requests);
		expect(result.markers.filter(marker => marker.kind === 'stage').map(marker => marker.label)).toEqual(['stage 1/2 → 400', 'stage 2/2 → 400']);
	}, 30_000);

	it('ramps connections up in the closed model', async () => {
		const server = await target();
		const engine = engineFor(`${server.url}/`, {threads: 1, connections: 20, durationMs: 3000, stages: [{durationMs: 2000, target: 20}]});
		const result = await engine.start();
		expect(result.timeline[0]!.connections).toBeLessThanOrEqual(12);
		expect(result.timeline.at(-1)!.connections).toBe(20);
		const connections = result.timeline.map(point => point.connections);
		expect([...connections].sort((a, b) => a - b)).toEqual(connections);
	}, 30_000);
});

describe('thresholds', () => {
	it('parses and evaluates expressions', () => {
		const figures = {requests: 1000, errors: 5, incomplete: 0, rps: 480, passRate: 0.99, latencyMs: {min: 1, mean: 20, p50: 10, p90: 50, p95: 120, p99: 250, p999: 900, max: 1200}};
		const check = (text: string) => evaluateThreshold(parseThreshold(text), figures);
		expect(check('p99<300ms')).toEqual({expression: 'p99<300ms', actual: 250, unit: 'ms', passed: true});
		expect(check('p95<0.1s').passed).toBe(false);
		expect(check('p99.9<=900').passed).toBe(true);
		expect(check('errors<1%')).toMatchObject({actual: 0.5, unit: '%', passed: true});
		expect(check('errors<5').passed).toBe(false);
		expect(check('rps>500').passed).toBe(false);
		expect(check('pass>=99%').passed).toBe(true);
		expect(parseThreshold('checkout:p99<1s')).toMatchObject({endpoint: 'checkout', metric: 'p99', value: 1000});
		expect(() => parseThreshold('p99 under 300')).toThrow(/expected METRIC<VALUE/);
		expect(() => parseThreshold('p99<5%')).toThrow(/a latency takes ms/);
		expect(() => parseThreshold('speed>5')).toThrow(/unknown metric "speed"/);
	});

	it('exits 99 when a threshold fails and 0 when all pass, listing each in the summary', async () => {
		const server = await target();
		const failing = await runCli(['--url', `${server.url}/`, '-c', '2', '-n', '200', '--no-baseline', '--no-report', '--threshold', 'p99<10s', '--threshold', 'rps>100000000']);
		expect(failing.code).toBe(99);
		expect(failing.stdout).toMatch(/THRESHOLDS\n.*PASS +p99<10s/);
		expect(failing.stdout).toMatch(/FAIL +rps>100000000/);
		expect(failing.stderr).toMatch(/thresholds failed: rps>100000000/);
		const passing = await runCli(['--url', `${server.url}/`, '-c', '2', '-n', '200', '--no-baseline', '--no-report', '--json', '-', '--threshold', 'p99<10s', '--threshold', 'errors<1%', '--threshold', 'GET /:requests>=200']);
		expect(passing.code).toBe(0);
		const report = JSON.parse(passing.stdout);
		expect(report.thresholds).toEqual([
			{expression: 'p99<10s', actual: expect.any(Number), unit: 'ms', passed: true},
			{expression: 'errors<1%', actual: 0, unit: '%', passed: true},
			{expression: 'GET /:requests>=200', endpoint: 'GET /', actual: 200, unit: 'count', passed: true},
		]);
	});

	it('stops early with --abort-on-fail', async () => {
		const server = await target({
			respond(_request, _index, response) {
				response.writeHead(500, {'content-length': 0});
				response.end();
			},
		});
		const result = await runCli(['--url', `${server.url}/`, '-c', '2', '-d', '30', '--no-baseline', '--no-report', '--json', '-', '--threshold', 'pass>99%', '--abort-on-fail']);
		expect(result.code).toBe(99);
		const report = JSON.parse(result.stdout);
		expect(report.stopReason).toBe('threshold');
		expect(report.summary.durationS).toBeLessThan(15);
		expect(result.stderr).toMatch(/threshold failed: pass>99%; stopping \(--abort-on-fail\)/);
	});

	it('rejects a malformed threshold with exit 2', async () => {
		const result = await runCli(['--url', 'http://127.0.0.1:9/', '--threshold', 'p99 < fast']);
		expect(result.code).toBe(2);
		expect(result.stderr).toMatch(/--threshold: "p99 < fast": expected METRIC<VALUE/);
	});
});
