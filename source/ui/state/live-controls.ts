/** Pure rules for the live controls of a running test. */

export type Direction = 1 | -1;

/** One worker thread more or less (at least 1). */
export function nextThreads(threads: number, direction: Direction): number {
	return Math.max(1, threads + direction);
}

/** Connections +-10%, a step of at least 1, never below 1. */
export function nextConnections(connections: number, direction: Direction): number {
	const step = Math.max(1, Math.round(connections * 0.1));
	return Math.max(1, connections + (direction * step));
}

/** Rate +-10% (req/s, two decimals, at least 0.1); undefined when no rate is set (closed model). */
export function nextRate(rate: number | undefined, direction: Direction): number | undefined {
	if (rate === undefined) {
		return undefined;
	}

	const next = Math.round(rate * (1 + (direction * 0.1)) * 100) / 100;
	return Math.max(0.1, next === rate ? rate + (direction * 0.01) : next);
}
