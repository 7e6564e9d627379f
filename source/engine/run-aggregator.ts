import type {RunSettings} from '../config/types.js';
import {addSnapshot, addTotals, createRunTotals, takeWindow, type RunTotals, type SnapshotScope, type Totals} from '../stats/aggregate.js';
import type {WorkerSnapshot} from '../stats/snapshot.js';
import {timelinePoint, type RunMarker, type TimelineContext, type TimelinePoint} from '../stats/timeline.js';

/** The shortest window of event-loop utilisation that counts towards the peak (saturation). */
const minUtilizationWindowMs = 200;

/** Why a run stopped. */
/** `data`: a data file with on_end "stop" ran out of rows. */
export type StopReason = 'duration' | 'requests' | 'data' | 'user' | 'signal' | 'error' | 'threshold';

/** Why a result ended: a stop reason, or 'running' for a snapshot of a run still going. */
export type ResultState = StopReason | 'running';

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
	/** The longest probe period the workers used, ms (1 in the open model, 10 in the closed); absent from older workers. */
	readonly probeMs?: number;
	/**
	 * Of `stallMs`, the time the stalled threads ran and waited for a core, ms (see
	 * `WorkerSnapshot.stallRunningMs`); present only when every stall was split.
	 */
	readonly runningMs?: number;
	readonly waitingMs?: number;
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
	/** `--warm-up`: how long it ran and the attempts sent during it (in no other figure). */
	readonly warmUp?: WarmUp;
};

/** The warm-up before the measured run (`--warm-up`): its attempts are counted apart. */
export type WarmUp = {readonly durationS: number; readonly responses: number; readonly errors: number};

/**
 * One interval of measurements: a worker's snapshot, or (for `merge`) an interval rebuilt from a
 * report. Only the counts and latencies are needed; the generator figures are optional.
 */
export type RunInterval = Pick<WorkerSnapshot, 'endpoints' | 'late' | 'dropped'>
	& Partial<Pick<WorkerSnapshot, 'eventLoopUtilization' | 'utilizationWindowMs' | 'maxEventLoopDelayMs' | 'eventLoopStallMs' | 'eventLoopProbeMs' | 'stallRunningMs' | 'stallWaitingMs' | 'warming' | 'warmUp'>>;

/** A second of the warm-up, as the progress shows it (see `RunAggregator.closeWarmUpWindow`). */
export type WarmUpSecond = {
	/** The second's latencies (p50, p99) and settings; its counts are the recorded ones only. */
	readonly point: TimelinePoint;
	/** Attempts of the warm-up so far, every one, and the errors among them. */
	readonly requests: number;
	readonly errors: number;
	/** Attempts that ended in this second, per second. */
	readonly rps: number;
};

/** What a timeline point records of the run's settings at the time it closes. */
export type WindowContext = Pick<TimelineContext, 'threads' | 'connections' | 'rate' | 'paused'>;

/** How a run ended, for `result()`. */
export type ResultEnd = {
	readonly endedAt: Date;
	/** Seconds of load (paused time excluded). */
	readonly durationS: number;
	readonly stopReason: ResultState;
	readonly finalSettings: RunSettings;
};

export type RunAggregatorOptions = {
	readonly endpointCount: number;
	readonly initialSettings: RunSettings;
	/** Wall time of the start (replaced by `begin`). */
	readonly startedAt?: Date;
};

/**
 * Merges a run's intervals: whole-run and per-endpoint totals, per-second windows, the timeline,
 * markers, late and dropped sends, cancelled requests and the generator's figures; `result()`
 * builds the one `RunResult`. Needs no worker and reads no clock: times are given in ms on any
 * monotonic clock (the same one as `begin`), so a live run and a merge of reports can both feed it.
 */
export class RunAggregator {
	readonly totals: RunTotals;
	readonly timeline: TimelinePoint[] = [];
	readonly markers: RunMarker[] = [];
	private readonly initialSettings: RunSettings;
	private startedAt: Date;
	/** The `begin` time (undefined before it). */
	private startMs: number | undefined;
	private windowStartMs = 0;
	private lastWindow: {totals: Totals; windowS: number; late: number; dropped: number} | undefined;
	private cancelled = 0;
	private peakUtilization = 0;
	private readonly stalls = {stallMs: 0, maxDelayMs: 0, measuredMs: 0, probeMs: 0, measured: false, runningMs: 0, waitingMs: 0, unsplitMs: 0, split: false};
	/** `--warm-up`: its length (set by `warmedUp`) and the attempts sent during it. */
	private warmUp: {durationS: number; responses: number; errors: number} | undefined;
	/** When the last second of the warm-up closed (or it began), and its attempts by then. */
	private warmUpSecond = {atMs: 0, attempts: 0};

