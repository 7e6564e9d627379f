/**
 * Bucket-level views of HDR histograms for `compare`: histograms of one layout (all made by
 * `createHistogram`) share bucket indexes, so several of them map onto one sorted table of the
 * buckets any of them uses, and a resample is a sum of count arrays. Pure.
 */
import type {Histogram, Indexed} from './histogram.js';

/** The buckets used by a set of histograms, ascending: a percentile reports `upper`, a mean uses `middle` (µs). */
export type BucketTable = {
	readonly upper: Float64Array;
	readonly middle: Float64Array;
	/** Histogram bucket index -> position in this table. */
	readonly positionOf: ReadonlyMap<number, number>;
};

/** One histogram's non-empty buckets as positions in a table, and their counts. */
export type SparseCounts = {
	readonly positions: Int32Array;
	readonly counts: Float64Array;
	readonly total: number;
};

function nonEmpty(histogram: Histogram): Array<[index: number, count: number]> {
	const h = histogram as Indexed;
	const found: Array<[number, number]> = [];
	if (histogram.totalCount === 0) {
		return found;
	}

	for (let index = 0; index < h.countsArrayLength; index++) {
		const count = h.getCountAtIndex(index);
		if (count > 0) {
			found.push([index, count]);
		}
	}

	return found;
}

/** A table of every bucket that any of `histograms` uses, and each histogram's sparse counts in it. */
export function bucketTable(histograms: readonly Histogram[]): {table: BucketTable; sparse: SparseCounts[]} {
	const entries = histograms.map(histogram => nonEmpty(histogram));
	const indexes = [...new Set(entries.flatMap(list => list.map(([index]) => index)))].sort((a, b) => a - b);
	const reference = histograms[0] as Indexed | undefined;
	const upper = new Float64Array(indexes.length);
	const middle = new Float64Array(indexes.length);
	const positionOf = new Map<number, number>();
	for (const [position, index] of indexes.entries()) {
		const value = reference!.valueFromIndex(index);
		upper[position] = reference!.highestEquivalentValue(value);
		middle[position] = reference!.medianEquivalentValue(value);
		positionOf.set(index, position);
	}

	const sparse = entries.map((list): SparseCounts => ({
		positions: Int32Array.from(list, ([index]) => positionOf.get(index)!),
		counts: Float64Array.from(list, ([, count]) => count),
		total: list.reduce((sum, [, count]) => sum + count, 0),
	}));
	return {table: {upper, middle, positionOf}, sparse};
}

/** Adds `times` copies of a sparse histogram into dense counts over the table. */
export function addInto(dense: Float64Array, sparse: SparseCounts, times = 1): void {
	const {positions, counts} = sparse;
	for (let k = 0; k < positions.length; k++) {
		dense[positions[k]!]! += counts[k]! * times;
	}
}

/** hdr-histogram-js's count for a percentile: rounded up, guarding against 1-ulp errors. */
export function countAtPercentile(percentile: number, total: number): number {
	const fp = (Math.min(percentile, 100) / 100) * total;
	const ulp = fp > 0 ? 2 ** (Math.floor(Math.log2(fp)) - 52) : 0;
	return Math.max(Math.ceil(fp - ulp), 1);
}

/**
 * The figures of dense counts over a table in one pass: each percentile (ascending, as the
 * histogram reports them) and the mean, in µs. NaN for all when the counts are empty.
 */
export function denseFigures(dense: Float64Array, table: BucketTable, percentiles: readonly number[]): {percentiles: number[]; mean: number} {
	let total = 0;
	for (const count of dense) {
		total += count;
	}

	if (total === 0) {
		return {percentiles: percentiles.map(() => Number.NaN), mean: Number.NaN};
	}

	const targets = percentiles.map(percentile => countAtPercentile(percentile, total));
	const values = percentiles.map(() => Number.NaN);
	let next = 0;
	let cumulative = 0;
	let sum = 0;
	for (let position = 0; position < dense.length; position++) {
		const count = dense[position]!;
		if (count === 0) {
			continue;
		}

		cumulative += count;
		sum += count * table.middle[position]!;
		while (next < targets.length && cumulative >= targets[next]!) {
			values[next++] = table.upper[position]!;
		}
	}

	return {percentiles: values, mean: sum / total};
}

