import type {Hardware} from '../engine/hardware.js';
import {renderProgressLine, renderWarmUpLine} from '../report/text.js';
import type {JsonReport} from '../report/types.js';
import {renderHtmlReport} from '../report/html.js';
import type {RequestLogOptions} from '../engine/request-log.js';
import {runReportPaths, saveReports} from '../session/report-files.js';
import {formatMs, formatRate, formatSeconds, formatSetRate, plural} from '../report/format.js';
import {exitCodes, printEndOfRun, signalExitCode} from '../session/outcome.js';
import {LateStartError, Session} from '../session/session.js';
import {hasFileOutputs, type RunOutputs} from '../session/run-outputs.js';
import type {saveRunFiles} from '../session/output-files.js';
import type {MetricsServer} from '../session/metrics-server.js';
import {parseListenAddress} from '../config/listen.js';
import {renderProgressJson} from '../report/progress-ndjson.js';
import {describeWriteError} from '../report/write.js';
import type {PreparedRun} from '../session/prepare.js';

/** Where headless output goes and how signals reach it (the CLI passes process streams). */
export type HeadlessIo = {
	readonly stdout: (text: string) => void;
	readonly stderr: (text: string) => void;
	/** Registers a handler for Ctrl-C/SIGTERM; returns a function that unregisters it. */
	readonly onSignal: (handler: (signal: 'SIGINT' | 'SIGTERM') => void) => () => void;
};

export type HeadlessOptions = {
	readonly prepared: PreparedRun;
	readonly hardware: Hardware;
	/** JSON report path, or '-' for stdout. */
	readonly jsonPath: string | undefined;
	/** HTML report path. */
	readonly htmlPath: string | undefined;
	/** Write no report files but those named. */
	readonly noReport: boolean;
	readonly log?: RequestLogOptions | undefined;
	readonly quiet: boolean;
	readonly abortOnFail?: boolean | undefined;
	readonly quickBaselineCount: number;
	readonly extendedBaselineMs: number | undefined;
	/** JUnit, CSV, markdown summaries, the metrics endpoint, the progress format (see session/run-outputs.ts). */
	readonly outputs?: RunOutputs | undefined;
};

/** Exit codes, as documented in the readme. */
export {exitCodes} from '../session/outcome.js';

/**
 * Runs a test without the TUI: a progress line per second on stderr, the summary on stdout (or
 * stderr when the JSON report goes to stdout), the JSON report where asked. Ctrl-C/SIGTERM stop and
 * drain; a second one cancels in-flight requests at once. What was measured is always reported.
 */
