import type {Histogram} from './histogram.js';

/**
 * Highest latency we can record: one hour, in microseconds. Larger values are clamped. Defined
 * here, not in histogram.ts, so that a load worker (which records here) never loads
 * hdr-histogram-js: about 30 ms less for each worker to start.
 */
export const highestTrackableMicros = 3_600_000_000;

/**
 * One interval's latencies as value/count pairs (`[value0, count0, value1, count1, ...]`, integer
 * microseconds): what a worker posts instead of an encoded histogram. Adding them to an HDR
 * histogram (`addPairs`) gives exactly what recording every value would have given: the same
 * counts, total, min and max.
 */
export type LatencyPairs = Float64Array;

/**
 * HDR layout of `createHistogram` (lowest discernible value 1, 3 significant digits): sub-buckets
 * of 2^11 values, each bucket after the first covering twice the range at half the resolution.
 * `test/latency-counts.test.ts` checks every index against hdr-histogram-js's own.
 */
const subBucketHalfCountMagnitude = 10;
const subBucketHalfCount = 1 << subBucketHalfCountMagnitude;
/** Enough buckets for values up to 2^32 (one hour is about 2^31.7 microseconds). */
const countsLength = (32 - subBucketHalfCountMagnitude + 1) * subBucketHalfCount;

/** The counts index hdr-histogram-js gives `value` (an integer, 1 <= value < 2^32). */
export function countsIndex(value: number): number {
	// floor(log2(value)) - 10, from the leading zeros: exact for integers below 2^32.
	const bucket = 21 - Math.clz32(value);
	return bucket <= 0 ? value >>> 0 : (bucket << subBucketHalfCountMagnitude) + (value >>> bucket);
}

/** The lowest value that `countsIndex` maps to `index`. */
export function lowestValueAt(index: number): number {
	const bucket = (index >>> subBucketHalfCountMagnitude) - 1;
	const subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount;
	return bucket < 0 ? subBucket - subBucketHalfCount : subBucket * (2 ** bucket);
}

/**
 * Latencies recorded on a worker's hot path: one `Math.clz32`, a shift and an increment per value
 * in a flat counts array laid out as the HDR histogram is, where hdr-histogram-js's `recordValue`
 * takes two `Math.log2`-based divisions, a bounds check and a min/max update through several calls.
 * Written by hand for speed; checked against hdr-histogram-js (test/latency-counts.test.ts).
 */
export class LatencyCounts {
	private readonly counts = new Float64Array(countsLength);
	private total = 0;
	private min = Number.POSITIVE_INFINITY;
	private max = 0;

	/** Records one latency in integer microseconds, clamped to 1..one hour as `recordMicros` does. */
	record(micros: number): void {
		const value = micros < 1 ? 1 : (micros > highestTrackableMicros ? highestTrackableMicros : micros);
		const index = countsIndex(value);
		this.counts[index] = this.counts[index]! + 1;
		this.total++;
		if (value < this.min) this.min = value;
		if (value > this.max) this.max = value;
	}

	get count(): number {
		return this.total;
	}

	/**
	 * The interval's values as pairs, and a new interval. The buckets holding the minimum and the
	 * maximum give those exact values (same bucket, so the same counts), so that the histogram they
	 * are added to keeps the true min and max as recording each value would.
	 */
	take(): LatencyPairs {
		if (this.total === 0) {
			return new Float64Array(0);
		}

		const minIndex = countsIndex(this.min);
		const maxIndex = countsIndex(this.max);
		const pairs: number[] = [];
		for (let index = minIndex; index <= maxIndex; index++) {
			const count = this.counts[index]!;
			if (count === 0) continue;
			if (index === minIndex && index === maxIndex && this.min !== this.max) {
				// Both ends in one bucket (so count >= 2).
				pairs.push(this.min, count - 1, this.max, 1);
			} else if (index === minIndex) {
				pairs.push(this.min, count);
			} else if (index === maxIndex) {
				pairs.push(this.max, count);
			} else {
				pairs.push(lowestValueAt(index), count);
			}

			this.counts[index] = 0;
		}

		this.total = 0;
		this.min = Number.POSITIVE_INFINITY;
		this.max = 0;
		return Float64Array.from(pairs);
	}
}

/** Adds what `LatencyCounts.take` gave into `histogram`. */
export function addPairs(histogram: Histogram, pairs: LatencyPairs): void {
	for (let index = 0; index < pairs.length; index += 2) {
		histogram.recordValueWithCount(pairs[index]!, pairs[index + 1]!);
	}
}
