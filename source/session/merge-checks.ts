import type {ConfigIssue} from '../config/interpolate.js';
import {reportProtocol} from '../report/protocol-format.js';
import type {JsonReport, ReportEndpoint} from '../report/types.js';
import {parseThreshold, type Threshold} from '../stats/thresholds.js';

/** One report to merge: the file named on the command line, the report, and its written schema version. */
export type MergeInput = {
	readonly file: string;
	readonly report: JsonReport;
	readonly writtenVersion: number;
};

export type MergeOptions = {
	/** `--expect-agents N`. */
	readonly expectAgents?: number;
	/** `--threshold`, on top of the inputs' own. */
	readonly thresholds?: readonly string[];
};

/**
 * Why these inputs cannot be merged (each an exit-2 line): different schema versions, different
 * plans (fingerprint, endpoints, HTTP client, open vs closed model), the same report twice,
 * duplicate agent indexes or counts that disagree, agents of different runs or beside whole runs
 * (`oneRunProblems`), bad `--expect-agents` or `--threshold`.
 */
export function mergeProblems(inputs: readonly MergeInput[], options: MergeOptions): ConfigIssue[] {
	const issues: ConfigIssue[] = [];
	const [first] = inputs;
	if (!first) return [{path: 'merge', message: 'expected JSON reports: pystress-tui merge A.json B.json ... [--json OUT] [-o OUT.html]'}];
	const model = (report: JsonReport): string => (report.settings.rate === null ? 'closed model' : 'open model (--rate)');
	const endpointKey = (endpoint: ReportEndpoint): string => `${endpoint.method} ${endpoint.url} "${endpoint.name}" weight ${endpoint.weight}`;
	for (const input of inputs.slice(1)) {
		const {report, file} = input;
		const against = `${first.file}'s`;
		if (input.writtenVersion !== first.writtenVersion) {
			issues.push({path: `${file}: schemaVersion`, message: `${input.writtenVersion}, but ${against} is ${first.writtenVersion}; merge reports written by the same version (rerun the older agents)`});
			continue;
		}

		if (report.planFingerprint !== undefined && first.report.planFingerprint !== undefined && report.planFingerprint !== first.report.planFingerprint) {
			issues.push({path: `${file}: planFingerprint`, message: `${report.planFingerprint} differs from ${against} ${first.report.planFingerprint}: the runs sent different requests (URL, headers, body, weights or request policy); merge only the agents of one run`});
		}

		const endpoints = report.endpoints.map(endpoint => endpointKey(endpoint));
		const firstEndpoints = first.report.endpoints.map(endpoint => endpointKey(endpoint));
		const differing = endpoints.findIndex((key, index) => key !== firstEndpoints[index]);
		if (endpoints.length !== firstEndpoints.length || differing >= 0) {
			issues.push({path: `${file}: endpoints`, message: endpoints.length === firstEndpoints.length
				? `endpoint ${differing + 1} is ${endpoints[differing]}, but ${against} is ${firstEndpoints[differing]}; merge only the agents of one run`
				: `${endpoints.length} endpoints, but ${against} has ${firstEndpoints.length}; merge only the agents of one run`});
		}

		if (model(report) !== model(first.report)) {
			issues.push({path: `${file}: settings.rate`, message: `${model(report)}, but ${against} is ${model(first.report)}; the corrected latency means something else in each, so merge runs of one model`});
		}

		if (report.settings.httpClient !== first.report.settings.httpClient) {
			issues.push({path: `${file}: settings.httpClient`, message: `${report.settings.httpClient}, but ${against} is ${first.report.settings.httpClient}; merge runs of one client`});
		}

		if (reportProtocol(report.settings) !== reportProtocol(first.report.settings)) {
			issues.push({path: `${file}: settings.protocol`, message: `${reportProtocol(report.settings)}, but ${against} is ${reportProtocol(first.report.settings)}; merge runs of one protocol`});
		}
	}

	for (const [index, input] of inputs.entries()) {
		const same = inputs.slice(0, index).find(other => other.report.startedAt === input.report.startedAt && other.report.endedAt === input.report.endedAt && other.report.histogram === input.report.histogram);
		if (same) {
			issues.push({path: input.file, message: `the same report as ${same.file} (same start, end and histogram); give each agent's report once`});
		}

		const {agent} = input.report;
		if (!agent) continue;
		const duplicate = inputs.slice(0, index).find(other => other.report.agent?.index === agent.index);
		if (duplicate && !same) {
			issues.push({path: `${input.file}: agent.index`, message: `${agent.index} again (also ${duplicate.file}); each agent's report once: check the --agent-index / $JOB_COMPLETION_INDEX of each agent`});
		}

		const count = options.expectAgents ?? inputs.find(other => other.report.agent)!.report.agent!.count;
		if (agent.count !== count) {
			issues.push({path: `${input.file}: agent.count`, message: `${agent.count} agents, but ${options.expectAgents === undefined ? 'another input says' : '--expect-agents is'} ${count}; merge the agents of one run`});
		} else if (agent.index >= count) {
			issues.push({path: `${input.file}: agent.index`, message: `${agent.index} is outside 0..${count - 1}`});
		}
	}

	issues.push(...oneRunProblems(inputs));
	if (options.expectAgents !== undefined && inputs.length > options.expectAgents) {
		issues.push({path: '--expect-agents', message: `${options.expectAgents}, but ${inputs.length} reports were given; give one report per agent`});
	}

	for (const text of options.thresholds ?? []) {
		try {
			checkThresholdEndpoint(parseThreshold(text), first.report);
		} catch (error) {
			issues.push({path: '--threshold', message: (error as Error).message});
		}
	}

	return issues;
}

