/** The shapes `compare` works on: two runs' decoded figures in, rows with verdicts out. Pure. */
import type {Histogram, LatencySummary} from './histogram.js';

/** One second of a run (the last may be shorter). Latencies in ms. */
export type CompareWindow = {
	readonly durationS: number;
	readonly requests: number;
	readonly errors: number;
	readonly responses: number;
	/** The second's own histogram (reports from schema version 3 on); else only its p50/p90/p99 are known. */
	readonly histogram?: Histogram;
	readonly correctedHistogram?: Histogram;
	readonly p50: number;
	readonly p90: number;
	readonly p99: number;
	readonly correctedP99?: number;
};

/** The whole run's or one endpoint's figures. */
export type CompareFigures = {
	readonly rps: number;
	readonly requests: number;
	/** (errors + incomplete) ÷ (requests + incomplete), 0..1; null when nothing was sent. */
	readonly errorRate: number | null;
	readonly passRate: number | null;
	readonly latencyMs: LatencySummary;
	readonly correctedLatencyMs?: LatencySummary;
	readonly histogram: Histogram;
	/** Open model (an endpoint's only from schema version 3 on). */
	readonly correctedHistogram?: Histogram;
	/** Response checks: responses checked, and those that failed any check; absent without checks. */
	readonly checks?: {readonly checked: number; readonly failed: number};
};

export type CompareRun = {
	readonly run: CompareFigures;
	readonly endpoints: ReadonlyArray<CompareFigures & {readonly name: string}>;
	readonly windows: readonly CompareWindow[];
};

export type LatencyMetric = 'min' | 'mean' | 'p50' | 'p90' | 'p99' | 'p999' | 'max';
/** `checks`: the share of checked responses that passed every response check (as the threshold `checks>99%`). */
export type CompareMetric = 'rps' | 'pass' | 'errors' | 'checks' | LatencyMetric;

export type Verdict = 'significant' | 'within noise' | 'no change' | 'not tested' | 'no data';

export type CompareRow = {
	/** Endpoint name; null for the whole run. */
	readonly endpoint: string | null;
	readonly metric: CompareMetric;
	/** Open model: latency from the intended send time. */
	readonly corrected: boolean;
	/** In ms (latency), req/s (rps) or a fraction 0..1 (pass, errors); null when the run had none. */
	readonly base: number | null;
	readonly next: number | null;
	/** Relative change (0.18 is +18%) for latency and rps; a difference of fractions (0.005 is +0.5 pp) for pass and errors. */
	readonly change: number | null;
	readonly changeKind: 'relative' | 'points';
	/** 95% interval of `change`, same unit; null when not tested. */
	readonly interval: {readonly low: number; readonly high: number} | null;
	readonly verdict: Verdict;
	/** Whether the change is for the worse (slower, fewer requests/s, more errors); null for none. */
	readonly direction: 'worse' | 'better' | null;
	readonly note?: string;
	/** `checks` rows: the responses that failed a check in each run (null: that run had no checks). */
	readonly failed?: {readonly base: number | null; readonly next: number | null};
};

/** Vargha and Delaney's A from the two histograms (a Mann-Whitney U as a probability). */
export type CompareShift = {
	readonly endpoint: string | null;
	readonly corrected: boolean;
	/** P(a new latency > a base latency), ties half. */
	readonly probabilityNextSlower: number;
	readonly magnitude: 'negligible' | 'small' | 'medium' | 'large';
};

export type CompareOptions = {
	readonly iterations: number;
	readonly seed: number;
	/** A relative change whose whole interval is not beyond ± this is within noise. */
	readonly relativeFloor: number;
	/** The same for rates, as a difference of fractions (0.001 is 0.1 pp). */
	readonly pointsFloor: number;
};


export type Comparison = {
	readonly rows: readonly CompareRow[];
	readonly shifts: readonly CompareShift[];
	readonly options: CompareOptions;
	/** One-second windows in each run. */
	readonly windows: {readonly base: number; readonly next: number};
	/** Blocks resampled in each run: the windows, or groups of consecutive windows in long runs. */
	readonly blocks: {readonly base: number; readonly next: number};
	/** How each run's second-to-second spread was measured. */
	readonly spreadFrom: {readonly base: SpreadSource; readonly next: SpreadSource};
};

/** Per-second histograms (exact), per-second p50/p90/p99 (older reports), or too few seconds. */
export type SpreadSource = 'histograms' | 'percentiles' | 'none';
