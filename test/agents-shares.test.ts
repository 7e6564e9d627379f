import {describe, expect, it} from 'vitest';
import {parseDurationMs} from '../source/config/duration.js';
import type {ConfigIssue} from '../source/config/interpolate.js';
import type {RunSettings} from '../source/config/types.js';
import {lateStart, waitUntil} from '../source/session/start-gate.js';
import {agentModeProblems, agentOutputFlags, agentProblems, agentReportDefaults, agentSendOffsetMs, agentSettings, integerShare, parseStartAt, readAgentFlags, startLateness} from '../source/session/agents.js';

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
		return state / 2_147_483_648;
	};
}

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

describe('agent shares (pure)', () => {
	it('whole-number shares add up exactly and differ by at most one, for many totals and agent counts', () => {
		const next = random(13);
		for (let trial = 0; trial < 2000; trial++) {
			const count = 1 + Math.floor(next() * 64);
			const total = count + Math.floor(next() * 100_000);
			const shares = Array.from({length: count}, (_, index) => integerShare(total, count, index));
			expect(sum(shares)).toBe(total);
			expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
			expect(Math.min(...shares)).toBeGreaterThanOrEqual(1);
		}
	});

	it('the settings of N agents add up to the whole run: connections, max-connections, -n, rate (fractional too) and every stage target', () => {
		const next = random(7);
		for (let trial = 0; trial < 500; trial++) {
			const count = 1 + Math.floor(next() * 20);
			const connections = count + Math.floor(next() * 2000);
			const openModel = next() < 0.5;
			const rate = openModel ? Math.round(next() * 1e6) / 100 + 0.01 : undefined;
			const stages = next() < 0.5 ? undefined : Array.from({length: 1 + Math.floor(next() * 4)}, () => ({durationMs: 1000 + Math.floor(next() * 10_000), target: openModel ? Math.round(next() * 1e5) / 10 : Math.floor(next() * 500)}));
			const settings: RunSettings = {
				threads: 2,
				connections,
				durationMs: next() < 0.5 ? 10_000 : undefined,
				maxRequests: next() < 0.5 ? count + Math.floor(next() * 1e6) : undefined,
				rate,
				graceMs: 2000,
				maxConnections: next() < 0.5 ? connections + Math.floor(next() * 1000) : undefined,
				stages,
				maxLateMs: undefined,
			};
			expect(agentProblems(settings, count)).toEqual([]);
			const agents = Array.from({length: count}, (_, index) => agentSettings(settings, count, index));
			expect(sum(agents.map(agent => agent.connections))).toBe(connections);
			if (settings.maxConnections !== undefined) {
				expect(sum(agents.map(agent => agent.maxConnections!))).toBe(settings.maxConnections);
				// Each agent's cap still covers its connections.
				for (const agent of agents) expect(agent.maxConnections!).toBeGreaterThanOrEqual(agent.connections);
			}

			if (settings.maxRequests !== undefined) expect(sum(agents.map(agent => agent.maxRequests!))).toBe(settings.maxRequests);
			if (rate !== undefined) {
				expect(sum(agents.map(agent => agent.rate!))).toBeCloseTo(rate, 6);
				expect(Math.abs(sum(agents.map(agent => agent.rate!)) - rate) / rate).toBeLessThan(1e-12);
			}

			for (const [index, stage] of (stages ?? []).entries()) {
				const shares = agents.map(agent => agent.stages![index]!);
				expect(shares.every(share => share.durationMs === stage.durationMs)).toBe(true);
				if (openModel) {
					expect(Math.abs(sum(shares.map(share => share.target)) - stage.target)).toBeLessThanOrEqual(1e-9 * Math.max(1, stage.target));
				} else {
					expect(sum(shares.map(share => share.target))).toBe(stage.target);
				}
			}

			// What an agent keeps for itself.
			for (const agent of agents) {
				expect([agent.threads, agent.durationMs, agent.graceMs]).toEqual([settings.threads, settings.durationMs, settings.graceMs]);
			}
		}
	});

	it('the offsets interleave the agents: the union of every agent\'s intended sends is evenly spaced at 1/R', () => {
		for (const [count, rate] of [[3, 300], [4, 1000], [7, 12.5], [2, 0.5]] as const) {
			const times: number[] = [];
			for (let index = 0; index < count; index++) {
				const intervalMs = 1000 / (rate / count);
				for (let k = 0; k < 50; k++) times.push(agentSendOffsetMs(rate, index) + (k * intervalMs));
			}

			times.sort((a, b) => a - b);
			for (let k = 1; k < times.length; k++) {
				expect(times[k]! - times[k - 1]!).toBeCloseTo(1000 / rate, 6);
			}
		}

		expect(agentSendOffsetMs(undefined, 2)).toBe(0);
	});

	it('an agent whose share would be 0 is refused, naming the minimum', () => {
		const settings: RunSettings = {threads: 1, connections: 2, durationMs: 1000, maxRequests: 2, rate: undefined, graceMs: 1000, maxConnections: 3};
		expect(agentProblems(settings, 4).map(issue => `${issue.path}: ${issue.message}`)).toEqual([
			'--connections: 2 connections cannot be shared by 4 agents (each needs one); use at least --connections 4, or fewer --agents',
			'--max-connections: 3 cannot be shared by 4 agents (each needs one); use at least --max-connections 4',
			'--requests: 2 requests cannot be shared by 4 agents (each needs one); use at least --requests 4, or fewer --agents',
		]);
	});
});

