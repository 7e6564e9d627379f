/** Response checks end to end through the built CLI (dist/cli.js): exit codes, reports, the request log, merge. */
import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {Ajv} from 'ajv';
import formatsPlugin from 'ajv-formats';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {rootDir, runCli, type CliResult} from './helpers/cli.js';
import {temporaryDirectory} from './helpers/sample-report.js';
import {startTarget, type TargetServer} from './helpers/target-server.js';

function reportErrors(report: unknown): string {
	const ajv = new Ajv({allErrors: true, strict: true});
	type FormatsPlugin = (ajv: Ajv) => Ajv;
	((formatsPlugin as unknown as {default?: FormatsPlugin}).default ?? formatsPlugin as unknown as FormatsPlugin)(ajv);
	const validate = ajv.compile(JSON.parse(readFileSync(path.join(rootDir, 'source/report/report.schema.json'), 'utf8')) as object);
	return validate(report) ? '' : ajv.errorsText(validate.errors);
}

describe('response checks through the CLI (real runs on loopback)', () => {
	let directory: string;
	let server: TargetServer;
	/** The server's own count of the bad answers it sent (every 7th says ok:false). */
	let bad = 0;
	let runs: CliResult[];
	const file = (name: string): string => path.join(directory, name);
	const readReport = (name: string): JsonReport => JSON.parse(readFileSync(file(name), 'utf8')) as JsonReport;

	beforeAll(async () => {
		directory = temporaryDirectory('pystress-checks-');
		server = await startTarget({
			respond(request, index, response) {
				if (request.url === '/plain') {
					response.end('plain');
					return;
				}

				const ok = (index + 1) % 7 !== 0;
				if (!ok) bad++;
				response.setHeader('Content-Type', 'application/json');
				response.end(JSON.stringify({ok, items: [1]}));
			},
		});
		writeFileSync(file('checks.json'), JSON.stringify({url: `${server.url}/api`, checks: {status: [200], json: {'$.ok': true}}}));
		writeFileSync(file('bad.json'), JSON.stringify({requests: [{url: `${server.url}/a`}, {url: `${server.url}/b`, checks: {json: {'$.items[': true}}}]}));
		const run = (name: string, extra: readonly string[] = []) => runCli(['--config', file('checks.json'), '-n', '700', '-c', '4', '-t', '2', '--headless', '--no-baseline', '--threshold', 'checks>99%', '--json', file(`${name}.json`), '-o', file(`${name}.html`), '--log', file(`${name}.ndjson`), ...extra], {cwd: directory});
		// One after the other: the server's count of bad answers is the sum over both runs.
		runs = [await run('a'), await run('b')];
	}, 60_000);

	afterAll(async () => {
		await server?.close();
		rmSync(directory, {recursive: true, force: true});
	});

	it('a failed checks threshold exits 99; the summary, both reports and the log count the failed checks the server sent', () => {
		expect(runs.map(run => run.code)).toEqual([99, 99]);
		const [a, b] = [readReport('a.json'), readReport('b.json')];
		const failed = a.summary.checks!.failed + b.summary.checks!.failed;
		expect(failed).toBe(bad);
		expect(a.summary.requests + b.summary.requests).toBe(1400);
		for (const report of [a, b]) {
			expect(report.summary.checks).toEqual({passed: 700 - report.summary.checks!.failed, failed: report.summary.checks!.failed, byName: {status: 0, 'json $.ok': report.summary.checks!.failed}});
			expect(report.endpoints[0]!.checks).toEqual(report.summary.checks);
			expect(report.summary.statusCodes).toEqual({200: 700});
			expect(report.thresholds).toEqual([expect.objectContaining({expression: 'checks>99%', passed: false})]);
		}

		expect(runs[0]!.stdout + runs[0]!.stderr).toMatch(/Checks {12}\d+\.\d% passed \(\d+ of 700 checked responses failed\)/);
		expect(runs[0]!.stdout + runs[0]!.stderr).toContain('RESPONSE CHECKS');
		const html = readFileSync(file('a.html'), 'utf8');
		expect(html).toContain('id="checks"');
		expect(html).toContain('<code>json $.ok</code>');
		const lines = readFileSync(file('a.ndjson'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as {failedChecks?: string[]});
		expect(lines).toHaveLength(700);
		expect(lines.filter(line => line.failedChecks!.length > 0)).toHaveLength(a.summary.checks!.failed);
		expect(lines.filter(line => line.failedChecks!.includes('json $.ok'))).toHaveLength(a.summary.checks!.failed);
	});

	it('merge adds the check counts exactly', async () => {
		const result = await runCli(['merge', file('a.json'), file('b.json'), '--json', file('merged.json'), '-o', file('merged.html')], {cwd: directory});
		expect(result.code, result.stderr).toBe(99);
		const merged = readReport('merged.json');
		expect(merged.summary.checks).toEqual({passed: 1400 - bad, failed: bad, byName: {status: 0, 'json $.ok': bad}});
		expect(merged.endpoints[0]!.checks).toEqual(merged.summary.checks);
		for (const report of [merged, readReport('a.json')]) expect(reportErrors(report)).toBe('');
		const broken = structuredClone(merged) as unknown as {summary: {checks: Record<string, unknown>}};
		delete broken.summary.checks['byName'];
		expect(reportErrors(broken)).toMatch(/byName/);
	});

	it('a bad check is exit 2 with one line naming its place', async () => {
		const result = await runCli(['--config', file('bad.json'), '-n', '1', '--headless', '--no-baseline', '--no-report'], {cwd: directory});
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('requests[1].checks.json: "$.items[" is not a JSON path');
		expect(result.stderr.split('\n').filter(line => line.includes('checks'))).toHaveLength(1);
	});

	it('--single-request shows each check passed or failed, and exits 1 when one failed', async () => {
		writeFileSync(file('single.json'), JSON.stringify({url: `${server.url}/plain`, checks: {status: [200], body_contains: 'plain', header: {'content-type': 'json'}}}));
		const result = await runCli(['--config', file('single.json'), '--single-request'], {cwd: directory});
		expect(result.stdout).toMatch(/CHECKS\n {2}pass {2}status\n {2}pass {2}body_contains\n {2}FAIL {2}header content-type\n/);
		expect(result.code).toBe(1);
		writeFileSync(file('single-ok.json'), JSON.stringify({url: `${server.url}/plain`, checks: {body_contains: 'plain'}}));
		const passing = await runCli(['--config', file('single-ok.json'), '--single-request'], {cwd: directory});
		expect(passing.stdout).toContain('CHECKS\n  pass  body_contains\n');
		expect(passing.code).toBe(0);
	});

	it('a run without checks has no checks in its report', async () => {
		const result = await runCli(['--url', `${server.url}/plain`, '-n', '50', '-c', '2', '-t', '1', '--headless', '--no-baseline', '-q', '--json', file('plain.json'), '--no-report'], {cwd: directory});
		expect(result.code, result.stderr).toBe(0);
		const report = readReport('plain.json');
		expect(report.summary.checks).toBeUndefined();
		expect(report.endpoints[0]!.checks).toBeUndefined();
	});
});
