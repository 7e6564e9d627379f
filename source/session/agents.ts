import type {ConfigIssue} from '../config/interpolate.js';
import type {RunSettings, Stage} from '../config/types.js';

/**
 * Agent mode (`--agents N --agent-index I`): one of N processes (pods, machines) that share one
 * run's load. Pure functions: which share of each figure an agent takes, where its first send
 * falls, and what its flags mean. The session applies them; nothing here reads the clock or env.
 */

/** One agent of a distributed run, as resolved from the flags. */
export type AgentPlan = {
	/** 0..count-1. */
	readonly index: number;
	readonly count: number;
	/**
	 * Open model: how long after the common start this agent's first send is due, so that the union
	 * of every agent's sends is evenly spaced (agent i sends at i/R, i/R + N/R, ...; R the total rate).
	 */
	readonly sendOffsetMs: number;
};

/** `--start-at`: the agreed wall-clock start, and how late an agent may be for it. */
export type StartAt = {
	/** ms since the epoch. */
	readonly atMs: number;
	/** `--start-late-max`: a run later than this at `atMs` sends nothing and exits 3. */
	readonly lateMaxMs: number;
};

/** Default `--start-late-max`. */
export const defaultStartLateMaxMs = 2000;

/**
 * Agent `index`'s share of a whole-number total: floor(total / count), plus one for the first
 * `total % count` agents. The shares of agents 0..count-1 add up to `total` exactly.
 */
export function integerShare(total: number, count: number, index: number): number {
	const base = Math.floor(total / count);
	return base + (index < total - (base * count) ? 1 : 0);
}

/**
 * Agent `index`'s share of a rate (req/s; fractional allowed). Equal shares, so that each agent's
 * schedule has the same interval N/R and the offsets interleave them evenly; they add up to the
 * rate to within floating-point rounding (a relative 1e-15).
 */
export function rateShare(rate: number, count: number): number {
	return rate / count;
}

/** Open model: the delay of agent `index`'s first send after the common start, ms (i/R seconds). */
export function agentSendOffsetMs(rate: number | undefined, index: number): number {
	return rate === undefined || rate <= 0 ? 0 : (index * 1000) / rate;
}

/**
 * An agent's share of the run settings: connections, --max-connections and -n split as whole
 * numbers (floor + remainder by index), the rate split evenly, and each stage's target split the
 * same way (rates evenly; connections as whole numbers, ramps between them rounded per agent).
 * Threads, duration, grace and --max-late are the agent's own. Throws nothing: `agentProblems`
 * says which totals are too small to share.
 */
export function agentSettings(settings: RunSettings, count: number, index: number): RunSettings {
	const openModel = settings.rate !== undefined;
	const stageShare = (stage: Stage): Stage => ({durationMs: stage.durationMs, target: openModel ? rateShare(stage.target, count) : integerShare(Math.round(stage.target), count, index)});
	return {
		...settings,
		connections: integerShare(settings.connections, count, index),
		maxConnections: settings.maxConnections === undefined ? undefined : integerShare(settings.maxConnections, count, index),
		maxRequests: settings.maxRequests === undefined ? undefined : integerShare(settings.maxRequests, count, index),
		rate: settings.rate === undefined ? undefined : rateShare(settings.rate, count),
		stages: settings.stages?.map(stage => stageShare(stage)),
	};
}

/**
 * What cannot be shared among `count` agents: every agent needs at least one connection (and one
 * request with -n). One issue per figure, naming the minimum.
 */
export function agentProblems(settings: RunSettings, count: number): ConfigIssue[] {
	const issues: ConfigIssue[] = [];
	if (settings.connections < count) {
		issues.push({path: '--connections', message: `${settings.connections} connections cannot be shared by ${count} agents (each needs one); use at least --connections ${count}, or fewer --agents`});
	}

	if (settings.maxConnections !== undefined && settings.maxConnections < count) {
		issues.push({path: '--max-connections', message: `${settings.maxConnections} cannot be shared by ${count} agents (each needs one); use at least --max-connections ${count}`});
	}

	if (settings.maxRequests !== undefined && settings.maxRequests < count) {
		issues.push({path: '--requests', message: `${settings.maxRequests} requests cannot be shared by ${count} agents (each needs one); use at least --requests ${count}, or fewer --agents`});
	}

	return issues;
}

