import type {ProfileStore} from '../config/profiles.js';
import type {RunSettings} from '../config/types.js';
import type {Engine, StopReason} from '../engine/engine.js';
import type {Hardware} from '../engine/hardware.js';
import type {RequestLogOptions} from '../engine/request-log.js';
import {formatRate} from '../report/format.js';
import type {JsonReport} from '../report/types.js';
import {runExitCode} from '../session/outcome.js';
import {runReportPaths, saveReports, type HtmlRenderer, type ReportOptions, type ReportPaths, type SavedReports} from '../session/report-files.js';
import {Session, type SessionEvent, type SessionOptions} from '../session/session.js';
import {saveRunFiles} from '../session/output-files.js';
import {MetricsServer} from '../session/metrics-server.js';
import {hasFileOutputs, runOutputs, type RunOutputs} from '../session/run-outputs.js';
import {parseListenAddress} from '../config/listen.js';
import type {OutputSettings} from '../config/types.js';
import {profileSettings, recentRun} from './config-candidates.js';
import type {AppAction} from './state/app-state.js';
import type {Candidate} from './state/candidate.js';
import {nextConnections, nextRate, nextThreads, type Direction} from './state/live-controls.js';
import {sessionAction} from './state/session-actions.js';

export type ControllerOptions = ReportOptions & {
	readonly hardware: Hardware;
	readonly quickBaselineCount: number;
	readonly store: ProfileStore;
	readonly renderHtml: HtmlRenderer | undefined;
	readonly now?: () => Date;
	readonly createSession?: (options: SessionOptions) => Session;
	/** NDJSON request log of the parallel run (--log). */
	readonly log?: RequestLogOptions | undefined;
	/** Stop as soon as a threshold fails (--abort-on-fail). */
	readonly abortOnFail?: boolean | undefined;
	/** The output flags (--junit, --csv, ...); each run's config keys apply under them. */
	readonly outputFlags?: OutputSettings | undefined;
	/** For GITHUB_STEP_SUMMARY. */
	readonly env?: Readonly<Record<string, string | undefined>> | undefined;
};

export type RunRequest = {
	readonly candidate: Candidate;
	readonly settings: RunSettings;
	readonly extendedBaselineMs: number | undefined;
};

/**
 * Drives one Session at a time for the UI: starts runs, forwards session events as app actions,
 * applies live controls to the engine, saves reports, and turns q/Ctrl-C/signals into one exit path
 * (stop -> drain -> summary -> reports -> exit code). Holds no React state.
 */
export class RunController {
	dispatch: (action: AppAction) => void = () => {};
	private readonly options: ControllerOptions;
	private session: Session | undefined;
	private engineValue: Engine | undefined;
	private running = false;
	private interrupts = 0;
	private quitAfterRun = false;
	private paths: {final: ReportPaths; save: ReportPaths} | undefined;
	private lastReportValue: JsonReport | undefined;
	private logFailureValue: string | undefined;
	private lastSavedValue: SavedReports | undefined;
	private startSettings: RunSettings | undefined;
	private outputs: RunOutputs | undefined;
	private metrics: MetricsServer | undefined;

	constructor(options: ControllerOptions) {
		this.options = options;
	}

	get engine(): Engine | undefined {
		return this.engineValue;
	}

	get isRunning(): boolean {
		return this.running;
	}

	/** Settings the current (or last) run started with. */
	get runSettings(): RunSettings | undefined {
		return this.startSettings;
	}

	get lastReport(): JsonReport | undefined {
		return this.lastReportValue;
	}

	/** The request log stopped being writable during the last run (its one-line reason). */
	get logFailure(): string | undefined {
		return this.logFailureValue;
	}

	get lastSaved(): SavedReports | undefined {
		return this.lastSavedValue;
	}

	get exitCode(): number {
		// A request log that failed counts as a report not written, as in headless mode.
		return runExitCode(this.lastReportValue, this.lastSavedValue, this.logFailureValue);
	}

	private now(): Date {
		return this.options.now?.() ?? new Date();
	}

	private message(text: string, level: 'info' | 'warn' | 'error' = 'info'): void {
		this.dispatch({type: 'message', text, level});
	}

