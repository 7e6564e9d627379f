import {readFileSync} from 'node:fs';
import {ConfigError} from '../config/errors.js';
import type {ConfigIssue} from '../config/interpolate.js';
import {schemaVersion, type JsonReport} from '../report/types.js';

/** A report as read, and the schema version it was written with (before any upgrade). */
export type ReadReport = {
	readonly report: JsonReport;
	readonly writtenVersion: number;
};

/**
 * Reads a JSON report written by --json (any schema version this build still reads, upgraded to
 * the current shape). A missing or unreadable file, or one that is not a report, is a ConfigError
 * naming the file (exit 2).
 */
export function readJsonReport(input: string): JsonReport {
	return readReportFile(input).report;
}

/** `readJsonReport`, also saying which schema version the file was written with. */
export function readReportFile(input: string): ReadReport {
	let report: JsonReport;
	try {
		report = JSON.parse(readFileSync(input, 'utf8')) as JsonReport;
	} catch (error) {
		const {code, message} = error as NodeJS.ErrnoException;
		throw new ConfigError(input, [{path: '(file)', message: code === 'ENOENT' ? 'file not found; pass a JSON report written by --json' : `not a readable JSON report (${message})`}]);
	}

	const writtenVersion = report?.schemaVersion as unknown;
	if (!isReportShape(report) || typeof writtenVersion !== 'number' || !readableVersions.includes(writtenVersion)) {
		const found = report !== null && typeof report === 'object' && 'schemaVersion' in report ? `found ${JSON.stringify(writtenVersion)}` : 'found none';
		throw new ConfigError(input, [{path: 'schemaVersion', message: `expected a pystress-tui JSON report with schemaVersion ${readableVersions.join(', ')} (${found}); pass a report written by --json`}]);
	}

	if (writtenVersion === 1) report = upgradeVersion1(report);
	// Version 2 had no histograms per second or per endpoint's corrected latency, and no plan fingerprint: all optional since.
	return {report: {...report, schemaVersion}, writtenVersion};
}

/** A report read for a sub-command, with the file it came from. */
export type NamedReport = ReadReport & {readonly file: string};

/**
 * Reads the reports `command` (merge, compare) was given. Every unreadable one is told at once,
 * one line each naming its file (`merge: b.json: (file): ...`), as one ConfigError (exit 2).
 */
export function readReportFiles(command: string, files: readonly string[]): NamedReport[] {
	const reports: NamedReport[] = [];
	const issues: ConfigIssue[] = [];
	for (const file of files) {
		try {
			reports.push({file, ...readReportFile(file)});
		} catch (error) {
			if (!(error instanceof ConfigError)) throw error;
			issues.push(...error.issues.map(issue => ({...issue, path: `${file}: ${issue.path}`})));
		}
	}

	if (issues.length > 0) throw new ConfigError(command, issues);
	return reports;
}

/** The schema versions this build reads (older ones are upgraded). */
const readableVersions: readonly number[] = [1, 2, schemaVersion];

function isReportShape(value: unknown): value is JsonReport {
	const report = value as Partial<JsonReport> | null;
	return report !== null && typeof report === 'object' && typeof report.summary === 'object' && report.summary !== null
		&& Array.isArray(report.endpoints) && Array.isArray(report.timeline) && typeof report.histogram === 'string';
}

/**
 * Version 1 reports had no incomplete, retry or connection-event counts (in-flight requests at the
 * stop were left out, as `cancelled`), and threshold figures had no unit: read them as such.
 */
function upgradeVersion1(report: JsonReport): JsonReport {
	const summary = report.summary as JsonReport['summary'] & Partial<Pick<JsonReport['summary'], 'retries' | 'incomplete' | 'errorRate' | 'connectionEvents'>>;
	const rate = (errors: number, requests: number): number | null => (requests > 0 ? errors / requests : null);
	return {
		...report,
		schemaVersion,
		summary: {...summary, retries: summary.retries ?? 0, incomplete: summary.incomplete ?? 0, errorRate: summary.errorRate ?? rate(summary.errors, summary.requests), connectionEvents: summary.connectionEvents ?? {}},
		endpoints: report.endpoints.map(endpoint => ({...endpoint, retries: endpoint.retries ?? 0, incomplete: endpoint.incomplete ?? 0, errorRate: endpoint.errorRate ?? rate(endpoint.errors, endpoint.requests), connectionEvents: endpoint.connectionEvents ?? {}})),
	};
}
