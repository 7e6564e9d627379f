// The two modules used, not the package's index: the index also loads HistogramLogWriter, whose
// module-level number formatter initialises Intl (about 20 ms of every start).
import {build} from 'hdr-histogram-js/dist/HistogramBuilder.js';
import {decodeFromCompressedBase64, encodeIntoCompressedBase64} from 'hdr-histogram-js/dist/encoding.js';
import type {Histogram as HdrHistogram} from 'hdr-histogram-js';
import {highestTrackableMicros, type LatencyPairs} from './latency-counts.js';

export {highestTrackableMicros} from './latency-counts.js';

/** An HDR histogram of latencies in integer microseconds. */
export type Histogram = HdrHistogram;

/** Latency figures in milliseconds (fractional, microsecond resolution). */
export type LatencySummary = {
	readonly count: number;
	readonly min: number;
	readonly mean: number;
	readonly p50: number;
	readonly p90: number;
	readonly p95: number;
	readonly p99: number;
	readonly p999: number;
	readonly max: number;
	readonly stdev: number;
};

/**
 * Bits per bucket count: 64 (exact to 2^53), because histograms are merged (workers into a run,
 * reports into one by `merge`) and 32-bit counts wrap past 4.29e9 in one bucket. Only the main
 * thread builds these; workers count in `LatencyCounts` (Float64Array) and never load this module.
 */
const bitBucketSize = 64;

/**
 * Histograms given back by `recycleHistogram`, reset, for the next `createHistogram`. Each is about
 * 180 KB of counts: a live run closes a window every second, and allocating that much afresh each
 * time fragments the C heap (glibc serves such blocks from its arena once its mmap threshold has
 * risen), so RSS crept up over a long run with no live object growing (test/bench/findings.md,
 * "Memory over a long run").
 */
const spareHistograms: Histogram[] = [];
const maxSpareHistograms = 8;

/** Creates an empty histogram for microsecond latencies (3 significant digits, up to one hour). */
export function createHistogram(): Histogram {
	return spareHistograms.pop() ?? build({
		bitBucketSize,
		autoResize: false,
		lowestDiscernibleValue: 1,
		highestTrackableValue: highestTrackableMicros,
		numberOfSignificantValueDigits: 3,
		useWebAssembly: false,
	});
}

/**
 * Gives a histogram back for reuse once nothing reads it any more (it is reset). Only for histograms
 * no one else holds: a recycled one comes back from `createHistogram` to someone else.
 */
export function recycleHistogram(histogram: Histogram): void {
	if (spareHistograms.length < maxSpareHistograms && !spareHistograms.includes(histogram)) {
		histogram.reset();
		spareHistograms.push(histogram);
	}
}

/** Records one latency, clamped to the trackable range. */
export function recordMicros(histogram: Histogram, latencyMicros: number): void {
	histogram.recordValue(latencyMicros < 1 ? 1 : (latencyMicros > highestTrackableMicros ? highestTrackableMicros : latencyMicros));
}

/** Compressed base64 form (HdrHistogram's standard V2 encoding), empty string for an empty histogram. */
export function encodeHistogram(histogram: Histogram): string {
	return histogram.totalCount === 0 ? '' : encodeIntoCompressedBase64(histogram);
}

/** Decodes what `encodeHistogram` produced; an empty string gives an empty histogram. */
export function decodeHistogram(encoded: string): Histogram {
	if (encoded === '') {
		return createHistogram();
	}

	const decoded = decodeFromCompressedBase64(encoded, bitBucketSize, false);
	const histogram = createHistogram();
	histogram.add(decoded);
	return histogram;
}

/** Adds an encoded histogram into `target`. */
export function addEncoded(target: Histogram, encoded: string): void {
	if (encoded !== '') {
		target.add(decodeFromCompressedBase64(encoded, bitBucketSize, false));
	}
}

/**
 * A histogram's counts as value/count pairs (what `addPairs` takes): each bucket's lowest value.
 * The encoded form keeps counts, not the exact minimum, so `minMicros` (a report's `min`, exact)
 * puts the lowest bucket's values at it: the same bucket, so the same counts and percentiles, and
 * the histogram they are added to keeps the true minimum.
 */
export function histogramPairs(histogram: Histogram, minMicros?: number): LatencyPairs {
	const h = histogram as Indexed;
	const pairs: number[] = [];
	for (let index = 0; index < h.countsArrayLength; index++) {
		const count = h.getCountAtIndex(index);
		if (count === 0) continue;
		const value = h.valueFromIndex(index);
		const exact = pairs.length === 0 && minMicros !== undefined && minMicros >= value && minMicros <= h.highestEquivalentValue(value);
		pairs.push(exact ? minMicros : value, count);
	}

	return Float64Array.from(pairs);
}

/** `histogramPairs` of an encoded histogram. */
export function encodedPairs(encoded: string | undefined, minMicros?: number): LatencyPairs {
	return encoded === undefined || encoded === '' ? new Float64Array(0) : histogramPairs(decodeHistogram(encoded), minMicros);
}

