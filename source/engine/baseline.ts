import {performance} from 'node:perf_hooks';
import type {TestPlan} from '../config/types.js';
import {addSnapshot, createRunTotals, type RunTotals} from '../stats/aggregate.js';
import type {EndpointInterval} from '../stats/snapshot.js';
import {prepareEndpoint, updateHeaders, type Connection, type ConnectionOwner, type PreparedEndpoint} from './connection.js';
import type {ConnectionEventKind} from './errors.js';
import {EndpointRecorder} from './recorder.js';
import {templateContext} from './request-template.js';
import {loadHttpClient} from './clients.js';
import {startWorkerModule} from './spawn-worker.js';
import {prepareTrust} from './tls-trust.js';

/** One request of a baseline. */
export type BaselineSample = {
	readonly index: number;
	/** Requests this baseline sends in all (a baseline of a given count, as the quick one). */
	readonly count?: number;
	readonly endpoint: string;
	readonly latencyMicros: number;
	/** HTTP status, 0 for an error. */
	readonly status: number;
	readonly errorKind: string | undefined;
};

export type BaselineOptions = {
	/** Send this many requests (the quick baseline); else send for `durationMs` (the extended one). */
	readonly count?: number;
	readonly durationMs?: number;
	readonly extraHeaders?: Readonly<Record<string, string>>;
	/** A 401 with a token: refresh it and resolve with the new headers (used from the next request on). */
	readonly refreshHeaders?: () => Promise<Readonly<Record<string, string>>>;
	/** Every request as it finishes (count mode only). */
	readonly onSample?: (sample: BaselineSample) => void;
	/** Once a second: how far a timed baseline is. */
	readonly onProgress?: (elapsedS: number, totals: RunTotals) => void;
	/** Stop at the first request that times out: against a target that does not answer, the rest would too. */
	readonly stopAtTimeout?: boolean;
	/** Aborting cuts off the request in flight (counted incomplete) and ends with what was measured. */
	readonly signal?: AbortSignal;
	/** Timed baseline: how long the request in flight at the end may take before it is cut off (default 2 s). */
	readonly graceMs?: number;
};

export type BaselineRun = {
	/** Every request. */
	readonly totals: RunTotals;
	/**
	 * Per endpoint, every request but its first (cold: it also opened the connection, or ran the
	 * endpoint's path on both sides for the first time): the warm figures.
	 */
	readonly warm: RunTotals;
	readonly durationS: number;
	/** Count mode: every request in order. */
	readonly samples: readonly BaselineSample[];
	/** The baseline stopped at a request that timed out (`stopAtTimeout`). */
	readonly stoppedAtTimeout: boolean;
};

/**
 * Requests of the quick baseline: `count` to each endpoint (PyStress sends 5 to its one), in turn,
 * so each endpoint has a cold first request and `count - 1` warm ones to compare with.
 */
export function quickBaselineRequests(count: number, endpoints: number): number {
	return Math.max(0, count) * Math.max(1, endpoints);
}

/** The options a baseline worker gets (what can cross a thread). */
export type BaselineWorkerInit = {
	readonly plan: TestPlan;
	readonly count?: number | undefined;
	readonly durationMs?: number | undefined;
	readonly extraHeaders: Readonly<Record<string, string>>;
	readonly stopAtTimeout: boolean;
	readonly graceMs?: number | undefined;
	readonly progress: boolean;
};

/** Baseline worker -> calling thread. Intervals are recorder hand-overs (encoded histograms), added up by the caller. */
export type FromBaselineWorker =
	| {readonly type: 'sample'; readonly sample: BaselineSample}
	| {readonly type: 'progress'; readonly elapsedS: number; readonly all: readonly EndpointInterval[]}
	| {readonly type: 'unauthorized'}
	| {readonly type: 'done'; readonly all: readonly EndpointInterval[]; readonly warm: readonly EndpointInterval[]; readonly durationS: number; readonly stoppedAtTimeout: boolean}
	| {readonly type: 'fatal'; readonly message: string};

export type ToBaselineWorker = {readonly type: 'abort'} | {readonly type: 'headers'; readonly headers: Readonly<Record<string, string>>};

/** What a sequence reports as it goes: the hooks a worker turns into messages. */
export type SequenceHooks = {
	readonly onSample?: (sample: BaselineSample) => void;
	readonly onProgress?: (elapsedS: number, all: readonly EndpointInterval[]) => void;
	readonly refreshHeaders?: () => Promise<Readonly<Record<string, string>>>;
};

export type SequenceResult = {
	readonly all: readonly EndpointInterval[];
	readonly warm: readonly EndpointInterval[];
	readonly durationS: number;
	readonly stoppedAtTimeout: boolean;
};

/**
 * A baseline: one connection, one request at a time, cycling through the endpoints in order (so
 * every endpoint is measured alone, whatever its weight). The quick baseline sends `count`
 * requests (PyStress sends 5); the extended one sends for `durationMs`. It runs on a worker
 * thread of its own, so nothing on the calling thread (a TUI frame) runs into its latencies.
 */
