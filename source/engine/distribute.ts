/** Splits `total` into `parts` whole shares that differ by at most one (earlier parts get the extra). */
export function distribute(total: number, parts: number): number[] {
	if (parts <= 0) {
		return [];
	}

	const base = Math.floor(total / parts);
	const extra = total - (base * parts);
	return Array.from({length: parts}, (_, index) => base + (index < extra ? 1 : 0));
}

/** A worker's share of a total rate, in proportion to its connections. */
export function rateShare(rate: number | undefined, connections: number, totalConnections: number): number | undefined {
	if (rate === undefined) {
		return undefined;
	}

	return totalConnections > 0 ? (rate * connections) / totalConnections : 0;
}
