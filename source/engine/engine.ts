import {performance} from 'node:perf_hooks';
import type {Worker} from 'node:worker_threads';
import type {RunSettings, TestPlan} from '../config/types.js';
import type {RunTotals} from '../stats/aggregate.js';
import type {RunMarker, TimelinePoint} from '../stats/timeline.js';
import {distribute, rateShare} from './distribute.js';
import type {WorkerInit} from './protocol.js';
import type {RequestLogOptions} from './request-log.js';
import {collectBeforeStart, quietHeapForRun} from './heap-keeper.js';
import {Listeners} from './listeners.js';
import {templateCounters, type AgentShare} from './request-template.js';
import {RunAggregator, type GeneratorStalls, type RunResult, type StopReason, type WarmUpSecond, type WindowContext} from './run-aggregator.js';
import {formatRate, StageFollower, type StageState} from './stage-follower.js';
import {WorkerPool, type PooledWorker, type WorkerHealth} from './worker-pool.js';

export type {GeneratorStalls, ResultState, RunResult, StopReason, WarmUpSecond} from './run-aggregator.js';
export type {WorkerHealth} from './worker-pool.js';

export type EngineState = 'idle' | 'running' | 'paused' | 'stopping' | 'done';

export type EngineEvent =
	/** Merged worker snapshots arrived (up to 4 times a second): the totals changed. */
	| {readonly type: 'update'}
	/** A timeline point was completed (once a second). */
	| {readonly type: 'second'; readonly point: TimelinePoint}
	/** A second of the warm-up ended (`elapsedS` into it): its figures, in no result. */
	| {readonly type: 'warm-up-second'; readonly second: WarmUpSecond; readonly elapsedS: number}
	| {readonly type: 'state'; readonly state: EngineState}
	| {readonly type: 'marker'; readonly marker: RunMarker}
	/** A worker got a 401 while a token is in use: refresh it (see setExtraHeaders). */
	| {readonly type: 'unauthorized'}
	| {readonly type: 'error'; readonly message: string};

export type EngineOptions = {
	readonly plan: TestPlan;
	readonly settings: RunSettings;
	readonly snapshotIntervalMs?: number;
	/** Open model: sends later than this are dropped and counted. */
	readonly maxLateMs?: number;
	/** Extra headers on every request (the OAuth2 Authorization header). */
	readonly extraHeaders?: Readonly<Record<string, string>>;
	/** NDJSON request log appended to by the workers (the caller readies the file: see Session). */
	readonly log?: RequestLogOptions | undefined;
	/** Start the workers for a given worker init (tests may inject; default spawns threads). */
	readonly spawn?: (init: WorkerInit) => Worker;
	/**
	 * Called once every worker is ready, before any sends (agent mode waits for `--start-at` here).
	 * Resolving false ends the run unstarted: the workers stop without sending anything.
	 */
	readonly beforeStart?: () => Promise<boolean>;
	/** Open model: the first send is due this long after the start (an agent's place among the agents' sends). */
	readonly sendOffsetMs?: number;
	/** A distributed run: this agent's place, so the agents take data rows and `${seq}` numbers in turn. */
	readonly dataShare?: AgentShare | undefined;
};

/** How long the end of a second waits for every worker's snapshot (see `Engine.endSecond`), ms. */
const flushWaitMs = 100;

/**
 * Runs a load test: wires a worker pool (the threads), a run aggregator (what they measured) and
 * the live controls (pause, threads, connections, rate, stages). Knows nothing of the UI: it emits
 * typed events and resolves `start()` with the result.
 */