export async function runBaseline(plan: TestPlan, options: BaselineOptions): Promise<BaselineRun> {
	const init: BaselineWorkerInit = {
		plan,
		count: options.count,
		durationMs: options.durationMs,
		extraHeaders: options.extraHeaders ?? {},
		stopAtTimeout: options.stopAtTimeout ?? false,
		graceMs: options.graceMs,
		progress: options.onProgress !== undefined,
	};
	const worker = startWorkerModule('baseline-worker', init);
	const totals = createRunTotals(plan.endpoints.length);
	const warm = createRunTotals(plan.endpoints.length);
	const samples: BaselineSample[] = [];
	const add = (target: RunTotals, intervals: readonly EndpointInterval[]): void => {
		addSnapshot(target, {endpoints: intervals, late: 0, dropped: 0});
	};

	const post = (message: ToBaselineWorker): void => {
		worker.postMessage(message);
	};

	const abort = (): void => {
		post({type: 'abort'});
	};

	options.signal?.addEventListener('abort', abort, {once: true});
	if (options.signal?.aborted) abort();
	try {
		return await new Promise<BaselineRun>((resolve, reject) => {
			worker.on('message', (message: FromBaselineWorker) => {
				switch (message.type) {
					case 'sample': {
						samples.push(message.sample);
						options.onSample?.(message.sample);
						break;
					}

					case 'progress': {
						add(totals, message.all);
						options.onProgress?.(message.elapsedS, totals);
						break;
					}

					case 'unauthorized': {
						// The worker waits for headers: the refreshed ones, else those it has.
						const refreshed = options.refreshHeaders?.() ?? Promise.resolve(init.extraHeaders);
						void refreshed.then(headers => {
							post({type: 'headers', headers});
						}, () => {
							post({type: 'headers', headers: init.extraHeaders});
						});
						break;
					}

					case 'done': {
						add(totals, message.all);
						add(warm, message.warm);
						resolve({totals, warm, durationS: message.durationS, samples, stoppedAtTimeout: message.stoppedAtTimeout});
						break;
					}

					case 'fatal': {
						reject(new Error(`baseline: ${message.message}`));
						break;
					}
				}
			});
			worker.on('error', reject);
			worker.on('exit', () => {
				reject(new Error('the baseline worker exited before it finished'));
			});
		});
	} finally {
		options.signal?.removeEventListener('abort', abort);
		void worker.terminate();
	}
}

/** Runs a baseline's requests on this thread (the baseline worker calls it). */
export async function runSequence(init: BaselineWorkerInit, hooks: SequenceHooks, signal: AbortSignal): Promise<SequenceResult> {
	const factory = await loadHttpClient(init.plan.policy);
	// A deferred NODE_EXTRA_CA_CERTS is parsed now, not inside the first connect's time.
	prepareTrust(init.plan.policy.network, init.plan.policy.verifyTls, init.plan.endpoints.map(endpoint => endpoint.url));
	return new Sequence(init, hooks, owner => factory(owner)(0)).run(signal);
}

/** An attempt that took longer than timeout_ms in all. */
class BaselineTimeoutError extends Error {
	readonly code = 'ETIMEDOUT';

	constructor(timeoutMs: number) {
		super(`no complete response within ${timeoutMs} ms`);
		this.name = 'BaselineTimeoutError';
	}
}

class Sequence implements ConnectionOwner {
	readonly policy: TestPlan['policy'];
	/** A baseline has no warm-up (`--warm-up` is the parallel run's). */
	readonly warmPhase = 0;
	/** A baseline's 401s are handled per request (`finished`), not by the token's age. */
	readonly headersVersion = 0;
	private readonly options: BaselineWorkerInit;
	private readonly hooks: SequenceHooks;
	private readonly endpoints: PreparedEndpoint[];
	private readonly warmRecorders: EndpointRecorder[];
	private readonly connection: Connection;
	private readonly samples: BaselineSample[] = [];
	private sent = 0;
	private startedMs = 0;
	private deadlineMs = Number.POSITIVE_INFINITY;
	private timeout: NodeJS.Timeout | undefined;
	private stopping = false;
	private cancelling = false;
	private stoppedAtTimeout = false;
	private resolveDone: (() => void) | undefined;
	private readonly authorized: boolean;

	constructor(options: BaselineWorkerInit, hooks: SequenceHooks, create: (owner: ConnectionOwner) => Connection) {
		const {plan} = options;
		this.policy = {...plan.policy, retries: 0};
		this.options = options;
		this.hooks = hooks;
		const headers = options.extraHeaders;
		// Placeholders: counters of the baseline's own (the run starts at the first row), data that never stops it.
		const templates = plan.endpoints.some(endpoint => endpoint.template !== undefined) ? templateContext(plan.data, undefined, true) : undefined;
		this.endpoints = plan.endpoints.map((endpoint, index) => prepareEndpoint(index, endpoint, new EndpointRecorder(), headers, templates));
		this.warmRecorders = plan.endpoints.map(() => new EndpointRecorder());
		this.authorized = Object.keys(headers).some(name => name.toLowerCase() === 'authorization');
		this.connection = create(this);
	}

