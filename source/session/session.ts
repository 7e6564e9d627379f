import {performance} from 'node:perf_hooks';
import {quickBaselineRequests, runBaseline, type BaselineRun, type BaselineSample} from '../engine/baseline.js';
import {Engine, type ResultState, type RunResult, type StopReason} from '../engine/engine.js';
import type {Hardware} from '../engine/hardware.js';
import {Listeners} from '../engine/listeners.js';
import {RunAggregator} from '../engine/run-aggregator.js';
import type {RequestLogOptions} from '../engine/request-log.js';
import type {TestPlan} from '../config/types.js';
import type {BaselineReport, JsonReport, ReportAgent} from '../report/types.js';
import {thresholdFigures, totalsForThreshold, type Totals} from '../stats/aggregate.js';
import {evaluateThreshold, type Threshold, type ThresholdFigures} from '../stats/thresholds.js';
import {summarize} from '../stats/histogram.js';
import {computeSpeedup, mixRate} from '../stats/speedup.js';
import {describeWriteError, prepareAppendFile} from '../report/write.js';
import {buildReport} from './build-report.js';
import {demoTargetFor} from './demo-target.js';
import {ensureFdLimit} from './fd-limit.js';
import {TokenManager} from './token.js';
import type {PreparedRun} from './prepare.js';
import {lateStart, waitUntil, type LateStartError} from './start-gate.js';
import {engineFigures, type MetricsSink} from './live-metrics.js';

/** How often the quick baseline's samples go to the listeners (a TUI frame each time). */
const sampleFlushMs = 500;

/** `start-wait`: the workers are ready and the run waits for `--start-at`. */
export type SessionPhase = 'token' | 'quick-baseline' | 'extended-baseline' | 'start-wait' | 'load' | 'done';

export {TokenError} from './token.js';
export {LateStartError} from './start-gate.js';

export type SessionEvent =
	| {readonly type: 'phase'; readonly phase: SessionPhase}
	/** One request of the quick baseline finished (sent in batches at most every half second, see runPhases). */
	| {readonly type: 'baseline-sample'; readonly sample: BaselineSample; readonly count: number}
	/** Once a second during the extended baseline. */
	| {readonly type: 'baseline-progress'; readonly elapsedS: number; readonly totalS: number; readonly requests: number; readonly p50Ms: number; readonly p99Ms: number}
	| {readonly type: 'baseline-done'; readonly kind: 'quick' | 'extended'; readonly baseline: BaselineReport}
	/** The parallel run started: subscribe to `engine` for its events. */
	| {readonly type: 'load-start'; readonly engine: Engine}
	| {readonly type: 'error'; readonly message: string};

export type SessionOptions = {
	readonly prepared: PreparedRun;
	readonly hardware: Hardware;
	/** Requests of the quick baseline to each endpoint (PyStress: 5), in turn; 0 skips it. */
	readonly quickBaselineCount: number;
	/** Extended baseline length (ms); 0 or undefined skips it. */
	readonly extendedBaselineMs: number | undefined;
	/** NDJSON request log of the parallel run. */
	readonly log?: RequestLogOptions | undefined;
	/** Stop the run as soon as a threshold fails (checked once a second after a warm-up). */
	readonly abortOnFail?: boolean | undefined;
	/** `--metrics-listen`: the endpoint that serves the parallel run's live figures. */
	readonly metrics?: MetricsSink | undefined;
};

/**
 * One whole test as a user sees it: quick baseline, extended baseline, the parallel run, and the
 * report with speedup figures. Both the TUI and headless mode drive a Session.
 */
export class Session {
	readonly options: SessionOptions;
	private readonly listeners = new Listeners<SessionEvent>();
	private phaseValue: SessionPhase | undefined;
	private engineValue: Engine | undefined;
	private stopped: StopReason | undefined;
	private quick: BaselineReport | undefined;
	private extended: BaselineReport | undefined;
	private token: TokenManager | undefined;
	private readonly abortBaseline = new AbortController();
	private logFailureValue: string | undefined;
	/** Closes the write end of a FIFO request log held open during the run. */
	private releaseLog: (() => void) | undefined;
	/** Set when the run came later than --start-late-max to --start-at (it then sends nothing). */
	private late: LateStartError | undefined;
	/** Ends the wait for --start-at early (a stop). */
	private readonly abortWait = new AbortController();

	constructor(options: SessionOptions) {
		this.options = options;
	}

	get phase(): SessionPhase | undefined {
		return this.phaseValue;
	}

	/** Why the request log stopped early (it could not be written); the front ends count it as a report write failure. */
	get logFailure(): string | undefined {
		return this.logFailureValue;
	}

	/** The parallel run's engine, once it started. */
	get engine(): Engine | undefined {
		return this.engineValue;
	}

