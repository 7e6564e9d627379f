import {describe, expect, it} from 'vitest';
import {addInterval, createTotals, passRate, summarizeTotals} from '../source/stats/aggregate.js';
import {createHistogram, decodeHistogram, encodeHistogram, percentileSpectrum, recordMicros, summarize} from '../source/stats/histogram.js';
import {computeSpeedup} from '../source/stats/speedup.js';
import {timelinePoint} from '../source/stats/timeline.js';
import {LatencyCounts} from '../source/stats/latency-counts.js';
import {distribute, rateShare} from '../source/engine/distribute.js';
import type {EndpointInterval} from '../source/stats/snapshot.js';

function interval(values: number[], statuses: Record<string, number>): EndpointInterval {
	const counts = new LatencyCounts();
	for (const value of values) {
		counts.record(value);
	}

	return {requests: values.length, responses: values.length, errors: 0, bytesRead: values.length * 10, statusCodes: statuses, errorKinds: {}, connectionEvents: {}, retries: 0, incomplete: 0, histogram: counts.take()};
}

describe('histogram', () => {
	it('gives percentiles of a known uniform distribution within HDR precision', () => {
		const histogram = createHistogram();
		for (let micros = 1; micros <= 100_000; micros++) {
			recordMicros(histogram, micros);
		}

		const summary = summarize(histogram);
		expect(summary.count).toBe(100_000);
		// 3 significant digits: within 0.1 %.
		expect(summary.p50).toBeCloseTo(50, 0);
		expect(Math.abs(summary.p50 - 50) / 50).toBeLessThan(0.001);
		expect(Math.abs(summary.p90 - 90) / 90).toBeLessThan(0.001);
		expect(Math.abs(summary.p99 - 99) / 99).toBeLessThan(0.001);
		expect(Math.abs(summary.p999 - 99.9) / 99.9).toBeLessThan(0.001);
		expect(summary.min).toBe(0.001);
		expect(Math.abs(summary.max - 100) / 100).toBeLessThan(0.001);
		expect(summary.mean).toBeCloseTo(50, 0);
	});

	it('gives a heavy-tailed distribution its tail', () => {
		const histogram = createHistogram();
		for (let index = 0; index < 990; index++) recordMicros(histogram, 1000);
		for (let index = 0; index < 10; index++) recordMicros(histogram, 2_000_000);
		const summary = summarize(histogram);
		expect(summary.p50).toBe(1);
		expect(summary.p99).toBe(1);
		expect(summary.p999).toBeGreaterThan(1990);
		expect(summary.max).toBeGreaterThan(1990);
	});

	it('merging encoded snapshots equals one histogram of all values', () => {
		const all = createHistogram();
		const merged = createTotals();
		let seed = 7;
		const random = (): number => {
			seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
			return seed / 2_147_483_648;
		};

		for (let part = 0; part < 12; part++) {
			const values = Array.from({length: 500}, () => Math.floor(random() ** 3 * 5_000_000) + 1);
			for (const value of values) recordMicros(all, value);
			addInterval([merged], interval(values, {200: 500}));
		}

		expect(merged.histogram.totalCount).toBe(all.totalCount);
		for (const percentile of [0, 10, 50, 75, 90, 99, 99.9, 100]) {
			expect(merged.histogram.getValueAtPercentile(percentile)).toBe(all.getValueAtPercentile(percentile));
		}

		expect(summarize(merged.histogram)).toEqual(summarize(all));
		expect(merged.statusCodes['200']).toBe(6000);
		expect(merged.bytesRead).toBe(60_000);
	});

	it('round-trips through the compressed encoding and handles empty histograms', () => {
		const histogram = createHistogram();
		expect(encodeHistogram(histogram)).toBe('');
		expect(decodeHistogram('').totalCount).toBe(0);
		recordMicros(histogram, 123);
		recordMicros(histogram, 0);
		recordMicros(histogram, 9e12);
		const decoded = decodeHistogram(encodeHistogram(histogram));
		expect(decoded.totalCount).toBe(3);
		expect(decoded.minNonZeroValue).toBe(1);
		expect(summarize(createHistogram()).p99).toBe(0);
	});

	it('summarizes in one pass exactly as the library computes each figure', () => {
		const ms = (micros: number): number => Math.round(micros) / 1000;
		const expectLibraryFigures = (histogram: ReturnType<typeof createHistogram>): void => {
			expect(summarize(histogram)).toEqual({
				count: histogram.totalCount,
				min: ms(histogram.minNonZeroValue),
				mean: ms(histogram.mean),
				p50: ms(histogram.getValueAtPercentile(50)),
				p90: ms(histogram.getValueAtPercentile(90)),
				p95: ms(histogram.getValueAtPercentile(95)),
				p99: ms(histogram.getValueAtPercentile(99)),
				p999: ms(histogram.getValueAtPercentile(99.9)),
				max: ms(histogram.getValueAtPercentile(100)),
				stdev: ms(histogram.stdDeviation),
			});
		};

		const filled = (shape: number, highest: number, count = 20_000): ReturnType<typeof createHistogram> => {
			const histogram = createHistogram();
			let seed = shape;
			for (let index = 0; index < count; index++) {
				seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
				recordMicros(histogram, Math.floor(((seed / 2_147_483_648) ** shape) * highest) + 1);
			}

			return histogram;
		};

		for (const shape of [1, 3, 8]) expectLibraryFigures(filled(shape, 30_000_000));
		// The walk stops at the highest value recorded: values up to the top of the range (its last
		// count), a single value, and histograms whose counts came by add, decoding and reuse after a reset.
		expectLibraryFigures(filled(2, 3_600_000_000));
		const single = createHistogram();
		recordMicros(single, 3_600_000_000);
		expectLibraryFigures(single);
		const low = createHistogram();
		recordMicros(low, 1);
		expectLibraryFigures(low);
		const sum = filled(3, 2000);
		sum.add(filled(5, 90_000_000, 500));
		expectLibraryFigures(sum);
		expectLibraryFigures(decodeHistogram(encodeHistogram(filled(4, 700_000))));
		const reused = filled(1, 500_000_000);
		reused.reset();
		for (let micros = 100; micros <= 900; micros += 7) recordMicros(reused, micros);
		expectLibraryFigures(reused);
	});

	it('builds a percentile spectrum that rises to the maximum', () => {
		const histogram = createHistogram();
		for (let micros = 1; micros <= 10_000; micros++) recordMicros(histogram, micros);
		const spectrum = percentileSpectrum(histogram);
		expect(spectrum[0]!.percentile).toBe(0);
		expect(spectrum.at(-1)!.percentile).toBe(100);
		expect(spectrum.some(point => point.percentile >= 99.9)).toBe(true);
		for (let index = 1; index < spectrum.length; index++) {
			expect(spectrum[index]!.latencyMs).toBeGreaterThanOrEqual(spectrum[index - 1]!.latencyMs);
		}

		expect(percentileSpectrum(createHistogram())).toEqual([]);
	});
});

