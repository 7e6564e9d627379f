import os from 'node:os';
import path from 'node:path';
import {renderJsonReport} from '../report/json.js';
import type {JsonReport} from '../report/types.js';
import {writeFileAtomic} from '../report/write.js';

/** Where reports go; undefined skips that format. */
export type ReportPaths = {
	readonly json: string | undefined;
	readonly html: string | undefined;
};

export type SavedReports = {
	/** Paths written. */
	readonly written: readonly string[];
	/** One line per failure, naming the path, the reason and any fallback written instead. */
	readonly errors: readonly string[];
};

/** `reports/pystress-2026-11-22T10-04-05` (no extension), relative to `directory`. */
export function defaultReportBase(now: Date, directory = 'reports'): string {
	const stamp = now.toISOString().replace(/\.\d+Z$/, '').replaceAll(':', '-');
	return path.join(directory, `pystress-${stamp}`);
}

/** Renders HTML; injected so this module works before/without the HTML writer. */
export type HtmlRenderer = (report: JsonReport) => string;

/**
 * Writes the reports atomically. A failed write is reported, never thrown; a JSON report that
 * cannot go where asked goes to a fallback file in the temp directory, named in the error.
 */
export function saveReports(report: JsonReport, paths: ReportPaths, renderHtml?: HtmlRenderer): SavedReports {
	const written: string[] = [];
	const errors: string[] = [];
	const json = renderJsonReport(report);
	if (paths.json !== undefined) {
		try {
			writeFileAtomic(paths.json, json);
			written.push(paths.json);
		} catch (error) {
			const fallback = path.join(os.tmpdir(), `${path.basename(defaultReportBase(new Date(report.endedAt)))}.json`);
			try {
				writeFileAtomic(fallback, json);
				errors.push(`cannot write ${paths.json} (${reason(error)}); the JSON report was written to ${fallback} instead`);
				written.push(fallback);
			} catch (fallbackError) {
				errors.push(`cannot write ${paths.json} (${reason(error)}) nor the fallback ${fallback} (${reason(fallbackError)})`);
			}
		}
	}

	if (paths.html !== undefined && renderHtml) {
		try {
			writeFileAtomic(paths.html, renderHtml(report));
			written.push(paths.html);
		} catch (error) {
			errors.push(`cannot write ${paths.html} (${reason(error)})`);
		}
	}

	return {written, errors};
}

function reason(error: unknown): string {
	const {code, message} = error as NodeJS.ErrnoException;
	return code ?? message;
}