export class Engine {
	readonly plan: TestPlan;
	private settings: RunSettings;
	private readonly options: EngineOptions;
	private readonly listeners = new Listeners<EngineEvent>();
	private readonly pool: WorkerPool;
	private readonly aggregator: RunAggregator;
	private stateValue: EngineState = 'idle';
	private startedAtMs = 0;
	private activeMs = 0;
	private activeSinceMs = 0;
	private secondTimer: NodeJS.Timeout | undefined;
	/** The workers whose answer to the second's `flush` has not come yet (see `endSecond`). */
	private readonly flushing = new Set<PooledWorker>();
	/** The number of the last `flush`: an answer to an earlier one (a worker late by a second) closes nothing. */
	private flushSeq = 0;
	/** When the second being closed ended (its `flush` went out), on the performance clock. */
	private secondEndMs = 0;
	/** The second being closed is one of the warm-up's. */
	private secondOfWarmUp = false;
	private flushTimer: NodeJS.Timeout | undefined;
	private durationTimer: NodeJS.Timeout | undefined;
	private stopReason: StopReason = 'user';
	private stopPromise: Promise<RunResult> | undefined;
	private resolveDone: ((result: RunResult) => void) | undefined;
	private readonly issued: SharedArrayBuffer | undefined;
	/** `${seq}` and data-row counters every worker shares; undefined without placeholders. */
	private readonly templateCounters: SharedArrayBuffer | undefined;
	private extraHeaders: Readonly<Record<string, string>>;
	/** How many times `setExtraHeaders` changed them: a worker's 401 names the version its request carried. */
	private headersVersion = 0;
	/** Staged runs: the schedule, and what it moves (connections in the closed model, the rate in the open one). */
	private stages: StageFollower | undefined;
	private pendingStop: StopReason | undefined;
	private stageTimer: NodeJS.Timeout | undefined;
	private logFailureValue: string | undefined;
	/** `--warm-up`: true from the start until the measured run begins. */
	private warming = false;
	private warmUpStartMs = 0;
	private warmUpTimer: NodeJS.Timeout | undefined;
	private endWarmUp: (() => void) | undefined;
	/** Workers started during the warm-up (each is told 'measure' once it ends). */
	private readonly spawnedWarming = new Set<PooledWorker>();

	constructor(options: EngineOptions) {
		this.options = options;
		this.plan = options.plan;
		this.settings = options.settings;
		this.extraHeaders = options.extraHeaders ?? {};
		this.aggregator = new RunAggregator({endpointCount: options.plan.endpoints.length, initialSettings: options.settings});
		this.issued = options.settings.maxRequests === undefined ? undefined : new SharedArrayBuffer(4);
		this.templateCounters = templateCounters(options.plan);
		this.pool = new WorkerPool({
			spawn: options.spawn,
			handlers: {
				ready: worker => {
					// A worker added during the run starts as soon as it is ready.
					if (this.isLive && !worker.retiring) {
						this.pool.start(worker, this.stateValue === 'paused');
						// Spawned warming, but the warm-up ended while it loaded.
						if (this.spawnedWarming.delete(worker) && !this.warming) this.pool.post(worker, {type: 'measure'});
					}
				},
				snapshot: (worker, snapshot, flushSeq) => {
					this.aggregator.add(snapshot, {countsTowardsPeak: !worker.retiring});
					this.emit({type: 'update'});
					if (flushSeq === this.flushSeq) this.flushed(worker);
				},
				// The shared budget is spent: no attempt starts anywhere any more. Stopping drains
				// the attempts still in flight (they end by timeout_ms at the latest).
				exhausted: (_worker, reason) => void this.stop(reason),
				unauthorized: (worker, headersVersion) => {
					if (headersVersion === this.headersVersion) {
						this.emit({type: 'unauthorized'});
					} else {
						// Its request carried a token replaced since (the new one crossed the 401 on the way):
						// no new refresh; the current headers again, in case that worker started too late for them.
						this.pool.post(worker, {type: 'set-headers', extraHeaders: this.extraHeaders, version: this.headersVersion});
					}
				},
				done: (worker, cancelled) => {
					this.aggregator.addCancelled(cancelled);
					this.flushed(worker);
				},
				logFailed: message => {
					// Every worker writes the log: tell the first failure once.
					if (this.logFailureValue === undefined) {
						this.logFailureValue = message;
						this.emit({type: 'error', message});
					}
				},
				error: message => {
					this.emit({type: 'error', message});
				},
			},
		});
	}

	get state(): EngineState {
		return this.stateValue;
	}

	get currentSettings(): RunSettings {
		return this.settings;
	}

	/** Whole-run, per-endpoint and current-window totals (live accumulators). */
	get totals(): RunTotals {
		return this.aggregator.totals;
	}

	/** The timeline so far, a point a second. */
	get timeline(): readonly TimelinePoint[] {
		return this.aggregator.timeline;
	}