	async run(signal: AbortSignal): Promise<SequenceResult> {
		const done = new Promise<void>(resolve => {
			this.resolveDone = resolve;
		});
		const abort = (): void => {
			this.cancelling = true;
			this.finish();
			this.connection.destroy();
		};

		const {durationMs} = this.options;
		const {onProgress} = this.hooks;
		this.startedMs = performance.now();
		if (durationMs !== undefined) {
			this.deadlineMs = this.startedMs + durationMs;
		}

		let graceTimer: NodeJS.Timeout | undefined;
		const stopTimer = durationMs === undefined ? undefined : setTimeout(() => {
			// The request in flight when the time is up may finish within the grace period; then it is cut off.
			this.stopping = true;
			if (this.connection.inRequest) {
				graceTimer = setTimeout(abort, this.options.graceMs ?? 2000);
			} else {
				this.finish();
			}
		}, durationMs);
		const progress = onProgress === undefined ? undefined : setInterval(() => {
			onProgress(this.elapsedS, this.take(false));
		}, 1000);
		signal.addEventListener('abort', abort, {once: true});
		if (signal.aborted) abort();
		else this.sendNext();
		await done;
		signal.removeEventListener('abort', abort);
		clearTimeout(stopTimer);
		clearTimeout(graceTimer);
		clearInterval(progress);
		clearTimeout(this.timeout);
		const durationS = this.elapsedS;
		this.connection.close();
		return {all: this.take(false), warm: this.take(true), durationS, stoppedAtTimeout: this.stoppedAtTimeout};
	}

	private get elapsedS(): number {
		return (performance.now() - this.startedMs) / 1000;
	}

	/** What the recorders recorded since the last call (each recorder hands it over once). */
	private take(warm: boolean): EndpointInterval[] {
		const recorders = warm ? this.warmRecorders : this.endpoints.map(endpoint => endpoint.recorder);
		return recorders.map(recorder => recorder.take());
	}

	private finish(): void {
		this.stopping = true;
		this.resolveDone?.();
		this.resolveDone = undefined;
	}

	private sendNext(): void {
		const {count} = this.options;
		if (this.stopping || (count !== undefined && this.sent >= count) || performance.now() >= this.deadlineMs) {
			this.finish();
			return;
		}

		const endpoint = this.endpoints[this.sent % this.endpoints.length]!;
		this.sent++;
		// Armed before the send: a connection that fails at once ends the attempt (and clears it) within send().
		this.timeout = setTimeout(() => {
			this.connection.abort(new BaselineTimeoutError(this.policy.timeoutMs));
		}, this.policy.timeoutMs);
		this.connection.send(endpoint, 0, -1, endpoint.template?.next());
	}

	dispatched(): void {
		// One request at a time: nothing to count.
	}

	finished(connection: Connection, error: Error | undefined): void {
		clearTimeout(this.timeout);
		const endpoint = connection.endpoint!;
		const latencyMicros = Math.round((performance.now() - connection.sentAt) * 1000);
		// Each endpoint's first request is cold; the warm figures leave it out.
		const warm = this.sent > endpoint.index + 1 ? this.warmRecorders[endpoint.index] : undefined;
		let errorKind: string | undefined;
		if (error === undefined) {
			endpoint.recorder.recordResponse(connection.status, latencyMicros, connection.bytes, -1);
			warm?.recordResponse(connection.status, latencyMicros, connection.bytes, -1);
		} else if (this.cancelling) {
			endpoint.recorder.recordIncomplete(latencyMicros, -1);
			errorKind = 'incomplete';
		} else {
			errorKind = endpoint.recorder.recordError(error, latencyMicros);
			warm?.recordError(error, latencyMicros);
		}

		if (this.options.count !== undefined) {
			const sample: BaselineSample = {index: this.samples.length, count: this.options.count, endpoint: endpoint.plan.name, latencyMicros, status: error === undefined ? connection.status : 0, errorKind};
			this.samples.push(sample);
			this.hooks.onSample?.(sample);
		}

		if (errorKind === 'timeout' && this.options.stopAtTimeout) {
			this.stoppedAtTimeout = true;
			this.finish();
			return;
		}

		if (error === undefined && connection.status === 401 && this.authorized && this.hooks.refreshHeaders) {
			// A refreshed token for the next requests; this one stays a 401.
			void this.hooks.refreshHeaders().then(headers => {
				for (const prepared of this.endpoints) updateHeaders(prepared, headers);
				this.sendNext();
			}, () => {
				this.sendNext();
			});
			return;
		}

		// After an error the client may still be unwinding: send the next request on a later turn.
		if (error === undefined) {
			this.sendNext();
		} else {
			setImmediate(() => {
				this.sendNext();
			});
		}
	}

	connectionEvent(connection: Connection, kind: ConnectionEventKind): void {
		(connection.endpoint ?? this.endpoints[0]!).recorder.recordEvent(kind);
	}
}
