import {readFileSync} from 'node:fs';
import {ConfigError} from '../config/errors.js';
import {schemaVersion, type JsonReport} from '../report/types.js';

/**
 * Reads a JSON report written by --json (any schema version this build still reads, upgraded to
 * the current shape). A missing or unreadable file, or one that is not a report, is a ConfigError
 * naming the file (exit 2).
 */
export function readJsonReport(input: string): JsonReport {
	let report: JsonReport;
	try {
		report = JSON.parse(readFileSync(input, 'utf8')) as JsonReport;
	} catch (error) {
		const {code, message} = error as NodeJS.ErrnoException;
		throw new ConfigError(input, [{path: '(file)', message: code === 'ENOENT' ? 'file not found; pass a JSON report written by --json' : `not a readable JSON report (${message})`}]);
	}

	if ((report?.schemaVersion as number) === 1 && typeof report.summary === 'object') {
		report = upgradeVersion1(report);
	}

	if (report?.schemaVersion !== schemaVersion || typeof report.summary !== 'object') {
		throw new ConfigError(input, [{path: 'schemaVersion', message: `expected a pystress-tui JSON report with schemaVersion ${schemaVersion} (or 1)`}]);
	}

	return report;
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