	get markers(): readonly RunMarker[] {
		return this.aggregator.markers;
	}

	/** Seconds since the start, wall time. */
	get elapsedS(): number {
		return this.startedAtMs === 0 ? 0 : (performance.now() - this.startedAtMs) / 1000;
	}

	/** Seconds of load so far (paused time excluded). */
	get activeS(): number {
		const running = this.stateValue === 'running' || this.stateValue === 'stopping' ? performance.now() - this.activeSinceMs : 0;
		return (this.activeMs + (this.activeSinceMs > 0 ? running : 0)) / 1000;
	}

	get workerHealth(): WorkerHealth[] {
		return this.pool.live.map(worker => worker.health);
	}

	/** The generator's stalls so far (undefined before the first measured snapshot). */
	get generatorStalls(): GeneratorStalls | undefined {
		return this.aggregator.generatorStalls;
	}

	/** Why the request log stopped, when it could not be opened or written (the run went on). */
	get logFailure(): string | undefined {
		return this.logFailureValue;
	}

	subscribe(listener: (event: EngineEvent) => void): () => void {
		return this.listeners.subscribe(listener);
	}

	private emit(event: EngineEvent): void {
		this.listeners.emit(event);
	}

	private setState(state: EngineState): void {
		this.stateValue = state;
		this.emit({type: 'state', state});
	}

	private mark(kind: RunMarker['kind'], label: string, value?: number): void {
		const marker = this.aggregator.mark(performance.now(), kind, label, value);
		this.emit({type: 'marker', marker});
	}

	/** Starts the workers and resolves when the run has stopped and every worker has drained. */
	async start(): Promise<RunResult> {
		if (this.stateValue !== 'idle') {
			throw new Error('An engine runs once; create a new one to run again.');
		}

		const done = new Promise<RunResult>(resolve => {
			this.resolveDone = resolve;
		});
		const {stages} = this.settings;
		if (stages && stages.length > 0) {
			this.stages = new StageFollower(stages, this.settings.rate !== undefined);
			this.settings = this.stages.initialSettings(this.settings);
			this.stageTimer = setInterval(() => {
				this.applyStage();
			}, 200);
		}

		this.warming = (this.settings.warmUpMs ?? 0) > 0;
		const shares = distribute(this.settings.connections, this.settings.threads);
		// Open model: thread t's schedule starts t/R_thread-interval later, so the threads' sends interleave evenly.
		const rate = this.settings.rate ?? 0;
		const workers = shares.map((connections, index) => this.spawn(connections, (this.options.sendOffsetMs ?? 0) + (rate > 0 ? (index * 1000) / rate : 0)));
		// The clock starts when every worker has loaded, so a run's first second is not start-up.
		await this.pool.whenReady(workers, 10_000);
		if (this.options.beforeStart && !(await this.options.beforeStart())) {
			// Refused before the start (too late, or stopped while waiting): the workers go without sending anything.
			this.stopReason = this.pendingStop ?? 'user';
			this.stopPromise = done;
			this.stateValue = 'stopping';
			clearInterval(this.stageTimer);
			await this.pool.retireAll(0);
			const result = this.aggregator.result({endedAt: new Date(), durationS: 0, stopReason: this.stopReason, finalSettings: this.settings});
			this.setState('done');
			this.resolveDone?.(result);
			return done;
		}

		// Start-up's garbage (modules, config, the workers' set-up) is collected now, not mid-run.
		if (this.collectsFirst) {
			collectBeforeStart();
			quietHeapForRun();
		}
		if (this.warming) {
			// The warm-up: the load runs, its attempts are counted apart; the clock starts after it.
			this.stateValue = 'running';
			for (const worker of workers) {
				this.pool.start(worker, false);
			}

			this.setState('running');
			this.warmUpStartMs = performance.now();
			this.aggregator.beginWarmUp(this.warmUpStartMs);
			// The warm-up's seconds are closed like the run's (and dropped): that code is compiled by the start.
			const warmSeconds = setInterval(this.endSecond, 1000);
			await new Promise<void>(resolve => {
				this.endWarmUp = resolve;
				this.warmUpTimer = setTimeout(resolve, this.settings.warmUpMs);
			});
			clearInterval(warmSeconds);
			// A second of the warm-up still waiting for answers closes as the warm-up's.
			if (this.flushTimer !== undefined) this.closeSecond();
			this.warming = false;
			this.aggregator.warmedUp(performance.now() - this.warmUpStartMs);
			if (this.stopPromise) {
				// Stopped during the warm-up: nothing was measured.
				return done;
			}

			this.pool.postLive({type: 'measure'});
			this.startedAtMs = performance.now();
			this.aggregator.begin(this.startedAtMs);
			this.activeSinceMs = this.startedAtMs;
		} else {
			this.startedAtMs = performance.now();
			this.aggregator.begin(this.startedAtMs);
			this.activeSinceMs = this.startedAtMs;
			this.stateValue = 'running';
			for (const worker of workers) {
				this.pool.start(worker, false);
			}
		}

		if (this.settings.maxConnections !== undefined) {
			this.rebalance();
		}

		this.setState('running');
		// The first stage starts with the clock (marked at 0 s), not at the first 200 ms tick.
		this.applyStage();
		if (this.pendingStop) {
			void this.stop(this.pendingStop);
			return done;
		}

		this.secondTimer = setInterval(this.endSecond, 1000);
		this.armDuration();
		return done;
	}

