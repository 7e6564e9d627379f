import path from 'node:path';
import {ConfigError} from '../config/errors.js';
import {renderHtmlReport} from '../report/html.js';
import {mergeReports} from '../session/merge-reports.js';
import {exitCodes, printEndOfRun} from '../session/outcome.js';
import {defaultReportBase, namesStdout, type ReportPaths} from '../session/report-files.js';
import {saveRunFiles} from '../session/output-files.js';
import {outputFlags, runOutputs} from '../session/run-outputs.js';
import type {Command, CommandContext} from './context.js';
import {stdoutMarker} from './flags.js';
import {readReportFiles} from './read-report.js';

function expectedAgents(text: string | undefined): number | undefined {
	if (text === undefined) return undefined;
	const count = Number(text);
	if (!Number.isInteger(count) || count < 1) {
		throw new ConfigError('command line', [{path: '--expect-agents', message: `"${text}" is not a count of agents; expected a whole number from 1, e.g. --expect-agents 3`}]);
	}

	return count;
}

/**
 * Where the merged reports go: --json and -o as given; with neither, reports/pystress-<now>-merged
 * .json and .html (never a name an agent's default report could have), unless --no-report. A path
 * that is one of the inputs is refused: the merge would overwrite what it read.
 */
function mergedReportPaths(flags: CommandContext['flags'], files: readonly string[], now: Date): {paths: ReportPaths; jsonPath: string | undefined} {
	const jsonPath = flags.json === stdoutMarker || namesStdout(flags.json) ? '-' : flags.json;
	const base = `${defaultReportBase(now)}-merged`;
	const given = jsonPath !== undefined || flags.output !== undefined;
	const paths: ReportPaths = {
		json: jsonPath === '-' ? undefined : (jsonPath ?? (given || !flags.report ? undefined : `${base}.json`)),
		html: flags.output ?? (given || !flags.report ? undefined : `${base}.html`),
	};
	const inputs = new Set(files.map(file => path.resolve(file)));
	for (const [flag, target] of [['--json', paths.json], ['--output', paths.html]] as const) {
		if (target !== undefined && inputs.has(path.resolve(target))) {
			throw new ConfigError('command line', [{path: flag, message: `${target} is one of the inputs; write the merged report to another path`}]);
		}
	}

	return {paths, jsonPath};
}

/**
 * `pystress-tui merge A.json B.json ... [--json OUT] [-o OUT.html] [--expect-agents N]
 * [--allow-partial] [--threshold EXPR]`: one report of a distributed run from its agents' reports.
 * Exit 2 for inputs that cannot be merged, 1 for a missing agent (unless --allow-partial) or a
 * report that could not be written, 99 when a threshold fails on the merged figures.
 */
export async function runMerge({args, flags, io, env}: Pick<CommandContext, 'args' | 'flags' | 'io' | 'env'>, now = new Date()): Promise<number> {
	if (args.length === 0) {
		throw new ConfigError('command line', [{path: 'merge', message: 'expected JSON reports: pystress-tui merge A.json B.json ... [--json OUT] [-o OUT.html]'}]);
	}

	const expectAgents = expectedAgents(flags.expectAgents);
	const {paths, jsonPath} = mergedReportPaths(flags, args, now);
	const inputs = readReportFiles('merge', args);
	const {report, missingAgents, warnings: mergeWarnings} = mergeReports(inputs, {expectAgents, thresholds: flags.threshold ?? []});
	const warnings = [...mergeWarnings];
	if (missingAgents.length > 0) {
		const which = inputs.some(input => input.report.agent) ? `agent${missingAgents.length > 1 ? 's' : ''} ${missingAgents.join(', ')}` : `${missingAgents.length} report${missingAgents.length > 1 ? 's' : ''}`;
		const message = `${which} of ${report.merge?.expectedAgents} missing`;
		if (!flags.allowPartial) {
			io.stderr(`error: ${message}; give every agent's report, or --allow-partial to merge the ${inputs.length} given\n`);
			return exitCodes.runtime;
		}

		warnings.unshift(`${message} (--allow-partial): the figures cover ${inputs.length} of ${report.merge?.expectedAgents}`);
	}

	for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
	// The CI outputs of the merged run (its thresholds are judged here, not by the agents).
	const saved = saveRunFiles(report, paths, renderHtmlReport, runOutputs(outputFlags(flags), undefined, env));
	return printEndOfRun(report, saved, {jsonPath}, io);
}

/** The `merge` sub-command. */
export const mergeCommand: Command = {
	takesArguments: true,
	async run(context) {
		return runMerge(context);
	},
};
