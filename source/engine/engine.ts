import {performance} from 'node:perf_hooks';
import type {Worker} from 'node:worker_threads';
import type {RunSettings, TestPlan} from '../config/types.js';
import {addSnapshot, addTotals, createRunTotals, takeWindow, type RunTotals, type Totals} from '../stats/aggregate.js';
import {timelinePoint, type RunMarker, type TimelinePoint} from '../stats/timeline.js';
import {distribute, rateShare} from './distribute.js';
import type {WorkerSnapshot} from '../stats/snapshot.js';
import type {FromWorker, ToWorker, WorkerInit} from './protocol.js';
import type {RequestLogOptions} from './request-log.js';
import {Listeners} from './listeners.js';
import {spawnWorker} from './spawn-worker.js';
import {StageSchedule, stageAt, type StagePosition} from './stages.js';

/** The shortest window of event-loop utilisation that counts towards the peak (saturation). */
const minUtilizationWindowMs = 200;

export type EngineState = 'idle' | 'running' | 'paused' | 'stopping' | 'done';

/** Why a run stopped. */
export type StopReason = 'duration' | 'requests' | 'user' | 'signal' | 'error' | 'threshold';

/** Why a result ended: a stop reason, or 'running' for a snapshot of a run still going. */
export type ResultState = StopReason | 'running';

/** Live figures of one worker. */
export type WorkerHealth = {
	readonly workerId: number;
	readonly connections: number;
	readonly inFlight: number;
	/** Event-loop utilisation over the last interval, 0..1. */
	readonly eventLoopUtilization: number;
	/** The longest the worker's event loop went without turning over the last interval, ms. */
	readonly maxEventLoopDelayMs?: number;
	/** Time its event loop was stalled over the last interval, ms (see `stallThresholdMs`). */
	readonly eventLoopStallMs?: number;
	/** How long the last interval was, ms (the stall time's denominator). */
	readonly windowMs?: number;
};

/**
 * The load generator's own stalls over a run, all workers together: time its event loops did not
 * turn, which the open model's corrected latency would otherwise charge to the server.
 */
export type GeneratorStalls = {
	/** Stall time summed over the workers, ms. */
	readonly stallMs: number;
	/** The longest any worker's event loop went without turning, ms. */
	readonly maxDelayMs: number;
	/** Worker time the figures cover, ms (each worker's measured time, summed): the stall share's denominator. */
	readonly measuredMs: number;
};

export type EngineEvent =
	/** Merged worker snapshots arrived (up to 4 times a second): the totals changed. */
	| {readonly type: 'update'}
	/** A timeline point was completed (once a second). */
	| {readonly type: 'second'; readonly point: TimelinePoint}
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
};

/** What a finished run measured. Totals are mutable HDR accumulators; see `stats/aggregate`. */
export type RunResult = {
	readonly startedAt: Date;
	readonly endedAt: Date;
	/** Seconds of load (paused time excluded). */
	readonly durationS: number;
	readonly totals: RunTotals;
	readonly timeline: readonly TimelinePoint[];
	readonly markers: readonly RunMarker[];
	readonly stopReason: ResultState;
	/** In-flight requests cancelled when the stop grace period ran out (not counted as requests). */
	readonly cancelled: number;
	/** Settings at the start, and as they were at the end after live changes. */
	readonly initialSettings: RunSettings;
	readonly finalSettings: RunSettings;
	/** Peak event-loop utilisation seen on any worker, 0..1. */
	readonly peakWorkerUtilization: number;
	/** The generator's own stalls (absent when no worker measured them). */
	readonly generatorStalls?: GeneratorStalls;
};

type WorkerHandle = {
	readonly id: number;
	readonly worker: Worker;
	connections: number;
	retiring: boolean;
	exhausted: boolean;
	health: WorkerHealth;
	readonly done: Promise<number>;
	readonly ready: Promise<void>;
};

