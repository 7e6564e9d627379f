import {readFileSync} from 'node:fs';
import {ConfigError} from '../config/load.js';
import {renderHtmlReport} from '../report/html.js';
import {schemaVersion, type JsonReport} from '../report/types.js';
import {writeFileAtomic} from '../report/write.js';

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

	if (report?.schemaVersion !== schemaVersion || typeof report.summary !== 'object') {
		throw new ConfigError(input, [{path: 'schemaVersion', message: `expected a pystress-tui JSON report with schemaVersion ${schemaVersion}`}]);
	}

	const target = output ?? input.replace(/\.json$/i, '') + '.html';
	writeFileAtomic(target, renderHtmlReport(report));
	io.stdout(`HTML report: ${target}\n`);
	return 0;
}
