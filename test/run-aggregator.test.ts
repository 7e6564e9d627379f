import {describe, expect, it} from 'vitest';
import type {RunSettings} from '../source/config/types.js';
import {RunAggregator, type RunInterval} from '../source/engine/run-aggregator.js';
import {summarizeTotals} from '../source/stats/aggregate.js';
import {decodeHistogram} from '../source/stats/histogram.js';
import {LatencyCounts} from '../source/stats/latency-counts.js';
import type {EndpointInterval} from '../source/stats/snapshot.js';

const settings: RunSettings = {threads: 2, connections: 8, durationMs: 2000, maxRequests: undefined, rate: undefined, graceMs: 1000};
const context = {threads: 2, connections: 8, rate: undefined, paused: false};

/** One endpoint's interval: 200 responses at `latenciesMicros`, and `errors` errors (timeouts). */
function endpoint(latenciesMicros: number[], errors = 0): EndpointInterval {
	const counts = new LatencyCounts();
	for (const micros of latenciesMicros) counts.record(micros);
	const failures = new LatencyCounts();
	for (let index = 0; index < errors; index++) failures.record(50_000);
	const responses = latenciesMicros.length;
	return {
		requests: responses + errors,
		responses,
		errors,
		retries: 0,
		incomplete: 0,
		bytesRead: responses * 100,
		statusCodes: responses > 0 ? {200: responses} : {},
		errorKinds: errors > 0 ? {timeout: errors} : {},
		connectionEvents: {},
		histogram: counts.take(),
		...(errors > 0 ? {failureHistogram: failures.take()} : {}),
	};
}

/** A hand-made worker snapshot for two endpoints (no worker anywhere). */
function snapshot(first: EndpointInterval, second: EndpointInterval, extra: Partial<RunInterval> = {}): RunInterval {
	return {endpoints: [first, second], late: 0, dropped: 0, ...extra};
}