/**
 * Runs a load test on a pool of worker threads and merges their interval snapshots. Knows nothing
 * of the UI: it emits typed events and resolves `start()` with the result.
 */
export class Engine {
	readonly plan: TestPlan;
	private settings: RunSettings;
	private readonly initialSettings: RunSettings;
	private readonly options: EngineOptions;
	private readonly listeners = new Listeners<EngineEvent>();
	private readonly workers = new Map<number, WorkerHandle>();
	private nextWorkerId = 0;
	readonly totals: RunTotals;
	readonly timeline: TimelinePoint[] = [];
	readonly markers: RunMarker[] = [];
	private stateValue: EngineState = 'idle';
	private startedAtMs = 0;
	private startedAt = new Date();
	private activeMs = 0;
	private activeSinceMs = 0;
	private lastSecondMs = 0;
	private secondTimer: NodeJS.Timeout | undefined;
	private durationTimer: NodeJS.Timeout | undefined;
	private stopReason: StopReason = 'user';
	private stopPromise: Promise<RunResult> | undefined;
	private resolveDone: ((result: RunResult) => void) | undefined;
	private readonly issued: SharedArrayBuffer | undefined;
	private extraHeaders: Readonly<Record<string, string>>;
	private cancelled = 0;
	private peakUtilization = 0;
	private readonly stalls = {stallMs: 0, maxDelayMs: 0, measuredMs: 0, measured: false};
	/** Staged runs: the schedule, and what it moves (connections in the closed model, the rate in the open one). */
	private stageSchedule: StageSchedule | undefined;
	private stagedQuantity: 'connections' | 'rate' = 'connections';
	private pendingStop: StopReason | undefined;
	private stageTimer: NodeJS.Timeout | undefined;
	private lastWindow: {totals: Totals; windowS: number; late: number; dropped: number} | undefined;
	private logFailureValue: string | undefined;

	constructor(options: EngineOptions) {
		this.options = options;
		this.plan = options.plan;
		this.settings = options.settings;
		this.initialSettings = options.settings;
		this.extraHeaders = options.extraHeaders ?? {};
		this.totals = createRunTotals(options.plan.endpoints.length);
		this.issued = options.settings.maxRequests === undefined ? undefined : new SharedArrayBuffer(4);
	}

	get state(): EngineState {
		return this.stateValue;
	}

	get currentSettings(): RunSettings {
		return this.settings;
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
		return [...this.workers.values()].filter(handle => !handle.retiring).map(handle => handle.health);
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
		const marker: RunMarker = {t: Math.round(this.elapsedS * 1000) / 1000, kind, label, ...(value === undefined ? {} : {value})};
		this.markers.push(marker);
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
			const first = stageAt(stages, 0, 0).value;
			this.stagedQuantity = this.settings.rate === undefined ? 'connections' : 'rate';
			this.stageSchedule = new StageSchedule(stages, 0);
			this.settings = this.stagedQuantity === 'connections' ? {...this.settings, connections: Math.max(1, Math.round(first))} : {...this.settings, rate: first};
			this.stageTimer = setInterval(() => {
				this.applyStage();
			}, 200);
		}

		const shares = distribute(this.settings.connections, this.settings.threads);
		const handles = shares.map(connections => this.spawn(connections));
		// The clock starts when every worker has loaded, so a run's first second is not start-up.
		await Promise.race([
			Promise.all(handles.map(async handle => handle.ready)),
			new Promise(resolve => {
				setTimeout(resolve, 10_000).unref();
			}),
		]);
		this.startedAt = new Date();
		this.startedAtMs = performance.now();
		this.activeSinceMs = this.startedAtMs;
		this.lastSecondMs = this.startedAtMs;
		this.stateValue = 'running';
		for (const handle of handles) {
			this.startWorker(handle, false);
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

		this.secondTimer = setInterval(() => {
			this.closeSecond();
		}, 1000);
		this.armDuration();
		return done;
	}

