import * as hdr from 'hdr-histogram-js';
import {describe, expect, it} from 'vitest';
import type {RunSettings} from '../source/config/types.js';
import {RunAggregator} from '../source/engine/run-aggregator.js';
import type {JsonReport} from '../source/report/types.js';
import {assembleReport} from '../source/session/build-report.js';
import {mergeReports, type MergeInput} from '../source/session/merge-reports.js';
import {createHistogram, decodeHistogram, encodedPairs, encodeHistogram, recordMicros, summarize} from '../source/stats/histogram.js';
import {addPairs, LatencyCounts} from '../source/stats/latency-counts.js';
import type {EndpointInterval} from '../source/stats/snapshot.js';
import {seededRandom} from '../source/stats/compare-bootstrap.js';

/** A small seeded PRNG (the one compare's bootstrap uses), so a failure can be replayed. */
const random = seededRandom;

/**
 * Latencies log-uniform from 10^lowest microseconds to minutes, so every bucket magnitude is hit;
 * with `lowest` above 3.4 even the minimum lies where a bucket holds several values (the exact
 * minimum then has to come from the report, not the bucket).
 */
function latencyMicros(next: () => number, lowest = 0): number {
	return Math.max(1, Math.round(10 ** (lowest + (next() * (8 - lowest)))));
}

/** What `merge` does with one report's endpoint: encode, then decode to pairs with the exact min the report states. */
function viaReport(histogram: hdr.Histogram): Float64Array {
	const encoded = encodeHistogram(histogram);
	const stated = summarize(histogram);
	return encodedPairs(JSON.parse(JSON.stringify(encoded)) as string, stated.count > 0 ? Math.round(stated.min * 1000) : undefined);
}

describe('merged histograms (property: a merge of parts equals one histogram of all values)', () => {
	it('random latencies split across N histograms, encoded, decoded and merged, give exactly the summary of one histogram of them all', () => {
		for (let seed = 1; seed <= 60; seed++) {
			const next = random(seed);
			const parts = 1 + Math.floor(next() * 6);
			const lowest = seed % 2 === 0 ? 0 : 4;
			const values = Array.from({length: 1 + Math.floor(next() * 5000)}, () => latencyMicros(next, lowest));
			const all = createHistogram();
			const split = Array.from({length: parts}, () => createHistogram());
			for (const value of values) {
				recordMicros(all, value);
				recordMicros(split[Math.floor(next() * parts)]!, value);
			}

			const merged = createHistogram();
			for (const part of split) addPairs(merged, viaReport(part));
			expect(summarize(merged), `seed ${seed}, ${parts} parts, ${values.length} values`).toEqual(summarize(all));
			expect(encodeHistogram(merged)).toBe(encodeHistogram(all));
		}
	});

	it('keeps counts past 2^32 in one bucket exact (32-bit counts would wrap)', () => {
		const big = 2 ** 32 + 12_345;
		const inputs = [createHistogram(), createHistogram(), createHistogram()];
		inputs[0]!.recordValueWithCount(1500, big);
		inputs[1]!.recordValueWithCount(1500, big);
		inputs[1]!.recordValueWithCount(250_000, 7);
		inputs[2]!.recordValueWithCount(1501, 3_000_000_000);
		const merged = createHistogram();
		for (const input of inputs) addPairs(merged, viaReport(input));
		const total = (2 * big) + 7 + 3_000_000_000;
		expect(merged.totalCount).toBe(total);
		const summary = summarize(merged);
		expect(summary.count).toBe(total);
		expect(summary.p50).toBe(1.5);
		expect(summary.p99).toBe(1.501);
		expect(summary.max).toBe(summarize(inputs[1]!).max);
		// The merged histogram itself survives encoding: what a merged report writes.
		expect(decodeHistogram(encodeHistogram(merged)).totalCount).toBe(total);
		// The same bytes read with 32-bit counts wrap: what this test guards against.
		expect(hdr.decodeFromCompressedBase64(encodeHistogram(merged), 32, false).totalCount).not.toBe(total);
	});
});