	private spawn(connections: number, sendOffsetMs = 0): PooledWorker {
		const worker = this.pool.spawn({
			warmUp: this.warming,
			collectFirst: this.collectsFirst,
			sendOffsetMs,
			plan: this.plan,
			policy: this.plan.policy,
			connections,
			maxConnections: connections,
			rate: rateShare(this.settings.rate, connections, this.settings.connections),
			maxLateMs: this.settings.maxLateMs ?? this.options.maxLateMs ?? 1000,
			issued: this.issued,
			maxRequests: this.settings.maxRequests,
			templateCounters: this.templateCounters,
			dataShare: this.options.dataShare,
			snapshotIntervalMs: this.options.snapshotIntervalMs ?? 250,
			paused: this.stateValue === 'paused',
			extraHeaders: this.extraHeaders,
			headersVersion: this.headersVersion,
			log: this.options.log,
		});
		if (this.warming) this.spawnedWarming.add(worker);
		return worker;
	}

	/**
	 * Whether the threads collect start-up's garbage before the clock starts (see `collectBeforeStart`):
	 * for a run long enough that V8 would do it mid-run (5 s or more, or a warm-up), not for `-n 1`,
	 * whose start-up time it would lengthen by 10-20 ms.
	 */
	private get collectsFirst(): boolean {
		return this.warming || (this.settings.durationMs ?? 0) >= 5000;
	}

	/** `--warm-up`: seconds of it still to run (undefined when there is none, or it is over). */
	get warmUpRemainingS(): number | undefined {
		if (!this.warming) return undefined;
		const elapsedMs = this.warmUpStartMs === 0 ? 0 : performance.now() - this.warmUpStartMs;
		return Math.max(0, ((this.settings.warmUpMs ?? 0) - elapsedMs) / 1000);
	}

	/** What the timeline point closing now records of the settings. */
	private get windowContext(): WindowContext {
		const {threads, connections, rate} = this.settings;
		return {threads, connections, rate, paused: this.stateValue === 'paused'};
	}

	private armDuration(): void {
		if (this.settings.durationMs === undefined) {
			return;
		}

		const remaining = Math.max(0, this.settings.durationMs - (this.activeS * 1000));
		this.durationTimer = setTimeout(() => {
			void this.stop('duration');
		}, remaining);
	}

	private disarmDuration(): void {
		if (this.durationTimer) {
			clearTimeout(this.durationTimer);
			this.durationTimer = undefined;
		}
	}

	pause(): void {
		// The warm-up runs through: its length is fixed and it measures nothing.
		if (this.stateValue !== 'running' || this.warming) {
			return;
		}

		this.activeMs += performance.now() - this.activeSinceMs;
		this.activeSinceMs = 0;
		this.disarmDuration();
		this.pool.postLive({type: 'pause'});
		this.setState('paused');
		this.mark('pause', 'paused');
	}

