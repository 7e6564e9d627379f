import type {RequestPolicy, TestPlan} from '../config/types.js';
import type {WorkerSnapshot} from '../stats/snapshot.js';
import type {RequestLogOptions} from './request-log.js';
import type {AgentShare} from './request-template.js';

/** What a worker is given when it starts. */
export type WorkerInit = {
	readonly workerId: number;
	readonly plan: TestPlan;
	readonly policy: RequestPolicy;
	readonly connections: number;
	/** Open model: this worker's cap when growing its pool to hold the rate. */
	readonly maxConnections: number;
	/** Open model: this worker's share of the rate (req/s); undefined for the closed model. */
	readonly rate: number | undefined;
	/** Open model: sends later than this are dropped (counted) instead of sent. */
	readonly maxLateMs: number;
	/** Open model: this worker's first send is due this long after its start (threads and agents interleave). */
	readonly sendOffsetMs?: number;
	/** Shared counter of attempts started, with `maxRequests` (Int32Array over a SharedArrayBuffer). */
	readonly issued: SharedArrayBuffer | undefined;
	readonly maxRequests: number | undefined;
	/** Counters of `${seq}` and the data rows, shared by all workers (engine/request-template.ts); undefined without placeholders. */
	readonly templateCounters?: SharedArrayBuffer | undefined;
	/** A distributed run: this agent's place among the agents (data rows and `${seq}` are taken in turn). */
	readonly dataShare?: AgentShare | undefined;
	readonly snapshotIntervalMs: number;
	readonly paused: boolean;
	/** The run starts with a warm-up (`--warm-up`): what is sent until 'measure' is counted apart, in no figure. */
	readonly warmUp?: boolean;
	/** Collect start-up's garbage before reporting ready (a run of 5 s or more: see heap-keeper's `collectBeforeStart`). */
	readonly collectFirst?: boolean;
	/** Extra headers for every stress request (the OAuth2 Authorization header). */
	readonly extraHeaders: Readonly<Record<string, string>>;
	/** How many times the engine had changed them (see `set-headers`' `version`); 0 at the start. */
	readonly headersVersion?: number;
	/** NDJSON request log, appended to by every worker. */
	readonly log: RequestLogOptions | undefined;
	/**
	 * Tests only (test/generator-stall.test.ts): block this worker's event loop once, for `stallMs`,
	 * `afterMs` after the start, to show that the generator's own stalls are measured. No flag or
	 * config key sets it; the engine never does (a test passes it through `EngineOptions.spawn`).
	 */
	readonly testStall?: {readonly afterMs: number; readonly stallMs: number};
};

/** Main thread -> worker. */
export type ToWorker =
	/** Begin sending (all workers are told together, once every one is ready). */
	| {readonly type: 'start'; readonly paused: boolean}
	| {readonly type: 'pause'}
	/** The warm-up is over: attempts sent from now on are measured. */
	| {readonly type: 'measure'}
	| {readonly type: 'resume'}
	| {readonly type: 'set-connections'; readonly connections: number; readonly maxConnections: number}
	| {readonly type: 'set-rate'; readonly rate: number | undefined}
	/** New extra headers, the engine's `version`-th change of them (1, 2, ...): a 401 names the version its request carried. */
	| {readonly type: 'set-headers'; readonly extraHeaders: Readonly<Record<string, string>>; readonly version: number}
	| {readonly type: 'stop'; readonly graceMs: number}
	/** A second of the run ends now: send a snapshot at once, marked with this `seq` (`flushed`). */
	| {readonly type: 'flush'; readonly seq: number};

/** Worker -> main thread. */
export type FromWorker =
	/** Loaded and connected to nothing yet: waiting for 'start'. */
	| {readonly type: 'ready'; readonly workerId: number}
	/** `flushed`: the answer to the 'flush' of that `seq`. */
	| {readonly type: 'snapshot'; readonly snapshot: WorkerSnapshot; readonly flushed?: number}
	/** Every attempt the shared `maxRequests` budget allowed has finished here. */
	| {readonly type: 'exhausted'; readonly workerId: number; readonly reason: 'requests' | 'data'}
	/** A response was 401 while a token is in use: the main thread should refresh it. */
	/** A 401 for a request that carried the `headersVersion`-th headers. */
	| {readonly type: 'unauthorized'; readonly workerId: number; readonly headersVersion: number}
	/** The worker stopped; its last snapshot was sent before this. */
	| {readonly type: 'done'; readonly workerId: number; readonly cancelled: number}
	/** The request log could not be opened or written (ENOSPC, EPIPE...): this worker stopped logging. */
	| {readonly type: 'log-failed'; readonly workerId: number; readonly message: string}
	| {readonly type: 'fatal'; readonly workerId: number; readonly message: string};

/** The first message to a prewarmed load worker (started without `workerData`): its init. */
export type WorkerInitMessage = {readonly type: 'init'; readonly init: WorkerInit};
