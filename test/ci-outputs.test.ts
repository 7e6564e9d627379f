/**
 * CI outputs end to end through the built CLI (dist/cli.js), each read back by a real reader: the
 * JUnit XML by fast-xml-parser, the CSV files by csv-parse, the markdown by marked's GFM lexer, the
 * GitHub step summary as a file other steps append to. Counts are held against the JSON report and
 * the server's own count.
 */
import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {parse as parseCsv} from 'csv-parse/sync';
import {XMLParser, XMLValidator} from 'fast-xml-parser';
import {marked, type Tokens} from 'marked';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {runCli, type CliResult} from './helpers/cli.js';
import {temporaryDirectory} from './helpers/sample-report.js';
import {startTarget, type TargetServer} from './helpers/target-server.js';

type XmlNode = Record<string, unknown>;
const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]));

/** The JUnit file, validated as XML and parsed (attributes as `@_name`). */
function readJunit(file: string): {suites: XmlNode; suite: XmlNode; cases: XmlNode[]} {
	const xml = readFileSync(file, 'utf8');
	expect(XMLValidator.validate(xml)).toBe(true);
	const parsed = new XMLParser({ignoreAttributes: false, parseAttributeValue: false}).parse(xml) as {testsuites: XmlNode};
	const suite = parsed.testsuites['testsuite'] as XmlNode;
	return {suites: parsed.testsuites, suite, cases: asList(suite['testcase'] as XmlNode | XmlNode[])};
}

type CsvRow = Record<string, string>;
/** Rows by header; csv-parse refuses a row whose column count differs from the header. */
const readCsv = (file: string): CsvRow[] => parseCsv(readFileSync(file, 'utf8'), {columns: true}) as CsvRow[];

/** Every GFM table of a markdown text, as marked reads it. */
function tables(markdown: string): Tokens.Table[] {
	return marked.lexer(markdown, {gfm: true}).filter((token): token is Tokens.Table => token.type === 'table');
}