	subscribe(listener: (event: SessionEvent) => void): () => void {
		return this.listeners.subscribe(listener);
	}

	private emit(event: SessionEvent): void {
		this.listeners.emit(event);
	}

	private setPhase(phase: SessionPhase): void {
		this.phaseValue = phase;
		this.emit({type: 'phase', phase});
	}

	/** Runs every phase and resolves with the final report (also after a stop: what was measured). */
	async run(): Promise<JsonReport> {
		// A shipped example aimed at the demo target's address: start the demo target if none runs there.
		const demo = await demoTargetFor(this.options.prepared);
		try {
			return await this.runPhases();
		} finally {
			demo?.stop();
			this.token?.stop();
			this.releaseLog?.();
			this.releaseLog = undefined;
		}
	}

	/** Fetches the OAuth2 token (once for all workers) and keeps every running engine's header fresh. */
	private async acquireToken(): Promise<void> {
		const {token: tokenPlan} = this.options.prepared.config.plan;
		if (!tokenPlan) {
			return;
		}

		this.setPhase('token');
		const token = new TokenManager(tokenPlan);
		this.token = token;
		await token.start();
		token.onToken(headers => {
			this.engineValue?.setExtraHeaders(headers);
		});
	}

	private get tokenHeaders(): Record<string, string> {
		return this.token?.headers ?? {};
	}

	private watchUnauthorized(engine: Engine): void {
		engine.subscribe(event => {
			if (event.type === 'unauthorized') {
				void this.token?.refresh();
			}
		});
	}

	private async runPhases(): Promise<JsonReport> {
		const {prepared} = this.options;
		// A distributed or scheduled run starts at an agreed time with its share of the load: no baseline.
		const synchronized = prepared.agent !== undefined || prepared.startAt !== undefined;
		const quickBaselineCount = synchronized ? 0 : this.options.quickBaselineCount;
		const extendedBaselineMs = synchronized ? 0 : this.options.extendedBaselineMs;
		const {plan} = prepared.config;
		// Too late already: nothing is prepared, nothing sent.
		this.checkLate();
		// Before anything is sent: room for the connections (FdLimitError), and the request log.
		ensureFdLimit(prepared.settings);
		this.prepareLog();
		// HTTP/2: a target that does not speak it stops here (Http2UnsupportedError), before any request is measured.
		if (plan.policy.http2 !== undefined) await (await import('../engine/http2-probe.js')).probeHttp2(plan.endpoints, plan.policy);
		await this.acquireToken();
		const refreshHeaders = async (): Promise<Readonly<Record<string, string>>> => {
			await this.token?.refresh();
			return this.tokenHeaders;
		};

		if (quickBaselineCount > 0 && !this.stopped) {
			this.setPhase('quick-baseline');
			// Every endpoint in turn, so each is measured alone; stopped at the first timeout (the rest would time out too).
			const count = quickBaselineRequests(quickBaselineCount, plan.endpoints.length);
			// Samples go to the listeners at most every half second (and at the end): a TUI frame drawn
			// for each one shares the CPU with the baseline's requests and shows in their latency.
			const held: BaselineSample[] = [];
			let flushedAt = performance.now();
			const flush = (): void => {
				flushedAt = performance.now();
				for (const sample of held.splice(0)) this.emit({type: 'baseline-sample', sample, count});
			};

			const quick = await runBaseline(plan, {
				count,
				stopAtTimeout: true,
				signal: this.abortBaseline.signal,
				extraHeaders: this.tokenHeaders,
				refreshHeaders,
				onSample: sample => {
					held.push(sample);
					if (performance.now() - flushedAt >= sampleFlushMs) flush();
				},
			});
			flush();
			this.quick = {...baselineReport(plan, quick, 'quick'), samplesMs: quick.samples.map(sample => sample.latencyMicros / 1000)};
			this.emit({type: 'baseline-done', kind: 'quick', baseline: this.quick});
		}

		if (extendedBaselineMs && extendedBaselineMs > 0 && !this.stopped) {
			this.setPhase('extended-baseline');
			const extended = await runBaseline(plan, {
				durationMs: extendedBaselineMs,
				graceMs: prepared.settings.graceMs,
				signal: this.abortBaseline.signal,
				extraHeaders: this.tokenHeaders,
				refreshHeaders,
				onProgress: (elapsedS, totals) => {
					const latency = summarize(totals.overall.histogram);
					this.emit({type: 'baseline-progress', elapsedS, totalS: extendedBaselineMs / 1000, requests: totals.overall.requests, p50Ms: latency.p50, p99Ms: latency.p99});
				},
			});
			this.extended = baselineReport(plan, extended, 'extended');
			this.emit({type: 'baseline-done', kind: 'extended', baseline: this.extended});
		}

		let result: RunResult;
		if (this.stopped) {
			result = emptyResult(prepared, this.stopped);
		} else {
			this.setPhase('load');
			const engine = new Engine({
				plan,
				settings: prepared.settings,
				log: this.options.log,
				extraHeaders: this.tokenHeaders,
				sendOffsetMs: prepared.agent?.sendOffsetMs,
				dataShare: prepared.agent ? {index: prepared.agent.index, count: prepared.agent.count} : undefined,
				beforeStart: prepared.startAt ? async () => this.waitForStart() : undefined,
			});
			this.engineValue = engine;
			this.options.metrics?.follow(() => engineFigures(engine));
			this.watchUnauthorized(engine);
			engine.subscribe(event => {
				if (event.type === 'error') {
					this.emit({type: 'error', message: event.message});
				}
			});
			if (this.options.abortOnFail && prepared.thresholds.length > 0) {
				this.watchThresholds(engine);
			}

			this.emit({type: 'load-start', engine});
			result = await engine.start();
			this.logFailureValue = engine.logFailure;
			if (this.late) throw this.late;
		}

		this.setPhase('done');
		return this.report(result);
	}