	start(request: RunRequest): void {
		const {choice} = request.candidate;
		if (this.running || !choice.ok) return;
		const outputs = runOutputs(this.options.outputFlags ?? {}, choice.prepared.config.settings.outputs, this.options.env ?? {});
		this.outputs = outputs;
		if (outputs.progress === 'ndjson') this.message('--progress ndjson is for headless runs (--headless); the dashboard shows the progress here', 'warn');
		const sessionOptions: SessionOptions = {
			prepared: {...choice.prepared, settings: request.settings},
			hardware: this.options.hardware,
			quickBaselineCount: this.options.quickBaselineCount,
			extendedBaselineMs: request.extendedBaselineMs,
			log: this.options.log,
			abortOnFail: this.options.abortOnFail,
			metrics: this.metricsFor(outputs.metricsListen),
		};
		const session = this.options.createSession?.(sessionOptions) ?? new Session(sessionOptions);
		this.session = session;
		this.startSettings = request.settings;
		this.engineValue = undefined;
		this.running = true;
		this.interrupts = 0;
		this.quitAfterRun = false;
		this.lastReportValue = undefined;
		this.lastSavedValue = undefined;
		this.logFailureValue = undefined;
		const now = this.now();
		this.paths = runReportPaths(this.options, now);
		const recent = recentRun(request.candidate, request.settings, request.extendedBaselineMs, now);
		if (recent) this.options.store.addRecent(recent);
		session.subscribe(event => {
			this.onSessionEvent(event);
		});
		this.dispatch({type: 'run-started', quickCount: this.options.quickBaselineCount, extendedMs: request.extendedBaselineMs});
		session.run().then(
			report => {
				this.finish(report);
			},
			(error: unknown) => {
				this.fail(error);
			},
		);
	}

	private onSessionEvent(event: SessionEvent): void {
		if (event.type === 'load-start') this.engineValue = event.engine;
		this.dispatch(sessionAction(event));
	}

	private finish(report: JsonReport): void {
		this.running = false;
		this.lastReportValue = report;
		this.logFailureValue = this.session?.logFailure;
		const saved = this.writeFinal(report);
		this.lastSavedValue = saved;
		if (this.quitAfterRun) {
			this.dispatch({type: 'exit', code: this.exitCode});
			return;
		}

		this.dispatch({type: 'run-done', summary: {report, saved}});
	}

	/** The final reports and CI outputs, where asked; undefined when none is asked (--no-report). */
	private writeFinal(report: JsonReport): SavedReports | undefined {
		const paths = this.paths?.final;
		const {outputs} = this;
		const ciOutputs = hasFileOutputs(outputs);
		if (!paths || (paths.json === undefined && paths.html === undefined && !ciOutputs)) return undefined;
		return saveRunFiles(report, paths, this.options.renderHtml, outputs);
	}

	/**
	 * The metrics endpoint for a run's --metrics-listen (or metrics_listen): one for the process,
	 * started by the first run that asks (its URL or its failure a message), kept for the next runs.
	 */
	private metricsFor(listen: string | undefined): MetricsServer | undefined {
		const address = listen === undefined ? undefined : parseListenAddress(listen);
		if (address === undefined) return undefined;
		if (this.metrics) {
			if (this.metrics.address.host !== address.host || (address.port !== 0 && this.metrics.address.port !== address.port)) {
				this.message(`metrics stay at ${this.metrics.url ?? listen}: the endpoint is started once per process`, 'warn');
			}

			return this.metrics;
		}

		const server = new MetricsServer(address);
		this.metrics = server;
		server.listen().then(
			url => {
				this.message(`metrics: ${url}`);
			},
			(error: unknown) => {
				this.metrics = undefined;
				this.message(`--metrics-listen: cannot listen on ${listen} (${(error as Error).message}); pick a free port, or 0 for any`, 'error');
			},
		);
		return server;
	}

	/** The UI closed: stop serving metrics. */
	async closeMetrics(): Promise<void> {
		await this.metrics?.close();
		this.metrics = undefined;
	}

	private fail(error: unknown): void {
		this.running = false;
		this.message(`the run failed: ${(error as Error).message}`, 'error');
		if (this.quitAfterRun) {
			this.dispatch({type: 'exit', code: 1});
			return;
		}

		this.dispatch({type: 'run-again'});
	}