	resume(): void {
		if (this.stateValue !== 'paused') {
			return;
		}

		this.activeSinceMs = performance.now();
		this.pool.postLive({type: 'resume'});
		this.armDuration();
		this.setState('running');
		this.mark('resume', 'resumed');
	}

	/** Changes the number of worker threads; connections are spread again over the new set. */
	setThreads(threads: number): void {
		const target = Math.max(1, Math.floor(threads));
		if (!this.isLive || target === this.settings.threads) {
			return;
		}

		const {live} = this.pool;
		if (target > live.length) {
			for (let index = live.length; index < target; index++) {
				this.spawn(0);
			}
		} else {
			for (const worker of live.slice(target)) {
				this.pool.retire(worker, this.settings.graceMs);
			}
		}

		this.settings = {...this.settings, threads: target};
		this.rebalance();
		this.mark('threads', `threads ${target}`, target);
	}

	/** Changes the total number of connections across all workers. */
	setConnections(connections: number): void {
		const target = Math.max(1, Math.floor(connections));
		if (!this.isLive || target === this.settings.connections) {
			return;
		}

		this.settings = {...this.settings, connections: target};
		this.rebalance();
		this.mark('connections', `connections ${target}${this.stages?.liveChange('connections') ?? ''}`, target);
	}

	/** Changes the open-model rate (req/s across all workers); undefined switches to the closed model. */
	setRate(rate: number | undefined): void {
		if (!this.isLive || rate === this.settings.rate) {
			return;
		}

		this.settings = {...this.settings, rate};
		this.rebalance();
		this.mark('rate', rate === undefined ? 'closed model' : `rate ${formatRate(rate)}/s${this.stages?.liveChange('rate') ?? ''}`, rate);
	}

	/** Replaces the extra headers (a refreshed token) on every worker. */
	setExtraHeaders(extraHeaders: Readonly<Record<string, string>>): void {
		this.extraHeaders = extraHeaders;
		this.headersVersion++;
		this.pool.postLive({type: 'set-headers', extraHeaders, version: this.headersVersion});
	}

	private get isLive(): boolean {
		return this.stateValue === 'running' || this.stateValue === 'paused';
	}

	private rebalance(): void {
		const {live} = this.pool;
		const shares = distribute(this.settings.connections, live.length);
		const caps = distribute(Math.max(this.settings.maxConnections ?? 0, this.settings.connections), live.length);
		for (const [index, worker] of live.entries()) {
			const connections = shares[index] ?? 0;
			worker.connections = connections;
			this.pool.post(worker, {type: 'set-connections', connections, maxConnections: Math.max(connections, caps[index] ?? 0)});
			this.pool.post(worker, {type: 'set-rate', rate: rateShare(this.settings.rate, connections, this.settings.connections)});
		}
	}

	/**
	 * Where the run is within its stages (undefined without stages). `value` is the value in force
	 * now; `override` is true while a live change holds until the next stage boundary.
	 */
	get stage(): StageState | undefined {
		return this.stages?.position(this.settings, this.activeS * 1000);
	}

	/**
	 * Follows the stages (every 200 ms while running): marks each boundary, applies the ramp unless a
	 * live change holds, and stops for good after the last stage (the last value then holds).
	 */
	private applyStage(): void {
		if (!this.stages || this.stateValue !== 'running') {
			return;
		}

		const step = this.stages.step(this.settings, this.activeS * 1000);
		if (step.marker) {
			this.mark('stage', step.marker.label, step.marker.value);
		}

		if (step.settings !== this.settings) {
			this.settings = step.settings;
			this.rebalance();
		}

		if (step.done && this.stageTimer) {
			// After the last stage the last value holds: nothing re-applies it over a live change.
			clearInterval(this.stageTimer);
			this.stageTimer = undefined;
		}
	}

	/** What has been measured so far, as a result (for saving a report while the run goes on). */
	currentResult(): RunResult {
		return this.aggregator.result({endedAt: new Date(), durationS: this.activeS, stopReason: this.stateValue === 'done' ? this.stopReason : 'running', finalSettings: this.settings});
	}

	/** During a stop: cancel in-flight requests now instead of waiting out the grace period. */
	cancelNow(): void {
		if (this.stateValue !== 'stopping') {
			return;
		}

		this.pool.postAll({type: 'stop', graceMs: 0});
	}

