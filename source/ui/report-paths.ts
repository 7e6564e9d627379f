import type {JsonReport} from '../report/types.js';
import {defaultReportBase, type ReportPaths, type SavedReports} from '../session/report-files.js';

export type ReportOptions = {
	/** JSON report path ('-': written to stdout after the UI closes), or undefined for the default. */
	readonly jsonPath: string | undefined;
	readonly htmlPath: string | undefined;
	/** No report at the end but those named by jsonPath/htmlPath. */
	readonly noReport: boolean;
};

/**
 * Where a run's reports go (the same rule as headless mode): the --json/--output paths, else
 * reports/pystress-<start time>.{json,html} unless --no-report. `save` is where `s` writes: the
 * final paths, and the default path for a format the final report skips.
 */
export function runReportPaths(options: ReportOptions, now: Date): {final: ReportPaths; save: ReportPaths} {
	const base = defaultReportBase(now);
	const {jsonPath, htmlPath, noReport} = options;
	const final: ReportPaths = {
		json: jsonPath === '-' ? undefined : (jsonPath ?? (noReport ? undefined : `${base}.json`)),
		html: htmlPath ?? (noReport || jsonPath === '-' ? undefined : `${base}.html`),
	};
	return {final, save: {json: final.json ?? `${base}.json`, html: final.html ?? `${base}.html`}};
}

/** As headless mode: 99 when a threshold failed, 1 when nothing answered or a report could not be written where asked, else 0. */
export function runExitCode(report: JsonReport | undefined, saved: SavedReports | undefined): number {
	if (report?.thresholds?.some(threshold => !threshold.passed)) return 99;
	if (report && report.summary.requests > 0 && report.summary.responses === 0) return 1;
	return saved && saved.errors.length > 0 ? 1 : 0;
}
