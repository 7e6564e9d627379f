/** The CI outputs from a TUI run: the real CLI in a real pseudo-terminal (tmux), files read back by real readers. */
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {parse as parseCsv} from 'csv-parse/sync';
import {XMLParser, XMLValidator} from 'fast-xml-parser';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import {afterEach, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {cliPath} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';
import {hasTmux, shellQuote, startPane, writeExitCode, type Pane} from './helpers/tmux.js';
import {waitFor} from './helpers/wait.js';

const target = useTargets(afterEach);
const panes: Pane[] = [];
const directories: string[] = [];
afterEach(() => {
	for (const pane of panes.splice(0)) pane.kill();
	for (const directory of directories.splice(0)) rmSync(directory, {recursive: true, force: true});
});

/** A loopback port free a moment ago (the TUI shows the metrics URL in its message line, which a summary may cover). */
async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as net.AddressInfo;
	await new Promise<void>(resolve => {
		server.close(() => {
			resolve();
		});
	});
	return port;
}

describe.skipIf(!hasTmux)('CI outputs from the TUI (tmux)', () => {
	it('a TUI run writes the JUnit, CSV and markdown files, appends the step summary and serves its final figures at /metrics', async () => {
		const server = await target();
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-ci-tui-'));
		directories.push(directory);
		const port = await freePort();
		const exitFile = path.join(directory, 'exit-code');
		const args = ['--url', `${server.url}/`, '-d', '2', '-t', '1', '-c', '2', '--no-baseline', '--junit', 'tui.xml', '--csv', 'tui', '--summary-md', 'tui.md', '--metrics-listen', `127.0.0.1:${port}`, '--json', 'tui.json', '--threshold', 'errors<1%'];
		const command = `${shellQuote(process.execPath)} ${shellQuote(cliPath)} ${args.map(arg => shellQuote(arg)).join(' ')}; ${writeExitCode(exitFile)}`;
		const pane = startPane(command, {columns: 100, rows: 40, cwd: directory, env: {XDG_CONFIG_HOME: path.join(directory, 'config'), TERM: 'xterm-256color', CI: 'false', GITHUB_STEP_SUMMARY: path.join(directory, 'step.md')}});
		panes.push(pane);
		await pane.waitFor(/ SUMMARY /, 'the summary screen', 30_000);
		const report = JSON.parse(readFileSync(path.join(directory, 'tui.json'), 'utf8')) as JsonReport;
		// The endpoint stays up on the summary screen with the final figures.
		const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
		const families = new Map(parsePrometheusTextFormat(text).map(family => [family.name, family]));
		expect(Number(families.get('pystress_running')!.metrics[0]!.value)).toBe(0);
		expect(Number(families.get('pystress_requests_total')!.metrics[0]!.value)).toBe(report.summary.requests);
		pane.send('q');
		await waitFor(() => existsSync(exitFile), 'the exit', 20_000);
		expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');

		const xml = readFileSync(path.join(directory, 'tui.xml'), 'utf8');
		expect(XMLValidator.validate(xml)).toBe(true);
		const suite = (new XMLParser({ignoreAttributes: false}).parse(xml) as {testsuites: {testsuite: Record<string, unknown>}}).testsuites.testsuite;
		expect(suite['@_tests']).toBe('2');
		expect(suite['@_failures']).toBe('0');
		const rows = parseCsv(readFileSync(path.join(directory, 'tui-stats.csv'), 'utf8'), {columns: true}) as Array<Record<string, string>>;
		expect(Number(rows.at(-1)!['requests'])).toBe(report.summary.requests);
		expect(report.summary.requests).toBe(server.count - report.summary.incomplete);
		expect(readFileSync(path.join(directory, 'tui.md'), 'utf8')).toMatch(/^### pystress-tui: GET .*: ✅ thresholds passed/);
		expect(readFileSync(path.join(directory, 'step.md'), 'utf8')).toContain('- tui.xml');
		// The end of the run on the normal screen names every file.
		await pane.waitFor(/Markdown summary: tui\.md/, 'the file list on the normal screen');
		expect(pane.capture()).toMatch(/JUnit report: tui\.xml[\s\S]*CSV stats: tui-stats\.csv[\s\S]*CSV timeline: tui-timeline\.csv/);
	});
});
