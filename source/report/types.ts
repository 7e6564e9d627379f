import type {TotalsSummary} from '../stats/aggregate.js';
import type {LatencySummary, PercentilePoint} from '../stats/histogram.js';
import type {ThresholdOutcome} from '../stats/thresholds.js';
import type {RunMarker, TimelinePoint} from '../stats/timeline.js';

/** Version of the JSON report's shape. Bump on any incompatible change. */
export const schemaVersion = 2;

/** Counts and latency of a set of attempts (whole run or one endpoint): see stats/aggregate. */
export type ReportSummary = TotalsSummary;

export type ReportEndpoint = ReportSummary & {
	readonly name: string;
	readonly method: string;
	readonly url: string;
	readonly weight: number;
	readonly histogram: string;
};

export type ReportHardware = {
	readonly cpuModel: string;
	readonly physicalCores: number;
	readonly logicalProcessors: number;
	readonly cpuQuota: number | null;
	readonly totalMemoryBytes: number;
	readonly node: string;
	readonly platform: string;
};

export type ReportSettings = {
	readonly threads: number;
	readonly connections: number;
	/** Configured duration in seconds; null when the run was bounded by a request count. */
	readonly durationS: number | null;
	readonly maxRequests: number | null;
	/** Open model rate (req/s); null for the closed model. */
	readonly rate: number | null;
	/** Which HTTP client sent the load: `socket` (default) or `undici`. */
	readonly httpClient: 'socket' | 'undici';
	/** Settings in force at the end, after live changes. */
	readonly final: {readonly threads: number; readonly connections: number; readonly rate: number | null};
};

/** Figures of a single-connection baseline (quick or extended). */
export type BaselineReport = {
	readonly requests: number;
	readonly errors: number;
	readonly durationS: number;
	readonly rps: number;
	readonly latencyMs: LatencySummary;
	/** Each latency in ms, for the quick baseline. */
	readonly samplesMs?: readonly number[];
};

export type SpeedupReport = {
	/** Which baseline the figures compare with. */
	readonly against: 'quick' | 'extended';
	readonly throughput: number;
	readonly latencyGrowthP50: number;
	readonly latencyGrowthP99: number;
	readonly perConnectionEfficiency: number;
	readonly perThreadRps: number;
};

export type ThresholdResult = ThresholdOutcome;

/** The JSON report: everything the HTML report shows, so the HTML can be regenerated from it. */
export type JsonReport = {
	readonly schemaVersion: typeof schemaVersion;
	readonly tool: {readonly name: string; readonly version: string};
	readonly startedAt: string;
	readonly endedAt: string;
	readonly stopReason: string;
	readonly target: {readonly url: string; readonly method: string; readonly name: string};
	readonly settings: ReportSettings;
	readonly hardware: ReportHardware;
	/**
	 * The whole run. `cancelled`: retries the stop prevented before they were sent (not requests);
	 * requests cut off in flight are `incomplete`.
	 */
	readonly summary: ReportSummary & {readonly late: number; readonly dropped: number; readonly cancelled: number};
	readonly endpoints: readonly ReportEndpoint[];
	readonly timeline: readonly TimelinePoint[];
	readonly markers: readonly RunMarker[];
	/** Latency percentile spectrum (ms) for plotting on a log axis. */
	readonly percentiles: readonly PercentilePoint[];
	readonly correctedPercentiles?: readonly PercentilePoint[];
	/** The merged HDR histogram of latencies (integer microseconds), compressed base64. */
	readonly histogram: string;
	readonly correctedHistogram?: string;
	readonly generator: {readonly peakEventLoopUtilization: number; readonly saturated: boolean};
	/** The configuration used, secrets redacted. */
	readonly config: unknown;
	readonly baseline?: {readonly quick?: BaselineReport; readonly extended?: BaselineReport};
	readonly speedup?: SpeedupReport;
	readonly thresholds?: readonly ThresholdResult[];
	readonly token?: {readonly requests: number; readonly errors: number; readonly refreshes: number};
};