const settings = (threads: number, rate: number): RunSettings => ({threads, connections: 4, durationMs: 5000, maxRequests: undefined, rate, graceMs: 2000});

/** An interval of random latencies for one endpoint, as a worker would post it. */
function randomInterval(next: () => number, count: number, all: hdr.Histogram[], endpoint: number): EndpointInterval {
	const counts = new LatencyCounts();
	const corrected = new LatencyCounts();
	for (let index = 0; index < count; index++) {
		const value = latencyMicros(next, endpoint === 1 ? 5 : 0);
		counts.record(value);
		corrected.record(value + 50);
		recordMicros(all[endpoint]!, value);
	}

	return {requests: count, responses: count, errors: 0, retries: 0, incomplete: 0, bytesRead: count * 2, statusCodes: count > 0 ? {200: count} : {}, errorKinds: {}, connectionEvents: {}, histogram: counts.take(), correctedHistogram: corrected.take()};
}

type Built = {inputs: MergeInput[]; oracle: hdr.Histogram[]; secondsRequests: number[][]};

/** Reports of agents that started `offsetsMs` after 10:00:00, each built by the run code from random intervals of 5 s. */
/** Agent `index`'s stalls each second, ms: a 3 + index ms stall of which it ran 1 + index / 2 and waited 0.5 (it slept the rest). */
const agentStalls = (index: number) => ({maxEventLoopDelayMs: 3 + index, eventLoopStallMs: 3 + index, stallRunningMs: 1 + (index / 2), stallWaitingMs: 0.5, eventLoopProbeMs: 1});

function buildAgents(offsetsMs: readonly number[], seed: number, saturatedIndex = -1): Built {
	const next = random(seed);
	const baseMs = Date.parse('2026-11-28T10:00:00.000Z');
	const endpoints = [{name: 'home', method: 'GET', url: 'http://127.0.0.1:1/', weight: 3}, {name: 'api', method: 'POST', url: 'http://127.0.0.1:1/api', weight: 1}];
	const oracle = [createHistogram(), createHistogram()];
	const inputs: MergeInput[] = [];
	const secondsRequests: number[][] = [];
	for (const [index, offsetMs] of offsetsMs.entries()) {
		const aggregator = new RunAggregator({endpointCount: 2, initialSettings: settings(1, 100)});
		aggregator.begin(0, new Date(baseMs + offsetMs));
		const seconds: number[] = [];
		for (let second = 1; second <= 5; second++) {
			const perEndpoint = [Math.floor(next() * 300), Math.floor(next() * 100)];
			aggregator.add({endpoints: perEndpoint.map((count, endpoint) => randomInterval(next, count, oracle, endpoint)), late: 1, dropped: 0, eventLoopUtilization: index === saturatedIndex ? 0.95 : 0.3, utilizationWindowMs: 1000, ...agentStalls(index)});
			aggregator.closeWindow(second * 1000, {threads: 1, connections: 4, rate: 100, paused: false});
			seconds.push(perEndpoint[0]! + perEndpoint[1]!);
		}

		secondsRequests.push(seconds);
		const result = aggregator.result({endedAt: new Date(baseMs + offsetMs + 5000), durationS: 5, stopReason: 'duration', finalSettings: settings(1, 100)});
		const report = assembleReport(result, {plan: {endpoints, httpClient: 'socket', config: {}, planFingerprint: '0123456789abcdef'}, hardware: {cpuModel: 'test', physicalCores: 1, logicalProcessors: 1, cpuQuota: null, totalMemoryBytes: 1, node: 'v20', platform: 'linux'}, agent: {index, count: offsetsMs.length}});
		inputs.push({file: `agent-${index}.json`, report: JSON.parse(JSON.stringify(report)) as JsonReport, writtenVersion: 3});
	}

	return {inputs, oracle, secondsRequests};
}