/**
 * Agent reports that cannot be of one distributed run: a whole run's report (no agent section)
 * beside agents, agents that waited for different `--start-at` times, or ran for different
 * durations (`-d` is the same for every agent; the shares of rate, connections and `-n` are not).
 */
function oneRunProblems(inputs: readonly MergeInput[]): ConfigIssue[] {
	const first = inputs.find(input => input.report.agent !== undefined);
	if (first === undefined) return [];
	const firstAgent = first.report.agent!;
	const issues: ConfigIssue[] = [];
	for (const {file, report} of inputs) {
		const {agent} = report;
		if (agent === undefined) {
			issues.push({path: `${file}: agent`, message: `none: a whole run, but ${first.file} is agent ${firstAgent.index} of ${firstAgent.count}; merge the agents of one run, or whole runs only`});
			continue;
		}

		if (agent.startAt !== firstAgent.startAt) {
			issues.push({path: `${file}: agent.startAt`, message: `${agent.startAt ?? 'none'}, but ${first.file}'s is ${firstAgent.startAt ?? 'none'}: the agents of one run share one --start-at; merge only the agents of one run`});
		}

		if (report.settings.durationS !== first.report.settings.durationS) {
			const duration = (seconds: number | null): string => (seconds === null ? 'none (-n)' : `${seconds} s`);
			issues.push({path: `${file}: settings.durationS`, message: `${duration(report.settings.durationS)}, but ${first.file}'s is ${duration(first.report.settings.durationS)}: the agents of one run share one -d; merge only the agents of one run`});
		}
	}

	return issues;
}

/** The threshold, when the endpoint it names (if any) is one of the report's; else throws saying which there are. */
export function checkThresholdEndpoint(threshold: Threshold, report: JsonReport): Threshold {
	const names = report.endpoints.map(endpoint => endpoint.name);
	if (threshold.endpoint !== undefined && !names.includes(threshold.endpoint)) {
		throw new Error(`"${threshold.expression}": no endpoint named "${threshold.endpoint}" (endpoints: ${names.join(', ')})`);
	}

	return threshold;
}

/** Agents expected (`--expect-agents`, else the inputs' `agent.count`) and those missing. */
export function missingAgents(inputs: readonly MergeInput[], expectAgents: number | undefined): {expected: number | null; missing: number[]} {
	const agents = inputs.flatMap(input => (input.report.agent ? [input.report.agent] : []));
	const expected = expectAgents ?? agents[0]?.count ?? null;
	if (expected === null) return {expected, missing: []};
	if (agents.length === 0) {
		// Reports without an agent section: only how many are missing is known.
		return {expected, missing: Array.from({length: Math.max(0, expected - inputs.length)}, (_, index) => inputs.length + index)};
	}

	const present = new Set(agents.map(agent => agent.index));
	return {expected, missing: Array.from({length: expected}, (_, index) => index).filter(index => !present.has(index))};
}
