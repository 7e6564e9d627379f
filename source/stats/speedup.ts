/** Figures of the parallel run compared with a single-connection baseline. */
export type Speedup = {
	/** Parallel rps / baseline rps. */
	readonly throughput: number;
	/** Parallel p50 / baseline p50 (1 = no growth). */
	readonly latencyGrowthP50: number;
	/** Parallel p99 / baseline p99. */
	readonly latencyGrowthP99: number;
	/** Throughput speedup per connection, 0..1 for sub-linear scaling (1 = each connection as fast as the baseline). */
	readonly perConnectionEfficiency: number;
	/** Parallel rps per worker thread. */
	readonly perThreadRps: number;
};

type Figures = {readonly rps: number; readonly p50: number; readonly p99: number};

const ratio = (numerator: number, denominator: number): number => (denominator > 0 ? Math.round((numerator / denominator) * 1000) / 1000 : 0);

/** Computes speedup figures; ratios with a zero denominator are 0. */
export function computeSpeedup(parallel: Figures, baseline: Figures, threads: number, connections: number): Speedup {
	const throughput = ratio(parallel.rps, baseline.rps);
	return {
		throughput,
		latencyGrowthP50: ratio(parallel.p50, baseline.p50),
		latencyGrowthP99: ratio(parallel.p99, baseline.p99),
		perConnectionEfficiency: ratio(throughput, connections),
		perThreadRps: ratio(parallel.rps, threads),
	};
}
