import {fstatSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {renderJsonReport} from '../report/json.js';
import type {JsonReport} from '../report/types.js';
import {describeWriteError, isStreamTarget, writeFileAtomic} from '../report/write.js';

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
	/** What each written path is, when not the JSON or HTML report ("JUnit report", "CSV stats"...). */
	readonly labels?: Readonly<Record<string, string>>;
};

/** `reports/pystress-2026-11-22T10-04-05` (no extension), relative to `directory`. */
export function defaultReportBase(now: Date, directory = 'reports'): string {
	const stamp = now.toISOString().replace(/\.\d+Z$/, '').replaceAll(':', '-');
	return path.join(directory, `pystress-${stamp}`);
}

/** Renders HTML; injected so this module works before/without the HTML writer. */
export type HtmlRenderer = (report: JsonReport) => string;

/**
 * Writes the reports (see `writeFileAtomic`: files are replaced atomically, devices, FIFOs and
 * /dev/stdout written straight through). A failed write is reported, never thrown: every failure
 * is an error line (exit 1). A JSON report that cannot go to a file path (permission, missing
 * space, a file in the way) goes to a fallback file in the temp directory, named in the error. A
 * device, FIFO or descriptor link gets no fallback: it hands the report to a reader (a pipe, a
 * terminal) that would never look in the temp directory, and its failure (ENOSPC from /dev/full,
 * EPIPE from a reader gone) is reported as it is.
 */
export function saveReports(report: JsonReport, paths: ReportPaths, renderHtml?: HtmlRenderer): SavedReports {
	const written: string[] = [];
	const errors: string[] = [];
	if (paths.json !== undefined) {
		saveJson(report, paths.json, written, errors);
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

function saveJson(report: JsonReport, jsonPath: string, written: string[], errors: string[]): void {
	const json = renderJsonReport(report);
	try {
		writeFileAtomic(jsonPath, json);
		written.push(jsonPath);
	} catch (error) {
		if (isStreamTarget(jsonPath)) {
			errors.push(`cannot write ${jsonPath} (${reason(error)})`);
			return;
		}

		const fallback = path.join(os.tmpdir(), `${path.basename(defaultReportBase(new Date(report.endedAt)))}.json`);
		try {
			writeFileAtomic(fallback, json);
			errors.push(`cannot write ${jsonPath} (${reason(error)}); the JSON report was written to ${fallback} instead`);
			written.push(fallback);
		} catch (fallbackError) {
			errors.push(`cannot write ${jsonPath} (${reason(error)}) nor the fallback ${fallback} (${reason(fallbackError)})`);
		}
	}
}

function reason(error: unknown): string {
	return describeWriteError(error);
}

/**
 * True when a --json path is where this process's stdout goes ('-', /dev/stdout, /dev/fd/1, or the
 * same pipe, terminal or file): such a JSON report is written as `--json -` is, after the summary
 * went to stderr, so stdout carries the JSON alone.
 */
export function namesStdout(jsonPath: string | undefined, stdoutFd = 1): boolean {
	if (jsonPath === '-') return true;
	if (jsonPath === undefined || !isStreamTarget(jsonPath)) return false;
	try {
		const target = statSync(jsonPath);
		const stdout = fstatSync(stdoutFd);
		return target.dev === stdout.dev && target.ino === stdout.ino;
	} catch {
		return false;
	}
}

export type ReportOptions = {
	/** JSON report path ('-': written to stdout after the UI closes), or undefined for the default. */
	readonly jsonPath: string | undefined;
	readonly htmlPath: string | undefined;
	/** No report at the end but those named by jsonPath/htmlPath. */
	readonly noReport: boolean;
};

/**
 * Where a run's reports go, for both front ends: the --json/--output paths, else
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
