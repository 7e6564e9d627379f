/** What every bench case gets and gives back. */
import type {BenchOptions} from '../options.js';
import type {SummaryRow} from '../summary.js';

export type BenchContext = BenchOptions & {
	/** The BENCH_BASE revision's built CLI, when one was asked for. */
	readonly baseCli: string | undefined;
};

export type CaseOutcome = {
	readonly rows: readonly SummaryRow[];
	/** A failure that makes the bench exit 1 (only soak's memory growth). */
	readonly failed?: boolean;
};

export type BenchCase = (context: BenchContext) => Promise<CaseOutcome>;
