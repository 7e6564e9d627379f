import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {renderHtmlReport} from '../source/report/html.js';
import {renderTextSummary} from '../source/report/text.js';
import {createHistogram, recordMicros, summarize} from '../source/stats/histogram.js';
import {runCli, type CliResult} from './helpers/cli.js';
import {temporaryDirectory} from './helpers/sample-report.js';
import {startTarget, type TargetServer} from './helpers/target-server.js';

type LogLine = {status: number | null; latencyUs: number; error: string | null};

const readJson = (file: string): JsonReport => JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
const readLog = (file: string): LogLine[] => readFileSync(file, 'utf8').trim().split('\n').map(line => JSON.parse(line) as LogLine);

/** An exit-2 refusal: one line per problem, naming the field, and no stack trace. */
function expectRefusal(result: CliResult, pattern: RegExp): void {
	expect(result.code, result.stderr).toBe(2);
	expect(result.stderr).toMatch(pattern);
	expect(result.stderr).not.toMatch(/\n\s+at /);
	expect(result.stdout).toBe('');
}

describe('pystress-tui merge (real runs on loopback)', () => {
	let directory: string;
	let target: TargetServer;
	let runs: CliResult[];
	const file = (name: string): string => path.join(directory, name);

	beforeAll(async () => {
		directory = temporaryDirectory('pystress-merge-');
		target = await startTarget();
		// Two agents at 100 req/s each at the same time: each fails rps>150 alone, together they pass it.
		const agent = (name: string) => runCli(['--url', `${target.url}/`, '-R', '100', '-d', '3', '-c', '4', '-t', '1', '--headless', '-q', '--no-baseline', '--threshold', 'rps>150', '--json', file(`${name}.json`), '--log', file(`${name}.ndjson`), '--no-report'], {cwd: directory});
		runs = await Promise.all([agent('a'), agent('b')]);
		// A run of another plan (another path) to refuse.
		await runCli(['--url', `${target.url}/other`, '-R', '50', '-d', '1', '-c', '2', '-t', '1', '--headless', '-q', '--no-baseline', '--json', file('other.json'), '--no-report'], {cwd: directory});
	}, 60_000);

	afterAll(async () => {
		await target?.close();
		rmSync(directory, {recursive: true, force: true});
	});

	it('passes an rps threshold that every agent fails alone: counts match the server, latency matches every logged request', async () => {
		expect(runs.map(run => run.code)).toEqual([99, 99]);
		const serverCount = target.count;
		const result = await runCli(['merge', file('a.json'), file('b.json'), '--json', file('merged.json'), '-o', file('merged.html')], {cwd: directory});
		expect(result.code, result.stderr).toBe(0);
		const [a, b, merged] = [readJson(file('a.json')), readJson(file('b.json')), readJson(file('merged.json'))];
		const {summary} = merged;
		expect(summary.requests).toBe(a.summary.requests + b.summary.requests);
		expect(summary.requests + summary.incomplete).toBe(serverCount - readJson(file('other.json')).summary.requests - readJson(file('other.json')).summary.incomplete);
		const log = [...readLog(file('a.ndjson')), ...readLog(file('b.ndjson'))];
		expect(log).toHaveLength(summary.requests + summary.incomplete);
		// The oracle: one histogram of every logged response's latency.
		const oracle = createHistogram();
		for (const line of log) {
			if (line.status !== null) recordMicros(oracle, line.latencyUs);
		}

		expect(summary.latencyMs).toEqual(summarize(oracle));
		expect(summary.durationS).toBe((Date.parse(merged.endedAt) - Date.parse(merged.startedAt)) / 1000);
		expect(merged.startedAt).toBe([a.startedAt, b.startedAt].sort()[0]);
		expect(summary.rps).toBeCloseTo(summary.requests / summary.durationS, 2);
		expect(summary.rps).toBeGreaterThan(150);
		expect(merged.thresholds).toEqual([expect.objectContaining({expression: 'rps>150', passed: true})]);
		expect(merged.timeline.reduce((total, point) => total + point.requests, 0)).toBe(summary.requests);
		expect(merged.merge?.agents.map(row => row.requests)).toEqual([a.summary.requests, b.summary.requests]);
		expect(merged.merge?.startSkewMs).toBe(Math.abs(Date.parse(a.startedAt) - Date.parse(b.startedAt)));
		expect(result.stdout).toMatch(/AGENTS\n {2}merged from 2 reports; start skew [\d.]+ ms\n/);
		expect(result.stdout).toMatch(/PASS {2}rps>150/);
		const html = readFileSync(file('merged.html'), 'utf8');
		expect(html).toContain('id="agents"');
		expect(html).toContain(file('b.json'));
	});

	it('judges --threshold on the merged figures: exit 99', async () => {
		const result = await runCli(['merge', file('a.json'), file('b.json'), '--json', file('merged-99.json'), '--threshold', 'p50<1us'], {cwd: directory});
		expect(result.code, result.stderr).toBe(99);
		expect(result.stderr).toMatch(/thresholds failed: p50<1us/);
		expect(readJson(file('merged-99.json')).thresholds?.map(outcome => [outcome.expression, outcome.passed])).toEqual([['rps>150', true], ['p50<1us', false]]);
	});

	it('refuses a file that is not JSON, a wrong schema version and a different plan, one line each (exit 2)', async () => {
		// A JSON parser quotes the start of the file, line breaks and all: still one line.
		writeFileSync(file('not.json'), 'hello\nworld\n');
		const wrongVersion = {...readJson(file('a.json')), schemaVersion: 99};
		writeFileSync(file('v99.json'), JSON.stringify(wrongVersion));
		const notJson = await runCli(['merge', file('a.json'), file('not.json')], {cwd: directory});
		expectRefusal(notJson, /^merge: .*not\.json: \(file\): not a readable JSON report/m);
		expect(notJson.stderr.trim().split('\n')).toHaveLength(1);
		expectRefusal(await runCli(['merge', file('a.json'), file('v99.json')], {cwd: directory}), /^merge: .*v99\.json: schemaVersion: expected a pystress-tui JSON report with schemaVersion 1, 2, 3 \(found 99\)/m);
		const mixed = await runCli(['merge', file('a.json'), file('other.json')], {cwd: directory});
		expectRefusal(mixed, /^merge: .*other\.json: planFingerprint: [\da-f]{16} differs from .*a\.json's [\da-f]{16}/m);
		expect(mixed.stderr).toMatch(/^merge: .*other\.json: endpoints: endpoint 1 is GET .*\/other/m);
		expect(mixed.stderr.trim().split('\n').every(line => line.startsWith('merge: '))).toBe(true);
	});

	it('refuses mixed schema versions, the same report twice, duplicate agent indexes, bad --expect-agents and an input as output (exit 2)', async () => {
		const b = readJson(file('b.json'));
		const {planFingerprint: _fingerprint, ...rest} = b;
		writeFileSync(file('b-v2.json'), JSON.stringify({...rest, schemaVersion: 2, timeline: b.timeline.map(({histogram: _h, correctedHistogram: _c, ...point}) => point)}));
		expectRefusal(await runCli(['merge', file('a.json'), file('b-v2.json')], {cwd: directory}), /b-v2\.json: schemaVersion: 2, but .*a\.json's is 3/);
		expectRefusal(await runCli(['merge', file('a.json'), file('a.json')], {cwd: directory}), /a\.json: the same report as .*a\.json/);
		writeFileSync(file('a0.json'), JSON.stringify({...readJson(file('a.json')), agent: {index: 0, count: 2}}));
		writeFileSync(file('b0.json'), JSON.stringify({...b, agent: {index: 0, count: 2}}));
		expectRefusal(await runCli(['merge', file('a0.json'), file('b0.json')], {cwd: directory}), /b0\.json: agent\.index: 0 again \(also .*a0\.json\)/);
		// Agents of different runs, or beside a whole run, are not one run.
		expectRefusal(await runCli(['merge', file('a0.json'), file('b.json')], {cwd: directory}), /^merge: .*b\.json: agent: none: a whole run, but .*a0\.json is agent 0 of 2; merge the agents of one run, or whole runs only$/m);
		writeFileSync(file('s0.json'), JSON.stringify({...readJson(file('a.json')), agent: {index: 0, count: 2, startAt: '2026-11-28T21:00:00.000Z'}}));
		writeFileSync(file('s1.json'), JSON.stringify({...b, agent: {index: 1, count: 2, startAt: '2026-11-28T21:05:00.000Z'}, settings: {...b.settings, durationS: 2}}));
		const runs = await runCli(['merge', file('s0.json'), file('s1.json')], {cwd: directory});
		expectRefusal(runs, /^merge: .*s1\.json: agent\.startAt: 2026-11-28T21:05:00\.000Z, but .*s0\.json's is 2026-11-28T21:00:00\.000Z: the agents of one run share one --start-at/m);
		expect(runs.stderr).toMatch(/^merge: .*s1\.json: settings\.durationS: 2 s, but .*s0\.json's is 3 s: the agents of one run share one -d/m);
		expect(runs.stderr.trim().split('\n')).toHaveLength(2);
		expectRefusal(await runCli(['merge', file('a.json'), file('b.json'), '--expect-agents', 'two'], {cwd: directory}), /--expect-agents: "two" is not a count of agents/);
		expectRefusal(await runCli(['merge', file('a.json'), file('b.json'), '--json', file('a.json')], {cwd: directory}), /--json: .*a\.json is one of the inputs/);
		expectRefusal(await runCli(['merge', file('a.json'), file('b.json'), '--threshold', 'checkout:p99<1s', '--no-report'], {cwd: directory}), /^merge: --threshold: "checkout:p99<1s": no endpoint named "checkout" \(endpoints: GET \/\)$/m);
		// Nothing was overwritten.
		expect(readJson(file('a.json')).merge).toBeUndefined();
	});

	it('prints an agent\'s share of the rate as set (100.5 of --rate 201 over 2 agents), not rounded', () => {
		const a = readJson(file('a.json'));
		const share = {...a, settings: {...a.settings, rate: 100.5, final: {...a.settings.final, rate: 100.5}}, agent: {index: 0, count: 2}};
		expect(renderTextSummary(share)).toMatch(/^ {2}Settings .*, rate 100\.5\/s \(open model\)/m);
		expect(renderHtmlReport(share)).toContain('100.5 req/s (open model)');
	});

	it('reads schema 2 reports (counts and totals exact, a warning that their seconds carry no latency)', async () => {
		const a = readJson(file('a.json'));
		const {planFingerprint: _fingerprint, ...rest} = a;
		writeFileSync(file('a-v2.json'), JSON.stringify({...rest, schemaVersion: 2, timeline: a.timeline.map(({histogram: _h, correctedHistogram: _c, ...point}) => point)}));
		const result = await runCli(['merge', file('a-v2.json'), file('b-v2.json'), '--json', file('merged-v2.json')], {cwd: directory});
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toMatch(/warning: the inputs are schema 2 reports: their seconds carry no histogram/);
		const merged = readJson(file('merged-v2.json'));
		expect(merged.summary.latencyMs).toEqual(readJson(file('merged.json')).summary.latencyMs);
	});

	it('exits 1 for a missing agent unless --allow-partial, which merges what is there and says so', async () => {
		writeFileSync(file('agent0.json'), JSON.stringify({...readJson(file('a.json')), agent: {index: 0, count: 3}}));
		writeFileSync(file('agent1.json'), JSON.stringify({...readJson(file('b.json')), agent: {index: 1, count: 3}}));
		const missing = await runCli(['merge', file('agent0.json'), file('agent1.json'), '--json', file('partial.json')], {cwd: directory});
		expect(missing.code).toBe(1);
		expect(missing.stderr.trim()).toBe('error: agent 2 of 3 missing; give every agent\'s report, or --allow-partial to merge the 2 given');
		const partial = await runCli(['merge', file('agent0.json'), file('agent1.json'), '--json', file('partial.json'), '--allow-partial'], {cwd: directory});
		expect(partial.code, partial.stderr).toBe(0);
		expect(partial.stderr).toMatch(/warning: agent 2 of 3 missing \(--allow-partial\)/);
		expect(readJson(file('partial.json')).merge).toMatchObject({expectedAgents: 3, missingAgents: [2]});
		const expected = await runCli(['merge', file('a.json'), file('b.json'), '--expect-agents', '3', '--no-report'], {cwd: directory});
		expect(expected.code).toBe(1);
		expect(expected.stderr).toMatch(/error: 1 report of 3 missing/);
	});
});
