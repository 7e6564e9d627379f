import path from 'node:path';
import {sharedShuffle} from '../config/data-file.js';
import {parseDurationMs} from '../config/duration.js';
import type {ConfigIssue} from '../config/interpolate.js';
import type {Profile, ProfileSettings} from '../config/profiles.js';
import {ConfigError} from '../config/errors.js';
import {applyOverrides, readConfigFile, resolveConfig, type ConfigOverrides, type LoadedConfig} from '../config/load.js';
import {defaultConnections, defaultDurationMs, defaultGraceMs, type RunSettings, type Stage} from '../config/types.js';
import {parseStage, stagesDurationMs} from '../engine/stages.js';
import {parseThreshold, type Threshold} from '../stats/thresholds.js';
import {busyThreads, defaultThreads, type Hardware} from '../engine/hardware.js';
import {bodyIntoRequests, urlsFileConfig} from './urls-file.js';
import {agentProblems, agentSendOffsetMs, agentSettings, readAgentFlags, type AgentFlags, type AgentPlan, type StartAt} from './agents.js';

/** Run flags as the command line gives them (strings, so that bad values get our own messages). */
export type RunFlags = ConfigOverrides & AgentFlags & {
	readonly config?: string | undefined;
	/** One URL a line, each a GET endpoint (session/urls-file.ts). */
	readonly urlsFile?: string | undefined;
	readonly threads?: string | undefined;
	readonly connections?: string | undefined;
	readonly duration?: string | undefined;
	readonly requests?: string | undefined;
	readonly rate?: string | undefined;
	readonly grace?: string | undefined;
	readonly maxConnections?: string | undefined;
	readonly maxLate?: string | undefined;
	readonly rampUp?: string | undefined;
	readonly warmUp?: string | undefined;
	/** `DURATION:TARGET` strings. */
	readonly stage?: readonly string[] | undefined;
	/** Threshold expressions, optionally `ENDPOINT:expression`. */
	readonly threshold?: readonly string[] | undefined;
};

export type PreparedRun = {
	readonly config: LoadedConfig;
	readonly settings: RunSettings;
	/** Why this many threads ("--threads", "config", or the hardware reason). */
	readonly threadsReason: string;
	/** Pass/fail criteria, evaluated at the end (and during the run with --abort-on-fail). */
	readonly thresholds: readonly Threshold[];
	/** This run is one agent of a distributed run (`--agents`): `settings` are already its share. */
	readonly agent?: AgentPlan | undefined;
	/** `--start-at`: the workers load, then the run waits for this wall-clock time. */
	readonly startAt?: StartAt | undefined;
};