	/** Throws LateStartError when the run is later than --start-late-max for --start-at. */
	private checkLate(): void {
		const {startAt, agent} = this.options.prepared;
		this.late = startAt ? lateStart(startAt, agent, Date.now()) : undefined;
		if (this.late) throw this.late;
	}

	/**
	 * The engine's workers are ready: wait for --start-at (to the millisecond of the wall clock).
	 * Resolves false, so that nothing is sent, when the run is too late or was stopped meanwhile.
	 */
	private async waitForStart(): Promise<boolean> {
		const {startAt, agent} = this.options.prepared;
		this.late = startAt ? lateStart(startAt, agent, Date.now()) : undefined;
		if (!startAt || this.late || this.stopped) return !this.late && !this.stopped;
		this.setPhase('start-wait');
		await waitUntil(startAt.atMs, this.abortWait.signal);
		this.setPhase('load');
		return !this.stopped;
	}

	/** Empties (or creates) the request log file; a device or /dev/stdout is left as it is, a FIFO gets a reader first. */
	private prepareLog(): void {
		const {log} = this.options;
		if (!log) return;
		try {
			this.releaseLog = prepareAppendFile(log.path);
		} catch (error) {
			throw new Error(`cannot write the request log ${log.path} (${describeWriteError(error)}); the run did not start`);
		}
	}

	/** The report of what has been measured so far (a running load is reported as it stands). */
	currentReport(): JsonReport {
		const result = this.engineValue ? this.engineValue.currentResult() : emptyResult(this.options.prepared, 'running');
		return this.report(result);
	}

	/**
	 * --abort-on-fail: once a second, after a warm-up (5 s, or a fifth of a shorter run), check the
	 * thresholds on the figures so far and stop at the first failure. `requests` thresholds are left
	 * to the end: a count only grows.
	 */
	private watchThresholds(engine: Engine): void {
		const warmUpS = Math.min(5, (this.options.prepared.settings.durationMs ?? 25_000) / 5000);
		const checked = this.options.prepared.thresholds.filter(threshold => threshold.metric !== 'requests');
		engine.subscribe(event => {
			if (event.type !== 'second' || engine.state !== 'running' || engine.activeS < warmUpS) {
				return;
			}

			const failed = checked.find(threshold => !evaluateThreshold(threshold, figuresFor(threshold, engine.totals.overall, engine.totals.endpoints, this.options.prepared, engine.activeS)).passed);
			if (failed) {
				this.emit({type: 'error', message: `threshold failed: ${failed.expression}; stopping (--abort-on-fail)`});
				void engine.stop('threshold');
			}
		});
	}

