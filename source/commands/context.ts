import path from 'node:path';
import {parseDurationMs} from '../config/duration.js';
import {ConfigError} from '../config/errors.js';
import type {Hardware} from '../engine/hardware.js';
import type {RequestLogOptions} from '../engine/request-log.js';
import type {HeadlessIo, HeadlessOptions} from '../headless/run.js';
import type {InteractiveOptions} from '../interactive.js';
import {describeWriteError, ensureDirectory} from '../report/write.js';
import {namesStdout} from '../session/report-files.js';
import type {PreparedRun} from '../session/prepare.js';
import {stdoutMarker, type CliFlags} from './flags.js';

/** What every sub-command is given by `cli.tsx`. */
export type CommandContext = {
	/** Positional arguments after the command's name. */
	readonly args: readonly string[];
	readonly flags: CliFlags;
	readonly io: HeadlessIo;
	readonly hardware: Hardware;
	readonly env: Readonly<Record<string, string | undefined>>;
	/** Both ends are a terminal, --headless was not given and this is not CI: the TUI runs. */
	readonly interactive: boolean;
};

/** One sub-command: whether it takes positional arguments, and what it runs. Returns the exit code. */
export type Command = {
	readonly takesArguments: boolean;
	readonly run: (context: CommandContext) => Promise<number>;
};

export {stdoutMarker} from './flags.js';

/**
 * The TUI, loaded only when used: headless runs never load Ink and React, and React runs its
 * production build (the development build costs the dashboard several times more CPU).
 */
export async function runInteractive(options: InteractiveOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
	env['NODE_ENV'] ??= 'production';
	const {runInteractive: run} = await import('../interactive.js');
	return run(options);
}

/** Baseline flags alone: --no-baseline, --baseline-duration. */
export function baselineFlags(flags: CliFlags): {quickBaselineCount: number; extendedBaselineMs: number | undefined} {
	let extendedBaselineMs: number | undefined;
	if (flags.baselineDuration !== undefined) {
		extendedBaselineMs = parseDurationMs(flags.baselineDuration);
		if (extendedBaselineMs === undefined) {
			throw new ConfigError('command line', [{path: '--baseline-duration', message: `"${flags.baselineDuration}" is not a duration; write seconds (30) or with a unit: 30s, 2m`}]);
		}
	}

	return {quickBaselineCount: flags.baseline ? 5 : 0, extendedBaselineMs};
}

/** Baseline options for a prepared run: flags first, then the config's baseline_duration. */
export function baselineOptions(flags: CliFlags, prepared: PreparedRun): {quickBaselineCount: number; extendedBaselineMs: number | undefined} {
	const given = baselineFlags(flags);
	return {...given, extendedBaselineMs: given.extendedBaselineMs ?? prepared.config.settings.baselineDurationMs};
}

/** Output options shared by every command that runs a test (reports, request log, progress). */
export function outputOptions(flags: CliFlags): Pick<HeadlessOptions, 'jsonPath' | 'htmlPath' | 'noReport' | 'log' | 'quiet' | 'abortOnFail'> {
	let log: RequestLogOptions | undefined;
	if (flags.log !== undefined) {
		const sampleRate = flags.logSample === undefined ? 1 : Number(flags.logSample);
		if (!Number.isFinite(sampleRate) || sampleRate <= 0 || sampleRate > 1) {
			throw new ConfigError('command line', [{path: '--log-sample', message: `"${flags.logSample}" is not valid; expected a fraction between 0 and 1, e.g. --log-sample 0.1`}]);
		}

		try {
			ensureDirectory(path.dirname(flags.log));
		} catch (error) {
			throw new ConfigError('command line', [{path: '--log', message: `cannot write ${flags.log} (${describeWriteError(error)}); pick a writable path`}]);
		}

		log = {path: flags.log, sampleRate};
	} else if (flags.logSample !== undefined) {
		throw new ConfigError('command line', [{path: '--log-sample', message: 'goes with --log FILE; add --log requests.ndjson'}]);
	}

	const jsonPath = flags.json === stdoutMarker || namesStdout(flags.json) ? '-' : flags.json;
	return {jsonPath, htmlPath: flags.output, noReport: !flags.report, log, quiet: flags.quiet, abortOnFail: flags.abortOnFail};
}
