import type {CheckCounts} from './checks.js';
import type {LatencyPairs} from './latency-counts.js';

/**
 * What a worker sends the main thread once per interval for one endpoint: counters since the last
 * snapshot and the interval's latencies as value/count pairs. Never one message per request.
 */
export type EndpointInterval = {
	/** Finished attempts: responses plus errors (retries are attempts too). */
	readonly requests: number;
	/** Attempts that got an HTTP response (any status). */
	readonly responses: number;
	/** Attempts that ended without a response (timeout, reset, refused, ...). */
	readonly errors: number;
	/** Of `requests`, the attempts that were retries (retries / retry_on_statuses). */
	readonly retries: number;
	/** Requests still in flight when the run ended: not in `requests`, counted as failures by thresholds. */
	readonly incomplete: number;
	/** Response body bytes read. */
	readonly bytesRead: number;
	/** Responses by status code. */
	readonly statusCodes: Readonly<Record<string, number>>;
	/** Errors by kind (see `classifyError`). */
	readonly errorKinds: Readonly<Record<string, number>>;
	/** Connection events by kind (see engine/errors ConnectionEventKind): neither attempts nor errors. */
	readonly connectionEvents: Readonly<Record<string, number>>;
	/** Latency from the actual send, integer microseconds, as value/count pairs (empty when none). */
	readonly histogram: LatencyPairs;
	/** Open model only: latency from the intended send time (coordinated-omission corrected). */
	readonly correctedHistogram?: LatencyPairs;
	/** Time to fail of the errors (never mixed into the latency of responses). */
	readonly failureHistogram?: LatencyPairs;
	/** Age of the incomplete requests when the run ended (a lower bound of their latency). */
	readonly incompleteHistogram?: LatencyPairs;
	/** Open model: the same age from the intended send time. */
	readonly correctedIncompleteHistogram?: LatencyPairs;
	/** Response checks, for an endpoint that has them and got responses (see stats/checks.ts). */
	readonly checks?: CheckCounts;
	/** Connect time of the connections made (TCP, DNS included), one value per connection. */
	readonly connectHistogram?: LatencyPairs;
	/** TLS handshake time of those connections (after the TCP connect), one value per TLS connection. */
	readonly tlsHistogram?: LatencyPairs;
	/** Time to first byte of the responses: from the send to the response's first byte. */
	readonly ttfbHistogram?: LatencyPairs;
};

/** One worker's interval snapshot. */
export type WorkerSnapshot = {
	readonly workerId: number;
	/** One entry per endpoint, in plan order. */
	readonly endpoints: readonly EndpointInterval[];
	/** Requests in flight when the snapshot was taken. */
	readonly inFlight: number;
	/** Live connections of this worker. */
	readonly connections: number;
	/** Open model: sends that went out later than scheduled, and those dropped as too late. */
	readonly late: number;
	readonly dropped: number;
	/** Event-loop utilisation of the worker over the interval, 0..1. */
	readonly eventLoopUtilization: number;
	/** How long that utilisation was measured over, ms (the last snapshot of a run may be a sliver). */
	readonly utilizationWindowMs?: number;
	/**
	 * The longest the worker's event loop went without turning over the interval, ms: the longest gap
	 * between two turns of its probe timer (see `probePeriodMs`). Absent from older workers.
	 */
	readonly maxEventLoopDelayMs?: number;
	/** Time the worker's event loop was stalled over the interval, ms: the probe's gaps longer than twice its period, summed. */
	readonly eventLoopStallMs?: number;
	/** The probe's period over the interval, ms (`probePeriodMs`): gaps up to twice it are not stalls. Absent from older workers. */
	readonly eventLoopProbeMs?: number;
	/**
	 * Of the stall time, how long the worker thread ran (its own work, GC, or a VM's host holding the
	 * core) and how long it was ready but waited for a core, ms; it slept the rest (woken late).
	 * Absent where the system does not tell a thread's times (Linux does) and from older workers.
	 */
	readonly stallRunningMs?: number;
	readonly stallWaitingMs?: number;
	/**
	 * The worker was still warming up (`--warm-up`) when it took this snapshot: only `warmUp` counts;
	 * its other figures (late sends, stalls, utilisation) belong to the warm-up too.
	 */
	readonly warming?: boolean;
	/** Attempts sent during the warm-up that finished in the interval: in no other figure. */
	readonly warmUp?: WarmUpCounts;
};

/** Attempts of the warm-up: sent before the measured run began, counted apart. */
export type WarmUpCounts = {readonly responses: number; readonly errors: number};

/**
 * The worker's event-loop probe fires this often in the open model, ms: the resolution of the stall
 * figures, fine enough to see what delays a send.
 */
export const eventLoopProbeMs = 1;

/** A gap between two probe turns longer than this is a stall, ms: twice the probe's period (the one place of that rule). */
export const stallThresholdFor = (periodMs: number): number => 2 * periodMs;

/** The open model's stall threshold, ms. */
export const stallThresholdMs = stallThresholdFor(eventLoopProbeMs);

/**
 * The probe's period in the closed model, ms. A timer every millisecond wakes an otherwise idle
 * worker a thousand times a second: reading 1 MiB bodies that cost it about a quarter more CPU per
 * MiB and nginx 2-3% more (test/bench/findings.md, "What did move it: a timer every millisecond").
 * In the open model the send timer turns the loop that often anyway.
 */
export const closedLoopProbeMs = 10;

/** The closed model's stall threshold, ms (twice its probe's period). */
export const closedStallThresholdMs = stallThresholdFor(closedLoopProbeMs);

/** What stalled threads mostly did: ran, waited for a core, or slept past a timer (the rest of the stall time). */
export type StallPart = 'running' | 'waiting' | 'asleep';

/**
 * The largest part of a stall time split by what the thread did (ties go to running, then waiting:
 * the generator's own work first); undefined without a split or a stall. The one place of that rule,
 * for the report's advice and the TUI.
 */
export function mostOfStall(stallMs: number, runningMs: number | undefined, waitingMs: number | undefined): StallPart | undefined {
	if (runningMs === undefined || waitingMs === undefined || stallMs <= 0) return undefined;
	const asleepMs = stallMs - runningMs - waitingMs;
	if (runningMs >= waitingMs && runningMs >= asleepMs) return 'running';
	return waitingMs >= asleepMs ? 'waiting' : 'asleep';
}

/** The probe's period for a run in the open model (a rate) or the closed one, ms. */
export const probePeriodMs = (open: boolean): number => (open ? eventLoopProbeMs : closedLoopProbeMs);
