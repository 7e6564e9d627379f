/** Small statistics over rounds: the median and the spread that every bench figure is reported with. */

/** The median (the mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The smallest and the largest value. */
export function range(values: readonly number[]): [number, number] {
	return [Math.min(...values), Math.max(...values)];
}

/** Max minus min over the median, a fraction: how steady a figure was across rounds. */
export function spread(values: readonly number[]): number {
	const [min, max] = range(values);
	return (max - min) / median(values);
}

/** Student's t, two-sided 95%, by degrees of freedom (1-30, then 40, 60, 120; beyond, the normal's 1.960). */
const t975: Readonly<Record<number, number>> = {
	1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
	11: 2.201, 12: 2.179, 13: 2.16, 14: 2.145, 15: 2.131, 16: 2.12, 17: 2.11, 18: 2.101, 19: 2.093, 20: 2.086,
	21: 2.08, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.06, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042,
	40: 2.021, 60: 2, 120: 1.98,
};

/** The t quantile for `df` degrees of freedom: the table's, or the next smaller tabled df's (a wider interval). */
function tQuantile(df: number): number {
	if (df > 120) return 1.96;
	for (let tabled = df; tabled >= 1; tabled--) {
		const value = t975[tabled];
		if (value !== undefined) return value;
	}

	return Number.NaN;
}

/**
 * The mean of per-round values and the half-width of its 95% confidence interval (Student's t:
 * rounds are few, and each round's ratio pairs runs made side by side); NaN half-width below two
 * values.
 */
export function meanInterval(values: readonly number[]): {mean: number; half: number} {
	const count = values.length;
	if (count === 0) return {mean: Number.NaN, half: Number.NaN};
	const mean = values.reduce((sum, value) => sum + value, 0) / count;
	if (count < 2) return {mean, half: Number.NaN};
	const variance = values.reduce((sum, value) => sum + ((value - mean) ** 2), 0) / (count - 1);
	return {mean, half: tQuantile(count - 1) * Math.sqrt(variance / count)};
}

/** The order of `items` in round `round` (1-based): rotated, so that none always runs first or right after another. */
export function rotation<T>(items: readonly T[], round: number): T[] {
	const shift = (round - 1) % items.length;
	return [...items.slice(shift), ...items.slice(0, shift)];
}

/** "12,345" */
export const count = (value: number): string => Math.round(value).toLocaleString('en-US');

/** A figure with `digits` decimals, or "n/a" when it is not a number. */
export const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
