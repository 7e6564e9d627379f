import type {TotalsSummary} from '../stats/aggregate.js';
import type {LatencySummary, PercentilePoint} from '../stats/histogram.js';
import type {EndpointGrowth} from '../stats/speedup.js';
import type {ThresholdOutcome} from '../stats/thresholds.js';
import type {RunMarker, TimelinePoint} from '../stats/timeline.js';

/**
 * Version of the JSON report's shape. Bump on any incompatible change. 3: every timeline second and
 * every endpoint carries its encoded histograms (mergeable), `planFingerprint`, and `merge` in
 * merged reports.
 */
export const schemaVersion = 3;

/** Counts and latency of a set of attempts (whole run or one endpoint): see stats/aggregate. */
export type ReportSummary = TotalsSummary;

export type ReportEndpoint = ReportSummary & {
	readonly name: string;
	readonly method: string;
	readonly url: string;
	readonly weight: number;
	/** Latency of its responses, encoded HDR histogram (integer microseconds; '' when none). */
	readonly histogram: string;
	/** Open model: the corrected latency, encoded. */
	readonly correctedHistogram?: string;
	/** Time to fail of its errors, encoded, when there were any. */
	readonly failureHistogram?: string;
	/** Age of its incomplete requests at the end, encoded, when there were any (and corrected, in the open model). */
	readonly incompleteHistogram?: string;
	readonly correctedIncompleteHistogram?: string;
	/** Connect time of the connections it opened, TLS handshake time, and time to first byte of its responses, encoded (absent when none; older reports lack them). */
	readonly connectHistogram?: string;
	readonly tlsHistogram?: string;
	readonly ttfbHistogram?: string;
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
	/** The protocol: `http/1.1`, `h2` (HTTP/2 over TLS) or `h2c` (cleartext). Absent in reports of earlier builds: http/1.1. */
	readonly protocol?: ReportProtocol;
	/** HTTP/2: concurrent streams per connection (absent for HTTP/1.1). */
	readonly streams?: number;
	/** Settings in force at the end, after live changes. */
	readonly final: {readonly threads: number; readonly connections: number; readonly rate: number | null};
	/** TLS and network options, when any was set: file paths, never their contents. */
	readonly network?: ReportNetwork;
	/** The HTTP proxy the run went through, in words (its password redacted), when one was used. */
	readonly proxy?: string;
};

/** The warm-up before the measured run: how long, and its attempts (responses plus errors). */
export type ReportWarmUp = {readonly durationS: number; readonly requests: number; readonly errors: number};

/** What a report calls the protocol of a run. */
export type ReportProtocol = 'http/1.1' | 'h2' | 'h2c';

/** The TLS and network options of a run (config/network.ts), as a report records them. */
export type ReportNetwork = {
	readonly caFile?: string;
	readonly certFile?: string;
	readonly keyFile?: string;
	readonly servername?: string;
	/** False: a new connection for every request, its connect inside the latency. */
	readonly keepalive: boolean;
	readonly unixSocket?: string;
};

/** One endpoint of a baseline: its warm requests (all but the baseline's first, which also opened the connection). */
export type BaselineEndpointReport = {
	readonly name: string;
	readonly weight: number;
	readonly requests: number;
	readonly errors: number;
	/** Latency of its warm responses (`count` 0: none). */
	readonly latencyMs: LatencySummary;
};

/**
 * Figures of a single-connection baseline (quick or extended). It cycles through the endpoints in
 * order, so each is measured alone whatever its weight.
 */
export type BaselineReport = {
	readonly requests: number;
	readonly errors: number;
	readonly durationS: number;
	/**
	 * One connection's requests per second: of the warm requests (quick baseline) or over the whole
	 * duration (extended); with several endpoints, at the config's weighted mix (each endpoint's own
	 * time per request, weighted), so it compares with the run's mix.
	 */
	readonly rps: number;
	/** Latency of every response, the first (cold) one included. */
	readonly latencyMs: LatencySummary;
	/** Each latency in ms, for the quick baseline. */
	readonly samplesMs?: readonly number[];
	/** Each endpoint's warm figures, in config order (what the speedup compares with). */
	readonly endpoints?: readonly BaselineEndpointReport[];
	/** The quick baseline stopped at its first request that timed out (the rest would have too). */
	readonly stoppedAtTimeout?: boolean;
};

/** The run compared with a baseline. A null figure is n/a (see `notes`). */
export type SpeedupReport = {
	/** Which baseline the figures compare with. */
	readonly against: 'quick' | 'extended';
	readonly throughput: number | null;
	/** With several endpoints: the weighted mix of each endpoint's growth (see `endpoints`). */
	readonly latencyGrowthP50: number | null;
	readonly latencyGrowthP99: number | null;
	/** throughput ÷ connections; null above 1.1 (the baseline is no yardstick then; up to 1.1 is noise around perfect scaling). */
	readonly perConnectionEfficiency: number | null;
	readonly perThreadRps: number;
	/** Several endpoints: each one's latency under load ÷ its own baseline. */
	readonly endpoints?: readonly EndpointGrowth[];
	/** Why a figure is n/a, or what it leaves out. */
	readonly notes?: readonly string[];
};