describe('agent flags (pure)', () => {
	const read = (flags: Parameters<typeof readAgentFlags>[0], env: Record<string, string> = {}) => {
		const issues: ConfigIssue[] = [];
		const result = readAgentFlags(flags, env, parseDurationMs, issues);
		return {result, issues: issues.map(issue => `${issue.path}: ${issue.message}`)};
	};

	it('--agent-index defaults to $JOB_COMPLETION_INDEX; the flag wins over it', () => {
		expect(read({agents: '3'}, {JOB_COMPLETION_INDEX: '2'}).result.agent).toEqual({index: 2, count: 3});
		expect(read({agents: '3', agentIndex: '0'}, {JOB_COMPLETION_INDEX: '2'}).result.agent).toEqual({index: 0, count: 3});
		expect(read({}).result).toEqual({agent: undefined, startAt: undefined});
	});

	it('every bad value is one line naming the flag and the fix', () => {
		expect(read({agents: '3'}).issues).toEqual(['--agent-index: missing; give --agent-index 0..2 or set JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it)']);
		expect(read({agents: '3'}, {JOB_COMPLETION_INDEX: '3'}).issues).toEqual(['$JOB_COMPLETION_INDEX: "3" is not valid; expected a whole number from 0 to 2 (--agents 3)']);
		expect(read({agents: '3', agentIndex: '-1'}).issues).toEqual(['--agent-index: "-1" is not valid; expected a whole number from 0 to 2 (--agents 3)']);
		expect(read({agents: '2.5', agentIndex: '0'}).issues[0]).toMatch(/^--agents: "2.5" is not valid/);
		expect(read({agentIndex: '0'}).issues).toEqual(['--agent-index: goes with --agents; add --agents N (how many agents share the run)']);
		expect(read({startAt: '2026-11-28 21:00'}).issues[0]).toMatch(/^--start-at: .* ISO 8601 with a zone/);
		expect(read({startAt: '2026-11-28T21:00:00'}).issues[0]).toMatch(/^--start-at: /);
		expect(read({startLateMax: '1s'}).issues).toEqual(['--start-late-max: goes with --start-at; add --start-at ISO-TIME']);
		expect(read({startAt: '2026-11-28T21:00:00Z', startLateMax: 'soon'}).issues[0]).toMatch(/^--start-late-max: "soon" is not a duration/);
	});

	it('--start-at takes ISO 8601 with a zone; lateness is measured against --start-late-max (default 2 s)', () => {
		expect(parseStartAt('2026-11-28T21:00:00Z')).toBe(Date.UTC(2026, 10, 28, 21, 0, 0));
		expect(parseStartAt('2026-11-28T22:00:00.250+01:00')).toBe(Date.UTC(2026, 10, 28, 21, 0, 0, 250));
		const {startAt} = read({startAt: '2026-11-28T21:00:00Z'}).result;
		expect(startAt).toEqual({atMs: Date.UTC(2026, 10, 28, 21), lateMaxMs: 2000});
		expect(startLateness(startAt!, startAt!.atMs + 2000)).toEqual({lateMs: 2000, tooLate: false});
		expect(startLateness(startAt!, startAt!.atMs + 2001)).toEqual({lateMs: 2001, tooLate: true});
		expect(startLateness(startAt!, startAt!.atMs - 5000).tooLate).toBe(false);
	});

	it('{index} in --json, -o and --log; an agent\'s default reports are its own; refusals', () => {
		expect(agentOutputFlags({json: 'out/r-{index}.json', output: 'r-{index}.html', log: '/results/{index}/log.ndjson'}, {index: 2})).toEqual({json: 'out/r-2.json', output: 'r-2.html', log: '/results/2/log.ndjson'});
		expect(agentOutputFlags({json: 'r-{index}.json'}, undefined)).toEqual({json: 'r-{index}.json'});
		expect(agentReportDefaults({jsonPath: undefined, htmlPath: undefined, noReport: false}, {index: 1}, 'reports/pystress-X')).toEqual({jsonPath: 'reports/pystress-X-agent-1.json', htmlPath: 'reports/pystress-X-agent-1.html', noReport: false});
		expect(agentReportDefaults({jsonPath: '-', htmlPath: undefined, noReport: false}, {index: 1}, 'b')).toEqual({jsonPath: '-', htmlPath: undefined, noReport: false});
		expect(agentReportDefaults({jsonPath: 'a.json', htmlPath: undefined, noReport: true}, {index: 1}, 'b')).toEqual({jsonPath: 'a.json', htmlPath: undefined, noReport: true});
		const problems = (flags: Parameters<typeof agentModeProblems>[0], interactive = false): string[] => agentModeProblems(flags, interactive).map(issue => issue.path);
		expect(problems({agents: '2'}, true)).toEqual(['--agents']);
		expect(problems({startAt: '2026-11-28T21:00:00Z'}, true)).toEqual(['--start-at']);
		expect(problems({agents: '2', abortOnFail: true, baselineDuration: '5s', saveProfile: 'p'})).toEqual(['--abort-on-fail', '--save-profile', '--baseline-duration']);
		expect(problems({json: 'r-{index}.json', log: 'l-{index}'})).toEqual(['--json', '--log']);
		expect(problems({agents: '2', json: 'r-{index}.json'})).toEqual([]);
	});
});

describe('the start gate (pure)', () => {
	it('lateStart names the agent, how late it was and the limit; in time is undefined', () => {
		const startAt = {atMs: Date.UTC(2026, 10, 28, 21), lateMaxMs: 2000};
		expect(lateStart(startAt, {index: 2, count: 3}, startAt.atMs + 1999)).toBeUndefined();
		expect(lateStart(startAt, {index: 2, count: 3}, startAt.atMs + 2500)?.message).toBe('agent 2 of 3 was ready 2.500 s after --start-at 2026-11-28T21:00:00.000Z, later than --start-late-max 2 s; nothing was sent');
		expect(lateStart(startAt, undefined, startAt.atMs + 2500)?.lateMs).toBe(2500);
	});

	it('waitUntil follows the wall clock (a step forward ends the wait) and ends at once on abort', async () => {
		let clock = 0;
		const controller = new AbortController();
		const waited = waitUntil(10_000, controller.signal, () => clock);
		clock = 10_000;
		await waited;
		const aborted = new AbortController();
		const started = performance.now();
		const long = waitUntil(Date.now() + 60_000, aborted.signal);
		aborted.abort();
		await long;
		expect(performance.now() - started).toBeLessThan(1000);
	});
});
