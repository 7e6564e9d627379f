import {parseDurationMs} from '../config/duration.js';
import type {ConfigIssue} from '../config/interpolate.js';
import {applyOverrides, ConfigError, readConfigFile, resolveConfig, type ConfigOverrides, type LoadedConfig} from '../config/load.js';
import {defaultConnections, defaultDurationMs, defaultGraceMs, type RunSettings} from '../config/types.js';
import {defaultThreads, type Hardware} from '../engine/hardware.js';

/** Run flags as the command line gives them (strings, so that bad values get our own messages). */
export type RunFlags = ConfigOverrides & {
	readonly config?: string | undefined;
	readonly threads?: string | undefined;
	readonly connections?: string | undefined;
	readonly duration?: string | undefined;
	readonly requests?: string | undefined;
	readonly rate?: string | undefined;
	readonly grace?: string | undefined;
};

export type PreparedRun = {
	readonly config: LoadedConfig;
	readonly settings: RunSettings;
	/** Why this many threads ("--threads", "config", or the hardware reason). */
	readonly threadsReason: string;
};

/** Loads the config (file and/or flags) and resolves run settings: flags > config file > defaults. */
export function prepareRun(flags: RunFlags, hardware: Hardware, env: Readonly<Record<string, string | undefined>>, base?: Record<string, unknown>): PreparedRun {
	const issues: ConfigIssue[] = [];
	const source = flags.config ?? (flags.url === undefined ? 'profile' : '--url');
	let raw: Record<string, unknown> = base ?? {};
	if (flags.config !== undefined) {
		raw = readConfigFile(flags.config);
	} else if (base === undefined && flags.url === undefined) {
		throw new ConfigError('command line', [{path: '--url', message: 'nothing to test; pass --url URL or --config FILE (try: pystress-tui demo)'}]);
	}

	const withOverrides = applyOverrides(raw, flags, issues);
	const settingsIssues: ConfigIssue[] = [];
	const threadsFlag = positiveInteger(flags.threads, '--threads', 'a whole number of worker threads, e.g. --threads 4', settingsIssues);
	const connectionsFlag = positiveInteger(flags.connections, '--connections', 'a whole number of connections, e.g. --connections 50', settingsIssues);
	const requestsFlag = positiveInteger(flags.requests, '--requests', 'a whole number of requests, e.g. --requests 10000', settingsIssues);
	const durationFlag = duration(flags.duration, '--duration', settingsIssues);
	const graceFlag = duration(flags.grace, '--grace', settingsIssues);
	const rateFlag = positiveNumber(flags.rate, '--rate', 'requests per second, e.g. --rate 500', settingsIssues);
	let config: LoadedConfig;
	try {
		config = resolveConfig(withOverrides, {source, env, issues});
	} catch (error) {
		if (error instanceof ConfigError && settingsIssues.length > 0) {
			throw new ConfigError(error.source, [...error.issues, ...settingsIssues]);
		}

		throw error;
	}

	if (settingsIssues.length > 0) {
		throw new ConfigError('command line', settingsIssues);
	}

	const file = config.settings;
	const hardwareThreads = defaultThreads(hardware);
	const threads = threadsFlag ?? file.threads ?? hardwareThreads.threads;
	const threadsReason = threadsFlag === undefined ? (file.threads === undefined ? hardwareThreads.reason : 'set in the config') : 'set by --threads';
	const maxRequests = requestsFlag ?? file.maxRequests;
	const explicitDuration = durationFlag ?? file.durationMs;
	return {
		config,
		settings: {
			threads,
			connections: connectionsFlag ?? file.connections ?? defaultConnections,
			durationMs: explicitDuration ?? (maxRequests === undefined ? defaultDurationMs : undefined),
			maxRequests,
			rate: rateFlag ?? file.rate,
			graceMs: graceFlag ?? defaultGraceMs,
		},
		threadsReason,
	};
}

function positiveInteger(value: string | undefined, flag: string, expected: string, issues: ConfigIssue[]): number | undefined {
	if (value === undefined) return undefined;
	const number = Number(value);
	if (!Number.isInteger(number) || number < 1) {
		issues.push({path: flag, message: `"${value}" is not valid; expected ${expected}`});
		return undefined;
	}

	return number;
}

function positiveNumber(value: string | undefined, flag: string, expected: string, issues: ConfigIssue[]): number | undefined {
	if (value === undefined) return undefined;
	const number = Number(value);
	if (!Number.isFinite(number) || number <= 0) {
		issues.push({path: flag, message: `"${value}" is not valid; expected ${expected}`});
		return undefined;
	}

	return number;
}

function duration(value: string | undefined, flag: string, issues: ConfigIssue[]): number | undefined {
	if (value === undefined) return undefined;
	const ms = parseDurationMs(value);
	if (ms === undefined || ms <= 0) {
		issues.push({path: flag, message: `"${value}" is not a duration; write seconds (30) or with a unit: 500ms, 30s, 2m, 1h`});
		return undefined;
	}

	return ms;
}
