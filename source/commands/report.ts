import {readFileSync} from 'node:fs';
import {ConfigError} from '../config/errors.js';
import {renderHtmlReport} from '../report/html.js';
import {schemaVersion, type JsonReport} from '../report/types.js';
import {describeWriteError, writeFileAtomic} from '../report/write.js';
import {namesStdout} from '../session/report-files.js';
import type {Command} from './context.js';

type Io = {stdout(text: string): void; stderr(text: string): void};

/** `pystress-tui report RUN.json [-o RUN.html]`: regenerates the HTML report from a JSON report. */
export function runReportCommand(args: readonly string[], output: string | undefined, io: Io): number {
	const [input, ...extra] = args;
	if (input === undefined || extra.length > 0) {
		throw new ConfigError('command line', [{path: 'report', message: 'expected one JSON report: pystress-tui report RUN.json [-o RUN.html]'}]);
	}

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

	const target = output ?? input.replace(/\.json$/i, '') + '.html';
	// With -o /dev/stdout (or whatever path stdout goes to) the HTML is the output, as with --json -.
	if (namesStdout(target)) {
		io.stdout(renderHtmlReport(report));
		io.stderr(`HTML report: ${target}\n`);
		return 0;
	}

	try {
		writeFileAtomic(target, renderHtmlReport(report));
	} catch (error) {
		io.stderr(`pystress-tui: cannot write ${target} (${describeWriteError(error)})\n`);
		return 1;
	}

	io.stdout(`HTML report: ${target}\n`);
	return 0;
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

/** The `report` sub-command. */
export const reportCommand: Command = {
	takesArguments: true,
	async run({args, flags, io}) {
		return runReportCommand(args, flags.output, io);
	},
};