const microsToMs = (micros: number): number => Math.round(micros) / 1000;

/** The counts-array view of hdr-histogram-js's JS histograms (public methods its typings leave out). */
export type Indexed = Histogram & {
	readonly countsArrayLength: number;
	getCountAtIndex(index: number): number;
	valueFromIndex(index: number): number;
	highestEquivalentValue(value: number): number;
	medianEquivalentValue(value: number): number;
	countsArrayIndex(value: number): number;
	/** The highest value recorded (kept by every way counts get in: record, add, decode). */
	readonly maxValue: number;
};

/** hdr-histogram-js's count for a percentile: rounded up, guarding against 1-ulp errors. */
function countAtPercentile(percentile: number, total: number): number {
	const fp = (Math.min(percentile, 100) / 100) * total;
	const ulp = fp > 0 ? 2 ** (Math.floor(Math.log2(fp)) - 52) : 0;
	return Math.max(Math.ceil(fp - ulp), 1);
}

const summaryPercentiles = [50, 90, 95, 99, 99.9, 100] as const;

/**
 * Summarizes a microsecond histogram into milliseconds; all zeros when empty. One pass over the
 * counts array gives every percentile and the mean (a second one, the standard deviation), with the
 * same results as the library's per-figure methods, which each walk the whole array: this runs
 * several times a second for live views.
 *
 * The targets and values live in typed arrays: plain arrays of them took either small-integer or
 * double elements from one call to the next, and each switch threw away the optimized code
 * ("wrong map"), five recompilations of about 25 ms each in a run's first seconds, on the load
 * generator's core (`node --trace-deopt`).
 */
export function summarize(histogram: Histogram): LatencySummary {
	const count = histogram.totalCount;
	if (count === 0) {
		return {count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, stdev: 0};
	}

	const h = histogram as Indexed;
	const targets = new Float64Array(summaryPercentiles.length);
	for (let index = 0; index < targets.length; index++) {
		targets[index] = countAtPercentile(summaryPercentiles[index]!, count);
	}

	const values = new Float64Array(summaryPercentiles.length);
	let next = 0;
	let cumulative = 0;
	let total = 0;
	// Nothing is counted above the highest value recorded: the walk stops there. Our histograms reach
	// up to an hour, 23,552 counts, and a run's latencies fill the first few thousand of them (5 ms is
	// index 3,298), so each walk is that much shorter; the main thread summarizes several histograms a
	// second on the core a load worker may share.
	const length = Math.min(h.countsArrayLength, h.countsArrayIndex(h.maxValue) + 1);
	for (let index = 0; index < length; index++) {
		const atIndex = h.getCountAtIndex(index);
		if (atIndex === 0) {
			continue;
		}

		const value = h.valueFromIndex(index);
		total += h.medianEquivalentValue(value) * atIndex;
		cumulative += atIndex;
		while (next < targets.length && cumulative >= targets[next]!) {
			values[next++] = h.highestEquivalentValue(value);
		}
	}

	const mean = total / count;
	let deviations = 0;
	for (let index = 0; index < length; index++) {
		const atIndex = h.getCountAtIndex(index);
		if (atIndex !== 0) {
			const deviation = h.medianEquivalentValue(h.valueFromIndex(index)) - mean;
			deviations += deviation * deviation * atIndex;
		}
	}

	return {
		count,
		min: microsToMs(histogram.minNonZeroValue),
		mean: microsToMs(mean),
		p50: microsToMs(values[0]!),
		p90: microsToMs(values[1]!),
		p95: microsToMs(values[2]!),
		p99: microsToMs(values[3]!),
		p999: microsToMs(values[4]!),
		// Percentile 100 (not maxValue) so that max is consistent with the other percentiles and after merges.
		max: microsToMs(values[5]!),
		stdev: microsToMs(Math.sqrt(deviations / count)),
	};
}

/** One point of a percentile spectrum: the latency (ms) at a percentile. */
export type PercentilePoint = {readonly percentile: number; readonly latencyMs: number};

/**
 * The percentile spectrum, as HdrHistogram plots it: percentiles 0, 50, 75, 87.5, ... approaching
 * 100 (each step halves the remaining distance), ending with the maximum.
 */
export function percentileSpectrum(histogram: Histogram, maxSteps = 40): PercentilePoint[] {
	if (histogram.totalCount === 0) {
		return [];
	}

	const points: PercentilePoint[] = [];
	let remaining = 100;
	let percentile = 0;
	for (let step = 0; step < maxSteps; step++) {
		points.push({percentile, latencyMs: microsToMs(histogram.getValueAtPercentile(percentile))});
		// Stop once the spectrum resolves single samples.
		if (remaining * histogram.totalCount < 100) {
			break;
		}

		remaining /= 2;
		percentile = 100 - remaining;
	}

	points.push({percentile: 100, latencyMs: microsToMs(histogram.getValueAtPercentile(100))});
	return points;
}