	/** Stops the run: workers stop sending, drain in-flight requests for the grace period, then report. */
	async stop(reason: StopReason = 'user'): Promise<RunResult> {
		if (this.stopPromise) {
			return this.stopPromise;
		}

		if (this.stateValue === 'idle') {
			if (this.resolveDone) {
				// Still starting (workers loading): stop as soon as they are ready.
				this.pendingStop ??= reason;
				return new Promise<RunResult>(resolve => {
					this.subscribe(event => {
						if (event.type === 'state' && event.state === 'done') {
							resolve(this.stopPromise!);
						}
					});
				});
			}

			throw new Error('The engine was not started.');
		}

		this.stopReason = reason;
		this.stopPromise = this.drain();
		return this.stopPromise;
	}

	/**
	 * A second of the run ends: every worker is asked for a snapshot at once, and the second is closed
	 * (its timeline point made) when all have answered, at the time it ended. A worker's regular
	 * snapshots come every 250 ms on its own timer, so closing a second with what had arrived by its
	 * end left out up to 250 ms of it and put that in the next second: at a fixed 50,000 req/s the
	 * first second read 48,600 and the last 51,400. Now each second holds what its workers did up to
	 * the moment they were asked (a message away, well under a millisecond on an idle core). A worker
	 * that has not answered within `flushWaitMs` (stalled, or its core taken) is not waited for: the
	 * second closes with what came, and the rest counts in the next one.
	 */
	private readonly endSecond = (): void => {
		if (this.flushing.size > 0) this.closeSecond();
		this.secondOfWarmUp = this.warming;
		this.secondEndMs = performance.now();
		this.flushSeq++;
		for (const worker of this.pool.flush(this.flushSeq)) this.flushing.add(worker);
		if (this.flushing.size === 0) {
			this.closeSecond();
		} else {
			this.flushTimer = setTimeout(this.closeSecond, flushWaitMs);
		}
	};

	private flushed(worker: PooledWorker): void {
		if (this.flushing.delete(worker) && this.flushing.size === 0) this.closeSecond();
	}

	private readonly closeSecond = (): void => {
		clearTimeout(this.flushTimer);
		this.flushTimer = undefined;
		this.flushing.clear();
		if (this.secondOfWarmUp) {
			// A second of the warm-up: closed the same way (so that code is compiled when the clock starts), its point in no result.
			const second = this.aggregator.closeWarmUpWindow(this.secondEndMs, this.windowContext);
			if (second) this.emit({type: 'warm-up-second', second, elapsedS: (this.secondEndMs - this.warmUpStartMs) / 1000});
			return;
		}

		this.emit({type: 'second', point: this.aggregator.closeWindow(this.secondEndMs, this.windowContext)});
	};

	private async drain(): Promise<RunResult> {
		this.disarmDuration();
		if (this.warming) {
			clearTimeout(this.warmUpTimer);
			this.endWarmUp?.();
		} else if (this.stateValue === 'running') {
			this.activeMs += performance.now() - this.activeSinceMs;
		}

		this.activeSinceMs = 0;
		this.setState('stopping');
		this.mark('stop', `stop (${this.stopReason})`);
		// A request budget is exact: let in-flight attempts finish (or time out) rather than cancel them.
		const graceMs = this.stopReason === 'requests' || this.stopReason === 'data' ? Math.max(this.settings.graceMs, this.plan.policy.timeoutMs + 1000) : this.settings.graceMs;
		await this.pool.retireAll(graceMs);
		if (this.secondTimer) {
			clearInterval(this.secondTimer);
		}

		// A second still waiting for answers: every worker has stopped, so all of it has come.
		if (this.flushTimer !== undefined) this.closeSecond();

		if (this.stageTimer) {
			clearInterval(this.stageTimer);
		}

		const last = this.aggregator.closeFinalWindow(performance.now(), this.windowContext);
		if (last) {
			this.emit({type: 'second', point: last});
		}

		const result = this.aggregator.result({endedAt: new Date(), durationS: this.activeMs / 1000, stopReason: this.stopReason, finalSettings: this.settings});
		this.setState('done');
		this.resolveDone?.(result);
		return result;
	}
}
