/** Latency of one endpoint in ms (p50/p99 undefined when it had no response). */
export type EndpointLatency = {
	readonly name: string;
	readonly weight: number;
	readonly p50?: number | undefined;
	readonly p99?: number | undefined;
};

/** One endpoint under load compared with the same endpoint alone. Null: n/a (a figure is missing). */
export type EndpointGrowth = {
	readonly name: string;
	readonly weight: number;
	readonly baselineP50Ms: number | null;
	readonly p50Ms: number | null;
	readonly latencyGrowthP50: number | null;
	readonly baselineP99Ms: number | null;
	readonly p99Ms: number | null;
	readonly latencyGrowthP99: number | null;
};

/** Figures of the parallel run compared with a single-connection baseline. Null: n/a. */
export type Speedup = {
	/** Parallel rps / the baseline's rps (one connection, warm requests, the config's mix). */
	readonly throughput: number | null;
	/** Parallel p50 / baseline p50 (1 = no growth); with several endpoints the weighted mix of theirs. */
	readonly latencyGrowthP50: number | null;
	/** Parallel p99 / baseline p99; with several endpoints the weighted mix of theirs. */
	readonly latencyGrowthP99: number | null;
	/** Throughput speedup per connection, 0..1 (1 = each connection as fast as the lone one); n/a above `efficiencyLimit`. */
	readonly perConnectionEfficiency: number | null;
	/** Parallel rps per worker thread. */
	readonly perThreadRps: number;
	/** Several endpoints: each one's growth (its latency under load ÷ its own baseline). */
	readonly endpoints?: readonly EndpointGrowth[];
	/** Why a figure is n/a, or what it leaves out: one sentence each. */
	readonly notes?: readonly string[];
};

type Figures = {readonly rps: number; readonly p50: number; readonly p99: number};

const round = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * The highest per-connection efficiency shown: a little above 100% is a baseline's noise around
 * perfect scaling; beyond it, each loaded connection beat the lone one and the baseline is no yardstick.
 */
export const efficiencyLimit = 1.1;

/** numerator ÷ denominator, or null when either is missing, zero or not finite (never a 0.00x). */
export function ratio(numerator: number | undefined, denominator: number | undefined): number | null {
	if (numerator === undefined || denominator === undefined || !(numerator > 0) || !(denominator > 0)) return null;
	const value = numerator / denominator;
	return Number.isFinite(value) ? round(value) : null;
}

/**
 * One connection's rate for a mix of endpoints: `weights` of requests, each taking `secondsEach`.
 * Endpoints without a time (no response) are left out, their weight with them.
 */
export function mixRate(parts: ReadonlyArray<{readonly weight: number; readonly secondsEach: number | undefined}>): number {
	let weight = 0;
	let seconds = 0;
	for (const part of parts) {
		if (part.secondsEach !== undefined && part.secondsEach > 0 && part.weight > 0) {
			weight += part.weight;
			seconds += part.weight * part.secondsEach;
		}
	}

	return seconds > 0 ? round(weight / seconds) : 0;
}

/** The weighted mean of the figures that exist; null when none does. */
function weighted(values: ReadonlyArray<{readonly weight: number; readonly value: number | null}>): number | null {
	const present = values.filter(entry => entry.value !== null && entry.weight > 0);
	const weight = present.reduce((sum, entry) => sum + entry.weight, 0);
	return weight > 0 ? round(present.reduce((sum, entry) => sum + (entry.weight * entry.value!), 0) / weight) : null;
}

/**
 * Computes speedup figures. With `endpoints` (run and baseline, same order), latency growth is
 * computed per endpoint against that endpoint's own baseline, and the overall growth is their mix
 * by weight: a run is never compared with a baseline of a different mix. A figure that cannot be
 * right is null (n/a), with a note: a missing or zero figure, or a per-connection efficiency above
 * 110% (each loaded connection faster than the lone one: the baseline is no yardstick; a few percent
 * above 100% is a baseline's noise around perfect scaling and is shown).
 */
export function computeSpeedup(parallel: Figures, baseline: Figures, threads: number, connections: number, endpoints?: {readonly run: readonly EndpointLatency[]; readonly baseline: readonly EndpointLatency[]}): Speedup {
	const notes: string[] = [];
	const throughput = ratio(parallel.rps, baseline.rps);
	if (throughput === null) notes.push('throughput n/a: the baseline measured no rate (no response)');
	let efficiency = throughput === null ? null : round(throughput / Math.max(1, connections));
	if (efficiency !== null && efficiency > efficiencyLimit) {
		notes.push(`per-connection efficiency n/a: above 110% (${Math.round(efficiency * 100)}%), each connection under load beat the lone baseline connection, so the baseline is no yardstick here (a lone request pays for idle processes waking up, and a short baseline is noisy: --baseline-duration measures it better)`);
		efficiency = null;
	}

	let growthP50 = ratio(parallel.p50, baseline.p50);
	let growthP99 = ratio(parallel.p99, baseline.p99);
	let growths: EndpointGrowth[] | undefined;
	if (endpoints) {
		growths = endpoints.run.map((run, index) => {
			const alone = endpoints.baseline[index];
			return {
				name: run.name,
				weight: run.weight,
				baselineP50Ms: alone?.p50 ?? null,
				p50Ms: run.p50 ?? null,
				latencyGrowthP50: ratio(run.p50, alone?.p50),
				baselineP99Ms: alone?.p99 ?? null,
				p99Ms: run.p99 ?? null,
				latencyGrowthP99: ratio(run.p99, alone?.p99),
			};
		});
		growthP50 = weighted(growths.map(growth => ({weight: growth.weight, value: growth.latencyGrowthP50})));
		growthP99 = weighted(growths.map(growth => ({weight: growth.weight, value: growth.latencyGrowthP99})));
		const missing = growths.filter(growth => growth.latencyGrowthP50 === null).map(growth => growth.name);
		if (missing.length > 0 && missing.length < growths.length) {
			notes.push(`latency growth leaves out ${missing.join(', ')} (no response alone or under load)`);
		}
	}

	if (growthP50 === null) notes.push('latency growth n/a: no response to compare, alone or under load');
	const faster = growths ? growths.filter(growth => growth.latencyGrowthP50 !== null && growth.latencyGrowthP50 < 1).map(growth => growth.name) : [];
	if ((growths ? faster.length > 0 : growthP50 !== null && growthP50 < 1)) {
		notes.push(`latency growth below 1x${growths ? ` (${faster.join(', ')})` : ''}: faster under load than alone; a lone request often waits for idle processes to wake up, a busy target answers at once`);
	}
	return {
		throughput,
		latencyGrowthP50: growthP50,
		latencyGrowthP99: growthP99,
		perConnectionEfficiency: efficiency,
		perThreadRps: round(parallel.rps / Math.max(1, threads)),
		...(growths && growths.length > 1 ? {endpoints: growths} : {}),
		...(notes.length > 0 ? {notes} : {}),
	};
}