	private spawn(connections: number): WorkerHandle {
		const id = this.nextWorkerId++;
		const init: WorkerInit = {
			workerId: id,
			plan: this.plan,
			policy: this.plan.policy,
			connections,
			maxConnections: connections,
			rate: rateShare(this.settings.rate, connections, this.settings.connections),
			maxLateMs: this.settings.maxLateMs ?? this.options.maxLateMs ?? 1000,
			issued: this.issued,
			maxRequests: this.settings.maxRequests,
			snapshotIntervalMs: this.options.snapshotIntervalMs ?? 250,
			paused: this.stateValue === 'paused',
			extraHeaders: this.extraHeaders,
			log: this.options.log,
		};
		const worker = (this.options.spawn ?? spawnWorker)(init);
		let resolveDone!: (cancelled: number) => void;
		const done = new Promise<number>(resolve => {
			resolveDone = resolve;
		});
		let resolveReady!: () => void;
		const ready = new Promise<void>(resolve => {
			resolveReady = resolve;
		});
		const handle: WorkerHandle & {resolveReady: () => void} = {
			id,
			worker,
			connections,
			retiring: false,
			exhausted: false,
			health: {workerId: id, connections, inFlight: 0, eventLoopUtilization: 0},
			done,
			ready,
			resolveReady,
		};
		let finished = false;
		const finish = (cancelled: number): void => {
			if (!finished) {
				finished = true;
				this.workers.delete(id);
				resolveDone(cancelled);
			}
		};

		worker.on('message', (message: FromWorker) => {
			this.onWorkerMessage(handle, message, finish);
		});
		worker.on('error', error => {
			this.emit({type: 'error', message: `worker ${id}: ${error.message}`});
			finish(0);
		});
		worker.on('exit', () => {
			resolveReady();
			finish(0);
		});
		this.workers.set(id, handle);
		return handle;
	}

	private onWorkerMessage(handle: WorkerHandle & {resolveReady?: () => void}, message: FromWorker, finish: (cancelled: number) => void): void {
		switch (message.type) {
			case 'ready': {
				handle.resolveReady?.();
				// A worker added during the run starts as soon as it is ready.
				if ((this.stateValue === 'running' || this.stateValue === 'paused') && !handle.retiring) {
					this.startWorker(handle, this.stateValue === 'paused');
				}

				break;
			}

			case 'snapshot': {
				addSnapshot(this.totals, message.snapshot);
				const {snapshot} = message;
				handle.health = {
					workerId: handle.id,
					connections: snapshot.connections,
					inFlight: snapshot.inFlight,
					eventLoopUtilization: snapshot.eventLoopUtilization,
					...(snapshot.maxEventLoopDelayMs === undefined ? {} : {maxEventLoopDelayMs: snapshot.maxEventLoopDelayMs, eventLoopStallMs: snapshot.eventLoopStallMs ?? 0, windowMs: snapshot.utilizationWindowMs ?? 0}),
				};
				this.addStalls(snapshot);
				// A sliver (the start, the last drain) says nothing about saturation: busy for 5 ms of 8 is not a
				// saturated generator. Only windows of at least 200 ms count towards the peak.
				if (!handle.retiring && (message.snapshot.utilizationWindowMs ?? 0) >= minUtilizationWindowMs) {
					this.peakUtilization = Math.max(this.peakUtilization, message.snapshot.eventLoopUtilization);
				}

				this.emit({type: 'update'});
				break;
			}

			case 'exhausted': {
				// The shared budget is spent: no attempt starts anywhere any more. Stopping drains
				// the attempts still in flight (they end by timeout_ms at the latest).
				handle.exhausted = true;
				void this.stop('requests');
				break;
			}

			case 'unauthorized': {
				this.emit({type: 'unauthorized'});
				break;
			}

			case 'done': {
				this.cancelled += message.cancelled;
				void handle.worker.terminate();
				finish(message.cancelled);
				break;
			}

			case 'log-failed': {
				// Every worker writes the log: tell the first failure once.
				if (this.logFailureValue === undefined) {
					this.logFailureValue = message.message;
					this.emit({type: 'error', message: message.message});
				}

				break;
			}

			case 'fatal': {
				this.emit({type: 'error', message: `worker ${message.workerId}: ${message.message}`});
				break;
			}
		}
	}

