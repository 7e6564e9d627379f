import {ConfigError} from '../config/errors.js';
import {renderHtmlReport} from '../report/html.js';
import {describeWriteError, writeFileAtomic} from '../report/write.js';
import {namesStdout} from '../session/report-files.js';
import type {Command} from './context.js';
import {readJsonReport} from './read-report.js';

type Io = {stdout(text: string): void; stderr(text: string): void};

/** `pystress-tui report RUN.json [-o RUN.html]`: regenerates the HTML report from a JSON report. */
export function runReportCommand(args: readonly string[], output: string | undefined, io: Io): number {
	const [input, ...extra] = args;
	if (input === undefined || extra.length > 0) {
		throw new ConfigError('command line', [{path: 'report', message: 'expected one JSON report: pystress-tui report RUN.json [-o RUN.html]'}]);
	}

	const report = readJsonReport(input);
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

/** The `report` sub-command. */
export const reportCommand: Command = {
	takesArguments: true,
	async run({args, flags, io}) {
		return runReportCommand(args, flags.output, io);
	},
};