/** The value (µs, bucket upper edge) at a 1-based rank of a sparse histogram. */
function valueAtRank(sparse: SparseCounts, table: BucketTable, rank: number): number {
	let cumulative = 0;
	for (let k = 0; k < sparse.positions.length; k++) {
		cumulative += sparse.counts[k]!;
		if (cumulative >= rank) {
			return table.upper[sparse.positions[k]!]!;
		}
	}

	return table.upper[sparse.positions.at(-1)!]!;
}

/** The smallest standard error a log figure is given: the histogram's own resolution (3 digits). */
export const resolutionSe = 5e-4;

/**
 * Standard error of log(percentile) if every sample were independent: the percentile's rank has the
 * binomial spread sqrt(N·p·(1−p)); the values one such spread below and above give the error.
 */
export function independentLogSe(sparse: SparseCounts, table: BucketTable, percentile: number): number {
	const n = sparse.total;
	if (n < 2) {
		return Number.NaN;
	}

	const p = Math.min(percentile, 100) / 100;
	const rank = p * n;
	const spread = Math.sqrt(n * p * (1 - p));
	const low = valueAtRank(sparse, table, Math.max(1, Math.floor(rank - spread)));
	const high = valueAtRank(sparse, table, Math.min(n, Math.ceil(rank + spread)));
	return Math.max(resolutionSe, (Math.log(high) - Math.log(low)) / 2);
}

/** Standard error of log(mean) if every sample were independent: the coefficient of variation over √N. */
export function independentLogSeOfMean(sparse: SparseCounts, table: BucketTable): number {
	const n = sparse.total;
	if (n < 2) {
		return Number.NaN;
	}

	let sum = 0;
	let squares = 0;
	for (let k = 0; k < sparse.positions.length; k++) {
		const value = table.middle[sparse.positions[k]!]!;
		sum += value * sparse.counts[k]!;
		squares += value * value * sparse.counts[k]!;
	}

	const mean = sum / n;
	const variance = Math.max(0, (squares / n) - (mean * mean));
	return Math.max(resolutionSe, Math.sqrt(variance / n) / mean);
}

/**
 * The Mann-Whitney U statistic of two histograms as a probability (Vargha and Delaney's A): the
 * chance that a latency drawn from `next` exceeds one drawn from `base`, ties (the same bucket)
 * counted half. 0.5 is no shift; 1 is every new latency above every base one. NaN when either is empty.
 */
export function probabilityOfSuperiority(base: SparseCounts, next: SparseCounts, table: BucketTable): number {
	if (base.total === 0 || next.total === 0) {
		return Number.NaN;
	}

	const baseDense = new Float64Array(table.upper.length);
	addInto(baseDense, base);
	const below = new Float64Array(table.upper.length);
	let cumulative = 0;
	for (let position = 0; position < baseDense.length; position++) {
		below[position] = cumulative;
		cumulative += baseDense[position]!;
	}

	let wins = 0;
	for (let k = 0; k < next.positions.length; k++) {
		const position = next.positions[k]!;
		wins += next.counts[k]! * (below[position]! + (baseDense[position]! / 2));
	}

	return wins / (base.total * next.total);
}

/** Vargha and Delaney's magnitude labels for A (or 1 − A). */
export function shiftMagnitude(a: number): 'negligible' | 'small' | 'medium' | 'large' {
	const distance = Math.abs(a - 0.5);
	return distance < 0.06 ? 'negligible' : (distance < 0.14 ? 'small' : (distance < 0.21 ? 'medium' : 'large'));
}