/** The agent flags as the command line gives them (strings, checked here). */
export type AgentFlags = {
	readonly agents?: string | undefined;
	readonly agentIndex?: string | undefined;
	readonly startAt?: string | undefined;
	readonly startLateMax?: string | undefined;
};

/** Where the agent index comes from when --agent-index is not given (a Kubernetes Indexed Job sets it). */
export const agentIndexVariable = 'JOB_COMPLETION_INDEX';

/** The agent flags read: the agent (with --agents) and the start (with --start-at). */
export type AgentFlagsRead = {
	readonly agent: {readonly index: number; readonly count: number} | undefined;
	readonly startAt: StartAt | undefined;
};

/**
 * Reads --agents, --agent-index (default $JOB_COMPLETION_INDEX), --start-at and --start-late-max.
 * --start-at works without --agents too (one run that waits for its start). Every problem goes to
 * `issues`, one line each, naming the flag and the fix.
 */
export function readAgentFlags(flags: AgentFlags, env: Readonly<Record<string, string | undefined>>, parseDurationMs: (text: string) => number | undefined, issues: ConfigIssue[]): AgentFlagsRead {
	let startAt: StartAt | undefined;
	let lateMaxMs = defaultStartLateMaxMs;
	if (flags.startLateMax !== undefined) {
		const ms = parseDurationMs(flags.startLateMax);
		if (ms === undefined || ms < 0) {
			issues.push({path: '--start-late-max', message: `"${flags.startLateMax}" is not a duration; write seconds (2) or with a unit: 500ms, 2s`});
		} else {
			lateMaxMs = ms;
		}

		if (flags.startAt === undefined) {
			issues.push({path: '--start-late-max', message: 'goes with --start-at; add --start-at ISO-TIME'});
		}
	}

	if (flags.startAt !== undefined) {
		const atMs = parseStartAt(flags.startAt);
		if (atMs === undefined) {
			issues.push({path: '--start-at', message: `"${flags.startAt}" is not a time; write ISO 8601 with a zone, e.g. --start-at 2026-11-28T21:00:00Z`});
		} else {
			startAt = {atMs, lateMaxMs};
		}
	}

	return {agent: readAgent(flags, env, issues), startAt};
}

function readAgent(flags: AgentFlags, env: Readonly<Record<string, string | undefined>>, issues: ConfigIssue[]): AgentFlagsRead['agent'] {
	if (flags.agents === undefined) {
		if (flags.agentIndex !== undefined) {
			issues.push({path: '--agent-index', message: 'goes with --agents; add --agents N (how many agents share the run)'});
		}

		return undefined;
	}

	const count = Number(flags.agents);
	if (!/^\d+$/.test(flags.agents.trim()) || !Number.isSafeInteger(count) || count < 1) {
		issues.push({path: '--agents', message: `"${flags.agents}" is not valid; expected how many agents share the run, a whole number, e.g. --agents 3`});
		return undefined;
	}

	const indexText = flags.agentIndex ?? env[agentIndexVariable];
	if (indexText === undefined || indexText.trim() === '') {
		issues.push({path: '--agent-index', message: `missing; give --agent-index 0..${count - 1} or set ${agentIndexVariable} (a Kubernetes Indexed Job sets it)`});
		return undefined;
	}

	const index = Number(indexText.trim());
	if (!/^\d+$/.test(indexText.trim()) || index >= count) {
		const source = flags.agentIndex === undefined ? `$${agentIndexVariable}` : '--agent-index';
		issues.push({path: source, message: `"${indexText}" is not valid; expected a whole number from 0 to ${count - 1} (--agents ${count})`});
		return undefined;
	}

	return {index, count};
}

/** An ISO 8601 date-time with a zone (Z or ±hh:mm), in ms since the epoch; undefined if it is not one. */
export function parseStartAt(text: string): number | undefined {
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())) return undefined;
	const ms = Date.parse(text.trim());
	return Number.isFinite(ms) ? ms : undefined;
}