describe('CI outputs of a headless run (real runs on loopback)', () => {
	let directory: string;
	let server: TargetServer;
	/** The server's own count of the 503s it sent (every 10th request to /checked). */
	let unavailable = 0;
	let failing: CliResult;
	let passing: CliResult;
	const file = (name: string): string => path.join(directory, name);
	const readReport = (name: string): JsonReport => JSON.parse(readFileSync(file(name), 'utf8')) as JsonReport;
	const stepSummary = (): string => file('step-summary.md');

	beforeAll(async () => {
		directory = temporaryDirectory('pystress-ci-');
		let checked = 0;
		server = await startTarget({
			respond(request, _index, response) {
				if (request.url === '/checked' && ++checked % 10 === 0) {
					unavailable++;
					response.writeHead(503, {'content-length': 4}).end('busy');
					return;
				}

				response.writeHead(200, {'content-length': 4}).end('fine');
			},
		});
		// A name with a pipe and angle brackets: the markdown must not open a column, the XML must escape it.
		writeFileSync(file('two.json'), JSON.stringify({
			requests: [
				{name: 'a|b <x>', url: `${server.url}/plain`},
				{name: 'checked', url: `${server.url}/checked`, checks: {status: [200], body_contains: 'fine'}},
			],
			junit: file('from-config.xml'),
			csv: file('cfg'),
			summary_md: file('cfg-summary.md'),
		}));
		// The step summary already holds an earlier step's text: it is appended to, never replaced.
		writeFileSync(stepSummary(), '## an earlier step\n\n');
		const env = {GITHUB_STEP_SUMMARY: stepSummary()};
		failing = await runCli(['--config', file('two.json'), '-n', '2000', '-c', '4', '-t', '2', '--headless', '--no-baseline', '--threshold', 'p50<0.0001ms', '--threshold', 'errors<50%', '--junit', file('a.xml'), '--json', file('a.json'), '--no-report'], {cwd: directory, env});
		passing = await runCli(['--url', `${server.url}/plain`, '-n', '500', '-c', '2', '-t', '1', '--headless', '--no-baseline', '--threshold', 'errors<50%', '--junit', file('b.xml'), '--csv', file('b'), '--json', file('b.json'), '--no-report'], {cwd: directory, env});
	}, 60_000);

	afterAll(async () => {
		await server?.close();
		rmSync(directory, {recursive: true, force: true});
	});

	it('JUnit: a failed threshold is a <failure> carrying the actual value and the limit (exit 99); a passing run has none', () => {
		expect(failing.code).toBe(99);
		const report = readReport('a.json');
		const {suites, suite, cases} = readJunit(file('a.xml'));
		// One testcase for the run, one per threshold, one per check (status and body_contains on one endpoint).
		expect(cases).toHaveLength(1 + 2 + 2);
		expect(suite['@_tests']).toBe('5');
		expect(suites['@_tests']).toBe('5');
		expect(suite['@_name']).toBe(`pystress-tui 2 endpoints (GET ${server.url}/plain, …)`);
		expect(Number(suite['@_time'])).toBeCloseTo(report.summary.durationS, 3);
		expect(suite['@_timestamp']).toBe(report.startedAt.replace(/\.\d+Z$/, ''));
		const failed = cases.filter(test => test['failure'] !== undefined);
		expect(suite['@_failures']).toBe(String(failed.length));
		const latency = cases.find(test => test['@_name'] === 'p50<0.0001ms')!;
		const outcome = report.thresholds!.find(threshold => threshold.expression === 'p50<0.0001ms')!;
		expect(outcome.passed).toBe(false);
		const failure = latency['failure'] as XmlNode;
		expect(failure['@_type']).toBe('threshold');
		expect(failure['@_message']).toBe(`p50<0.0001ms failed: actual ${Number(outcome.actual!.toFixed(3))} ms, limit < 0.0001 ms`);
		expect(cases.find(test => test['@_name'] === 'errors<50%')!['failure']).toBeUndefined();
		// The checks: the server sent 503s (status fails, and body_contains: "busy" is not "fine").
		expect(unavailable).toBeGreaterThan(0);
		const checks = cases.filter(test => test['@_classname'] === 'pystress-tui.checks.checked');
		expect(checks.map(test => test['@_name']).sort()).toEqual(['body_contains', 'status']);
		for (const test of checks) expect((test['failure'] as XmlNode)['@_message']).toContain(`failed on ${unavailable} of`);
		expect(cases.find(test => test['@_classname'] === 'pystress-tui.run')!['failure']).toBeUndefined();

		expect(passing.code).toBe(0);
		const pass = readJunit(file('b.xml'));
		expect(pass.cases.map(test => test['@_name'])).toEqual(['the target answered', 'errors<50%']);
		expect(pass.cases.filter(test => test['failure'] !== undefined || test['error'] !== undefined)).toEqual([]);
		expect(pass.suite['@_failures']).toBe('0');
	});

	it('the flag overrides the config key (--junit over "junit"); the other config keys are written', () => {
		expect(failing.stderr).toContain(`JUnit report: ${file('a.xml')}`);
		expect(() => readFileSync(file('from-config.xml'))).toThrow(/ENOENT/);
		expect(failing.stderr).toContain(`CSV stats: ${file('cfg-stats.csv')}`);
		expect(failing.stderr).toContain(`Markdown summary: ${file('cfg-summary.md')}`);
	});

	it('CSV: one row per endpoint and a total row equal to the JSON report and the server\'s count; the timeline sums to it', () => {
		const report = readReport('a.json');
		const rows = readCsv(file('cfg-stats.csv'));
		expect(rows.map(row => [row['scope'], row['name']])).toEqual([['endpoint', 'a|b <x>'], ['endpoint', 'checked'], ['total', 'Total']]);
		const total = rows.at(-1)!;
		expect(Number(total['requests'])).toBe(report.summary.requests);
		expect(Number(total['responses'])).toBe(report.summary.responses);
		expect(Number(total['p99_ms'])).toBe(report.summary.latencyMs.p99);
		expect(Number(total['bytes_read'])).toBe(report.summary.bytesRead);
		// A request budget is exact: the server saw every request the report counts (both runs together).
		expect(report.summary.requests + readReport('b.json').summary.requests).toBe(server.count);
		expect(Number(rows[0]!['requests']) + Number(rows[1]!['requests'])).toBe(report.summary.requests);
		expect(Number(rows[1]!['checks_failed'])).toBe(unavailable);
		const timeline = readCsv(file('cfg-timeline.csv'));
		expect(timeline).toHaveLength(report.timeline.length);
		expect(timeline.reduce((sum, row) => sum + Number(row['requests']), 0)).toBe(report.summary.requests);
		// The passing run's prefix from the flag.
		expect(Number(readCsv(file('b-stats.csv')).at(-1)!['requests'])).toBe(readReport('b.json').summary.requests);
	});

	it('markdown: the GitHub step summary keeps the earlier step and both runs; its tables parse with every cell in place', () => {
		const text = readFileSync(stepSummary(), 'utf8');
		expect(text.startsWith('## an earlier step\n\n### pystress-tui: ')).toBe(true);
		expect(text.match(/^### pystress-tui: /gm)).toHaveLength(2);
		expect(text).toContain('❌ thresholds failed');
		expect(text).toContain('✅ thresholds passed');
		const report = readReport('a.json');
		const [headline, , endpoints, thresholds, checks] = tables(readFileSync(file('cfg-summary.md'), 'utf8'));
		expect(headline!.header.map(cell => cell.text)).toEqual(['Requests', 'Throughput', 'Pass rate', 'Errors', 'Duration']);
		expect(headline!.rows[0]![0]!.text).toBe(report.summary.requests.toLocaleString('en-US'));
		// The endpoint named "a|b <x>" stays one cell (the parser reads the escaped pipe and entities back).
		expect(endpoints!.rows).toHaveLength(2);
		expect(endpoints!.rows.every(row => row.length === 8)).toBe(true);
		const renderedName = marked.parseInline(endpoints!.rows[0]![0]!.text) as string;
		expect(renderedName).toMatch(/^a\|b &lt;x&gt; \(GET <a href="http:\/\/127\.0\.0\.1:\d+\/plain">/);
		expect(thresholds!.rows.map(row => [row[0]!.text, marked.parseInline(row[1]!.text)])).toEqual([['❌ fail', 'p50&lt;0.0001ms'], ['✅ pass', 'errors&lt;50%']]);
		expect(checks!.rows.map(row => row[1]!.text).sort()).toEqual(['body\\_contains', 'status']);
		// The report files written before the summary are named in it.
		expect(text).toContain(file('a.xml').replaceAll('_', '\\_'));
	});

	it('--progress takes ndjson only; a bad --metrics-listen or config value is exit 2 naming the field and the fix', async () => {
		const bad = await runCli(['--url', `${server.url}/plain`, '-n', '1', '--headless', '--progress', 'json', '--metrics-listen', 'localhost:99999'], {cwd: directory});
		expect(bad.code).toBe(2);
		expect(bad.stderr).toMatch(/--progress: "json" is not a progress format; .*--progress ndjson/);
		expect(bad.stderr).toMatch(/--metrics-listen: "localhost:99999" is not an address; expected HOST:PORT/);
		expect(bad.stderr).not.toMatch(/\n\s+at /);
		writeFileSync(file('bad.json'), JSON.stringify({url: `${server.url}/plain`, progress: 'text', metrics_listen: 'x:y'}));
		const config = await runCli(['--config', file('bad.json'), '-n', '1', '--headless'], {cwd: directory});
		expect(config.code).toBe(2);
		expect(config.stderr).toMatch(/progress: expected "ndjson"/);
		expect(config.stderr).toMatch(/metrics_listen: expected HOST:PORT/);
	});

	it('a run stopped by SIGTERM still writes its outputs (what was measured): the JUnit run testcase is an error, exit 143', async () => {
		const target = await startTarget();
		try {
			const run = await runCli(['--url', `${target.url}/`, '-d', '30', '-c', '2', '-t', '1', '--headless', '--no-baseline', '--junit', file('sig.xml'), '--csv', file('sig'), '--json', file('sig.json'), '--no-report'], {
				cwd: directory,
				onStart(child) {
					const timer = setInterval(() => {
						if (target.count > 200) {
							clearInterval(timer);
							child.kill('SIGTERM');
						}
					}, 20);
					child.on('close', () => {
						clearInterval(timer);
					});
				},
			});
			expect(run.code).toBe(143);
			const report = readReport('sig.json');
			expect(report.stopReason).toBe('signal');
			const {suite, cases} = readJunit(file('sig.xml'));
			expect(suite['@_errors']).toBe('1');
			const error = cases[0]!['error'] as XmlNode;
			expect(error['@_type']).toBe('interrupted');
			expect(error['@_message']).toMatch(/a signal stopped the run after [\d.]+ s: the figures are partial/);
			expect(Number(readCsv(file('sig-stats.csv')).at(-1)!['requests'])).toBe(report.summary.requests);
			expect(report.summary.requests + report.summary.incomplete).toBe(target.count);
		} finally {
			await target.close();
		}
	});

	it('merge writes the CI outputs of the merged run: its thresholds are judged there (a failure in the JUnit, exit 99)', async () => {
		const second = await runCli(['--url', `${server.url}/plain`, '-n', '300', '-c', '2', '-t', '1', '--headless', '--no-baseline', '--json', file('b2.json'), '--no-report'], {cwd: directory});
		expect(second.code).toBe(0);
		const merged = await runCli(['merge', file('b.json'), file('b2.json'), '--threshold', 'p50<0.0001ms', '--junit', file('m.xml'), '--csv', file('m'), '--json', file('m.json')], {cwd: directory});
		expect(merged.code).toBe(99);
		const report = readReport('m.json');
		const {cases} = readJunit(file('m.xml'));
		expect((cases.find(test => test['@_name'] === 'p50<0.0001ms')!['failure'] as XmlNode)['@_type']).toBe('threshold');
		expect(Number(readCsv(file('m-stats.csv')).at(-1)!['requests'])).toBe(report.summary.requests);
		expect(report.summary.requests).toBe(readReport('b.json').summary.requests + readReport('b2.json').summary.requests);
	});

	it('JUnit (pure): endpoint and check names with quotes, angle brackets, ampersands and control characters round-trip through an XML parser', async () => {
		const {renderJunitReport} = await import('../source/report/junit.js');
		const base = readReport('a.json');
		const name = 'a "b" <c> & \'d\'\u0001\ttab';
		const report: JsonReport = {...base, endpoints: [{...base.endpoints[0]!, name, checks: {passed: 9, failed: 1, byName: {'json $.x<1': 1}}}]};
		const xml = renderJunitReport(report);
		expect(XMLValidator.validate(xml)).toBe(true);
		const suite = (new XMLParser({ignoreAttributes: false, processEntities: true, htmlEntities: true}).parse(xml) as {testsuites: {testsuite: XmlNode}}).testsuites.testsuite;
		const check = asList(suite['testcase'] as XmlNode | XmlNode[]).find(test => String(test['@_classname']).startsWith('pystress-tui.checks.'))!;
		expect(check['@_classname']).toBe('pystress-tui.checks.a "b" <c> & \'d\'\ttab');
		expect(check['@_name']).toBe('json $.x<1');
	});
});