describe('run aggregator (no workers)', () => {
	it('gives each second of the warm-up every attempt of it, those counted apart too, and its rate', () => {
		const aggregator = new RunAggregator({endpointCount: 2, initialSettings: settings});
		aggregator.beginWarmUp(5000);
		// Recorded in warming snapshots: 3 + 1 responses and 1 error; counted apart (sent in one phase,
		// ended in a later one): 2 responses and 1 error.
		aggregator.add(snapshot(endpoint([1000, 2000, 3000]), endpoint([4000], 1), {warming: true}));
		aggregator.add(snapshot(endpoint([]), endpoint([]), {warming: true, warmUp: {responses: 2, errors: 1}}));
		const first = aggregator.closeWarmUpWindow(6000, context)!;
		expect([first.requests, first.errors, first.rps]).toEqual([8, 2, 8]);
		expect(first.point.p99).toBeCloseTo(4, 2);
		aggregator.add(snapshot(endpoint([1000]), endpoint([]), {warming: true, warmUp: {responses: 3, errors: 0}}));
		const second = aggregator.closeWarmUpWindow(6500, context)!;
		expect([second.requests, second.errors, second.rps]).toEqual([12, 2, 8]);
		// None of it is a figure of the run.
		expect(aggregator.totals.overall.requests).toBe(0);
		expect(aggregator.timeline).toEqual([]);
	});

	it('merges snapshots over two seconds into totals, a timeline and one result', () => {
		const startedAt = new Date('2024-05-01T12:00:00.000Z');
		const aggregator = new RunAggregator({endpointCount: 2, initialSettings: settings});
		// Times on any monotonic clock: here the run starts at 10 s.
		aggregator.begin(10_000, startedAt);

		// Second 1: two workers report; the second is retiring (its utilisation stays out of the peak).
		aggregator.add(snapshot(endpoint([1000, 2000, 3000]), endpoint([4000], 1), {late: 2, dropped: 1, eventLoopUtilization: 0.5, utilizationWindowMs: 250, maxEventLoopDelayMs: 3, eventLoopStallMs: 1}));
		aggregator.add(snapshot(endpoint([2000]), endpoint([])), {countsTowardsPeak: false});
		aggregator.add({...snapshot(endpoint([]), endpoint([])), eventLoopUtilization: 0.99, utilizationWindowMs: 250}, {countsTowardsPeak: false});
		const first = aggregator.closeWindow(11_000, context);
		expect(first).toMatchObject({t: 1, requests: 6, responses: 5, errors: 1, rps: 6, late: 2, dropped: 1, threads: 2, connections: 8, paused: false});
		expect(first.p50).toBeCloseTo(2, 2);
		expect(first.max).toBeCloseTo(4, 2);

		// Second 2: a pause is marked; one worker reports.
		const marker = aggregator.mark(11_500, 'pause', 'paused');
		expect(marker).toEqual({t: 1.5, kind: 'pause', label: 'paused'});
		aggregator.add(snapshot(endpoint([8000, 8000]), endpoint([1000]), {late: 1, eventLoopUtilization: 0.25, utilizationWindowMs: 300, maxEventLoopDelayMs: 7, eventLoopStallMs: 4}));
		const second = aggregator.closeWindow(12_000, {...context, paused: true});
		expect(second).toMatchObject({t: 2, requests: 3, responses: 3, errors: 0, rps: 3, late: 1, dropped: 0, paused: true});
		expect(second.max).toBeCloseTo(8, 2);

		// The drain: a sliver of 0.2 s folds into the last second.
		aggregator.add(snapshot(endpoint([1000]), endpoint([])));
		aggregator.addCancelled(2);
		const last = aggregator.closeFinalWindow(12_200, context);
		expect(last).toMatchObject({t: 2.2, requests: 4, late: 1, paused: true});
		expect(aggregator.timeline.map(point => point.t)).toEqual([1, 2.2]);
		expect(aggregator.timeline.map(point => point.requests)).toEqual([6, 4]);

		const {totals} = aggregator;
		expect(totals.overall).toMatchObject({requests: 10, responses: 9, errors: 1, bytesRead: 900, statusCodes: {200: 9}, errorKinds: {timeout: 1}});
		expect(totals.endpoints.map(figures => figures.requests)).toEqual([7, 3]);
		expect(totals.endpoints.map(figures => figures.histogram.totalCount)).toEqual([7, 2]);
		expect(totals.late).toBe(3);
		expect(totals.dropped).toBe(1);
		expect(totals.window.requests).toBe(0);

		const result = aggregator.result({endedAt: new Date('2024-05-01T12:00:02.200Z'), durationS: 2, stopReason: 'duration', finalSettings: {...settings, threads: 1}});
		expect(result).toMatchObject({
			startedAt,
			durationS: 2,
			stopReason: 'duration',
			cancelled: 2,
			initialSettings: settings,
			finalSettings: {threads: 1},
			peakWorkerUtilization: 0.5,
			generatorStalls: {stallMs: 5, maxDelayMs: 7, measuredMs: 550},
			markers: [{t: 1.5, kind: 'pause'}],
		});
		expect(result.timeline).toEqual(aggregator.timeline);
		expect(result.timeline).not.toBe(aggregator.timeline);
		const summary = summarizeTotals(result.totals.overall, result.durationS);
		expect(summary).toMatchObject({requests: 10, rps: 5, passRate: 0.9});
		expect(summary.latencyMs.max).toBeCloseTo(8, 2);
	});

	it('sums what the stalled threads did (running, waiting for a core), only when every stall was split', () => {
		const stalls = (...intervals: Array<Partial<RunInterval>>) => {
			const aggregator = new RunAggregator({endpointCount: 2, initialSettings: settings});
			aggregator.begin(0, new Date());
			for (const extra of intervals) aggregator.add(snapshot(endpoint([1000]), endpoint([]), {utilizationWindowMs: 250, maxEventLoopDelayMs: 5, ...extra}));
			return aggregator.generatorStalls;
		};

		expect(stalls({eventLoopStallMs: 10, stallRunningMs: 4, stallWaitingMs: 1}, {eventLoopStallMs: 20, stallRunningMs: 2, stallWaitingMs: 15}, {eventLoopStallMs: 0, stallRunningMs: 0, stallWaitingMs: 0}))
			.toEqual({stallMs: 30, maxDelayMs: 5, measuredMs: 750, runningMs: 6, waitingMs: 16});
		// A worker that could not tell (another system, an older build) had a stall: no split, rather than a wrong one.
		expect(stalls({eventLoopStallMs: 10, stallRunningMs: 4, stallWaitingMs: 1}, {eventLoopStallMs: 20})).toEqual({stallMs: 30, maxDelayMs: 5, measuredMs: 500});
		// ... that had no stall: the split stands.
		expect(stalls({eventLoopStallMs: 10, stallRunningMs: 4, stallWaitingMs: 1}, {eventLoopStallMs: 0})).toMatchObject({runningMs: 4, waitingMs: 1});
		// None could tell: no split, not a split of zeros.
		expect(stalls({eventLoopStallMs: 0}, {eventLoopStallMs: 0})).not.toHaveProperty('runningMs');
	});

	it('gives the result of a run that never started: empty timeline, no generator figures', () => {
		const now = new Date();
		const aggregator = new RunAggregator({endpointCount: 1, initialSettings: settings, startedAt: now});
		const result = aggregator.result({endedAt: now, durationS: 0, stopReason: 'user', finalSettings: settings});
		expect(result).toEqual({startedAt: now, endedAt: now, durationS: 0, totals: aggregator.totals, timeline: [], markers: [], stopReason: 'user', cancelled: 0, initialSettings: settings, finalSettings: settings, peakWorkerUtilization: 0});
		expect(result.totals.endpoints).toHaveLength(1);
	});

	it('closes a last window only when it holds requests or the timeline is empty', () => {
		const aggregator = new RunAggregator({endpointCount: 1, initialSettings: settings});
		aggregator.begin(0);
		expect(aggregator.closeFinalWindow(300, context)).toMatchObject({t: 0.3, requests: 0});
		expect(aggregator.closeFinalWindow(400, context)).toBeUndefined();
		expect(aggregator.timeline).toHaveLength(1);
	});

	it('keeps every second exact over a long run while it reuses the windows\' histograms', () => {
		// Window histograms are recycled two windows later: a histogram handed back too early would
		// carry one second's latencies into another, or lose the final sliver folded into the last one.
		const aggregator = new RunAggregator({endpointCount: 2, initialSettings: settings});
		aggregator.begin(0);
		const seconds = 40;
		for (let second = 1; second <= seconds; second++) {
			const micros = second * 1000;
			aggregator.add(snapshot(endpoint(Array.from({length: second}, () => micros)), endpoint([micros + 1], second % 3 === 0 ? 1 : 0)));
			aggregator.closeWindow(second * 1000, context);
		}

		// A 0.2 s sliver at the end folds into the last second.
		aggregator.add(snapshot(endpoint([500_000]), endpoint([])));
		aggregator.closeFinalWindow((seconds * 1000) + 200, context);
		const {timeline} = aggregator;
		expect(timeline).toHaveLength(seconds);
		for (const [index, point] of timeline.entries()) {
			const second = index + 1;
			const last = second === seconds;
			const responses = second + 1 + (last ? 1 : 0);
			expect(point).toMatchObject({requests: responses + (second % 3 === 0 ? 1 : 0), responses});
			const histogram = decodeHistogram(point.histogram!);
			expect(histogram.totalCount).toBe(responses);
			expect(point.p50).toBeCloseTo(second, 1);
			expect(point.max).toBeCloseTo(last ? 500 : (second * 1000 + 1) / 1000, 0);
		}

		// The whole run is the sum of its seconds.
		const total = summarizeTotals(aggregator.totals.overall, seconds);
		expect(total.responses).toBe((seconds * (seconds + 1) / 2) + seconds + 1);
	});
});