/** `{index}` in a report or log path, replaced by the agent's index (paths without it stay as they are). */
export function agentPath<T extends string | undefined>(path: T, index: number): T {
	return (path === undefined ? path : path.replaceAll('{index}', String(index))) as T;
}

/** How late `nowMs` is for the start (negative: early), and whether that is too late to start. */
export function startLateness(startAt: StartAt, nowMs: number): {lateMs: number; tooLate: boolean} {
	const lateMs = nowMs - startAt.atMs;
	return {lateMs, tooLate: lateMs > startAt.lateMaxMs};
}

/** The output flags an agent's `{index}` applies to. */
export type AgentOutputFlags = {
	readonly json?: string | undefined;
	readonly output?: string | undefined;
	readonly log?: string | undefined;
};

/** The flags (of a test run) that say something about agents and their start. */
export type AgentModeFlags = AgentFlags & AgentOutputFlags & {
	readonly abortOnFail?: boolean | undefined;
	readonly baselineDuration?: string | undefined;
	readonly saveProfile?: string | undefined;
};

/**
 * What agent mode refuses, one issue per flag: the TUI (an agent runs headless: in a pod, over
 * SSH), --abort-on-fail and --baseline-duration (thresholds and baselines are not an agent's to
 * judge or measure), --save-profile (it would save a share), `{index}` in a path without --agents.
 */
export function agentModeProblems(flags: AgentModeFlags, interactive: boolean): ConfigIssue[] {
	const issues: ConfigIssue[] = [];
	const synchronized = flags.agents !== undefined || flags.startAt !== undefined;
	if (synchronized && interactive) {
		issues.push({path: flags.agents === undefined ? '--start-at' : '--agents', message: 'runs without the TUI (agents run in pods or over SSH); add --headless'});
	}

	if (flags.agents !== undefined && flags.abortOnFail) {
		issues.push({path: '--abort-on-fail', message: 'not in agent mode: an agent sees only its share, so pystress-tui merge judges the thresholds; drop --abort-on-fail'});
	}

	if (flags.agents !== undefined && flags.saveProfile !== undefined) {
		issues.push({path: '--save-profile', message: 'not in agent mode: it would save one agent\'s share as the settings; save the profile without --agents, then run it with --profile NAME --agents N'});
	}

	if (synchronized && flags.baselineDuration !== undefined) {
		issues.push({path: '--baseline-duration', message: 'no baseline with --agents or --start-at (it would run into the agreed start); drop --baseline-duration'});
	}

	if (flags.agents === undefined) {
		for (const [flag, value] of [['--json', flags.json], ['--output', flags.output], ['--log', flags.log]] as const) {
			if (value?.includes('{index}')) {
				issues.push({path: flag, message: `"${value}": {index} stands for an agent's index; add --agents N --agent-index I, or drop {index}`});
			}
		}
	}

	return issues;
}

/** An agent's report and log paths: `{index}` replaced by its index (without an agent, as they are). */
export function agentOutputFlags<T extends AgentOutputFlags>(flags: T, agent: {readonly index: number} | undefined): T {
	if (!agent) return flags;
	return {...flags, json: agentPath(flags.json, agent.index), output: agentPath(flags.output, agent.index), log: agentPath(flags.log, agent.index)};
}

/**
 * An agent's default report names are its own (`reports/pystress-<start>-agent-<index>.json` and
 * `.html`), so agents sharing one volume never write over each other; paths given stay as they are.
 */
export function agentReportDefaults<T extends {readonly jsonPath: string | undefined; readonly htmlPath: string | undefined; readonly noReport: boolean}>(options: T, agent: {readonly index: number} | undefined, defaultBase: string): T {
	if (!agent || options.noReport) return options;
	return {
		...options,
		jsonPath: options.jsonPath ?? `${defaultBase}-agent-${agent.index}.json`,
		htmlPath: options.htmlPath ?? (options.jsonPath === '-' ? undefined : `${defaultBase}-agent-${agent.index}.html`),
	};
}
