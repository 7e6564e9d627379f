import {runQuickBaseline, type BaselineSample} from '../engine/baseline.js';
import {Engine, type RunResult, type StopReason} from '../engine/engine.js';
import type {Hardware} from '../engine/hardware.js';
import {Listeners} from '../engine/listeners.js';
import type {RequestLogOptions} from '../engine/request-log.js';
import type {BaselineReport, JsonReport} from '../report/types.js';
import {createRunTotals, passRate, thresholdLatency, type Totals} from '../stats/aggregate.js';
import {evaluateThreshold, type Threshold, type ThresholdFigures} from '../stats/thresholds.js';
import {summarize} from '../stats/histogram.js';
import {computeSpeedup} from '../stats/speedup.js';
import {describeWriteError, prepareAppendFile} from '../report/write.js';
import {buildReport} from './build-report.js';
import {demoTargetFor} from './demo-target.js';
import {ensureFdLimit} from './fd-limit.js';
import {TokenManager} from './token.js';
import type {PreparedRun} from './prepare.js';

export type SessionPhase = 'token' | 'quick-baseline' | 'extended-baseline' | 'load' | 'done';

export {TokenError} from './token.js';

export type SessionEvent =
	| {readonly type: 'phase'; readonly phase: SessionPhase}
	/** One request of the quick baseline finished. */
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
	/** Requests in the quick baseline (PyStress: 5); 0 skips it. */
	readonly quickBaselineCount: number;
	/** Extended baseline length (ms); 0 or undefined skips it. */
	readonly extendedBaselineMs: number | undefined;
	/** NDJSON request log of the parallel run. */
	readonly log?: RequestLogOptions | undefined;
	/** Stop the run as soon as a threshold fails (checked once a second after a warm-up). */
	readonly abortOnFail?: boolean | undefined;
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
	private baselineEngine: Engine | undefined;
	private stopped: StopReason | undefined;
	private quick: BaselineReport | undefined;
	private extended: BaselineReport | undefined;
	private token: TokenManager | undefined;
	private readonly abortBaseline = new AbortController();
	private logFailureValue: string | undefined;
	/** Closes the write end of a FIFO request log held open during the run. */
	private releaseLog: (() => void) | undefined;

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
			this.baselineEngine?.setExtraHeaders(headers);
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
		const {prepared, quickBaselineCount, extendedBaselineMs} = this.options;
		const {plan} = prepared.config;
		// Before anything is sent: room for the connections (FdLimitError), and the request log.
		ensureFdLimit(prepared.settings);
		this.prepareLog();
		await this.acquireToken();
		if (quickBaselineCount > 0 && !this.stopped) {
			this.setPhase('quick-baseline');
			const quick = await runQuickBaseline(plan, {
				count: quickBaselineCount,
				signal: this.abortBaseline.signal,
				extraHeaders: this.tokenHeaders,
				refreshHeaders: async () => {
					await this.token?.refresh();
					return this.tokenHeaders;
				},
				onSample: sample => {
					this.emit({type: 'baseline-sample', sample, count: quickBaselineCount});
				},
			});
			// The first request also opens the connection: the rate counts the warm ones (PyStress's quick
			// baseline "may include cold-start overhead"; its latencies still show every request).
			const warm = quick.samples.slice(1);
			const warmS = warm.reduce((sum, sample) => sum + sample.latencyMicros, 0) / 1e6;
			const figures = baselineReport(quick.totals.overall, quick.durationS);
			this.quick = {
				...figures,
				rps: warm.length > 0 && warmS > 0 ? Math.round((warm.length / warmS) * 1000) / 1000 : figures.rps,
				samplesMs: quick.samples.map(sample => sample.latencyMicros / 1000),
			};
			this.emit({type: 'baseline-done', kind: 'quick', baseline: this.quick});
		}

		if (extendedBaselineMs && extendedBaselineMs > 0 && !this.stopped) {
			this.setPhase('extended-baseline');
			const engine = new Engine({
				plan,
				settings: {threads: 1, connections: 1, durationMs: extendedBaselineMs, maxRequests: undefined, rate: undefined, graceMs: prepared.settings.graceMs},
				extraHeaders: this.tokenHeaders,
			});
			this.baselineEngine = engine;
			this.watchUnauthorized(engine);
			engine.subscribe(event => {
				if (event.type === 'second') {
					const latency = summarize(engine.totals.overall.histogram);
					this.emit({type: 'baseline-progress', elapsedS: engine.activeS, totalS: extendedBaselineMs / 1000, requests: engine.totals.overall.requests, p50Ms: latency.p50, p99Ms: latency.p99});
				}
			});
			const result = await engine.start();
			this.baselineEngine = undefined;
			this.extended = baselineReport(result.totals.overall, result.durationS);
			this.emit({type: 'baseline-done', kind: 'extended', baseline: this.extended});
		}

		let result: RunResult;
		if (this.stopped) {
			result = emptyResult(prepared, this.stopped);
		} else {
			this.setPhase('load');
			const engine = new Engine({plan, settings: prepared.settings, log: this.options.log, extraHeaders: this.tokenHeaders});
			this.engineValue = engine;
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
		}

		this.setPhase('done');
		return this.report(result);
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
		});
		const against = this.extended ? 'extended' : 'quick';
		const reference = this.extended ?? this.quick;
		if (!reference || reference.requests === reference.errors || report.summary.responses === 0) {
			return report;
		}

		const speedup = computeSpeedup(
			{rps: report.summary.rps, p50: report.summary.latencyMs.p50, p99: report.summary.latencyMs.p99},
			{rps: reference.rps, p50: reference.latencyMs.p50, p99: reference.latencyMs.p99},
			report.settings.final.threads,
			report.settings.final.connections,
		);
		return {...report, speedup: {against, ...speedup}};
	}

	/** Stops whatever runs now (a baseline or the load) and skips what has not started. */
	async stop(reason: StopReason = 'user'): Promise<void> {
		this.stopped ??= reason;
		this.abortBaseline.abort();
		if (this.baselineEngine) {
			await this.baselineEngine.stop(reason);
		}

		if (this.engineValue) {
			await this.engineValue.stop(reason);
		}
	}

	/** During a stop: cancel in-flight requests now. */
	cancelNow(): void {
		this.baselineEngine?.cancelNow();
		this.engineValue?.cancelNow();
	}
}

