/** Rounds of side-by-side runs in a rotating order, and the per-run line every case prints. */
import {rotation, count, fixed} from './stats.js';
import {countCheck, type Measured} from './tools.js';

/**
 * Runs every item once per round, rotating the order each round; after each round calls
 * `printRound` with that round's results. Returns the results of every round.
 */
export async function runRounds<Name extends string, Result>(
	items: readonly Name[],
	rounds: number,
	runOne: (item: Name, round: number) => Promise<Result>,
	printRound: (round: number, results: ReadonlyMap<Name, Result>, order: readonly Name[]) => void,
): Promise<Array<ReadonlyMap<Name, Result>>> {
	const all: Array<ReadonlyMap<Name, Result>> = [];
	for (let round = 1; round <= rounds; round++) {
		const order = rotation(items, round);
		const results = new Map<Name, Result>();
		for (const item of order) {
			// eslint-disable-next-line no-await-in-loop
			results.set(item, await runOne(item, round));
		}

		printRound(round, results, order);
		all.push(results);
	}

	return all;
}

/** Client CPU per request the target served, µs: every tool judged by the target's count (wrk's own leaves out requests in flight). */
export const cpuMicrosPerRequest = (measured: Measured): number => (measured.cpuS * 1e6) / measured.served;

/** One run as a line: throughput by the tool's count, CPU per served request, peak RSS, the count check, notes. */
export function runLine(round: number, measured: Measured, connections: number): string {
	const rps = measured.requests / measured.durationS;
	const parts = [
		`round ${round} ${measured.tool.padEnd(15)} ${count(rps).padStart(8)} req/s`,
		`${fixed(cpuMicrosPerRequest(measured), 2).padStart(6)} µs CPU/req`,
		`target ${fixed((measured.targetCpuS * 1e6) / measured.served, 2)} µs CPU/req`,
		`peak RSS ${fixed(measured.peakRssMb, 0)} MB`,
		countCheck(measured, connections),
		...measured.notes,
	];
	return parts.join('  ');
}