export async function runHeadless(options: HeadlessOptions, io: HeadlessIo): Promise<number> {
	const {prepared, hardware, outputs} = options;
	// The CI outputs' writers (csv-stringify among them) load only for a run that asks for one.
	const writeRunFiles = hasFileOutputs(outputs) ? (await import('../session/output-files.js')).saveRunFiles : undefined;
	const metrics = await startMetrics(outputs?.metricsListen, io);
	if (metrics === 'failed') return exitCodes.usage;
	const session = new Session({prepared, hardware, quickBaselineCount: options.quickBaselineCount, extendedBaselineMs: options.extendedBaselineMs, log: options.log, abortOnFail: options.abortOnFail, metrics});
	const totalS = prepared.settings.durationMs === undefined ? undefined : prepared.settings.durationMs / 1000;
	// --progress ndjson: stderr carries one JSON object a second instead of the text lines.
	const ndjson = outputs?.progress === 'ndjson';
	const lingering = new AbortController();
	let waitingForScrape = false;
	const progress = (text: string): void => {
		if (!options.quiet && !ndjson) {
			io.stderr(`${text}\n`);
		}
	};

	let signals = 0;
	let firstSignal: 'SIGINT' | 'SIGTERM' | undefined;
	const unregister = io.onSignal(signal => {
		if (waitingForScrape) {
			// The run is over and reported: a signal ends the wait for a last metrics scrape.
			lingering.abort();
			return;
		}

		signals++;
		firstSignal ??= signal;
		if (signals === 1) {
			io.stderr(`\n${signal}: stopping, draining in-flight requests (again to cancel them now)\n`);
			void session.stop('signal');
		} else {
			io.stderr(`${signal}: cancelling in-flight requests\n`);
			session.cancelNow();
		}
	});
	session.subscribe(event => {
		switch (event.type) {
			case 'baseline-sample': {
				const {sample} = event;
				progress(`baseline ${sample.index + 1}/${event.count}: ${sample.endpoint} ${sample.status === 0 ? sample.errorKind : sample.status} in ${formatMs(sample.latencyMicros / 1000)}`);
				break;
			}

			case 'baseline-progress': {
				progress(`extended baseline [${formatSeconds(event.elapsedS)}/${formatSeconds(event.totalS)}] ${event.requests} requests, p50 ${formatMs(event.p50Ms)}, p99 ${formatMs(event.p99Ms)}`);
				break;
			}

			case 'baseline-done': {
				const {baseline} = event;
				const stopped = baseline.stoppedAtTimeout ? ' (stopped at its first timeout: the rest would time out too; going on to the run)' : '';
				progress(`${event.kind} baseline: ${plural(baseline.requests, 'request')}, ${formatRate(baseline.rps)} req/s, ${baseline.latencyMs.count > 0 ? `p50 ${formatMs(baseline.latencyMs.p50)}` : 'no response'}${stopped}`);
				break;
			}

			case 'load-start': {
				const {settings} = prepared;
				const {endpoints} = prepared.config.plan;
				progress(`pystress-tui${prepared.agent ? ` agent ${prepared.agent.index} of ${prepared.agent.count}` : ''}: ${endpoints.length === 1 ? `${endpoints[0]!.method} ${endpoints[0]!.url}` : `${endpoints.length} endpoints`}, ${plural(settings.threads, 'thread')} (${prepared.threadsReason}), ${plural(settings.connections, 'connection')}, ${settings.durationMs === undefined ? plural(settings.maxRequests ?? 0, 'request') : formatSeconds(settings.durationMs / 1000)}${settings.rate === undefined ? '' : `, rate ${formatSetRate(settings.rate)}/s`}${settings.warmUpMs === undefined ? '' : `, after a ${formatSeconds(settings.warmUpMs / 1000)} warm-up (not measured)`}`);
				const {engine} = event;
				let seconds = 0;
				let lastT: number | undefined;
				engine.subscribe(engineEvent => {
					if (engineEvent.type === 'second' && ndjson) {
						// The last point replaces the one before when the timeline did not grow (a final sliver folded into it, as in the report).
						const replaces = engine.timeline.length === seconds ? lastT : undefined;
						seconds = engine.timeline.length;
						lastT = engineEvent.point.t;
						io.stderr(renderProgressJson(engineEvent.point, replaces));
					} else if (engineEvent.type === 'warm-up-second' && !ndjson) {
						// A long warm-up is not silent; its seconds are marked and go in no figure.
						const {second} = engineEvent;
						progress(renderWarmUpLine({elapsedS: engineEvent.elapsedS, totalS: (prepared.settings.warmUpMs ?? 0) / 1000, requests: second.requests, rps: second.rps, p50: second.point.p50, p99: second.point.p99, responses: second.point.responses, errors: second.errors}));
					} else if (engineEvent.type === 'second') {
						const {point} = engineEvent;
						progress(renderProgressLine({
							elapsedS: engine.activeS,
							totalS,
							requests: engine.totals.overall.requests,
							rps: point.rps,
							p50: point.p50,
							p99: point.p99,
							responses: point.responses,
							errors: engine.totals.overall.errors,
							state: engine.state,
						}));
					}
				});
				break;
			}

			case 'error': {
				io.stderr(`error: ${event.message}\n`);
				break;
			}

			case 'phase': {
				const {agent, startAt} = prepared;
				if (event.phase === 'start-wait' && startAt) {
					const who = agent ? `agent ${agent.index} of ${agent.count}` : 'pystress-tui';
					progress(`${who}: workers ready, starting at ${new Date(startAt.atMs).toISOString()} (in ${formatSeconds(Math.max(0, startAt.atMs - Date.now()) / 1000)})`);
				}

				break;
			}
		}
	});

	try {
		let report: JsonReport;
		try {
			report = await session.run();
		} catch (error) {
			if (!(error instanceof LateStartError)) throw error;
			// Too late for --start-at: nothing was sent and no report is written (merge sees the agent missing).
			io.stderr(`pystress-tui: ${error.message}\n`);
			return exitCodes.late;
		}

		const code = finishReport(report, options, io, session.logFailure, writeRunFiles);
		waitingForScrape = true;
		if (metrics) await (await import('../session/metrics-server.js')).finishMetrics(metrics, line => io.stderr(`${line}\n`), lingering.signal);
		// A run a signal stopped (a CI timeout, a Ctrl-C) must not look green: 128 + the signal number.
		return firstSignal === undefined ? code : signalExitCode(firstSignal);
	} finally {
		unregister();
		await metrics?.close();
	}
}

/** Writes the reports where the flags say, prints the end of the run, and picks the exit code. */
export function finishReport(report: JsonReport, options: Pick<HeadlessOptions, 'jsonPath' | 'htmlPath' | 'noReport' | 'log' | 'outputs'>, io: HeadlessIo, logFailure?: string, writeRunFiles?: typeof saveRunFiles): number {
	const paths = runReportPaths(options, new Date(report.startedAt)).final;
	const saved = writeRunFiles ? writeRunFiles(report, paths, renderHtmlReport, options.outputs) : saveReports(report, paths, renderHtmlReport);
	return printEndOfRun(report, saved, {jsonPath: options.jsonPath, logPath: options.log?.path, logFailure}, io);
}

/** `--metrics-listen`: the endpoint, listening (its URL on stderr), before anything is sent; 'failed' (said on stderr) when it cannot listen. */
async function startMetrics(listen: string | undefined, io: HeadlessIo): Promise<MetricsServer | 'failed' | undefined> {
	const address = listen === undefined ? undefined : parseListenAddress(listen);
	if (address === undefined) return undefined;
	const {MetricsServer: Server} = await import('../session/metrics-server.js');
	const server = new Server(address);
	try {
		io.stderr(`metrics: ${await server.listen()}\n`);
		return server;
	} catch (error) {
		io.stderr(`pystress-tui: --metrics-listen: cannot listen on ${listen} (${describeWriteError(error)}); pick a free port, or 0 for any\n`);
		return 'failed';
	}
}
