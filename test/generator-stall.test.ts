import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {Ajv} from 'ajv';
import formatsPlugin from 'ajv-formats';
import {afterEach, describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import {Engine, type RunResult} from '../source/engine/engine.js';
import {detectHardware} from '../source/engine/hardware.js';
import {spawnWorker} from '../source/engine/spawn-worker.js';
import {renderHtmlReport} from '../source/report/html.js';
import {generatorStallFigures, generatorStallWarning, renderTextSummary} from '../source/report/text.js';
import type {JsonReport} from '../source/report/types.js';
import {buildReport, stallsCouldExplainTail} from '../source/session/build-report.js';
import {summarizeTotals} from '../source/stats/aggregate.js';
import {closedLoopProbeMs, closedStallThresholdMs, eventLoopProbeMs, stallThresholdMs} from '../source/stats/snapshot.js';
import {stallFigures} from '../source/ui/components/worker-health.js';
import {rootDir} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';

const target = useTargets(afterEach);

/** The stall the test hook causes, ms, and when (after the start). */
const stallMs = 400;
const stallAfterMs = 1000;

/**
 * An open-model run (200 requests a second) against a fast local server, or a closed-model one. With `stall`, the
 * worker blocks its own event loop once (the test-only `WorkerInit.testStall`), as a long GC pause
 * or a blocking call would.
 */
async function openRun(stall: boolean, model: 'open' | 'closed' = 'open'): Promise<{result: RunResult; report: JsonReport; snapshotsMaxDelayMs: number[]}> {
	const server = await target();
	const config = resolveConfig({url: `${server.url}/`}, {source: 'test', env: {}});
	const engine = new Engine({
		plan: config.plan,
		settings: {threads: 1, connections: 4, durationMs: 3000, maxRequests: undefined, rate: model === 'open' ? 200 : undefined, graceMs: 2000},
		snapshotIntervalMs: 100,
		spawn: init => spawnWorker(stall ? {...init, testStall: {afterMs: stallAfterMs, stallMs}} : init),
	});
	// What the live view sees: each worker's last interval, as the snapshots arrive.
	const snapshotsMaxDelayMs: number[] = [];
	engine.subscribe(event => {
		if (event.type === 'update') {
			for (const health of engine.workerHealth) snapshotsMaxDelayMs.push(health.maxEventLoopDelayMs ?? -1);
		}
	});
	const result = await engine.start();
	const report = buildReport(result, {config, hardware: detectHardware()});
	return {result, report, snapshotsMaxDelayMs};
}

function validateReport(report: JsonReport): string {
	const ajv = new Ajv({allErrors: true, strict: true});
	type FormatsPlugin = (ajv: Ajv) => Ajv;
	const addFormats = ((formatsPlugin as unknown as {default?: FormatsPlugin}).default ?? formatsPlugin) as unknown as FormatsPlugin;
	addFormats(ajv);
	const validate = ajv.compile(JSON.parse(readFileSync(path.join(rootDir, 'source/report/report.schema.json'), 'utf8')) as object);
	return validate(JSON.parse(JSON.stringify(report))) ? '' : JSON.stringify(validate.errors, null, 2);
}

describe('generator stalls (the open model must not blame the server for them)', () => {
	it('a worker that blocks its event loop shows the stall in its snapshot, the report and the warning; the server stays fast', async () => {
		const {result, report, snapshotsMaxDelayMs} = await openRun(true);
		const summary = summarizeTotals(result.totals.overall, result.durationS);
		// The snapshot right after the stall carries it: a blocked stretch always lies between two probe turns.
		expect(Math.max(...snapshotsMaxDelayMs)).toBeGreaterThanOrEqual(stallMs);
		expect(result.generatorStalls!.maxDelayMs).toBeGreaterThanOrEqual(stallMs);
		expect(result.generatorStalls!.stallMs).toBeGreaterThanOrEqual(stallMs);
		// The server never waited: what it was sent, it answered at once.
		expect(summary.latencyMs.p50).toBeLessThan(50);
		expect(summary.latencyMs.p99).toBeLessThan(100);
		// The correction charged the stall to every send due during it: the tail is the generator's.
		expect(summary.correctedLatencyMs!.p99).toBeGreaterThan(summary.latencyMs.p99 + stallThresholdMs);
		expect(report.generator.maxEventLoopDelayMs).toBeGreaterThanOrEqual(stallMs);
		expect(report.generator.eventLoopStallMs).toBeGreaterThanOrEqual(stallMs);
		expect(report.generator.stallWarning).toBe(true);
		expect(validateReport(report)).toBe('');
		if (existsSync('/proc/thread-self/schedstat')) {
			// The hook's block is a busy loop: the kernel counts it as running (or, on a busy machine, waiting for a core), never asleep.
			const {eventLoopStallMs = 0, stallRunningMs = 0, stallWaitingMs = 0, stallSleepingMs = -1} = report.generator;
			expect(stallRunningMs).toBeGreaterThan(0);
			expect(stallRunningMs + stallWaitingMs).toBeGreaterThanOrEqual(stallMs * 0.95);
			expect(stallSleepingMs).toBeGreaterThanOrEqual(0);
			expect(stallRunningMs + stallWaitingMs + stallSleepingMs).toBeCloseTo(eventLoopStallMs, 1);
			expect(renderTextSummary(report)).toMatch(/event-loop stalls \(gaps over [\d.]+ ms\), [\d.]+% of the workers' time \(running [\d.,]+ ms, waiting for a core [\d.,]+ ms, asleep past a timer [\d.,]+ ms\)/);
			expect(renderHtmlReport(report)).toContain('<dt>Stalled threads were</dt><dd>running ');
			// Mostly running (waiting is the most a busy machine adds): the advice is the generator's own work.
			if (stallRunningMs > stallWaitingMs) expect(renderTextSummary(report)).toContain('Most of it the generator was running its own work: add --threads or lower the rate.');
		}

		const text = renderTextSummary(report);
		expect(text).toMatch(/Generator stalls {2}\d[\d.,]* ms of event-loop stalls/);
		expect(text).toContain("WARNING: the load generator's event loop stalled");
		const html = renderHtmlReport(report);
		expect(html).toContain('Generator stalls could explain the latency');
		expect(html).toContain('Longest event-loop gap');
	}, 30_000);

	it('the closed model probes every 10 ms (a 1 ms timer costs an idle worker CPU) and still shows a stall', async () => {
		const stalled = await openRun(true, 'closed');
		expect(stalled.result.generatorStalls!.maxDelayMs).toBeGreaterThanOrEqual(stallMs);
		expect(stalled.result.generatorStalls!.stallMs).toBeGreaterThanOrEqual(stallMs);
		expect(stalled.report.generator.stallThresholdMs).toBe(closedStallThresholdMs);
		expect(validateReport(stalled.report)).toBe('');
		const quiet = await openRun(false, 'closed');
		// The quiet run's longest gap is about the closed model's period, not the open model's.
		expect(quiet.result.generatorStalls!.maxDelayMs).toBeGreaterThanOrEqual(closedLoopProbeMs * 0.5);
		expect(quiet.result.generatorStalls!.maxDelayMs).toBeLessThan(stallMs / 2);
		expect(quiet.report.generator.stallThresholdMs).toBe(closedStallThresholdMs);
		expect(quiet.report.generator.stallWarning).toBe(false);
	}, 30_000);

	it('a run without the hook shows small stall figures and no warning', async () => {
		const {result, report} = await openRun(false);
		const summary = summarizeTotals(result.totals.overall, result.durationS);
		expect(summary.latencyMs.p99).toBeLessThan(100);
		// Generous bounds: a shared test machine may hold a thread back now and then, never for most of the stall.
		expect(result.generatorStalls!.maxDelayMs).toBeGreaterThanOrEqual(eventLoopProbeMs * 0.5);
		expect(result.generatorStalls!.maxDelayMs).toBeLessThan(stallMs / 2);
		expect(result.generatorStalls!.stallMs).toBeLessThan(stallMs / 2);
		expect(report.generator.stallWarning).toBe(false);
		expect(validateReport(report)).toBe('');
		expect(renderTextSummary(report)).not.toContain('event loop stalled');
	}, 30_000);

	it('advises by what the stalled threads mostly did: ran, waited for a core, or slept past a timer', () => {
		const base = {peakEventLoopUtilization: 0.5, saturated: false, eventLoopStallMs: 300, maxEventLoopDelayMs: 40, stallShare: 0.03, stallThresholdMs: 2, stallWarning: true};
		const summary = {latencyMs: {p99: 1}, correctedLatencyMs: {p99: 30}};
		const advice = (split: {stallRunningMs?: number; stallWaitingMs?: number; stallSleepingMs?: number}) => generatorStallWarning({generator: {...base, ...split}, summary} as unknown as Pick<JsonReport, 'generator' | 'summary'>)!;
		expect(advice({stallRunningMs: 200, stallWaitingMs: 50, stallSleepingMs: 50})).toMatch(/running its own work: add --threads or lower the rate\.$/);
		expect(advice({stallRunningMs: 50, stallWaitingMs: 200, stallSleepingMs: 50})).toMatch(/waiting for a core that another thread or process had: give it cores of its own\.$/);
		expect(advice({stallRunningMs: 50, stallWaitingMs: 50, stallSleepingMs: 200})).toMatch(/asleep past its timers .*: the machine's delay, not the server's; a quieter machine gives a truer tail\.$/);
		expect(advice({})).toMatch(/Add --threads, lower the rate, or give the generator a core of its own\.$/);
	});

	it('says "no event-loop stalls" for none, not "0.000 ms of" them', () => {
		const generator = {peakEventLoopUtilization: 0.1, saturated: false, eventLoopStallMs: 0, maxEventLoopDelayMs: 17.8, stallShare: 0, stallThresholdMs: 20, stallWarning: false};
		expect(generatorStallFigures({generator} as unknown as Pick<JsonReport, 'generator'>)).toBe('no event-loop stalls (gaps over 20.0 ms); longest gap 17.8 ms');
		expect(generatorStallFigures({generator: {...generator, eventLoopStallMs: 25, stallShare: 0.001}} as unknown as Pick<JsonReport, 'generator'>)).toMatch(/^25\.0 ms of event-loop stalls/);
	});

	it('warns when the corrected tail is within the longest stall, or the stalls outlast 1% (open model) or 10% (any) of the time', () => {
		const latency = (p99: number) => ({count: 100, min: 0.1, mean: 1, p50: 1, p90: 1, p95: 1, p99, p999: p99, max: p99, stdev: 0});
		const summary = (uncorrected: number, corrected: number | undefined) => ({responses: 100, latencyMs: latency(uncorrected), ...(corrected === undefined ? {} : {correctedLatencyMs: latency(corrected)})});
		// A 50 ms gap between corrected and uncorrected p99 and a 60 ms stall: the stall could explain it.
		expect(stallsCouldExplainTail({eventLoopStallMs: 120, maxEventLoopDelayMs: 60, stallShare: 0.01}, summary(2, 52))).toBe(true);
		// An excess longer than any stall, and stalls too rare to reach the p99: not the generator's (the server's, or the pool's).
		expect(stallsCouldExplainTail({eventLoopStallMs: 120, maxEventLoopDelayMs: 10, stallShare: 0.005}, summary(2, 900))).toBe(false);
		// Short stalls, but more than 1% of the time: more than 1% of the sends waited on the generator.
		expect(stallsCouldExplainTail({eventLoopStallMs: 600, maxEventLoopDelayMs: 6, stallShare: 0.06}, summary(1.4, 14.6))).toBe(true);
		// A tail within noise of the uncorrected one is no tail to explain.
		expect(stallsCouldExplainTail({eventLoopStallMs: 120, maxEventLoopDelayMs: 60, stallShare: 0.01}, summary(2, 3))).toBe(false);
		// No stall at all.
		expect(stallsCouldExplainTail({eventLoopStallMs: 0, maxEventLoopDelayMs: 1.2, stallShare: 0}, summary(2, 52))).toBe(false);
		// A large share warns in either model.
		expect(stallsCouldExplainTail({eventLoopStallMs: 1500, maxEventLoopDelayMs: 9, stallShare: 0.15}, summary(2, undefined))).toBe(true);
		// Reports from before the stall figures: nothing to warn about.
		expect(stallsCouldExplainTail({}, summary(2, 52))).toBe(false);
		// A run of a few requests: its stalls are the workers' start, under a second of their time.
		expect(stallsCouldExplainTail({eventLoopStallMs: 20, maxEventLoopDelayMs: 14, stallShare: 0.99}, summary(4.4, undefined), 20)).toBe(false);
		expect(stallsCouldExplainTail({eventLoopStallMs: 20, maxEventLoopDelayMs: 14, stallShare: 0.99}, summary(4.4, undefined), 1000)).toBe(true);
	});

	it('the TUI\'s generator line shows the last interval\'s stalls: the largest share and the longest gap', () => {
		const worker = (workerId: number, stallMs: number, gapMs: number) => ({workerId, connections: 2, inFlight: 1, eventLoopUtilization: 0.5, maxEventLoopDelayMs: gapMs, eventLoopStallMs: stallMs, windowMs: 250});
		expect(stallFigures([worker(0, 10, 3.25), worker(1, 50, 41)])).toEqual({text: ' · stalls 20%, gap 41 ms', share: 0.2});
		expect(stallFigures([worker(0, 0, 1.04)])).toEqual({text: ' · stalls 0%, gap 1.0 ms', share: 0});
		// A gap within twice the probe's period is its rhythm, not a stall: 10 ms in the closed model.
		expect(stallFigures([{...worker(0, 0, 10.3), probeMs: 10}])).toEqual({text: ' · stalls 0%, gap < 20 ms', share: 0});
		expect(stallFigures([{...worker(0, 0, 1.04), probeMs: 1}, {...worker(1, 50, 41), probeMs: 10}])).toEqual({text: ' · stalls 20%, gap 41 ms', share: 0.2});
		// Workers that measure nothing yet (or a fake engine): no figures rather than zeros.
		expect(stallFigures([{workerId: 0, connections: 2, inFlight: 1, eventLoopUtilization: 0.5}])).toBeUndefined();
		// Where the split was measured: what the most stalled worker's thread mostly did (from a 1% share).
		const split = (stallMs: number, runningMs: number, waitingMs: number) => ({...worker(1, stallMs, 9.1), stallRunningMs: runningMs, stallWaitingMs: waitingMs});
		expect(stallFigures([worker(0, 5, 3), split(10, 1, 2)])).toEqual({text: ' · stalls 4% (mostly asleep), gap 9.1 ms', share: 0.04});
		expect(stallFigures([split(10, 1, 6)])?.text).toBe(' · stalls 4% (mostly waiting for a core), gap 9.1 ms');
		expect(stallFigures([split(10, 5, 5)])?.text).toBe(' · stalls 4% (mostly running), gap 9.1 ms');
		// The cause is the most stalled worker's, not another's.
		expect(stallFigures([{...split(20, 20, 0), workerId: 0}, split(40, 0, 40)])?.text).toBe(' · stalls 16% (mostly waiting for a core), gap 9.1 ms');
		// Under 1% is noise: no cause.
		expect(stallFigures([split(2, 0, 0)])?.text).toBe(' · stalls 1%, gap 9.1 ms');
	});
});
