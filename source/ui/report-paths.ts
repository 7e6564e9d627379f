import {defaultReportBase, type ReportPaths} from '../session/report-files.js';

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

export {runExitCode} from '../session/outcome.js';