function baselineReport(totals: Totals, durationS: number): BaselineReport {
	return {
		requests: totals.requests,
		errors: totals.errors,
		durationS: Math.round(durationS * 1000) / 1000,
		rps: durationS > 0 ? Math.round((totals.requests / durationS) * 1000) / 1000 : 0,
		latencyMs: summarize(totals.histogram),
	};
}

function emptyResult(prepared: PreparedRun, reason: RunResult['stopReason']): RunResult {
	const now = new Date();
	return {
		startedAt: now,
		endedAt: now,
		durationS: 0,
		totals: createRunTotals(prepared.config.plan.endpoints.length),
		timeline: [],
		markers: [],
		stopReason: reason,
		cancelled: 0,
		initialSettings: prepared.settings,
		finalSettings: prepared.settings,
		peakWorkerUtilization: 0,
	};
}

/**
 * The figures a threshold is checked against: the whole run, or its endpoint. In the open model
 * latency thresholds use the corrected latency (from the intended send time): what users wait.
 */
function figuresFor(threshold: Threshold, overall: Totals, endpoints: readonly Totals[], prepared: PreparedRun, durationS: number): ThresholdFigures {
	const index = threshold.endpoint === undefined ? -1 : prepared.config.plan.endpoints.findIndex(endpoint => endpoint.name === threshold.endpoint);
	const totals = index >= 0 ? endpoints[index] ?? overall : overall;
	return {
		requests: totals.requests,
		errors: totals.errors,
		incomplete: totals.incomplete,
		rps: durationS > 0 ? totals.requests / durationS : 0,
		passRate: passRate(totals),
		latencyMs: thresholdLatency(totals),
	};
}
