/**
 * How much each of a run's figures varies, for `compare`: a block bootstrap over the run's
 * one-second windows gives the whole run's standard errors; an endpoint (no per-second figures of
 * its own) gets the standard error its samples would have if independent, scaled by the whole
 * run's design effect (block variance ÷ independent variance; the median over its figures). Pure.
 */
import {type BucketTable, type SparseCounts, denseFigures, independentLogSe, independentLogSeOfMean} from './compare-bucket-table.js';
import {bootstrapSpread, seededRandom} from './compare-bootstrap.js';
import type {CompareFigures, CompareWindow, SpreadSource} from './compare-types.js';
import type {Histogram} from './histogram.js';

export const testedLatency = ['p50', 'p90', 'p99', 'p999', 'mean'] as const;
export type TestedLatency = typeof testedLatency[number];
const percentiles = [50, 90, 99, 99.9];

/** Standard errors (of the log of each latency figure) for one run and one latency kind. */
export type LatencySpread = {
	readonly source: SpreadSource;
	readonly windows: number;
	readonly se: Readonly<Record<TestedLatency, number>>;
	/** Block variance ÷ independent variance of the whole run, per figure, at least 1 (NaN when unknown). */
	readonly inflation: Readonly<Record<TestedLatency, number>>;
	/**
	 * The run's design effect for its endpoints: the median of the figures' (NaN when unknown). The
	 * median, since in a mix of fast and slow endpoints some whole-run figures jump between them
	 * from second to second, which says nothing about one endpoint's own spread.
	 */
	readonly endpointInflation: number;
};

function median(values: readonly number[]): number {
	const finite = values.filter(value => Number.isFinite(value)).sort((a, b) => a - b);
	if (finite.length === 0) return Number.NaN;
	const middle = Math.floor(finite.length / 2);
	return finite.length % 2 === 1 ? finite[middle]! : (finite[middle - 1]! + finite[middle]!) / 2;
}

const logOr = (value: number): number => (value > 0 ? Math.log(value) : Number.NaN);
const record = (values: readonly number[]): Record<TestedLatency, number> => Object.fromEntries(testedLatency.map((name, index) => [name, values[index]!])) as Record<TestedLatency, number>;

/** The log figures of the histogram windows picked, merged. */
function histogramFigures(windows: readonly SparseCounts[], table: BucketTable): (picked: Int32Array) => number[] {
	const dense = new Float64Array(table.upper.length);
	return picked => {
		dense.fill(0);
		for (const index of picked) {
			const window = windows[index]!;
			for (let k = 0; k < window.positions.length; k++) {
				dense[window.positions[k]!]! += window.counts[k]!;
			}
		}

		const figures = denseFigures(dense, table, percentiles);
		return [...figures.percentiles.map(value => logOr(value)), logOr(figures.mean)];
	};
}

/** The log of the response-weighted mean of the per-second percentiles picked (reports without per-second histograms). */
function percentileFigures(windows: readonly CompareWindow[], corrected: boolean): (picked: Int32Array) => number[] {
	return picked => {
		let weight = 0;
		const sums = [0, 0, 0];
		for (const index of picked) {
			const window = windows[index]!;
			const values = corrected ? [Number.NaN, Number.NaN, window.correctedP99 ?? Number.NaN] : [window.p50, window.p90, window.p99];
			weight += window.responses;
			for (const [k, value] of values.entries()) sums[k]! += value * window.responses;
		}

		const [p50 = Number.NaN, p90 = Number.NaN, p99 = Number.NaN] = sums.map(sum => (weight > 0 ? logOr(sum / weight) : Number.NaN));
		// The seconds carry no p99.9 or mean: these borrow the nearest figure's spread (p99's, p50's).
		return corrected ? [p99, p99, p99, p99, p99] : [p50, p90, p99, p99, p50];
	};
}

export function spreadSource(windows: readonly CompareWindow[], corrected: boolean): SpreadSource {
	if (windows.length < 2) return 'none';
	return windows.every(window => (corrected ? window.correctedHistogram : window.histogram) !== undefined) ? 'histograms' : 'percentiles';
}

/** Standard errors of a latency figure's log if each sample were independent, per tested figure. */
export function independentSpread(sparse: SparseCounts, table: BucketTable): Record<TestedLatency, number> {
	return record([...percentiles.map(percentile => independentLogSe(sparse, table, percentile)), independentLogSeOfMean(sparse, table)]);
}

/** The whole run's latency spread (one kind: uncorrected or corrected). `sparseOf` maps a histogram into the shared table. */
export function latencySpread(windows: readonly CompareWindow[], whole: SparseCounts, corrected: boolean, table: BucketTable, sparseOf: (histogram: Histogram) => SparseCounts, options: {iterations: number; seed: number}): LatencySpread {
	const source = spreadSource(windows, corrected);
	const figures = source === 'histograms'
		? histogramFigures(windows.map(window => sparseOf((corrected ? window.correctedHistogram : window.histogram)!)), table)
		: percentileFigures(windows, corrected);
	const {se} = bootstrapSpread({windows: windows.length, figures}, options.iterations, seededRandom(options.seed));
	const blocks = record(source === 'none' ? testedLatency.map(() => Number.NaN) : se);
	const independent = independentSpread(whole, table);
	const inflation = record(testedLatency.map(name => Math.max(1, (blocks[name] / independent[name]) ** 2)));
	return {source, windows: windows.length, se: blocks, inflation, endpointInflation: median(Object.values(inflation))};
}

/** An endpoint's latency spread: its independent standard errors scaled by the run's design effect for endpoints. */
export function endpointLatencySpread(run: LatencySpread, endpoint: SparseCounts, table: BucketTable): LatencySpread {
	const independent = independentSpread(endpoint, table);
	return {...run, se: record(testedLatency.map(name => independent[name] * Math.sqrt(run.endpointInflation)))};
}

/** Standard errors of log(rps) and of the error rate (a fraction) for a run, from its windows. */
export type RateSpread = {readonly windows: number; readonly rpsSe: number; readonly errorSe: number; readonly errorInflation: number};

export function rateSpread(windows: readonly CompareWindow[], run: CompareFigures, options: {iterations: number; seed: number}): RateSpread {
	const figures = (picked: Int32Array): number[] => {
		let requests = 0;
		let errors = 0;
		let seconds = 0;
		for (const index of picked) {
			const window = windows[index]!;
			requests += window.requests;
			errors += window.errors;
			seconds += window.durationS;
		}

		return [seconds > 0 ? logOr(requests / seconds) : Number.NaN, requests > 0 ? errors / requests : Number.NaN];
	};

	const {se: [rpsSe = Number.NaN, errorSe = Number.NaN]} = bootstrapSpread({windows: windows.length, figures}, options.iterations, seededRandom(options.seed + 1));
	const rate = run.errorRate ?? 0;
	const binomial = run.requests > 0 ? rate * (1 - rate) / run.requests : 0;
	const errorInflation = binomial > 0 ? Math.max(1, (errorSe * errorSe) / binomial) : 1;
	return {windows: windows.length, rpsSe, errorSe, errorInflation};
}

/** An endpoint's error-rate standard error: binomial, scaled by the run's design effect. */
export function endpointErrorSe(run: RateSpread, endpoint: CompareFigures): number {
	const rate = endpoint.errorRate ?? 0;
	return endpoint.requests > 0 && Number.isFinite(run.errorSe) ? Math.sqrt(rate * (1 - rate) / endpoint.requests * run.errorInflation) : Number.NaN;
}
