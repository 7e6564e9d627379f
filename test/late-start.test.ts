/**
 * Late sends at the start of an open-model run: the summary says they were the start-up and names
 * `--warm-up`, and only when they were. The worker's test-only stall (`WorkerInit.testStall`) makes
 * the lateness: while its event loop is blocked, every send falls due with no connection free, so
 * each one after the first two waits (the run's own count of late sends, second by second, is what
 * the summary is checked against).
 */
import {afterEach, describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import {Engine} from '../source/engine/engine.js';
import {detectHardware} from '../source/engine/hardware.js';
import {spawnWorker} from '../source/engine/spawn-worker.js';
import {renderTextSummary} from '../source/report/text.js';
import type {JsonReport} from '../source/report/types.js';
import {buildReport} from '../source/session/build-report.js';
import {useTargets} from './helpers/target-server.js';

const target = useTargets(afterEach);

/** 200 requests a second on 2 connections for 3 s; the worker blocks its event loop for 300 ms, `stallAfterMs` after the start. */
async function stalledRun(stallAfterMs: number): Promise<JsonReport> {
	const server = await target();
	const config = resolveConfig({url: `${server.url}/`}, {source: 'test', env: {}});
	const engine = new Engine({
		plan: config.plan,
		settings: {threads: 1, connections: 2, durationMs: 3000, maxRequests: undefined, rate: 200, graceMs: 2000},
		snapshotIntervalMs: 100,
		spawn: init => spawnWorker({...init, testStall: {afterMs: stallAfterMs, stallMs: 300}}),
	});
	const result = await engine.start();
	return buildReport(result, {config, hardware: detectHardware()});
}

const lateLine = (report: JsonReport): string => renderTextSummary(report).split('\n').find(line => line.includes('Late sends'))!;

describe('late sends at the start of an open-model run', () => {
	it('a stall in the first second: the summary gives the first second\'s share and names --warm-up', async () => {
		const report = await stalledRun(200);
		const [first, ...rest] = report.timeline;
		// About 60 sends fall due in 300 ms; all but the two that find a free connection go late.
		expect(first!.late).toBeGreaterThanOrEqual(40);
		expect(first!.late * 2).toBeGreaterThanOrEqual(report.summary.late);
		expect(first!.late + rest.reduce((sum, point) => sum + point.late, 0)).toBe(report.summary.late);
		expect(lateLine(report)).toBe(`  Late sends        ${report.summary.late} late, 0 dropped; ${first!.late} of them in the first second: start-up, which --warm-up 2s keeps out of the figures`);
	}, 30_000);

	it('the same stall in the second second: counts only, no start-up', async () => {
		const report = await stalledRun(1300);
		expect(report.timeline[0]!.late * 2).toBeLessThan(report.summary.late);
		expect(report.summary.late).toBeGreaterThanOrEqual(40);
		expect(lateLine(report)).toBe(`  Late sends        ${report.summary.late} late, 0 dropped`);
	}, 30_000);
});
