/**
 * `compare` and response checks: the share of checked responses that passed (whole run and per
 * endpoint) side by side with the failed counts and the change in percentage points, and the
 * `checks<-0.5pp` gate. The oracle: the server's own count of the bad answers it gave.
 */
import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {parseGate} from '../source/stats/compare-gate.js';
import {runCli} from './helpers/cli.js';
import {runReport, temporaryDirectory} from './helpers/sample-report.js';
import {startTarget, type TargetServer} from './helpers/target-server.js';

/** Answers `{"ok":true}`, or `{"ok":false}` to every `badEvery`th request on /b when set; counts the bad ones. */
function checkedTarget(badEvery: number | undefined, counted: {bad: number}) {
	return startTarget({respond(request, index, response) {
		const bad = badEvery !== undefined && request.url.startsWith('/b') && index % badEvery === 0;
		if (bad) counted.bad++;
		const body = JSON.stringify({ok: !bad});
		response.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
		response.end(body);
	}});
}

describe('compare: response checks', () => {
	const directory = temporaryDirectory('pystress-compare-checks-');
	const files = {base: '', next: '', plain: ''};
	const servers: TargetServer[] = [];
	const bad = {base: 0, next: 0};
	let next: JsonReport;

	beforeAll(async () => {
		const run = async (name: 'base' | 'next', badEvery: number | undefined): Promise<JsonReport> => {
			const counted = {bad: 0};
			const server = await checkedTarget(badEvery, counted);
			servers.push(server);
			const config = path.join(directory, `${name}.json`);
			writeFileSync(config, JSON.stringify({
				checks: {json: {'$.ok': true}},
				requests: [{name: 'a', url: `${server.url}/a`}, {name: 'b', url: `${server.url}/b`}],
			}));
			const report = await runReport(['--config', config, '-d', '3', '-c', '4', '-t', '1', '--no-baseline'], directory);
			bad[name] = counted.bad;
			files[name] = path.join(directory, `report-${name}.json`);
			writeFileSync(files[name], JSON.stringify(report));
			return report;
		};

		await run('base', undefined);
		next = await run('next', 5);
	});

	afterAll(async () => {
		for (const server of servers) await server.close();
		rmSync(directory, {recursive: true, force: true});
	});

	it('shows checks passed with the failed counts, whole run and per endpoint, and the change in pp', async () => {
		expect(bad.next).toBeGreaterThan(0);
		expect(next.summary.checks?.failed).toBe(bad.next);
		const result = await runCli(['compare', files.base, files.next]);
		expect(result.code, result.stderr).toBe(0);
		const checked = next.summary.checks!.passed + next.summary.checks!.failed;
		const points = ((1 - (bad.next / checked)) - 1) * 100;
		const tableLine = (text: string): string | undefined => text.split('\n').find(line => /^\s*checks passed\s+\d/.test(line));
		const whole = tableLine(result.stdout)!;
		expect(whole).toContain('100.00% (0 failed)');
		expect(whole).toContain(`(${bad.next.toLocaleString('en-US')} failed)`);
		expect(whole).toContain(`${points.toFixed(2)}pp`);
		expect(whole).toContain('significant, worse');
		// Per endpoint: b carries every failure, a none.
		const endpointB = result.stdout.slice(result.stdout.indexOf('ENDPOINT b'));
		expect(tableLine(endpointB)).toContain(`(${bad.next.toLocaleString('en-US')} failed)`);
		const endpointA = result.stdout.slice(result.stdout.indexOf('ENDPOINT a'), result.stdout.indexOf('ENDPOINT b'));
		expect(tableLine(endpointA)).toMatch(/100\.00% \(0 failed\)\s+100\.00% \(0 failed\)/);
	});

	it('--fail-on checks<-0.5pp fails the worse run (exit 99) and passes the reverse; JSON has the rows', async () => {
		const worse = await runCli(['compare', files.base, files.next, '--fail-on', 'checks<-0.5pp', '--fail-on', 'b:checks<-0.5pp', '--fail-on', 'a:checks<-0.5pp']);
		expect(worse.code, worse.stdout + worse.stderr).toBe(99);
		expect(worse.stdout).toMatch(/(^|\s)checks<-0\.5pp: checks passed .*: FAIL$/m);
		expect(worse.stdout).toMatch(/b:checks<-0\.5pp: b: checks passed .*: FAIL$/m);
		expect(worse.stdout).toMatch(/a:checks<-0\.5pp: .*: pass$/m);
		const better = await runCli(['compare', files.next, files.base, '--fail-on', 'checks<-0.5pp']);
		expect(better.code, better.stdout).toBe(0);
		const out = path.join(directory, 'compare.json');
		await runCli(['compare', files.base, files.next, '--json', out]);
		const json = JSON.parse(readFileSync(out, 'utf8')) as {rows?: Array<{metric: string; endpoint: string | null; failed?: {base: number; new: number}}>};
		const rows = json.rows ?? [];
		expect(rows.find(row => row.metric === 'checks' && row.endpoint === null)?.failed).toEqual({base: 0, new: bad.next});
	});

	it('the gate grammar: checks take percentage points', () => {
		expect(parseGate('checks<-0.5pp')).toMatchObject({metric: 'checks', operator: '<', value: -0.005, kind: 'points'});
		expect(() => parseGate('checks<-5%')).toThrow('the checks pass rate changes in percentage points, e.g. checks<-0.5pp');
	});
});