	private report(result: RunResult): JsonReport {
		const baseline = this.quick ?? this.extended ? {...(this.quick ? {quick: this.quick} : {}), ...(this.extended ? {extended: this.extended} : {})} : undefined;
		const {thresholds} = this.options.prepared;
		const outcomes = thresholds.map(threshold => evaluateThreshold(threshold, figuresFor(threshold, result.totals.overall, result.totals.endpoints, this.options.prepared, result.durationS)));
		const report = buildReport(result, {
			config: this.options.prepared.config,
			hardware: this.options.hardware,
			extra: {...(baseline ? {baseline} : {}), ...(outcomes.length > 0 ? {thresholds: outcomes} : {}), ...(this.token ? {token: {...this.token.stats}} : {})},
			agent: reportAgent(this.options.prepared),
		});
		const against = this.extended ? 'extended' : 'quick';
		const reference = this.extended ?? this.quick;
		if (!reference || reference.requests === reference.errors || report.summary.responses === 0) {
			return report;
		}

		// Each endpoint against its own warm baseline; the overall growth is their mix by weight.
		const answered = (latency: {count: number; p50: number; p99: number}) => (latency.count > 0 ? {p50: latency.p50, p99: latency.p99} : {});
		const speedup = computeSpeedup(
			{rps: report.summary.rps, p50: report.summary.latencyMs.p50, p99: report.summary.latencyMs.p99},
			{rps: reference.rps, p50: reference.latencyMs.p50, p99: reference.latencyMs.p99},
			report.settings.final.threads,
			report.settings.final.connections,
			reference.endpoints ? {
				run: report.endpoints.map(endpoint => ({name: endpoint.name, weight: endpoint.weight, ...(endpoint.responses > 0 ? answered(endpoint.latencyMs) : {})})),
				baseline: reference.endpoints.map(endpoint => ({name: endpoint.name, weight: endpoint.weight, ...answered(endpoint.latencyMs)})),
			} : undefined,
		);
		return {...report, speedup: {against, ...speedup}};
	}

	/** Stops whatever runs now (a baseline or the load) and skips what has not started. */
	async stop(reason: StopReason = 'user'): Promise<void> {
		this.stopped ??= reason;
		this.abortBaseline.abort();
		this.abortWait.abort();
		if (this.engineValue) {
			await this.engineValue.stop(reason);
		}
	}

	/** During a stop: cancel in-flight requests now. */
	cancelNow(): void {
		this.engineValue?.cancelNow();
	}
}

/**
 * A baseline's figures. Its rate is one connection's: with several endpoints at the config's
 * weighted mix, from each endpoint's own time per request (the quick baseline: its warm responses;
 * the extended one: its share of the duration), so the run is compared with the same mix.
 */
function baselineReport(plan: TestPlan, run: BaselineRun, kind: 'quick' | 'extended'): BaselineReport {
	const {totals, warm, durationS} = run;
	const busyMs = (endpoint: Totals): number => (summarize(endpoint.histogram).mean * endpoint.responses) + (endpoint.failureHistogram ? summarize(endpoint.failureHistogram).mean * endpoint.errors : 0);
	const allBusyMs = totals.endpoints.reduce((sum, endpoint) => sum + busyMs(endpoint), 0);
	const secondsEach = (index: number): number | undefined => {
		if (kind === 'quick') {
			const endpoint = warm.endpoints[index]!;
			return endpoint.responses > 0 ? summarize(endpoint.histogram).mean / 1000 : undefined;
		}

		const endpoint = totals.endpoints[index]!;
		return endpoint.requests > 0 && allBusyMs > 0 ? (durationS * (busyMs(endpoint) / allBusyMs)) / endpoint.requests : undefined;
	};

	return {
		requests: totals.overall.requests,
		errors: totals.overall.errors,
		durationS: Math.round(durationS * 1000) / 1000,
		rps: mixRate(plan.endpoints.map((endpoint, index) => ({weight: endpoint.weight, secondsEach: secondsEach(index)}))),
		latencyMs: summarize(totals.overall.histogram),
		endpoints: plan.endpoints.map((endpoint, index) => {
			const figures = warm.endpoints[index]!;
			return {name: endpoint.name, weight: endpoint.weight, requests: figures.requests, errors: figures.errors, latencyMs: summarize(figures.histogram)};
		}),
		...(run.stoppedAtTimeout ? {stoppedAtTimeout: true} : {}),
	};
}

/** The result of a run that never started (stopped during the baselines, or asked for before the load). */
function emptyResult(prepared: PreparedRun, reason: ResultState): RunResult {
	const now = new Date();
	const aggregator = new RunAggregator({endpointCount: prepared.config.plan.endpoints.length, initialSettings: prepared.settings, startedAt: now});
	return aggregator.result({endedAt: now, durationS: 0, stopReason: reason, finalSettings: prepared.settings});
}

/** The report's `agent` section: which agent, of how many, and the agreed start. */
function reportAgent({agent, startAt}: PreparedRun): ReportAgent | undefined {
	return agent ? {index: agent.index, count: agent.count, ...(startAt ? {startAt: new Date(startAt.atMs).toISOString()} : {})} : undefined;
}

/** The figures a threshold is checked against: the whole run, or its endpoint (see `thresholdFigures`). */
function figuresFor(threshold: Threshold, overall: Totals, endpoints: readonly Totals[], prepared: PreparedRun, durationS: number): ThresholdFigures {
	return thresholdFigures(totalsForThreshold(threshold, overall, endpoints, prepared.config.plan.endpoints.map(endpoint => endpoint.name)), durationS);
}
