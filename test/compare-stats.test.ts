import {describe, expect, it} from 'vitest';
import {t975, seededRandom} from '../source/stats/compare-bootstrap.js';
import {addInto, bucketTable, denseFigures, probabilityOfSuperiority} from '../source/stats/compare-bucket-table.js';
import {evaluateGate, parseGate} from '../source/stats/compare-gate.js';
import {type CompareRun, type CompareWindow, compareRuns, defaultCompareOptions} from '../source/stats/compare.js';
import {createHistogram, type Histogram, recordMicros, summarize} from '../source/stats/histogram.js';

/** A normal deviate from a seeded uniform generator (Box-Muller). */
function normal(random: () => number): number {
	return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

type Synthetic = {seconds: number; perSecond: number; medianMicros: number; sigma: number; drift: number; factor: number; histograms: boolean};

/**
 * A run of `seconds` one-second windows of log-normal latencies; each second's latencies are scaled
 * by its own drift (exp of a normal deviate): seconds are not independent samples, as on a real machine.
 */
function syntheticRun(random: () => number, options: Synthetic): CompareRun {
	const whole = createHistogram();
	const windows: CompareWindow[] = [];
	for (let second = 0; second < options.seconds; second++) {
		const histogram = createHistogram();
		const drift = Math.exp(options.drift * normal(random));
		for (let k = 0; k < options.perSecond; k++) {
			recordMicros(histogram, Math.round(options.medianMicros * options.factor * drift * Math.exp(options.sigma * normal(random))));
		}

		whole.add(histogram);
		const summary = summarize(histogram);
		windows.push({durationS: 1, requests: options.perSecond, errors: 0, responses: options.perSecond, p50: summary.p50, p90: summary.p90, p99: summary.p99, ...(options.histograms ? {histogram} : {})});
	}

	const run = {rps: options.perSecond, requests: options.perSecond * options.seconds, errorRate: 0, passRate: 1, latencyMs: summarize(whole), histogram: whole};
	return {run, endpoints: [{...run, name: 'only'}], windows};
}

const base: Synthetic = {seconds: 10, perSecond: 2000, medianMicros: 1000, sigma: 0.5, drift: 0.05, factor: 1, histograms: true};
const fast = {...defaultCompareOptions, iterations: 400};

function rowOf(comparison: ReturnType<typeof compareRuns>, metric: string) {
	return comparison.rows.find(row => row.endpoint === null && row.metric === metric && !row.corrected)!;
}

describe('Mann-Whitney U from histogram buckets', () => {
	it('equals the naive pairwise count on the raw samples (values the histogram holds exactly)', () => {
		const random = seededRandom(7);
		for (const [sizeA, sizeB] of [[300, 400], [1, 50], [257, 3]] as const) {
			const a = Array.from({length: sizeA}, () => 1 + Math.floor(random() * 1500));
			const b = Array.from({length: sizeB}, () => 200 + Math.floor(random() * 1800));
			let wins = 0;
			for (const x of a) {
				for (const y of b) wins += y > x ? 1 : (y === x ? 0.5 : 0);
			}

			const histogram = (values: number[]): Histogram => {
				const h = createHistogram();
				for (const value of values) recordMicros(h, value);
				return h;
			};

			const {table, sparse} = bucketTable([histogram(a), histogram(b)]);
			expect(probabilityOfSuperiority(sparse[0]!, sparse[1]!, table)).toBeCloseTo(wins / (sizeA * sizeB), 12);
		}
	});
});

describe('percentiles from merged bucket counts', () => {
	it('equal the report\'s own summary of the same latencies (one histogram, or several added)', () => {
		const random = seededRandom(13);
		const parts = Array.from({length: 4}, () => {
			const histogram = createHistogram();
			for (let k = 0; k < 5000; k++) recordMicros(histogram, Math.round(300 * Math.exp(1.2 * normal(random))));
			return histogram;
		});
		const whole = createHistogram();
		for (const part of parts) whole.add(part);
		const {table, sparse} = bucketTable(parts);
		const dense = new Float64Array(table.upper.length);
		for (const part of sparse) addInto(dense, part);
		const figures = denseFigures(dense, table, [50, 90, 99, 99.9]);
		const summary = summarize(whole);
		expect(figures.percentiles.map(value => Math.round(value) / 1000)).toEqual([summary.p50, summary.p90, summary.p99, summary.p999]);
		expect(Math.round(figures.mean) / 1000).toBe(summary.mean);
	});
});

describe('block bootstrap intervals', () => {
	it('cover a known 20% slowdown and exclude zero, from per-second histograms and from per-second percentiles', () => {
		for (const histograms of [true, false]) {
			const random = seededRandom(11);
			const comparison = compareRuns(syntheticRun(random, {...base, histograms}), syntheticRun(random, {...base, histograms, factor: 1.2}), fast);
			for (const metric of ['p50', 'p90', 'p99', 'mean']) {
				const row = rowOf(comparison, metric);
				expect(row.interval!.low, `${metric} ${histograms}`).toBeLessThan(0.2);
				expect(row.interval!.high, `${metric} ${histograms}`).toBeGreaterThan(0.2);
				expect(row.verdict).toBe('significant');
				expect(row.direction).toBe('worse');
			}

			expect(comparison.spreadFrom.base).toBe(histograms ? 'histograms' : 'percentiles');
			expect(comparison.shifts[0]!.probabilityNextSlower).toBeGreaterThan(0.55);
		}
	});

	it('covers the true ratio in most repetitions and calls equal runs within noise', () => {
		let covered = 0;
		let falseAlarms = 0;
		const repetitions = 30;
		for (let seed = 0; seed < repetitions; seed++) {
			const random = seededRandom(1000 + seed);
			const small = {...base, seconds: 6, perSecond: 500};
			const shifted = compareRuns(syntheticRun(random, small), syntheticRun(random, {...small, factor: 1.1}), fast);
			const p50 = rowOf(shifted, 'p50');
			if (p50.interval!.low < 0.1 && p50.interval!.high > 0.1) covered++;
			const same = compareRuns(syntheticRun(random, small), syntheticRun(random, small), fast);
			falseAlarms += ['p50', 'p90', 'p99', 'mean'].filter(metric => rowOf(same, metric).verdict === 'significant').length;
		}

		expect(covered).toBeGreaterThanOrEqual(Math.floor(repetitions * 0.85));
		expect(falseAlarms).toBeLessThanOrEqual(2);
	});

	it('a plain sample-level interval would call the drift significant; the block bootstrap does not', () => {
		// Same distribution, but a 15% per-second drift: the samples of one second are not independent.
		const random = seededRandom(5);
		const drifting = {...base, drift: 0.15};
		const comparison = compareRuns(syntheticRun(random, drifting), syntheticRun(random, drifting), fast);
		const p50 = rowOf(comparison, 'p50');
		expect(p50.verdict).toBe('within noise');
		// The interval is much wider than the samples alone would make it (about ±2% for 20,000 samples).
		expect(p50.interval!.high - p50.interval!.low).toBeGreaterThan(0.1);
	});

	it('is deterministic and marks single samples and short runs as not tested', () => {
		const make = () => {
			const random = seededRandom(3);
			return compareRuns(syntheticRun(random, base), syntheticRun(random, {...base, factor: 1.05}), fast);
		};

		expect(make()).toEqual(make());
		expect(rowOf(make(), 'max').verdict).toMatch(/not tested|no change/);
		// 20,000 samples: 20 above p99.9, tested; 3,000: 3 above it, not tested.
		expect(rowOf(make(), 'p999').verdict).not.toBe('not tested');
		const few = (() => {
			const random = seededRandom(6);
			return compareRuns(syntheticRun(random, {...base, seconds: 6, perSecond: 500}), syntheticRun(random, {...base, seconds: 6, perSecond: 500, factor: 3}), fast);
		})();
		expect(rowOf(few, 'p999')).toMatchObject({verdict: 'not tested', note: 'fewer than 10 samples above it'});
		expect(rowOf(few, 'p99').verdict).toBe('significant');
		const random = seededRandom(4);
		const short = compareRuns(syntheticRun(random, {...base, seconds: 1}), syntheticRun(random, {...base, seconds: 1, factor: 2}), fast);
		expect(rowOf(short, 'p50')).toMatchObject({verdict: 'not tested', note: 'needs two one-second windows in each run'});
	});

	it('uses Student t quantiles', () => {
		expect(t975(1)).toBeCloseTo(12.706, 3);
		expect(t975(2)).toBeCloseTo(4.303, 3);
		expect(t975(10)).toBeCloseTo(2.228, 2);
		expect(t975(30)).toBeCloseTo(2.042, 2);
		expect(t975(1e6)).toBeCloseTo(1.96, 2);
	});
});

/** An open-model run: the corrected latency is the latency plus `waitMicros` (time queued behind slow answers). */
function withCorrected(run: CompareRun, waitMicros: number): CompareRun {
	const shifted = (histogram: Histogram): Histogram => {
		const corrected = createHistogram();
		const indexed = histogram as Histogram & {countsArrayLength: number; getCountAtIndex(index: number): number; valueFromIndex(index: number): number};
		for (let index = 0; index < indexed.countsArrayLength; index++) {
			const count = indexed.getCountAtIndex(index);
			if (count > 0) corrected.recordValueWithCount(indexed.valueFromIndex(index) + waitMicros, count);
		}

		return corrected;
	};

	const whole = shifted(run.run.histogram);
	const figures = {...run.run, correctedHistogram: whole, correctedLatencyMs: summarize(whole)};
	return {run: figures, endpoints: [{...figures, name: 'only'}], windows: run.windows.map(window => {
		const corrected = shifted(window.histogram!);
		return {...window, correctedHistogram: corrected, correctedP99: summarize(corrected).p99};
	})};
}

describe('open model', () => {
	it('compares the corrected latency too, and latency gates use it', () => {
		const random = seededRandom(21);
		// Same service time; the new run queues 2 ms more per request (coordinated omission corrected).
		const comparison = compareRuns(withCorrected(syntheticRun(random, base), 500), withCorrected(syntheticRun(random, base), 2500), fast);
		const corrected = comparison.rows.find(row => row.endpoint === null && row.metric === 'p50' && row.corrected)!;
		expect(corrected).toMatchObject({verdict: 'significant', direction: 'worse'});
		expect(rowOf(comparison, 'p50').verdict).not.toBe('significant');
		expect(comparison.shifts.map(shift => shift.corrected)).toEqual([false, true]);
		const gate = evaluateGate(parseGate('p50>+10%'), comparison.rows);
		expect(gate.row).toBe(corrected);
		expect(gate.failed).toBe(true);
	});
});

describe('--fail-on gates', () => {
	it('parses relative, absolute and per-endpoint gates', () => {
		expect(parseGate('p99>+10%')).toMatchObject({metric: 'p99', operator: '>', value: 0.1, kind: 'relative', endpoint: undefined});
		expect(parseGate('rps<-5%')).toMatchObject({metric: 'rps', operator: '<', value: -0.05, kind: 'relative'});
		expect(parseGate('errors>+0.5pp')).toMatchObject({metric: 'errors', value: 0.005, kind: 'points'});
		expect(parseGate('checkout:p99.9>=2ms')).toMatchObject({endpoint: 'checkout', metric: 'p999', operator: '>=', value: 2, kind: 'ms'});
		expect(parseGate('p50 > 500us')).toMatchObject({metric: 'p50', value: 0.5, kind: 'ms'});
	});

	it('rejects bad expressions, naming them', () => {
		for (const [text, message] of [['p99>10', /p99>10.*% or a time/], ['errors>+1%', /percentage points/], ['max>+10%', /single sample/], ['pass<-1pp', /pass rate/], ['latency>+1%', /unknown metric "latency"/], ['p99', /"p99": expected/]] as const) {
			expect(() => parseGate(text), text).toThrow(message);
		}
	});

	it('fails only when the change crosses the gate and is significant', () => {
		const random = seededRandom(9);
		const slower = compareRuns(syntheticRun(random, base), syntheticRun(random, {...base, factor: 1.3}), fast);
		expect(evaluateGate(parseGate('p50>+10%'), slower.rows)).toMatchObject({crossed: true, failed: true});
		expect(evaluateGate(parseGate('p50>+50%'), slower.rows)).toMatchObject({crossed: false, failed: false});
		expect(evaluateGate(parseGate('only:p50>+10%'), slower.rows)).toMatchObject({crossed: true, failed: true});
		const noisy = compareRuns(syntheticRun(random, {...base, drift: 0.3, seconds: 3}), syntheticRun(random, {...base, drift: 0.3, seconds: 3, factor: 1.15}), fast);
		const dead = evaluateGate(parseGate('p99>+10%'), noisy.rows.map(row => (row.metric === 'p99' ? {...row, next: null, change: null, interval: null, verdict: 'no data' as const} : row)));
		expect(dead).toMatchObject({failed: true, change: null});
		const gate = evaluateGate(parseGate('p50>+1%'), noisy.rows);
		expect(gate.row!.verdict).toBe('within noise');
		expect(gate.failed).toBe(false);
	});
});