export type ThresholdResult = ThresholdOutcome;

/**
 * The load generator's own health. The stall figures (absent in reports from before they were
 * measured) are the time the workers' event loops did not turn: in the open model the corrected
 * latency charges such a stall to the server, so `stallWarning` says when it could explain the tail.
 */
export type GeneratorReport = {
	readonly peakEventLoopUtilization: number;
	readonly saturated: boolean;
	/** Stall time of the workers' event loops, ms, summed over the workers: gaps between turns longer than `stallThresholdMs`. */
	readonly eventLoopStallMs?: number;
	/** The longest any worker's event loop went without turning, ms. */
	readonly maxEventLoopDelayMs?: number;
	/** Stall time ÷ the worker time measured, 0..1. */
	readonly stallShare?: number;
	/** A gap between two turns of the probe timer longer than this counts as a stall, ms. */
	readonly stallThresholdMs?: number;
	/**
	 * Of the stall time, ms: the stalled threads ran (their own work, GC, or a VM's host holding the
	 * core), were ready but waited for a core (another thread or process had it), or slept past their
	 * timers (woken late). The three sum to `eventLoopStallMs`. Where the system tells a thread's
	 * times (Linux's /proc/thread-self/schedstat); absent elsewhere and in older reports.
	 */
	readonly stallRunningMs?: number;
	readonly stallWaitingMs?: number;
	readonly stallSleepingMs?: number;
	/**
	 * The generator's stalls could explain the latency's tail: in the open model, the corrected p99
	 * exceeds the uncorrected one by more than `stallThresholdMs`, and by no more than the longest
	 * stall or the stalls took more than 1% of the time; in either model, the stalls took 10% or more.
	 */
	readonly stallWarning?: boolean;
};

/** A run that was one agent of a distributed run (`--agents N --agent-index I`). */
export type ReportAgent = {
	/** 0..count-1. */
	readonly index: number;
	readonly count: number;
	/** The wall-clock start the agents agreed on (`--start-at`), ISO 8601; absent without one. */
	readonly startAt?: string;
};

/** One input of a merged report (`pystress-tui merge`): what each agent measured alone. */
export type MergedAgentReport = {
	/** The report file as given on the command line. */
	readonly file: string;
	/** Its `agent` section, when it was an agent of a distributed run. */
	readonly agent?: ReportAgent;
	readonly startedAt: string;
	readonly endedAt: string;
	/** Its start minus the earliest start of the inputs, ms. */
	readonly startOffsetMs: number;
	readonly stopReason: string;
	readonly durationS: number;
	readonly requests: number;
	readonly errors: number;
	readonly rps: number;
	readonly passRate: number | null;
	readonly p99Ms: number;
	readonly correctedP99Ms?: number;
	readonly peakEventLoopUtilization: number;
	readonly saturated: boolean;
	/** The machine it ran on. */
	readonly cpuModel: string;
	readonly logicalProcessors: number;
};

/** How a merged report was put together. */
export type MergeReport = {
	/** Latest start minus earliest start of the inputs, ms (a warning above 1 s). */
	readonly startSkewMs: number;
	/** Agents the merge expected (`--expect-agents`, else the inputs' `agent.count`); null when unknown. */
	readonly expectedAgents: number | null;
	/** Agent indexes expected but not given (`--allow-partial`). */
	readonly missingAgents: readonly number[];
	/** One row per input, in the order given. */
	readonly agents: readonly MergedAgentReport[];
};

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
	readonly generator: GeneratorReport;
	/** The configuration used, secrets redacted. */
	readonly config: unknown;
	readonly baseline?: {readonly quick?: BaselineReport; readonly extended?: BaselineReport};
	readonly speedup?: SpeedupReport;
	readonly thresholds?: readonly ThresholdResult[];
	readonly token?: {readonly requests: number; readonly errors: number; readonly refreshes: number};
	/** `--warm-up`: load sent before the measured run, counted apart (in no other figure). */
	readonly warmUp?: ReportWarmUp;
	/** Present when this run was one agent of a distributed run. */
	readonly agent?: ReportAgent;
	/**
	 * What was sent, as a digest: the endpoints (name, method, URL, headers and body, secrets
	 * redacted, weight) and the request policy, but no load setting (threads, connections, rate,
	 * duration, requests, stages, thresholds), which agents split. `merge` refuses reports whose
	 * fingerprints differ. Absent in reports upgraded from schema 1 and 2.
	 */
	readonly planFingerprint?: string;
	/** Present in a report written by `merge`. */
	readonly merge?: MergeReport;
};
