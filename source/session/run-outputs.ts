import {ConfigError} from '../config/errors.js';
import type {ConfigIssue} from '../config/interpolate.js';
import {listenExpected, parseListenAddress} from '../config/listen.js';
import type {OutputSettings} from '../config/types.js';
import {agentPath} from './agents.js';

/*
 * Which CI and monitoring outputs a run has, for both front ends: the flags over the config's
 * keys, GitHub's step summary from the environment. (Written by output-files.ts; light, so that
 * start-up loads no writer.)
 */

/** The outputs of one run: the settings in force, and GitHub's step summary file when set. */
export type RunOutputs = OutputSettings & {
	/** `$GITHUB_STEP_SUMMARY`: the markdown summary is appended there. */
	readonly stepSummary?: string | undefined;
};

/** The output flags as given (strings: bad values get our own messages). */
export type OutputFlags = {
	readonly junit?: string | undefined;
	readonly summaryMd?: string | undefined;
	readonly csv?: string | undefined;
	readonly metricsListen?: string | undefined;
	readonly progress?: string | undefined;
};

/** The output flags, validated (every problem at once: exit 2, one line each, with the fix). */
export function outputFlags(flags: OutputFlags): OutputSettings {
	const issues: ConfigIssue[] = [];
	const path = (flag: string, value: string | undefined, example: string): string | undefined => {
		if (value !== undefined && value.trim() === '') issues.push({path: flag, message: `is empty; give a path, e.g. ${flag} ${example}`});
		return value;
	};

	const settings: OutputSettings = {
		junit: path('--junit', flags.junit, 'out/junit.xml'),
		summaryMd: path('--summary-md', flags.summaryMd, 'out/summary.md'),
		csv: path('--csv', flags.csv, 'out/run'),
		metricsListen: flags.metricsListen,
		progress: flags.progress === undefined ? undefined : 'ndjson',
	};
	if (flags.metricsListen !== undefined && parseListenAddress(flags.metricsListen) === undefined) {
		issues.push({path: '--metrics-listen', message: `"${flags.metricsListen}" is not an address; ${listenExpected}`});
	}

	if (flags.progress !== undefined && flags.progress !== 'ndjson') {
		issues.push({path: '--progress', message: `"${flags.progress}" is not a progress format; the machine-readable one is ndjson: --progress ndjson (without --progress, a text line a second)`});
	}

	if (issues.length > 0) throw new ConfigError('command line', issues);
	return settings;
}

/** Whether a run writes any CI output file (JUnit, CSV, markdown, the step summary): their writers load only then. */
export function hasFileOutputs(outputs: RunOutputs | undefined): boolean {
	return outputs !== undefined && [outputs.junit, outputs.csv, outputs.summaryMd, outputs.stepSummary].some(output => output !== undefined);
}

/** A run's outputs: each flag over the config's key; the step summary when GitHub Actions set `GITHUB_STEP_SUMMARY`. */
export function runOutputs(flags: OutputSettings, file: OutputSettings | undefined, env: Readonly<Record<string, string | undefined>>): RunOutputs {
	const stepSummary = env['GITHUB_STEP_SUMMARY'];
	return {
		junit: flags.junit ?? file?.junit,
		summaryMd: flags.summaryMd ?? file?.summaryMd,
		csv: flags.csv ?? file?.csv,
		metricsListen: flags.metricsListen ?? file?.metricsListen,
		progress: flags.progress ?? file?.progress,
		stepSummary: stepSummary === undefined || stepSummary.trim() === '' ? undefined : stepSummary,
	};
}

/** An agent's CI files: `{index}` in their paths becomes its index, as in --json, -o and --log. */
export function agentOutputs(outputs: RunOutputs, agent: {readonly index: number} | undefined): RunOutputs {
	if (!agent) return outputs;
	return {...outputs, junit: agentPath(outputs.junit, agent.index), summaryMd: agentPath(outputs.summaryMd, agent.index), csv: agentPath(outputs.csv, agent.index)};
}
