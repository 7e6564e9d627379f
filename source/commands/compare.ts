import {ConfigError} from '../config/errors.js';
import type {ConfigIssue} from '../config/interpolate.js';
import type {CompareResult} from '../report/compare-format.js';
import {renderCompareHtml} from '../report/compare-html.js';
import {compareInput, compareProblems} from '../report/compare-input.js';
import {renderCompareJson} from '../report/compare-json.js';
import {renderCompareText} from '../report/compare-text.js';
import {describeWriteError, writeFileAtomic} from '../report/write.js';
import {exitCodes} from '../session/outcome.js';
import {namesStdout} from '../session/report-files.js';
import {compareRuns} from '../stats/compare.js';
import {type Gate, evaluateGate, parseGate} from '../stats/compare-gate.js';
import {type Command, stdoutMarker} from './context.js';
import {type NamedReport, readReportFiles} from './read-report.js';

type Io = {stdout(text: string): void; stderr(text: string): void};

export type CompareCommandOptions = {
	readonly failOn: readonly string[];
	readonly jsonPath: string | undefined;
	readonly htmlPath: string | undefined;
};

/** Every --fail-on expression parsed; all the bad ones reported at once (exit 2). */
function parseGates(expressions: readonly string[]): Gate[] {
	const issues: ConfigIssue[] = [];
	const gates: Gate[] = [];
	for (const expression of expressions) {
		try {
			gates.push(parseGate(expression));
		} catch (error) {
			issues.push({path: '--fail-on', message: (error as Error).message});
		}
	}

	if (issues.length > 0) throw new ConfigError('command line', issues);
	return gates;
}

/**
 * `pystress-tui compare BASE.json NEW.json [--fail-on EXPR ...] [--json OUT] [-o OUT.html]`: the
 * text to stdout (to stderr when the JSON goes to stdout); exit 99 when a gate fails, 1 when an
 * output could not be written, 2 for bad arguments or reports that cannot be compared.
 */
export function runCompareCommand(args: readonly string[], options: CompareCommandOptions, io: Io): number {
	if (args.length !== 2) {
		throw new ConfigError('command line', [{path: 'compare', message: 'expected two JSON reports: pystress-tui compare BASE.json NEW.json [--fail-on EXPR ...]'}]);
	}

	const gates = parseGates(options.failOn);
	const [baseFile, nextFile] = args as [string, string];
	const [{report: base}, {report: next}] = readReportFiles('compare', [baseFile, nextFile]) as [NamedReport, NamedReport];
	const problems = compareProblems(base, next);
	if (problems.length > 0) {
		throw new ConfigError('compare', [{path: `${baseFile} vs ${nextFile}`, message: `not comparable: ${problems.join('; ')}`}]);
	}

	const names = new Set(base.endpoints.map(endpoint => endpoint.name));
	const unknown = gates.filter(gate => gate.endpoint !== undefined && !names.has(gate.endpoint));
	if (unknown.length > 0) {
		throw new ConfigError('command line', unknown.map(gate => ({path: '--fail-on', message: `"${gate.expression}": no endpoint "${gate.endpoint}"; the endpoints are ${[...names].join(', ')}`})));
	}

	const comparison = compareRuns(compareInput(base), compareInput(next));
	const result: CompareResult = {base: {file: baseFile, report: base}, next: {file: nextFile, report: next}, comparison, gates: gates.map(gate => evaluateGate(gate, comparison.rows))};
	const jsonToStdout = options.jsonPath !== undefined && (options.jsonPath === stdoutMarker || namesStdout(options.jsonPath));
	(jsonToStdout ? io.stderr : io.stdout)(renderCompareText(result));
	let code: number = result.gates.some(outcome => outcome.failed) ? exitCodes.threshold : exitCodes.ok;
	const outputs: Array<[string, () => string]> = [];
	if (options.jsonPath !== undefined) outputs.push([jsonToStdout ? '-' : options.jsonPath, () => renderCompareJson(result)]);
	if (options.htmlPath !== undefined) outputs.push([options.htmlPath, () => renderCompareHtml(result)]);
	for (const [target, render] of outputs) {
		if (target === '-' || namesStdout(target)) {
			io.stdout(render());
			continue;
		}

		try {
			writeFileAtomic(target, render());
			io.stderr(`Written: ${target}\n`);
		} catch (error) {
			io.stderr(`pystress-tui: cannot write ${target} (${describeWriteError(error)})\n`);
			code = exitCodes.runtime;
		}
	}

	return code;
}

/** The `compare` sub-command. */
export const compareCommand: Command = {
	takesArguments: true,
	async run({args, flags, io}) {
		return runCompareCommand(args, {failOn: flags.failOn ?? [], jsonPath: flags.json, htmlPath: flags.output}, io);
	},
};