	constructor(options: RunAggregatorOptions) {
		this.totals = createRunTotals(options.endpointCount);
		this.initialSettings = options.initialSettings;
		this.startedAt = options.startedAt ?? new Date();
	}

	/** Starts the clock: timeline and marker times count from `atMs`; the first window opens then. */
	begin(atMs: number, startedAt = new Date()): void {
		this.startedAt = startedAt;
		this.startMs = atMs;
		this.windowStartMs = atMs;
	}

	/**
	 * Adds one interval. `countsTowardsPeak: false` (a retiring worker) keeps its utilisation out of
	 * the peak; its stalls count all the same (they happened). `scope` (see `addSnapshot`): `merge`
	 * adds a report's totals and its seconds apart.
	 */
	add(interval: RunInterval, options: {readonly countsTowardsPeak?: boolean; readonly scope?: SnapshotScope} = {}): void {
		if (interval.warmUp) {
			this.warmUp ??= {durationS: 0, responses: 0, errors: 0};
			this.warmUp.responses += interval.warmUp.responses;
			this.warmUp.errors += interval.warmUp.errors;
		}

		// A worker's interval of the warm-up: nothing in it is a figure of the run. Its attempts are the
		// warm-up's; its figures go to scratch totals, so that the code that adds and closes windows is
		// compiled before the clock starts rather than in the run's first seconds.
		if (interval.warming === true) {
			this.warmUp ??= {durationS: 0, responses: 0, errors: 0};
			for (const endpoint of interval.endpoints) {
				this.warmUp.responses += endpoint.responses;
				this.warmUp.errors += endpoint.errors + endpoint.incomplete;
			}

			addSnapshot(this.warmTotals ??= createRunTotals(this.totals.endpoints.length), interval);
			return;
		}

		addSnapshot(this.totals, interval, options.scope);
		this.addStalls(interval);
		// A sliver (the start, the last drain) says nothing about saturation: busy for 5 ms of 8 is not a
		// saturated generator. Only windows of at least 200 ms count towards the peak.
		if ((options.countsTowardsPeak ?? true) && (interval.utilizationWindowMs ?? 0) >= minUtilizationWindowMs) {
			this.peakUtilization = Math.max(this.peakUtilization, interval.eventLoopUtilization ?? 0);
		}
	}

	private addStalls(interval: RunInterval): void {
		if (interval.maxEventLoopDelayMs === undefined) return;
		const {stalls} = this;
		stalls.measured = true;
		stalls.stallMs += interval.eventLoopStallMs ?? 0;
		stalls.maxDelayMs = Math.max(stalls.maxDelayMs, interval.maxEventLoopDelayMs);
		stalls.measuredMs += interval.utilizationWindowMs ?? 0;
		stalls.probeMs = Math.max(stalls.probeMs, interval.eventLoopProbeMs ?? 0);
		if (interval.stallRunningMs === undefined || interval.stallWaitingMs === undefined) {
			stalls.unsplitMs += interval.eventLoopStallMs ?? 0;
		} else {
			stalls.split = true;
			stalls.runningMs += interval.stallRunningMs;
			stalls.waitingMs += interval.stallWaitingMs;
		}
	}

	/** Scratch totals of the warm-up (see `add`), closed once a second by `closeWarmUpWindow` and then dropped. */
	private warmTotals: RunTotals | undefined;

	/** The warm-up begins at `atMs` (its seconds' rates count from there). */
	beginWarmUp(atMs: number): void {
		this.warmUpSecond = {atMs, attempts: 0};
	}

