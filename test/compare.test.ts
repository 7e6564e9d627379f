import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {Browser} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {launchChromium, openFile} from './helpers/chromium.js';
import {runCli} from './helpers/cli.js';
import {polylinePoints, runReport, temporaryDirectory} from './helpers/sample-report.js';
import {delayed, startTarget, type TargetServer} from './helpers/target-server.js';

/** One text row of a scope's table: `p99  2.75 ms  24.2 ms  +781%  +71..+4445%  significant, worse`. */
function textRow(text: string, scope: string, label: string): string {
	const section = text.split('\n\n').find(block => block.startsWith(scope))!;
	return section.split('\n').find(line => line.trimStart().startsWith(`${label} `))!;
}

describe('pystress-tui compare (real runs on loopback)', () => {
	let directory: string;
	let fast: TargetServer;
	let slow: TargetServer;
	const files = {base: '', same: '', slow: '', few: ''};

	beforeAll(async () => {
		directory = temporaryDirectory('pystress-compare-');
		fast = await startTarget();
		slow = await startTarget({respond: delayed(20)});
		const args = (url: string) => ['--url', url, '-d', '3', '-c', '20', '--no-baseline'];
		for (const [name, url, more] of [['base', fast.url, []], ['same', fast.url, []], ['slow', slow.url, []], ['few', fast.url, ['-c', '5']]] as const) {
			const report = await runReport([...args(url), ...more], directory);
			files[name] = path.join(directory, `${name}.json`);
			writeFileSync(files[name], JSON.stringify(report));
		}
	}, 120_000);

	afterAll(async () => {
		await fast?.close();
		await slow?.close();
		rmSync(directory, {recursive: true, force: true});
	});

	const gates = ['--fail-on', 'p99>+25%', '--fail-on', 'p50>+25%', '--fail-on', 'rps<-25%', '--fail-on', 'errors>+0.5pp'];

	it('two runs against the same server: within noise, exit 0 with --fail-on', async () => {
		const result = await runCli(['compare', files.base, files.same, ...gates]);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('PYSTRESS-TUI COMPARE');
		expect(textRow(result.stdout, 'WHOLE RUN', 'p99')).toMatch(/within noise|no change/);
		expect(result.stdout).toMatch(/FAIL-ON\n(?:.*: pass\n){4} {2}no gate failed/);
	});

	it('runs of different load settings compare (configurations are what a comparison is for), each rendering saying how they differ', async () => {
		const result = await runCli(['compare', files.base, files.few, '--json', path.join(directory, 'few-compare.json'), '-o', path.join(directory, 'few-compare.html')]);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toMatch(/^ {2}Differ {2}the runs differ in connections 20 vs 5: every change below includes theirs$/m);
		expect(result.stdout).toMatch(/^ {2}New {5}.*few\.json: .* · \d+ threads?, 5 connections, closed model$/m);
		const document = JSON.parse(readFileSync(path.join(directory, 'few-compare.json'), 'utf8')) as {settingsDiffer: string[]};
		expect(document.settingsDiffer).toEqual(['connections 20 vs 5']);
		expect(readFileSync(path.join(directory, 'few-compare.html'), 'utf8')).toContain('<b>Differ</b></span><span>the runs differ in connections 20 vs 5');
		// Runs alike say nothing of it.
		const alike = await runCli(['compare', files.base, files.same, '--json', '-']);
		expect(alike.stderr).not.toContain('Differ');
		expect((JSON.parse(alike.stdout) as {settingsDiffer: string[]}).settingsDiffer).toEqual([]);
	});

	it('a run against the server with 20 ms added: significant, exit 99', async () => {
		const result = await runCli(['compare', files.base, files.slow, ...gates]);
		expect(result.code).toBe(99);
		expect(textRow(result.stdout, 'WHOLE RUN', 'p50')).toMatch(/significant, worse$/);
		expect(textRow(result.stdout, 'WHOLE RUN', 'mean')).toMatch(/significant, worse$/);
		expect(result.stdout).toMatch(/^ {2}p50 \+\d+% \(95% CI \+\d+\.\.\+\d+%\), significant, worse$/m);
		expect(result.stdout).toMatch(/p50>\+25%: .*significant, worse: FAIL/);
		expect(result.stdout).toMatch(/regression: .*p50>\+25%.*\(exit 99\)/);
		// The other way round the slowdown is an improvement, so no gate fails.
		const reverse = await runCli(['compare', files.slow, files.base, ...gates]);
		expect(reverse.code).toBe(0);
		expect(textRow(reverse.stdout, 'WHOLE RUN', 'p50')).toMatch(/significant, better$/);
	});

	it('writes the JSON document (--json FILE and --json -)', async () => {
		const out = path.join(directory, 'compare.json');
		const result = await runCli(['compare', files.base, files.slow, ...gates, '--json', out]);
		expect(result.code).toBe(99);
		const document = JSON.parse(readFileSync(out, 'utf8')) as {kind: string; version: number; rows: Array<Record<string, unknown>>; gates: Array<Record<string, unknown>>; failed: boolean; method: Record<string, unknown>; shifts: Array<Record<string, unknown>>};
		expect(document).toMatchObject({kind: 'pystress-tui-compare', version: 1, failed: true, method: {confidence: 0.95, iterations: 2000, seed: 1}});
		const p50 = document.rows.find(row => row['metric'] === 'p50' && row['endpoint'] === null)!;
		expect(p50).toMatchObject({verdict: 'significant', direction: 'worse', changeKind: 'relative', corrected: false});
		expect(p50['new'] as number).toBeGreaterThan(20);
		expect(document.gates.find(gate => gate['expression'] === 'p50>+25%')).toMatchObject({crossed: true, significant: true, failed: true});
		expect(document.shifts[0]).toMatchObject({endpoint: null, magnitude: 'large'});
		const piped = await runCli(['compare', files.base, files.same, '--json', '-']);
		expect(piped.code).toBe(0);
		expect(JSON.parse(piped.stdout)).toMatchObject({kind: 'pystress-tui-compare', failed: false});
		expect(piped.stderr).toContain('PYSTRESS-TUI COMPARE');
	});

	it('rejects bad inputs with exit 2 and one line', async () => {
		const notJson = path.join(directory, 'not.json');
		// A JSON parser quotes the start of the file, line breaks and all: still one line.
		writeFileSync(notJson, 'hello\nworld\n');
		const wrongSchema = path.join(directory, 'schema.json');
		writeFileSync(wrongSchema, JSON.stringify({schemaVersion: 99, summary: {}}));
		const base = JSON.parse(readFileSync(files.base, 'utf8')) as JsonReport;
		const otherEndpoints = path.join(directory, 'endpoints.json');
		writeFileSync(otherEndpoints, JSON.stringify({...base, endpoints: base.endpoints.map(endpoint => ({...endpoint, name: 'other'}))}));
		const openModel = path.join(directory, 'open.json');
		writeFileSync(openModel, JSON.stringify({...base, settings: {...base.settings, rate: 100, connections: 7}}));
		const cases: Array<[string[], RegExp]> = [
			[[notJson, files.base], /^compare: .*not\.json: \(file\): not a readable JSON report/],
			[[files.base, wrongSchema], /schema\.json: schemaVersion: expected a pystress-tui JSON report/],
			[[files.base, path.join(directory, 'missing.json')], /missing\.json: \(file\): file not found/],
			[[files.base, otherEndpoints], /not comparable: different endpoints \(GET .* vs GET other\)/],
			[[files.base, openModel], /not comparable: different load \(closed model vs open model\); compare runs of one model\n$/],
			[[files.base], /expected two JSON reports/],
			[[files.base, files.same, '--fail-on', 'p99>10'], /--fail-on: "p99>10": a latency change takes % or a time/],
			[[files.base, files.same, '--fail-on', 'nope:p99>+10%'], /--fail-on: "nope:p99>\+10%": no endpoint "nope"/],
		];
		// Two unreadable inputs are told at once, one line each, as merge tells them.
		const both = await runCli(['compare', notJson, path.join(directory, 'missing.json')]);
		expect(both.code).toBe(2);
		expect(both.stderr.trimEnd().split('\n')).toEqual([
			expect.stringMatching(/^compare: .*not\.json: \(file\): not a readable JSON report/),
			expect.stringMatching(/^compare: .*missing\.json: \(file\): file not found/),
		]);
		for (const [args, message] of cases) {
			const result = await runCli(['compare', ...args]);
			expect(result.code, args.join(' ')).toBe(2);
			expect(result.stdout).toBe('');
			expect(result.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
			expect(result.stderr).toMatch(message);
		}
	});

	it('compares each endpoint of a multi-endpoint run, and gates one endpoint', async () => {
		const demo = ['demo', '-d', '2', '-c', '8', '--no-baseline'];
		const [first, second] = [await runReport(demo, directory), await runReport(demo, directory)];
		const [a, b] = [path.join(directory, 'demo-a.json'), path.join(directory, 'demo-b.json')];
		writeFileSync(a, JSON.stringify(first));
		writeFileSync(b, JSON.stringify(second));
		const out = path.join(directory, 'demo-compare.json');
		const result = await runCli(['compare', a, b, '--fail-on', 'slow:p99>+50%', '--json', out]);
		const document = JSON.parse(readFileSync(out, 'utf8')) as {rows: Array<{endpoint: string | null; metric: string; verdict: string}>; gates: Array<{endpoint: string; failed: boolean}>; failed: boolean};
		expect(result.code).toBe(document.failed ? 99 : 0);
		for (const endpoint of first.endpoints) {
			expect(result.stdout).toContain(`\nENDPOINT ${endpoint.name}\n`);
			const rows = document.rows.filter(row => row.endpoint === endpoint.name);
			expect(rows.map(row => row.metric)).toEqual(['rps', 'pass', 'errors', 'min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max']);
			expect(rows.find(row => row.metric === 'p50')!.verdict).toMatch(/^(significant|within noise|no change)$/);
		}

		expect(result.stdout).toMatch(/slow:p99>\+50%: slow: p99 /);
		expect(document.gates).toEqual([expect.objectContaining({endpoint: 'slow'})]);
	});

	describe('HTML page in Chromium', () => {
		let browser: Browser;

		beforeAll(async () => {
			browser = await launchChromium();
		});

		afterAll(async () => {
			await browser?.close();
		});

		it('loads nothing but itself, logs no error and overlays both runs', async () => {
			const file = path.join(directory, 'compare.html');
			const result = await runCli(['compare', files.base, files.slow, ...gates, '-o', file]);
			expect(result.code).toBe(99);
			const html = readFileSync(file, 'utf8');
			expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
			expect(html).not.toMatch(/NaN|Infinity|undefined/);
			const base = JSON.parse(readFileSync(files.base, 'utf8')) as JsonReport;
			const lines = polylinePoints(html);
			expect(lines.filter(points => points.length === base.timeline.length).length).toBeGreaterThanOrEqual(3);
			expect(lines.some(points => points.length === base.percentiles.length)).toBe(true);
			const context = await browser.newContext({viewport: {width: 1280, height: 900}});
			const {page, log, url} = await openFile(context, file);
			for (const id of ['changes', 'figures', 'charts', 'spectrum']) {
				await expect(page.locator(`#${id}`).isVisible(), id).resolves.toBe(true);
			}

			await expect(page.locator('#changes .badge.fail').count()).resolves.toBeGreaterThanOrEqual(1);
			await expect(page.locator('#figures td.verdict-worse').count()).resolves.toBeGreaterThanOrEqual(3);
			await expect(page.locator('#chart-p99 polyline.series-base').count()).resolves.toBe(1);
			await expect(page.locator('#chart-p99 polyline.series-new').count()).resolves.toBe(1);
			const colours = await page.locator('#chart-p99 polyline').evaluateAll(lines => lines.map(line => getComputedStyle(line).stroke));
			expect(new Set(colours).size).toBe(2);
			await page.screenshot({path: path.join(directory, 'compare.png'), fullPage: true});
			const narrow = await browser.newContext({viewport: {width: 400, height: 800}});
			const small = await openFile(narrow, file);
			await expect(small.page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(400);
			expect(log.requests).toEqual([url]);
			expect(log.consoleErrors).toEqual([]);
			expect(log.pageErrors).toEqual([]);
			await narrow.close();
			await context.close();
		});
	});
});
