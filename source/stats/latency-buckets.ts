import type {Histogram, Indexed} from './histogram.js';

/** Cumulative counts of a latency histogram at fixed bounds, for a Prometheus histogram. */
export type CumulativeBuckets = {
	/** One count per bound, in the bounds' order: responses at or below that bound. */
	readonly counts: readonly number[];
	/** Every recorded value (the `+Inf` bucket). */
	readonly total: number;
	/** Sum of the values, microseconds: each HDR bucket counted at its median value (as the mean is). */
	readonly sumMicros: number;
};

/**
 * Counts an HDR histogram at fixed bounds (microseconds, ascending) in one pass over its buckets.
 * A value counts towards a bound when its HDR bucket's upper end (the value the percentiles
 * report, see `summarize`) is at or below the bound, so the counts agree with the percentiles: a
 * p99 at or below a bound means at least 99% of the values are counted there. Exact in the HDR
 * data (its resolution is 0.1% of a value).
 */
export function cumulativeBuckets(histogram: Histogram, boundsMicros: readonly number[]): CumulativeBuckets {
	const h = histogram as Indexed;
	const counts = boundsMicros.map(() => 0);
	let total = 0;
	let sumMicros = 0;
	let bound = 0;
	for (let index = 0; index < h.countsArrayLength; index++) {
		const count = h.getCountAtIndex(index);
		if (count === 0) continue;
		const value = h.valueFromIndex(index);
		const upper = h.highestEquivalentValue(value);
		while (bound < boundsMicros.length && upper > boundsMicros[bound]!) {
			counts[bound] = total;
			bound++;
		}

		total += count;
		sumMicros += h.medianEquivalentValue(value) * count;
	}

	for (; bound < boundsMicros.length; bound++) counts[bound] = total;
	return {counts, total, sumMicros};
}