	/** Adds a snapshot's stall figures to the run's (retiring workers' too: their stalls happened). */
	private addStalls(snapshot: WorkerSnapshot): void {
		if (snapshot.maxEventLoopDelayMs === undefined) return;
		const {stalls} = this;
		stalls.measured = true;
		stalls.stallMs += snapshot.eventLoopStallMs ?? 0;
		stalls.maxDelayMs = Math.max(stalls.maxDelayMs, snapshot.maxEventLoopDelayMs);
		stalls.measuredMs += snapshot.utilizationWindowMs ?? 0;
	}

	/** The generator's stalls so far (undefined before the first measured snapshot). */
	get generatorStalls(): GeneratorStalls | undefined {
		const {stalls} = this;
		return stalls.measured ? {stallMs: round3(stalls.stallMs), maxDelayMs: round3(stalls.maxDelayMs), measuredMs: round3(stalls.measuredMs)} : undefined;
	}

	/** Why the request log stopped, when it could not be opened or written (the run went on). */
	get logFailure(): string | undefined {
		return this.logFailureValue;
	}

	private readonly started = new Set<number>();

	private startWorker(handle: WorkerHandle, paused: boolean): void {
		if (!this.started.has(handle.id)) {
			this.started.add(handle.id);
			this.post(handle, {type: 'start', paused});
		}
	}

	private post(handle: WorkerHandle, message: ToWorker): void {
		handle.worker.postMessage(message);
	}

	private get liveWorkers(): WorkerHandle[] {
		return [...this.workers.values()].filter(handle => !handle.retiring);
	}

	/**
	 * Closes the current timeline window. The last window of a run is often a sliver (the drain
	 * after the final tick); `final` folds a sliver shorter than half a second into the previous point.
	 */
	private closeSecond(final = false): void {
		const now = performance.now();
		let windowS = (now - this.lastSecondMs) / 1000;
		this.lastSecondMs = now;
		let {totals, late, dropped} = takeWindow(this.totals);
		const previous = this.lastWindow;
		let paused = this.stateValue === 'paused';
		if (final && windowS < 0.5 && previous && this.timeline.length > 0) {
			paused ||= this.timeline.at(-1)!.paused;
			addTotals(previous.totals, totals);
			totals = previous.totals;
			windowS += previous.windowS;
			late += previous.late;
			dropped += previous.dropped;
			this.timeline.pop();
		}

		this.lastWindow = {totals, windowS, late, dropped};
		const point = timelinePoint(totals, {
			t: (now - this.startedAtMs) / 1000,
			windowS,
			late,
			dropped,
			threads: this.settings.threads,
			connections: this.settings.connections,
			rate: this.settings.rate,
			paused,
		});
		this.timeline.push(point);
		this.emit({type: 'second', point});
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
		if (this.stateValue !== 'running') {
			return;
		}

		this.activeMs += performance.now() - this.activeSinceMs;
		this.activeSinceMs = 0;
		this.disarmDuration();
		for (const handle of this.liveWorkers) {
			this.post(handle, {type: 'pause'});
		}

		this.setState('paused');
		this.mark('pause', 'paused');
	}