	/**
	 * During the warm-up, once a second (at `atMs`): closes a window of the scratch totals, as a run's
	 * second would be. Its figures go in no result; the headless progress shows them, marked. The
	 * counts are every attempt of the warm-up, those counted apart (sent in one phase, ended in a
	 * later one: see LoadLoop.warmPhase) too; the latencies are those the window recorded.
	 */
	closeWarmUpWindow(atMs: number, context: WindowContext): WarmUpSecond | undefined {
		if (this.warmTotals === undefined) return undefined;
		const {totals, late, dropped} = takeWindow(this.warmTotals);
		const point = timelinePoint(totals, {...context, t: 0, windowS: 1, late, dropped});
		const attempts = (this.warmUp?.responses ?? 0) + (this.warmUp?.errors ?? 0);
		const windowS = (atMs - this.warmUpSecond.atMs) / 1000;
		const rps = windowS > 0 ? (attempts - this.warmUpSecond.attempts) / windowS : 0;
		this.warmUpSecond = {atMs, attempts};
		return {point, requests: attempts, errors: this.warmUp?.errors ?? 0, rps};
	}

	/** The warm-up ran this long (ms) before `begin`. */
	warmedUp(durationMs: number): void {
		this.warmUp ??= {durationS: 0, responses: 0, errors: 0};
		this.warmUp.durationS = round3(durationMs / 1000);
	}

	/** Requests cancelled at the end of the grace period (a worker's `done`). */
	addCancelled(count: number): void {
		this.cancelled += count;
	}

	/** Records a change made during the run, `atMs` on the `begin` clock (0 s before it). */
	mark(atMs: number, kind: RunMarker['kind'], label: string, value?: number): RunMarker {
		const elapsedS = this.startMs === undefined ? 0 : (atMs - this.startMs) / 1000;
		const marker: RunMarker = {t: Math.round(elapsedS * 1000) / 1000, kind, label, ...(value === undefined ? {} : {value})};
		this.markers.push(marker);
		return marker;
	}

	/**
	 * Closes the current timeline window at `atMs` and returns its point. The last window of a run is
	 * often a sliver (the drain after the final tick); `final` folds a sliver shorter than half a
	 * second into the previous point.
	 */
	closeWindow(atMs: number, context: WindowContext, final = false): TimelinePoint {
		let windowS = (atMs - this.windowStartMs) / 1000;
		this.windowStartMs = atMs;
		let {totals, late, dropped} = takeWindow(this.totals);
		const previous = this.lastWindow;
		let {paused} = context;
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
		const point = timelinePoint(totals, {...context, t: (atMs - (this.startMs ?? 0)) / 1000, windowS, late, dropped, paused});
		this.timeline.push(point);
		return point;
	}

	/** At the end of a run: closes the last window if it holds requests or the timeline is still empty. */
	closeFinalWindow(atMs: number, context: WindowContext): TimelinePoint | undefined {
		return this.totals.window.requests > 0 || this.timeline.length === 0 ? this.closeWindow(atMs, context, true) : undefined;
	}

	/** The generator's stalls so far (undefined before the first measured interval). */
	get generatorStalls(): GeneratorStalls | undefined {
		const {stalls} = this;
		if (!stalls.measured) return undefined;
		const split = !stalls.split || stalls.unsplitMs > 0 ? {} : {runningMs: round3(stalls.runningMs), waitingMs: round3(stalls.waitingMs)};
		return {stallMs: round3(stalls.stallMs), maxDelayMs: round3(stalls.maxDelayMs), measuredMs: round3(stalls.measuredMs), ...(stalls.probeMs > 0 ? {probeMs: stalls.probeMs} : {}), ...split};
	}

	/** Peak event-loop utilisation of any worker over a window of 200 ms or more, 0..1. */
	get peakWorkerUtilization(): number {
		return this.peakUtilization;
	}

	/** The run's result: the totals as they stand (shared), the timeline and markers (copied). */
	result(end: ResultEnd): RunResult {
		const stalls = this.generatorStalls;
		return {
			startedAt: this.startedAt,
			endedAt: end.endedAt,
			durationS: end.durationS,
			totals: this.totals,
			timeline: [...this.timeline],
			markers: [...this.markers],
			stopReason: end.stopReason,
			cancelled: this.cancelled,
			initialSettings: this.initialSettings,
			finalSettings: end.finalSettings,
			peakWorkerUtilization: this.peakUtilization,
			...(stalls ? {generatorStalls: stalls} : {}),
			...(this.warmUp ? {warmUp: {...this.warmUp}} : {}),
		};
	}
}

const round3 = (value: number): number => Math.round(value * 1000) / 1000;
