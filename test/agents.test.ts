import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {Ajv} from 'ajv';
import formatsPlugin from 'ajv-formats';
import {afterEach, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {createHistogram, recordMicros, summarize} from '../source/stats/histogram.js';
import {runCommand} from '../source/commands/run.js';
import type {CliFlags} from '../source/commands/flags.js';
import {ConfigError} from '../source/config/errors.js';
import {resolveConfig} from '../source/config/load.js';
import {Engine} from '../source/engine/engine.js';
import {prepareRun} from '../source/session/prepare.js';
import {LateStartError, Session} from '../source/session/session.js';
import {testHardware} from './helpers/ui-fixtures.js';
import {rootDir, runCli, type CliResult} from './helpers/cli.js';
import {useTargets, type Responder} from './helpers/target-server.js';

const target = useTargets(afterEach);

/** A responder that answers 200 "ok" and notes when each request arrived (performance.now(), ms). */
function arrivalsRecorder(): {respond: Responder; arrivals: number[]} {
	const arrivals: number[] = [];
	return {
		arrivals,
		respond(_request, _index, response) {
			arrivals.push(performance.now());
			response.writeHead(200, {'content-type': 'text/plain', 'content-length': 2});
			response.end('ok');
		},
	};
}

/** report.schema.json, strict (as test/report-schema.test.ts compiles it). */
function schemaErrors(report: unknown): string {
	type FormatsPlugin = (ajv: Ajv) => Ajv;
	const addFormats = ((formatsPlugin as unknown as {default?: FormatsPlugin}).default ?? formatsPlugin) as unknown as FormatsPlugin;
	const ajv = new Ajv({allErrors: true, strict: true});
	addFormats(ajv);
	const validate = ajv.compile(JSON.parse(readFileSync(path.join(rootDir, 'source/report/report.schema.json'), 'utf8')) as object);
	return validate(report) ? '' : JSON.stringify(validate.errors);
}

const readReport = (file: string): JsonReport => JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
const logLines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(line => line.length > 0);
const inSeconds = (seconds: number): string => new Date(Date.now() + (seconds * 1000)).toISOString();

/** Runs agents 0..count-1 at once, as an Indexed Job would: the same flags, JOB_COMPLETION_INDEX set. */
async function runAgents(count: number, args: readonly string[]): Promise<CliResult[]> {
	return Promise.all(Array.from({length: count}, async (_, index) => runCli(['--agents', String(count), ...args], {env: {JOB_COMPLETION_INDEX: String(index)}, timeoutMs: 60_000})));
}

describe('agent mode: three agent processes against one counting server', () => {
	it('-n 3000 at --start-at now+3 s: the shares add up to 3000 at the server, in the logs and merged; the merged p99 is the logged latencies\' p99; the agents start within 200 ms; merge, not an agent, exits 99', async () => {
		const server = await target();
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-agents-'));
		const startAt = inSeconds(3);
		const results = await runAgents(3, ['--url', `${server.url}/`, '--start-at', startAt, '-n', '3000', '--threshold', 'rps>10000000', '--json', path.join(directory, 'agent-{index}.json'), '--log', path.join(directory, 'agent-{index}.ndjson'), '--no-report', '--headless', '-q']);
		for (const result of results) {
			// The threshold fails on every agent's share, yet an agent never exits 99: merge judges it.
			expect(result.stderr).toContain('pystress-tui merge judges them on the merged figures');
			expect(result.code, result.stderr).toBe(0);
		}

		const reports = [0, 1, 2].map(index => readReport(path.join(directory, `agent-${index}.json`)));
		const logs = [0, 1, 2].map(index => logLines(path.join(directory, `agent-${index}.ndjson`)));
		expect(reports.map(report => report.agent)).toEqual([0, 1, 2].map(index => ({index, count: 3, startAt: new Date(startAt).toISOString()})));
		// Floor + remainder by index: 1000 each; 50 connections -> 17, 17, 16.
		expect(reports.map(report => report.settings.maxRequests)).toEqual([1000, 1000, 1000]);
		expect(reports.map(report => report.settings.connections)).toEqual([17, 17, 16]);
		const requests = reports.map(report => report.summary.requests);
		expect(requests.reduce((a, b) => a + b, 0)).toBe(3000);
		expect(server.count).toBe(3000);
		expect(logs.reduce((total, lines) => total + lines.length, 0)).toBe(3000);
		for (const [index, report] of reports.entries()) {
			expect(logs[index]!.length).toBe(report.summary.requests + report.summary.incomplete);
			expect(report.baseline).toBeUndefined();
			expect(schemaErrors(report)).toBe('');
			expect(report.thresholds?.[0]?.passed).toBe(false);
		}

		const starts = reports.map(report => Date.parse(report.startedAt));
		const spreadMs = Math.max(...starts) - Math.min(...starts);
		// Not before the agreed time, and all within 200 ms of each other.
		expect(Math.min(...starts)).toBeGreaterThanOrEqual(Date.parse(startAt));
		expect(spreadMs).toBeLessThan(200);
		// The merge: exact figures from the three reports (the threshold fails there: merge exits 99).
		const merged = path.join(directory, 'merged.json');
		const merge = await runCli(['merge', ...[0, 1, 2].map(index => path.join(directory, `agent-${index}.json`)), '--expect-agents', '3', '--json', merged]);
		expect(merge.code, merge.stderr).toBe(99);
		const mergedReport = readReport(merged);
		expect(mergedReport.summary.requests).toBe(3000);
		expect(mergedReport.thresholds?.map(threshold => threshold.passed)).toEqual([false]);
		const logged = createHistogram();
		for (const line of logs.flat()) {
			const entry = JSON.parse(line) as {status: number | null; latencyUs: number};
			if (entry.status !== null) recordMicros(logged, entry.latencyUs);
		}

		expect(mergedReport.summary.latencyMs.count).toBe(3000);
		expect(mergedReport.summary.latencyMs.p99).toBe(summarize(logged).p99);
		expect(mergedReport.summary.latencyMs.max).toBe(summarize(logged).max);
		console.log(`agents -n 3000: merged p99 ${mergedReport.summary.latencyMs.p99} ms = logged p99 ${summarize(logged).p99} ms; start spread ${spreadMs} ms, first start ${Math.min(...starts) - Date.parse(startAt)} ms after --start-at, requests ${requests.join(' + ')} = server ${server.count} = log lines ${logs.map(lines => lines.length).join(' + ')}`);
	}, 90_000);

	it('open model (--rate 300 -d 3): the agents\' sends add up to the rate within 2%, the server count equals their requests, and their sends interleave', async () => {
		const recorder = arrivalsRecorder();
		const server = await target({respond: recorder.respond});
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-agents-'));
		const startAt = inSeconds(3);
		const results = await runAgents(3, ['--url', `${server.url}/`, '--start-at', startAt, '--rate', '300', '-d', '3', '--json', path.join(directory, 'agent-{index}.json'), '--no-report', '--headless', '-q']);
		for (const result of results) expect(result.code, result.stderr).toBe(0);
		const reports = [0, 1, 2].map(index => readReport(path.join(directory, `agent-${index}.json`)));
		expect(reports.map(report => report.settings.rate)).toEqual([100, 100, 100]);
		const requests = reports.reduce((total, report) => total + report.summary.requests, 0);
		expect(server.count).toBe(requests);
		const rate = reports.reduce((total, report) => total + (report.summary.requests / report.summary.durationS), 0);
		expect(Math.abs(rate - 300) / 300).toBeLessThan(0.02);
		const starts = reports.map(report => Date.parse(report.startedAt));
		expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(200);
		const merged = path.join(directory, 'merged.json');
		const merge = await runCli(['merge', ...[0, 1, 2].map(index => path.join(directory, `agent-${index}.json`)), '--expect-agents', '3', '--json', merged]);
		expect(merge.code, merge.stderr).toBe(0);
		const mergedReport = readReport(merged);
		expect(mergedReport.summary.requests).toBe(server.count);
		expect(Math.abs(mergedReport.summary.rps - 300) / 300).toBeLessThan(0.02);
		// Measured, not judged (timing on a shared 2-core machine): the gaps between arrivals at the server.
		const gaps = recorder.arrivals.slice(1).map((at, index) => at - recorder.arrivals[index]!).sort((a, b) => a - b);
		const quantile = (q: number): string => gaps[Math.floor(q * (gaps.length - 1))]!.toFixed(2);
		console.log(`agents --rate 300 -d 3: ${requests} requests (server ${server.count}), merged ${mergedReport.summary.rps} req/s over ${mergedReport.summary.durationS} s, ${rate.toFixed(1)} req/s summed over the agents, start spread ${Math.max(...starts) - Math.min(...starts)} ms; arrival gaps p10 ${quantile(0.1)} ms, p50 ${quantile(0.5)} ms, p90 ${quantile(0.9)} ms (even spacing: 3.33 ms)`);
	}, 90_000);
});

describe('agent mode: refusals', () => {
	it('an agent later than --start-late-max exits 3 and sends nothing; no report is written', async () => {
		const server = await target();
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-agents-'));
		const result = await runCli(['--url', `${server.url}/`, '--agents', '3', '--start-at', inSeconds(-3), '-n', '30', '--json', path.join(directory, 'agent-{index}.json'), '--headless'], {env: {JOB_COMPLETION_INDEX: '1'}});
		expect(result.code).toBe(3);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toMatch(/^pystress-tui: agent 1 of 3 was ready \d+\.\d{3} s after --start-at .*, later than --start-late-max 2 s; nothing was sent\n$/);
		expect(server.count).toBe(0);
		expect(existsSync(path.join(directory, 'agent-1.json'))).toBe(false);
	}, 30_000);

	it('bad agent flags exit 2 with one line naming the flag and the fix, before anything is sent', async () => {
		const server = await target();
		const url = `${server.url}/`;
		const cases: Array<[string[], Record<string, string>, RegExp]> = [
			[['--agents', '3'], {JOB_COMPLETION_INDEX: ''}, /^command line: --agent-index: missing; give --agent-index 0\.\.2 or set JOB_COMPLETION_INDEX/],
			[['--agents', '3'], {JOB_COMPLETION_INDEX: '3'}, /^command line: \$JOB_COMPLETION_INDEX: "3" is not valid; expected a whole number from 0 to 2/],
			[['--agents', '3', '--agent-index', 'one'], {}, /^command line: --agent-index: "one" is not valid/],
			[['--agents', '0', '--agent-index', '0'], {}, /^command line: --agents: "0" is not valid/],
			[['--agent-index', '1'], {}, /^command line: --agent-index: goes with --agents/],
			[['--agents', '4', '--agent-index', '0', '-c', '3'], {}, /^command line: --connections: 3 connections cannot be shared by 4 agents \(each needs one\); use at least --connections 4/],
			[['--agents', '4', '--agent-index', '0', '-n', '3'], {}, /^command line: --requests: 3 requests cannot be shared by 4 agents/],
			[['--agents', '2', '--agent-index', '0', '--start-at', 'in a minute'], {}, /^command line: --start-at: "in a minute" is not a time; write ISO 8601 with a zone/],
			[['--agents', '2', '--agent-index', '0', '--start-late-max', '1s'], {}, /^command line: --start-late-max: goes with --start-at/],
			[['--json', 'r-{index}.json'], {}, /^command line: --json: "r-\{index\}\.json": \{index\} stands for an agent's index/],
			[['--agents', '2', '--agent-index', '0', '--abort-on-fail', '--threshold', 'p99<1s'], {}, /^command line: --abort-on-fail: not in agent mode/],
		];
		for (const [args, env, expected] of cases) {
			// eslint-disable-next-line no-await-in-loop
			const result = await runCli(['--url', url, ...args, '-d', '1', '--no-report', '--headless'], {env});
			expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
			expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
			expect(result.stderr, args.join(' ')).toMatch(expected);
			expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
		}

		expect(server.count).toBe(0);
	}, 60_000);
});

describe('agent mode in the TUI', () => {
	it('is refused before anything starts, with one line naming the flag and the fix (--headless)', async () => {
		const io = {stdout: () => undefined, stderr: () => undefined, onSignal: () => () => undefined};
		for (const [flags, flag] of [[{agents: '2', agentIndex: '0'}, '--agents'], [{startAt: new Date(Date.now() + 60_000).toISOString()}, '--start-at']] as const) {
			const context = {args: [], flags: {url: 'http://127.0.0.1:9/', baseline: true, report: true, headless: false, ...flags} as unknown as CliFlags, io, hardware: testHardware, env: {}, interactive: true};
			// eslint-disable-next-line no-await-in-loop
			const error = await runCommand.run(context).then(() => undefined, (error: unknown) => error);
			expect(error).toBeInstanceOf(ConfigError);
			expect((error as ConfigError).message).toBe(`command line: ${flag}: runs without the TUI (agents run in pods or over SSH); add --headless`);
		}
	});
});

describe('the start gate (engine and session, in process)', () => {
	it('an engine whose beforeStart refuses ends unstarted: its workers loaded, nothing sent, stages or not', async () => {
		const server = await target();
		const {plan} = resolveConfig({url: `${server.url}/`}, {source: 'test', env: {}});
		for (const stages of [undefined, [{durationMs: 1000, target: 4}]]) {
			let asked = 0;
			const engine = new Engine({
				plan,
				settings: {threads: 2, connections: 4, durationMs: 1000, maxRequests: undefined, rate: undefined, graceMs: 500, stages},
				beforeStart: async () => {
					asked++;
					return false;
				},
			});
			// eslint-disable-next-line no-await-in-loop
			const result = await engine.start();
			expect(asked).toBe(1);
			expect(result.totals.overall.requests).toBe(0);
			expect(engine.state).toBe('done');
		}

		expect(server.count).toBe(0);
	}, 30_000);

	it('a session later than --start-late-max once its workers are ready throws LateStartError and sends nothing', async () => {
		const server = await target();
		// 0 ms allowed: whatever the workers' loading takes makes the run late (or it is late already).
		const prepared = prepareRun({url: `${server.url}/`, threads: '2', connections: '2', duration: '1', agents: '2', agentIndex: '1', startAt: new Date(Date.now() + 20).toISOString(), startLateMax: '0'}, testHardware, {});
		const session = new Session({prepared, hardware: testHardware, quickBaselineCount: 5, extendedBaselineMs: undefined});
		const error = await session.run().then(() => undefined, (error: unknown) => error);
		expect(error).toBeInstanceOf(LateStartError);
		expect((error as LateStartError).message).toMatch(/^agent 1 of 2 was ready \d+\.\d{3} s after --start-at .*, later than --start-late-max 0 s; nothing was sent$/);
		expect(server.count).toBe(0);
	}, 30_000);

	it('a session in time waits for --start-at, runs no baseline, and records the agent in its report', async () => {
		const server = await target();
		const startAt = new Date(Date.now() + 1500);
		const prepared = prepareRun({url: `${server.url}/`, threads: '1', connections: '4', requests: '40', agents: '2', agentIndex: '0', startAt: startAt.toISOString()}, testHardware, {});
		const session = new Session({prepared, hardware: testHardware, quickBaselineCount: 5, extendedBaselineMs: undefined});
		const phases: string[] = [];
		session.subscribe(event => {
			if (event.type === 'phase') phases.push(event.phase);
		});
		const report = await session.run();
		expect(phases).toContain('start-wait');
		expect(phases).not.toContain('quick-baseline');
		expect(Date.parse(report.startedAt)).toBeGreaterThanOrEqual(startAt.getTime());
		expect(report.agent).toEqual({index: 0, count: 2, startAt: startAt.toISOString()});
		expect(report.summary.requests).toBe(20);
		expect(server.count).toBe(20);
	}, 30_000);
});