describe('mergeReports on reports built by the run code (the aggregator and the report builder)', () => {
	it('gives the summary, endpoints and seconds of one run that saw every agent\'s requests', () => {
		const {inputs, oracle, secondsRequests} = buildAgents([0, 120, 340], 99, 2);
		const {report, warnings, missingAgents} = mergeReports(inputs, {thresholds: ['rps>250', 'api:p99<1ms']});
		expect(missingAgents).toEqual([]);
		const all = createHistogram();
		for (const histogram of oracle) all.add(histogram);
		expect(report.summary.latencyMs).toEqual(summarize(all));
		expect(report.endpoints.map(endpoint => endpoint.latencyMs)).toEqual(oracle.map(histogram => summarize(histogram)));
		expect(report.summary.requests).toBe(inputs.reduce((total, input) => total + input.report.summary.requests, 0));
		expect(report.summary.late).toBe(15);
		expect(report.summary.durationS).toBe(5.34);
		expect(report.summary.rps).toBe(Math.round((report.summary.requests / 5.34) * 1000) / 1000);
		expect(report.settings).toMatchObject({threads: 3, connections: 12, rate: 300});
		// Starts 0, 120 and 340 ms apart: every agent's second n lands in the merged second n.
		expect(report.timeline.map(point => point.requests)).toEqual([0, 1, 2, 3, 4].map(second => secondsRequests.reduce((total, seconds) => total + seconds[second]!, 0)));
		expect(report.timeline.reduce((total, point) => total + decodeHistogram(point.histogram!).totalCount, 0)).toBe(report.summary.responses);
		expect(report.merge).toMatchObject({startSkewMs: 340, expectedAgents: 3, missingAgents: []});
		expect(report.merge?.agents.map(row => row.file)).toEqual(['agent-0.json', 'agent-1.json', 'agent-2.json']);
		expect(report.generator.saturated).toBe(true);
		expect(warnings).toEqual([expect.stringMatching(/^the load generator saturated on agent 2 \(agent-2\.json\)/)]);
		// The stalls and what the stalled threads did add up over the agents (5 seconds each of agentStalls).
		expect(inputs.map(input => input.report.generator.stallSleepingMs)).toEqual([7.5, 10, 12.5]);
		expect(report.generator).toMatchObject({eventLoopStallMs: 60, maxEventLoopDelayMs: 5, stallRunningMs: 22.5, stallWaitingMs: 7.5, stallSleepingMs: 30, stallThresholdMs: 2});
		// Judged on the merged figures: the rate over the merged duration, the endpoint's corrected p99 (open model).
		expect(report.thresholds?.[0]).toMatchObject({expression: 'rps>250', actual: Math.round((report.summary.requests / 5.34) * 1e6) / 1e6, passed: report.summary.requests / 5.34 > 250});
		expect(report.thresholds?.[1]).toMatchObject({expression: 'api:p99<1ms', actual: report.endpoints[1]!.correctedLatencyMs!.p99});
	});

	it('aligns seconds by wall clock when the inputs started more than a second apart, and warns', () => {
		const {inputs, secondsRequests} = buildAgents([0, 1600], 7);
		const {report, warnings} = mergeReports(inputs);
		const [early, late] = secondsRequests as [number[], number[]];
		// The late agent's first second (1.6..2.6 s) is the merged third (2..3 s): its middle is at 2.1 s.
		expect(report.timeline.map(point => point.requests)).toEqual([early[0]!, early[1]!, early[2]! + late[0]!, early[3]! + late[1]!, early[4]! + late[2]!, late[3]!, late[4]!]);
		expect(report.summary.durationS).toBe(6.6);
		expect(report.merge?.startSkewMs).toBe(1600);
		expect(warnings).toEqual([expect.stringMatching(/^the inputs started 1\.600 s apart \(agent 1 \(agent-1\.json\) last\)/)]);
		expect(report.generator.saturated).toBe(false);
	});
});
