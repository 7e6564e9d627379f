import {Engine, type RunResult} from '../engine/engine.js';
import type {Hardware} from '../engine/hardware.js';
import {renderJsonReport} from '../report/json.js';
import {renderProgressLine, renderTextSummary} from '../report/text.js';
import type {JsonReport} from '../report/types.js';
import {writeFileAtomic} from '../report/write.js';
import {buildReport} from '../session/build-report.js';
import type {PreparedRun} from '../session/prepare.js';

/** Where headless output goes and how signals reach it (the CLI passes process streams). */
export type HeadlessIo = {
	readonly stdout: (text: string) => void;
	readonly stderr: (text: string) => void;
	/** Registers a handler for Ctrl-C/SIGTERM; returns a function that unregisters it. */
	readonly onSignal: (handler: (signal: string) => void) => () => void;
};

export type HeadlessOptions = {
	readonly prepared: PreparedRun;
	readonly hardware: Hardware;
	/** JSON report path, '-' for stdout, or undefined for none. */
	readonly jsonPath: string | undefined;
	readonly quiet: boolean;
};

/** Exit codes, as documented in the readme. */
export const exitCodes = {ok: 0, runtime: 1, usage: 2, threshold: 99} as const;

/**
 * Runs a test without the TUI: a progress line per second on stderr, the summary on stdout (or
 * stderr when the JSON report goes to stdout), the JSON report where asked. Ctrl-C/SIGTERM stop and
 * drain; a second one cancels in-flight requests at once. What was measured is always reported.
 */
export async function runHeadless(options: HeadlessOptions, io: HeadlessIo): Promise<number> {
	const {prepared, hardware} = options;
	const engine = new Engine({plan: prepared.config.plan, settings: prepared.settings});
	const totalS = prepared.settings.durationMs === undefined ? undefined : prepared.settings.durationMs / 1000;
	let signals = 0;
	const unregister = io.onSignal(signal => {
		signals++;
		if (signals === 1) {
			io.stderr(`\n${signal}: stopping, draining in-flight requests (again to cancel them now)\n`);
			void engine.stop('signal');
		} else {
			io.stderr(`${signal}: cancelling in-flight requests\n`);
			engine.cancelNow();
		}
	});
	engine.subscribe(event => {
		if (event.type === 'second' && !options.quiet) {
			const {point} = event;
			io.stderr(`${renderProgressLine({
				elapsedS: point.t,
				totalS,
				requests: engine.totals.overall.requests,
				rps: point.rps,
				p50: point.p50,
				p99: point.p99,
				errors: engine.totals.overall.errors,
				state: engine.state,
			})}\n`);
		} else if (event.type === 'error') {
			io.stderr(`error: ${event.message}\n`);
		}
	});

	if (!options.quiet) {
		const {settings} = prepared;
		io.stderr(`pystress-tui: ${prepared.config.plan.endpoints.length === 1 ? `${prepared.config.plan.endpoints[0]!.method} ${prepared.config.plan.endpoints[0]!.url}` : `${prepared.config.plan.endpoints.length} endpoints`}, ${settings.threads} threads (${prepared.threadsReason}), ${settings.connections} connections, ${settings.durationMs === undefined ? `${settings.maxRequests} requests` : `${settings.durationMs / 1000}s`}\n`);
	}

	let result: RunResult;
	try {
		result = await engine.start();
	} finally {
		unregister();
	}

	const report = buildReport(result, {config: prepared.config, hardware});
	return finishReport(report, options, io);
}

/** Prints the summary, writes the JSON report, and picks the exit code. */
export function finishReport(report: JsonReport, options: Pick<HeadlessOptions, 'jsonPath'>, io: HeadlessIo): number {
	let code: number = exitCodes.ok;
	const summaryOut = options.jsonPath === '-' ? io.stderr : io.stdout;
	summaryOut(renderTextSummary(report));
	if (options.jsonPath === '-') {
		io.stdout(renderJsonReport(report));
	} else if (options.jsonPath !== undefined) {
		try {
			writeFileAtomic(options.jsonPath, renderJsonReport(report));
			io.stderr(`JSON report: ${options.jsonPath}\n`);
		} catch (error) {
			io.stderr(`error: cannot write the JSON report to ${options.jsonPath}: ${(error as Error).message}\n`);
			code = exitCodes.runtime;
		}
	}

	if (report.summary.requests > 0 && report.summary.responses === 0) {
		const kinds = Object.keys(report.summary.errorKinds).join(', ');
		io.stderr(`error: no request got a response (${kinds}); check that the target is up and reachable\n`);
		code = exitCodes.runtime;
	}

	return code;
}