	resume(): void {
		if (this.stateValue !== 'paused') {
			return;
		}

		this.activeSinceMs = performance.now();
		for (const handle of this.liveWorkers) {
			this.post(handle, {type: 'resume'});
		}

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

		const live = this.liveWorkers;
		if (target > live.length) {
			for (let index = live.length; index < target; index++) {
				this.spawn(0);
			}
		} else {
			for (const handle of live.slice(target)) {
				handle.retiring = true;
				this.post(handle, {type: 'stop', graceMs: this.settings.graceMs});
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
		this.mark('connections', `connections ${target}${this.liveOverride('connections')}`, target);
	}

	/** Changes the open-model rate (req/s across all workers); undefined switches to the closed model. */
	setRate(rate: number | undefined): void {
		if (!this.isLive || rate === this.settings.rate) {
			return;
		}

		this.settings = {...this.settings, rate};
		this.rebalance();
		this.mark('rate', rate === undefined ? 'closed model' : `rate ${formatRate(rate)}/s${this.liveOverride('rate')}`, rate);
	}

	/**
	 * A live change of what the stages move holds until the next stage boundary (see StageSchedule):
	 * the marker's label says so. Empty without stages, for the other quantity, or after the last stage.
	 */
	private liveOverride(quantity: 'connections' | 'rate'): string {
		const schedule = this.stageSchedule;
		if (!schedule || quantity !== this.stagedQuantity || !schedule.override()) {
			return '';
		}

		const next = schedule.index + 1;
		return next < schedule.stages.length ? ` · live until stage ${next + 1}/${schedule.stages.length}` : ' · live until the stages end';
	}

	/** Replaces the extra headers (a refreshed token) on every worker. */
	setExtraHeaders(extraHeaders: Readonly<Record<string, string>>): void {
		this.extraHeaders = extraHeaders;
		for (const handle of this.liveWorkers) {
			this.post(handle, {type: 'set-headers', extraHeaders});
		}
	}

	private get isLive(): boolean {
		return this.stateValue === 'running' || this.stateValue === 'paused';
	}

	private rebalance(): void {
		const live = this.liveWorkers;
		const shares = distribute(this.settings.connections, live.length);
		const caps = distribute(Math.max(this.settings.maxConnections ?? 0, this.settings.connections), live.length);
		for (const [index, handle] of live.entries()) {
			const connections = shares[index] ?? 0;
			handle.connections = connections;
			this.post(handle, {type: 'set-connections', connections, maxConnections: Math.max(connections, caps[index] ?? 0)});
			this.post(handle, {type: 'set-rate', rate: rateShare(this.settings.rate, connections, this.settings.connections)});
		}
	}

	/**
	 * Where the run is within its stages (undefined without stages). `value` is the value in force
	 * now; `override` is true while a live change holds until the next stage boundary.
	 */
	get stage(): (StagePosition & {count: number; override: boolean}) | undefined {
		const schedule = this.stageSchedule;
		const {stages} = this.settings;
		if (!schedule || !stages || stages.length === 0) {
			return undefined;
		}

		const planned = stageAt(stages, this.activeS * 1000, 0);
		const index = schedule.index < 0 ? planned.index : schedule.index;
		const target = index < stages.length ? stages[index]!.target : stages.at(-1)!.target;
		return {index, count: stages.length, value: this.stagedValue, target, override: schedule.overriding};
	}

	/** The staged quantity in force: connections (closed model) or the rate (open model). */
	private get stagedValue(): number {
		return this.stagedQuantity === 'connections' ? this.settings.connections : this.settings.rate ?? 0;
	}

	/**
	 * Follows the stages (every 200 ms while running): marks each boundary, applies the ramp unless a
	 * live change holds, and stops for good after the last stage (the last value then holds).
	 */
	private applyStage(): void {
		const schedule = this.stageSchedule;
		if (!schedule || this.stateValue !== 'running') {
			return;
		}

		const step = schedule.step(this.activeS * 1000, this.stagedValue);
		if (step.entered) {
			const tookOver = step.tookOverFrom === undefined ? '' : ` (takes over from live ${formatRate(step.tookOverFrom)})`;
			if (step.index < schedule.stages.length) {
				this.mark('stage', `stage ${step.index + 1}/${schedule.stages.length} → ${step.target}${tookOver}`, step.target);
			} else if (tookOver !== '') {
				this.mark('stage', `stages done → ${step.target}${tookOver}`, step.target);
			}
		}

		if (step.value !== undefined) {
			if (this.stagedQuantity === 'connections') {
				const connections = Math.max(1, Math.round(step.value));
				if (connections !== this.settings.connections) {
					this.settings = {...this.settings, connections};
					this.rebalance();
				}
			} else {
				const rate = Math.round(step.value * 1000) / 1000;
				if (rate !== this.settings.rate) {
					this.settings = {...this.settings, rate};
					this.rebalance();
				}
			}
		}

		if (step.done && this.stageTimer) {
			// After the last stage the last value holds: nothing re-applies it over a live change.
			clearInterval(this.stageTimer);
			this.stageTimer = undefined;
		}
	}

	/** What has been measured so far, as a result (for saving a report while the run goes on). */
	currentResult(): RunResult {
		return {
			startedAt: this.startedAt,
			endedAt: new Date(),
			durationS: this.activeS,
			totals: this.totals,
			timeline: [...this.timeline],
			markers: [...this.markers],
			stopReason: this.stateValue === 'done' ? this.stopReason : 'running',
			cancelled: this.cancelled,
			initialSettings: this.initialSettings,
			finalSettings: this.settings,
			peakWorkerUtilization: this.peakUtilization,
			...this.stallsField(),
		};
	}

	private stallsField(): {generatorStalls?: GeneratorStalls} {
		const stalls = this.generatorStalls;
		return stalls ? {generatorStalls: stalls} : {};
	}

	/** During a stop: cancel in-flight requests now instead of waiting out the grace period. */
	cancelNow(): void {
		if (this.stateValue !== 'stopping') {
			return;
		}

		for (const handle of this.workers.values()) {
			this.post(handle, {type: 'stop', graceMs: 0});
		}
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

	private async drain(): Promise<RunResult> {
		this.disarmDuration();
		if (this.stateValue === 'running') {
			this.activeMs += performance.now() - this.activeSinceMs;
		}

		this.activeSinceMs = 0;
		this.setState('stopping');
		this.mark('stop', `stop (${this.stopReason})`);
		const handles = [...this.workers.values()];
		// A request budget is exact: let in-flight attempts finish (or time out) rather than cancel them.
		const graceMs = this.stopReason === 'requests' ? Math.max(this.settings.graceMs, this.plan.policy.timeoutMs + 1000) : this.settings.graceMs;
		for (const handle of handles) {
			if (!handle.retiring) {
				handle.retiring = true;
				this.post(handle, {type: 'stop', graceMs});
			}
		}

		// A worker that never answers is terminated after the grace period and a margin.
		const deadline = setTimeout(() => {
			for (const handle of this.workers.values()) {
				void handle.worker.terminate();
			}
		}, graceMs + 3000);
		await Promise.all(handles.map(async handle => handle.done));
		clearTimeout(deadline);
		if (this.secondTimer) {
			clearInterval(this.secondTimer);
		}

		if (this.stageTimer) {
			clearInterval(this.stageTimer);
		}

		if (this.totals.window.requests > 0 || this.timeline.length === 0) {
			this.closeSecond(true);
		}

		const result: RunResult = {
			startedAt: this.startedAt,
			endedAt: new Date(),
			durationS: this.activeMs / 1000,
			totals: this.totals,
			timeline: this.timeline,
			markers: this.markers,
			stopReason: this.stopReason,
			cancelled: this.cancelled,
			initialSettings: this.initialSettings,
			finalSettings: this.settings,
			peakWorkerUtilization: this.peakUtilization,
			...this.stallsField(),
		};
		this.setState('done');
		this.resolveDone?.(result);
		return result;
	}
}

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

function formatRate(rate: number): string {
	return Number.isInteger(rate) ? String(rate) : rate.toFixed(2);
}
