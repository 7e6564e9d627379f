import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cliPath, rootDir, runCli} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';
import {hasTmux, pickAndStart, shellQuote, startPane, writeExitCode} from './helpers/tmux.js';
import {sleep, waitFor} from './helpers/wait.js';

async function listening(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net.connect({host: '127.0.0.1', port});
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

const target = useTargets(afterEach);
const cleanups: Array<() => void> = [];
afterEach(() => {
	for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The same run rules hold whichever front end runs the test. */
describe.skipIf(!hasTmux)('both front ends resolve a run the same way', () => {
	it('--profile P --url U sends to U, headless and in the TUI', async () => {
		const saved = await target();
		const given = await target();
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-front-'));
		const env = {XDG_CONFIG_HOME: path.join(directory, 'config')};
		const save = await runCli(['--url', `${saved.url}/saved`, '--save-profile', 'p', '-n', '3', '-c', '1', '--no-baseline', '--no-report'], {env});
		expect(save.code).toBe(0);
		expect(saved.count).toBe(3);

		const headless = await runCli(['--profile', 'p', '--url', `${given.url}/given`, '-n', '7', '-c', '1', '--no-baseline', '--no-report', '--json', '-'], {env});
		expect(headless.code).toBe(0);
		expect(JSON.parse(headless.stdout).target.url).toBe(`${given.url}/given`);
		expect(given.count).toBe(7);
		expect(saved.count).toBe(3);

		const exitFile = path.join(directory, 'exit-code');
		const args = ['--profile', 'p', '--url', `${given.url}/given`, '-n', '11', '-c', '1', '--no-baseline', '--no-report'];
		const pane = startPane(`${shellQuote(process.execPath)} ${shellQuote(cliPath)} ${args.map(arg => shellQuote(arg)).join(' ')}; ${writeExitCode(exitFile)}`, {columns: 100, rows: 30, cwd: directory, env: {...env, TERM: 'xterm-256color', CI: 'false'}});
		cleanups.push(() => {
			pane.kill();
		});
		await pane.waitFor(/SUMMARY/, 'the summary screen', 30_000);
		expect(pane.capture()).toContain(`${given.url}/given`);
		pane.send('q');
		await waitFor(() => existsSync(exitFile), 'the TUI to exit', 10_000);
		expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
		expect(given.count).toBe(7 + 11);
		expect(saved.count).toBe(3);
	});

	it('a shipped example, run as it is, gets the demo target started for it (headless and from the TUI picker)', async () => {
		if (await listening(8787)) {
			// Someone's own server on the demo port: the session would (rightly) use it; nothing to show here.
			return;
		}

		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-front-demo-'));
		const headless = await runCli(['--config', path.join(rootDir, 'config-examples/minimal-get.json'), '-n', '20', '-c', '2', '--no-baseline', '--no-report', '--json', '-']);
		expect(headless.code).toBe(0);
		const report = JSON.parse(headless.stdout);
		expect(report.summary).toMatchObject({requests: 20, responses: 20, errors: 0});
		expect(await listening(8787)).toBe(false);

		const exitFile = path.join(directory, 'exit-code');
		const pane = startPane(`cd ${shellQuote(rootDir)} && ${shellQuote(process.execPath)} ${shellQuote(cliPath)} --no-baseline --no-report -n 30; ${writeExitCode(exitFile)}`, {columns: 120, rows: 30, cwd: directory, env: {XDG_CONFIG_HOME: path.join(directory, 'config'), TERM: 'xterm-256color', CI: 'false'}});
		cleanups.push(() => {
			pane.kill();
		});
		await pickAndStart(pane, 'post-json', /starts the built-in demo target on 127\.0\.0\.1:8787/);
		await pane.waitFor(/ SUMMARY /, 'the summary', 30_000);
		expect(pane.capture()).toMatch(/30 requests · 30 responses · 0 errors/);
		pane.send('q');
		await waitFor(() => existsSync(exitFile), 'the TUI to exit', 10_000);
		expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
		// The demo target stops with the run.
		const deadline = Date.now() + 5000;
		while (await listening(8787)) {
			expect(Date.now()).toBeLessThan(deadline);
			await sleep(100); // eslint-disable-line no-await-in-loop
		}
	});
});