describe('totals', () => {
	it('summarizes counts, rps and pass rate', () => {
		const totals = createTotals();
		addInterval([totals], interval([1000, 2000, 3000, 4000], {200: 3, 503: 1}));
		const summary = summarizeTotals(totals, 2);
		expect(summary.requests).toBe(4);
		expect(summary.rps).toBe(2);
		expect(summary.passRate).toBe(0.75);
		expect(summary.latencyMs.max).toBeCloseTo(4, 2);
		expect(passRate({requests: 0, incomplete: 0, statusCodes: {}})).toBeNull();
		expect(passRate({requests: 0, incomplete: 4, statusCodes: {}})).toBe(0);
	});

	it('makes timeline points with the settings in force', () => {
		const totals = createTotals();
		addInterval([totals], interval([1000, 1000, 5000], {200: 3}));
		const point = timelinePoint(totals, {t: 3.0004, windowS: 0.5, late: 1, dropped: 0, threads: 2, connections: 10, rate: 100, paused: false});
		expect(point).toMatchObject({t: 3, requests: 3, rps: 6, threads: 2, connections: 10, rate: 100, late: 1});
		expect(point.p50).toBe(1);
	});
});

describe('speedup and distribution', () => {
	it('computes speedup figures and guards zero baselines', () => {
		const speedup = computeSpeedup({rps: 1000, p50: 2, p99: 10}, {rps: 100, p50: 1, p99: 2}, 2, 20);
		expect(speedup).toEqual({throughput: 10, latencyGrowthP50: 2, latencyGrowthP99: 5, perConnectionEfficiency: 0.5, perThreadRps: 500});
		expect(computeSpeedup({rps: 1, p50: 1, p99: 1}, {rps: 0, p50: 0, p99: 0}, 1, 1).throughput).toBeNull();
	});

	it('spreads connections and rate over workers', () => {
		expect(distribute(10, 3)).toEqual([4, 3, 3]);
		expect(distribute(1, 2)).toEqual([1, 0]);
		expect(distribute(5, 0)).toEqual([]);
		expect(rateShare(100, 4, 10)).toBe(40);
		expect(rateShare(undefined, 4, 10)).toBeUndefined();
	});
});
