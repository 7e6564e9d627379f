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

/** The order of `items` in round `round` (1-based): rotated, so that none always runs first or right after another. */
export function rotation<T>(items: readonly T[], round: number): T[] {
	const shift = (round - 1) % items.length;
	return [...items.slice(shift), ...items.slice(0, shift)];
}

/** "12,345" */
export const count = (value: number): string => Math.round(value).toLocaleString('en-US');

/** A figure with `digits` decimals, or "n/a" when it is not a number. */
export const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
