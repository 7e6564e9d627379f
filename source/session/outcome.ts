import {renderJsonReport} from '../report/json.js';
import {renderTextSummary} from '../report/text.js';
import type {JsonReport} from '../report/types.js';
import type {SavedReports} from './report-files.js';

/** Exit codes of a run, for both front ends (see the readme's table). */
export const exitCodes = {ok: 0, runtime: 1, usage: 2, late: 3, threshold: 99, sigint: 130, sigterm: 143} as const;

/**
 * What went wrong with a finished run, one line each (empty when nothing did): no response at all
 * (whatever the request count: a dead or hung target never passes), reports that could not be
 * written where asked, failed thresholds.
 */
export function runProblems(report: JsonReport, saved: SavedReports | undefined): string[] {
	const problems: string[] = [];
	const {summary} = report;
	if (summary.responses === 0) {
		const kinds = Object.entries(summary.errorKinds).map(([kind, count]) => `${count} ${kind}`);
		if (summary.incomplete > 0) kinds.push(`${summary.incomplete} incomplete: still in flight when the run ended`);
		problems.push(summary.requests + summary.incomplete === 0
			? 'no request was sent, so nothing was measured'
			: `no request got a response (${kinds.join(', ')}); check that the target is up, reachable and answering`);
	}

	for (const error of saved?.errors ?? []) {
		problems.push(error);
	}

	const failed = (report.thresholds ?? []).filter(threshold => !threshold.passed);
	// An agent's thresholds are judged on the merged figures (by merge), not on its share.
	if (failed.length > 0 && report.agent === undefined) {
		problems.push(`thresholds failed: ${failed.map(threshold => `${threshold.expression} (actual ${threshold.actual === null ? 'no data' : threshold.actual}${threshold.actual === null || threshold.unit === 'count' || threshold.unit === undefined ? '' : (threshold.unit === '%' ? '%' : ` ${threshold.unit}`)})`).join(', ')}`);
	}

	return problems;
}

/**
 * The exit code of a finished run: 1 when no request got a response (this wins: such a run
 * measured nothing) or a report or the request log could not be written where asked, 99 when a
 * threshold failed (never for an agent of a distributed run: `merge` judges the thresholds on the
 * merged figures), else 0. (3, a run too late for --start-at, ends before any report.)
 */
export function runExitCode(report: JsonReport | undefined, saved: SavedReports | undefined, logFailure?: string): number {
	const unwritten = (saved?.errors.length ?? 0) > 0 || logFailure !== undefined;
	if (report === undefined) return unwritten ? exitCodes.runtime : exitCodes.ok;
	if (report.summary.responses === 0) return exitCodes.runtime;
	if (unwritten) return exitCodes.runtime;
	if (report.agent === undefined && report.thresholds?.some(threshold => !threshold.passed)) return exitCodes.threshold;
	return exitCodes.ok;
}

/** The exit code of a headless run that a signal stopped (its report is still written): 130 or 143. */
export function signalExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
	return signal === 'SIGINT' ? exitCodes.sigint : exitCodes.sigterm;
}

/** Where the end of a run goes, and what it wrote. */
export type EndOfRun = {
	/** '-' when the JSON report goes to stdout (the summary then goes to stderr). */
	readonly jsonPath: string | undefined;
	readonly logPath?: string | undefined;
	/** The request log stopped being writable (already said when it happened). */
	readonly logFailure?: string | undefined;
};

/**
 * The end of every run, in both front ends (the TUI prints it on the normal screen once it
 * closes): the text summary, the JSON report when it goes to stdout, where the reports and the log
 * went, then each problem on a line of its own. Returns the exit code.
 */
export function printEndOfRun(report: JsonReport, saved: SavedReports | undefined, options: EndOfRun, io: {stdout(text: string): void; stderr(text: string): void}): number {
	(options.jsonPath === '-' ? io.stderr : io.stdout)(renderTextSummary(report));
	if (options.jsonPath === '-') {
		io.stdout(renderJsonReport(report));
	}

	for (const file of saved?.written ?? []) {
		io.stderr(`${saved?.labels?.[file] ?? (file.endsWith('.html') ? 'HTML report' : 'JSON report')}: ${file}\n`);
	}

	if (options.logPath !== undefined && options.logFailure === undefined) {
		io.stderr(`request log: ${options.logPath}\n`);
	}

	if (report.agent !== undefined && (report.thresholds?.length ?? 0) > 0) {
		io.stderr(`thresholds: agent ${report.agent.index} of ${report.agent.count} measured its share only; pystress-tui merge judges them on the merged figures\n`);
	}

	for (const problem of runProblems(report, saved)) {
		io.stderr(problem.startsWith('thresholds failed') ? `${problem}\n` : `error: ${problem}\n`);
	}

	return runExitCode(report, saved, options.logFailure);
}