/** Loads the config (file and/or flags) and resolves run settings: flags > config file > defaults. */
export function prepareRun(flags: RunFlags, hardware: Hardware, env: Readonly<Record<string, string | undefined>>, base?: Record<string, unknown>): PreparedRun {
	const issues: ConfigIssue[] = [];
	const source = flags.config ?? (flags.urlsFile === undefined ? (flags.url === undefined ? 'profile' : '--url') : '--urls-file');
	let raw: Record<string, unknown> = base ?? {};
	if (flags.urlsFile !== undefined) {
		// One GET endpoint a line: a config of its own, so not with --config or --url.
		if (flags.config !== undefined || flags.url !== undefined) {
			throw new ConfigError('command line', [{path: '--urls-file', message: `give --urls-file or ${flags.config === undefined ? '--url' : '--config'}, not both`}]);
		}

		raw = urlsFileConfig(flags.urlsFile, issues);
		if (issues.length > 0) throw new ConfigError('command line', issues);
	} else if (flags.config !== undefined) {
		raw = readConfigFile(flags.config);
	} else if (base === undefined && flags.url === undefined) {
		throw new ConfigError('command line', [{path: '--url', message: 'nothing to test; pass --url URL or --config FILE (try: pystress-tui demo)'}]);
	}

	const overridden = applyOverrides(raw, flags, issues);
	const withOverrides = flags.urlsFile === undefined ? overridden : bodyIntoRequests(overridden);
	const settingsIssues: ConfigIssue[] = [];
	const threadsFlag = positiveInteger(flags.threads, '--threads', 'a whole number of worker threads, e.g. --threads 4', settingsIssues);
	const connectionsFlag = positiveInteger(flags.connections, '--connections', 'a whole number of connections, e.g. --connections 50', settingsIssues);
	const requestsFlag = positiveInteger(flags.requests, '--requests', 'a whole number of requests, e.g. --requests 10000', settingsIssues);
	const durationFlag = duration(flags.duration, '--duration', settingsIssues);
	const graceFlag = duration(flags.grace, '--grace', settingsIssues);
	const rateFlag = positiveNumber(flags.rate, '--rate', 'requests per second, e.g. --rate 500', settingsIssues);
	const agentFlags = readAgentFlags(flags, env, parseDurationMs, settingsIssues);
	let config: LoadedConfig;
	try {
		// A data file's relative path is relative to the config file.
		config = resolveConfig(withOverrides, {source, env, issues, baseDirectory: flags.config === undefined ? undefined : path.dirname(flags.config)});
	} catch (error) {
		if (error instanceof ConfigError && settingsIssues.length > 0) {
			throw new ConfigError(error.source, [...error.issues, ...settingsIssues]);
		}

		throw error;
	}

	const file = config.settings;
	const maxConnectionsFlag = positiveInteger(flags.maxConnections, '--max-connections', 'a whole number of connections, e.g. --max-connections 500', settingsIssues);
	const maxLateFlag = duration(flags.maxLate, '--max-late', settingsIssues);
	const rampUpMs = duration(flags.rampUp, '--ramp-up', settingsIssues) ?? file.rampUpMs;
	const warmUpMs = duration(flags.warmUp, '--warm-up', settingsIssues) ?? file.warmUpMs;
	let stages: Stage[] | undefined = file.stages ? [...file.stages] : undefined;
	if (flags.stage && flags.stage.length > 0) {
		stages = [];
		for (const text of flags.stage) {
			const stage = parseStage(text, parseDurationMs);
			if (stage) {
				stages.push(stage);
			} else {
				settingsIssues.push({path: '--stage', message: `"${text}" is not a stage; write DURATION:TARGET, e.g. --stage 30s:200`});
			}
		}
	}

	const thresholds: Threshold[] = [];
	for (const [index, text] of [...(file.thresholds ?? []), ...(flags.threshold ?? [])].entries()) {
		try {
			const threshold = parseThreshold(text);
			if (threshold.endpoint !== undefined && !config.plan.endpoints.some(endpoint => endpoint.name === threshold.endpoint)) {
				throw new Error(`"${text}": no endpoint named "${threshold.endpoint}" (endpoints: ${config.plan.endpoints.map(endpoint => endpoint.name).join(', ')})`);
			}

			thresholds.push(threshold);
		} catch (error) {
			settingsIssues.push({path: index < (file.thresholds?.length ?? 0) ? `thresholds[${index}]` : '--threshold', message: (error as Error).message});
		}
	}

	const rate = rateFlag ?? file.rate;
	if (rampUpMs !== undefined && stages !== undefined) {
		settingsIssues.push({path: '--ramp-up', message: 'give a ramp-up or stages, not both (a ramp-up is one stage from 0)'});
	}

	if (warmUpMs !== undefined && (rampUpMs !== undefined || stages !== undefined)) {
		settingsIssues.push({path: '--warm-up', message: `a warm-up runs at the starting load, and ${rampUpMs === undefined ? 'stages start' : 'a ramp-up starts'} from 0; drop one of the two`});
	}

	if (settingsIssues.length > 0) {
		throw new ConfigError('command line', settingsIssues);
	}

	const connections = connectionsFlag ?? file.connections ?? defaultConnections;
	if (rampUpMs !== undefined) {
		stages = [{durationMs: rampUpMs, target: rate ?? connections}];
	}

	const hardwareThreads = defaultThreads(hardware);
	const threads = threadsFlag ?? file.threads ?? hardwareThreads.threads;
	const threadsReason = threadsFlag === undefined ? (file.threads === undefined ? hardwareThreads.reason : 'set in the config') : 'set by --threads';
	const maxRequests = requestsFlag ?? file.maxRequests;
	const explicitDuration = durationFlag ?? file.durationMs;
	const stagedDuration = stages && rampUpMs === undefined ? stagesDurationMs(stages) : undefined;
	const settings: RunSettings = {
		threads,
		connections,
		durationMs: explicitDuration ?? stagedDuration ?? (maxRequests === undefined ? defaultDurationMs : undefined),
		maxRequests,
		rate,
		graceMs: graceFlag ?? defaultGraceMs,
		maxConnections: maxConnectionsFlag ?? file.maxConnections,
		stages,
		maxLateMs: maxLateFlag,
		...(warmUpMs === undefined ? {} : {warmUpMs}),
	};
	const {agent, startAt} = agentFlags;
	if (agent) {
		const problems = agentProblems(settings, agent.count);
		if (problems.length > 0) throw new ConfigError('command line', problems);
	}

	// An agent takes its share of the load; the union of the agents' sends is the whole run's.
	const shared = agent ? agentSettings(settings, agent.count, agent.index) : settings;
	const threadCount = busyThreads(shared.threads, shared.maxRequests);
	return {
		// An agent takes its share of the data rows in turn; a shuffled order must be the same on every agent.
		config: agent && config.plan.data?.some(set => set.order !== undefined)
			? {...config, plan: {...config.plan, data: config.plan.data.map(set => (set.order === undefined ? set : {...set, order: sharedShuffle(set.rows.length)}))}}
			: config,
		settings: threadCount === shared.threads ? shared : {...shared, threads: threadCount},
		threadsReason: threadCount === shared.threads ? threadsReason : `${threadsReason}, at most one per request`,
		thresholds,
		...(agent ? {agent: {...agent, sendOffsetMs: agentSendOffsetMs(rate, agent.index)}} : {}),
		...(startAt ? {startAt} : {}),
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

/** Settings the flags set explicitly (what --save-profile keeps; never the hardware-derived defaults). */
export function explicitSettings(flags: RunFlags, prepared: PreparedRun, extendedBaselineMs: number | undefined): ProfileSettings {
	const {settings} = prepared;
	return {
		...(flags.threads === undefined ? {} : {threads: settings.threads}),
		...(flags.connections === undefined ? {} : {connections: settings.connections}),
		...(flags.duration === undefined || settings.durationMs === undefined ? {} : {durationMs: settings.durationMs}),
		...(flags.requests === undefined || settings.maxRequests === undefined ? {} : {maxRequests: settings.maxRequests}),
		...(flags.rate === undefined || settings.rate === undefined ? {} : {rate: settings.rate}),
		...(extendedBaselineMs ? {baselineDurationMs: extendedBaselineMs} : {}),
	};
}

/** The flags that saved settings (a profile's or a recent run's) stand for. */
export function settingsToFlags(settings: ProfileSettings): RunFlags {
	return {
		...(settings.threads === undefined ? {} : {threads: String(settings.threads)}),
		...(settings.connections === undefined ? {} : {connections: String(settings.connections)}),
		...(settings.durationMs === undefined ? {} : {duration: `${settings.durationMs}ms`}),
		...(settings.maxRequests === undefined ? {} : {requests: String(settings.maxRequests)}),
		...(settings.rate === undefined ? {} : {rate: String(settings.rate)}),
	};
}

/** The flags that were given (undefined ones dropped, so they override nothing). */
export function givenFlags(flags: RunFlags): RunFlags {
	return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined)) as RunFlags;
}

/**
 * `--profile NAME` with other flags: the profile's config and settings, with every flag given on the
 * command line on top (`--url`, `--config`, the settings flags alike). One rule for both front ends.
 */
export function prepareProfileRun(profile: Pick<Profile, 'config' | 'settings'>, flags: RunFlags, hardware: Hardware, env: Readonly<Record<string, string | undefined>>): PreparedRun {
	return prepareRun({...settingsToFlags(profile.settings), ...givenFlags(flags)}, hardware, env, profile.config);
}