	/** q: stop, drain, then the summary. False when nothing runs. */
	stop(reason: StopReason = 'user'): boolean {
		if (!this.running || !this.session) return false;
		if (this.interrupts === 0) {
			this.interrupts = 1;
			this.dispatch({type: 'stopping'});
			this.message('stopping: draining in-flight requests (Ctrl-C again to quit at once)', 'warn');
			void this.session.stop(reason);
		}

		return true;
	}

	/** Ctrl-C (or SIGINT): the first stops like q; the second cancels in-flight requests and quits once what was measured is written. */
	interrupt(): boolean {
		if (!this.running || !this.session) return false;
		if (this.interrupts === 0) return this.stop('user');
		this.interrupts++;
		this.quitAfterRun = true;
		this.session.cancelNow();
		if (!this.engineValue) {
			// Still in a baseline, which cannot be cancelled: quit now with what there is.
			this.running = false;
			this.lastReportValue = this.session.currentReport();
			this.lastSavedValue = this.writeFinal(this.lastReportValue);
			this.dispatch({type: 'exit', code: this.exitCode});
		}

		return true;
	}

	/** SIGTERM/SIGHUP: stop and drain, write the reports, exit without the summary screen. */
	terminate(): boolean {
		if (!this.running) return false;
		this.quitAfterRun = true;
		this.stop('signal');
		return true;
	}

	/** The UI is closing: stop whatever still runs and cancel its in-flight requests (does not wait). */
	shutdown(): void {
		if (!this.running || !this.session) return;
		this.quitAfterRun = true;
		void this.session.stop('user');
		this.session.cancelNow();
	}

	togglePause(): void {
		const engine = this.engineValue;
		if (!engine) return;
		if (engine.state === 'running') {
			engine.pause();
		} else if (engine.state === 'paused') {
			engine.resume();
		}
	}

	changeThreads(direction: Direction): void {
		const engine = this.liveEngine();
		if (!engine) return;
		const threads = nextThreads(engine.currentSettings.threads, direction);
		engine.setThreads(threads);
		if (threads > this.options.hardware.availableParallelism) {
			this.message(`threads ${threads}: more than the ${this.options.hardware.availableParallelism} CPUs available, they will compete`, 'warn');
		}
	}

	changeConnections(direction: Direction): void {
		const engine = this.liveEngine();
		if (!engine) return;
		engine.setConnections(nextConnections(engine.currentSettings.connections, direction));
	}

	changeRate(direction: Direction): void {
		const engine = this.liveEngine();
		if (!engine) return;
		const rate = nextRate(engine.currentSettings.rate, direction);
		if (rate === undefined) {
			this.message('no rate set (closed model): start with --rate N or set Rate in the settings to use > and <', 'warn');
			return;
		}

		engine.setRate(rate);
		this.message(`rate ${formatRate(rate)}/s`);
	}

	private liveEngine(): Engine | undefined {
		const engine = this.engineValue;
		return engine && (engine.state === 'running' || engine.state === 'paused') ? engine : undefined;
	}

	/** s: the report of the run so far (or the final one), as JSON and HTML. */
	save(): SavedReports | undefined {
		const report = this.running ? this.session?.currentReport() : this.lastReportValue;
		if (!report) {
			this.message('nothing to save yet', 'warn');
			return undefined;
		}

		const paths = (this.paths ?? runReportPaths(this.options, this.now())).save;
		const saved = saveReports(report, paths, this.options.renderHtml);
		for (const error of saved.errors) this.message(error, 'error');
		if (saved.written.length > 0) this.message(`saved ${saved.written.join(', ')}${this.running ? ' (the run so far)' : ''}`);
		if (!this.running) this.dispatch({type: 'summary-saved', saved});
		return saved;
	}

	/** P: saves the config (with ${VAR} references, never secrets) and the current settings as a profile. */
	saveProfile(name: string, candidate: Candidate | undefined, settings: RunSettings | undefined, extendedBaselineMs: number | undefined): void {
		const choice = candidate?.choice;
		if (!choice?.ok) {
			this.message('choose a config first', 'warn');
			return;
		}

		const current = this.liveEngine()?.currentSettings ?? settings ?? choice.prepared.settings;
		const result = this.options.store.saveProfile(name, {config: choice.prepared.config.raw, settings: profileSettings(current, extendedBaselineMs), source: choice.path ?? choice.prepared.config.source});
		if (result.ok) {
			this.message(`saved profile "${name}" (run it with --profile ${name})`);
		} else {
			this.message(result.message, 'error');
		}
	}
}
