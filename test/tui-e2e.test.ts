import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {cliPath} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';
import {hasTmux, pickAndStart, shellQuote, startPane, writeExitCode, type Pane} from './helpers/tmux.js';
import {sleep, waitFor} from './helpers/wait.js';

/** The real CLI (`node dist/cli.js`, built by `npm test`) in a real pseudo-terminal (tmux). */
const entry = `${shellQuote(process.execPath)} ${shellQuote(cliPath)}`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const target = useTargets(afterEach);

/** Runs the CLI in tmux; the exit code lands in a file once it exits. */
function runInPane(args: readonly string[], options: {columns: number; rows: number; env?: Record<string, string>; cwd?: string}): {pane: Pane; directory: string; exitCode: () => string | undefined} {
	const directory = options.cwd ?? mkdtempSync(path.join(os.tmpdir(), 'pystress-e2e-'));
	const exitFile = path.join(directory, 'exit-code');
	const command = `${entry} ${args.map(arg => shellQuote(arg)).join(' ')}; ${writeExitCode(exitFile)}`;
	const pane = startPane(command, {...options, cwd: directory, env: {XDG_CONFIG_HOME: path.join(directory, 'config'), TERM: 'xterm-256color', CI: 'false', ...options.env}});
	cleanups.push(() => {
		pane.kill();
	});
	return {pane, directory, exitCode: () => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8').trim() : undefined)};
}

/** Waits until `count()` has not changed for `quietMs`. */
async function waitUntilStill(count: () => number, quietMs: number, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = count();
	let since = Date.now();
	while (Date.now() - since < quietMs) {
		if (Date.now() > deadline) throw new Error(`the server count kept changing (now ${count()})`);
		await sleep(100); // eslint-disable-line no-await-in-loop
		if (count() !== last) {
			last = count();
			since = Date.now();
		}
	}
}

describe.skipIf(!hasTmux)('the TUI in a real terminal (tmux)', () => {
	it('shows hardware and charts; p pauses the load, + and ] change the engine, s saves, q summarizes and exits 0', async () => {
		const server = await target();
		const {pane, directory, exitCode} = runInPane(['--url', `${server.url}/`, '-t', '1', '-c', '4', '-d', '120'], {columns: 80, rows: 24});
		// Starts at once (a duration was given): the hardware header and the charts.
		await pane.waitFor(/ RUNNING /, 'the dashboard');
		const screen = pane.capture();
		expect(screen).toMatch(/\dC\/\dT/);
		expect(screen).toMatch(/1 worker thread: set by --threads/);
		expect(screen).toMatch(/requests\/s +latency ms/);
		expect(screen).toMatch(/┤/);
		expect(screen).toMatch(/threads 1 · connections 4 · rate off/);
		expect(screen).toMatch(/p pause {2}\+\/- threads {2}\]\/\[ conns/);
		// Colours (the 16 basic ones) when NO_COLOR is not set.
		expect(pane.capture(true)).toMatch(/\u001B\[(?:[\d;]*;)?3[1-7](?:;[\d;]*)?m/);
		await waitFor(() => server.count > 200, 'load on the server');

		pane.send('p');
		await pane.waitFor(/ PAUSED /, 'PAUSED');
		await waitUntilStill(() => server.count, 1000, 10_000);
		const pausedAt = server.count;
		await sleep(1000);
		expect(server.count).toBe(pausedAt);

		pane.send('p');
		await pane.waitFor(/ RUNNING /, 'RUNNING again');
		await waitFor(() => server.count > pausedAt + 100, 'the load to resume');

		pane.send('+');
		await pane.waitFor(/threads 2 · connections 4/, 'threads 2 in the header');
		await pane.waitFor(/2 worker threads: changed live from 1/, 'threads 2 in the hardware header');
		pane.send(']');
		await pane.waitFor(/threads 2 · connections 5/, 'connections 5 in the header');

		pane.send('s');
		const reports = path.join(directory, 'reports');
		await waitFor(() => existsSync(reports) && readdirSync(reports).some(name => name.endsWith('.json')), 'the saved report');
		const jsonName = readdirSync(reports).find(name => name.endsWith('.json'))!;
		const saved = JSON.parse(readFileSync(path.join(reports, jsonName), 'utf8')) as JsonReport;
		expect(saved.stopReason).toBe('running');
		// What the engine ran with: the live changes reached it.
		expect(saved.settings.final).toMatchObject({threads: 2, connections: 5});
		expect(saved.markers.map(marker => marker.kind)).toEqual(expect.arrayContaining(['pause', 'resume', 'threads', 'connections']));
		expect(saved.summary.requests).toBeGreaterThan(0);
		await pane.waitFor(/saved reports\//, 'the saved message');

		// The layout follows the terminal size.
		pane.resize(120, 40);
		await waitFor(() => {
			const lines = pane.capture().split('\n');
			return /p pause .* \? help/.test(lines[38] ?? '');
		}, 'the key hints on the last line of the 40-line terminal');

		pane.send('q');
		await pane.waitFor(/ SUMMARY /, 'the summary');
		expect(pane.capture()).toMatch(/stopped: user/);
		expect(pane.capture()).toMatch(/s save {2}r run again {2}q quit/);
		pane.send('q');
		await waitFor(() => exitCode() !== undefined, 'the exit');
		expect(exitCode()).toBe('0');
		// The terminal is back on the normal screen, with the text summary printed there.
		await pane.waitFor(/Changed live to {3}2 threads, 5 connections[\s\S]*JSON report: reports\//, 'the text summary on the normal screen');
		expect(pane.capture()).not.toMatch(/ RUNNING | SUMMARY /);
		const final = JSON.parse(readFileSync(path.join(reports, jsonName), 'utf8')) as JsonReport;
		expect(final.stopReason).toBe('user');
	});

	it('a second Ctrl-C quits at once, still writing what was measured; NO_COLOR means no colour', async () => {
		const server = await target();
		const {pane, directory, exitCode} = runInPane(['--url', `${server.url}/`, '-t', '1', '-c', '2', '-d', '120', '--no-baseline', '--json', 'out.json'], {columns: 80, rows: 24, env: {NO_COLOR: '1'}});
		await pane.waitFor(/ RUNNING /, 'the dashboard');
		// No foreground or background colour at all (bold and inverse would be allowed).
		const styled = pane.capture(true);
		expect(styled).toMatch(/requests\/s/);
		expect(styled).not.toMatch(/\u001B\[(?:[\d;]*;)?(?:3[0-7]|9[0-7]|4[0-7]|10[0-7]|38|48)(?:;[\d;]*)?m/);
		await waitFor(() => server.count > 50, 'load on the server');
		pane.send('C-c');
		pane.send('C-c');
		await waitFor(() => exitCode() !== undefined, 'the exit', 20_000);
		expect(exitCode()).toBe('0');
		const report = JSON.parse(readFileSync(path.join(directory, 'out.json'), 'utf8')) as JsonReport;
		expect(report.summary.requests).toBeGreaterThan(0);
		expect(pane.capture()).not.toMatch(/ RUNNING | STOPPING /);
	});

	it('open model with stages against a slow target: stage in the header, corrected latency, late sends warning', async () => {
		const server = await target({
			respond(_request, _index, response) {
				setTimeout(() => {
					response.writeHead(200, {'content-type': 'text/plain', 'content-length': 2});
					response.end('ok');
				}, 50);
			},
		});
		// Two connections at 50 ms answer 40/s at most: most of the 200/s asked go out late.
		const {pane, exitCode} = runInPane(['--url', `${server.url}/`, '-t', '1', '-c', '2', '-R', '200', '-d', '8', '--stage', '2s:200', '--stage', '2s:200', '--no-baseline', '--no-report'], {columns: 80, rows: 24});
		await pane.waitFor(/stage [12]\/2 → 200\/s/, 'the stage in the header');
		await pane.waitFor(/^latency \(sent\) +p50 [\s\S]*^corrected +p50 /m, 'the sent and corrected latency lines');
		await pane.waitFor(/^⚠ [\d,]+ sends late(, [\d,]+ dropped)?: all 2 connections busy/m, 'the late sends warning');
		await pane.waitFor(/stages done · /, 'the stages done');
		for (const line of pane.capture().split('\n')) expect(line.length).toBeLessThanOrEqual(80);
		await pane.waitFor(/ SUMMARY /, 'the summary');
		pane.send('q');
		await waitFor(() => exitCode() !== undefined, 'the exit');
		expect(exitCode()).toBe('0');
	});

	it('SIGTERM stops the run, writes the report, restores the terminal and exits 0', async () => {
		const server = await target();
		const {pane, directory, exitCode} = runInPane(['--url', `${server.url}/`, '-t', '1', '-c', '2', '-d', '120', '--no-baseline', '--json', 'out.json'], {columns: 80, rows: 24});
		await pane.waitFor(/ RUNNING /, 'the dashboard');
		await waitFor(() => server.count > 50, 'load on the server');
		const cli = Number(execFileSync('pgrep', ['-P', String(pane.shellPid())], {encoding: 'utf8'}).trim().split('\n')[0]);
		expect(cli).toBeGreaterThan(0);
		process.kill(cli, 'SIGTERM');
		await waitFor(() => exitCode() !== undefined, 'the exit', 20_000);
		expect(exitCode()).toBe('0');
		const report = JSON.parse(readFileSync(path.join(directory, 'out.json'), 'utf8')) as JsonReport;
		expect(report.stopReason).toBe('signal');
		await pane.waitFor(/JSON report: out\.json/, 'the text summary on the normal screen');
		expect(pane.capture()).not.toMatch(/ RUNNING | STOPPING /);
	});

	it('a config with stages, picked in the picker and started from the settings screen, runs both stages', async () => {
		const arrivals: number[] = [];
		const server = await target({
			respond(_request, _index, response) {
				arrivals.push(performance.now());
				response.writeHead(200, {'content-length': 2});
				response.end('ok');
			},
		});
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-e2e-stages-'));
		// Open model: 0 -> 10/s over the first 2 s, then 10 -> 90/s over the next 2 s.
		writeFileSync(path.join(directory, 'staged.json'), JSON.stringify({url: `${server.url}/staged`, rate: 10, stages: [{duration: '2s', target: 10}, {duration: '2s', target: 90}]}));
		const {pane, exitCode} = runInPane(['--no-baseline', '--no-report'], {columns: 100, rows: 30, cwd: directory});
		await pane.waitFor(/staged\.json/, 'the config in the picker');
		await pickAndStart(pane, 'staged');
		await pane.waitFor(/ SUMMARY /, 'the summary', 30_000);
		pane.send('q');
		await waitFor(() => exitCode() !== undefined, 'the exit');
		// The server saw the second stage: far more requests in its two seconds than in the first two.
		const start = arrivals[0]!;
		const first = arrivals.filter(time => time - start < 2000).length;
		const second = arrivals.filter(time => time - start >= 2000).length;
		expect(first).toBeGreaterThan(3);
		expect(second, `first 2 s ${first}, then ${second}`).toBeGreaterThan(first * 3);
	});
});
