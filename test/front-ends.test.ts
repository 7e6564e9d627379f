import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cliPath, runCli} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';
import {hasTmux, shellQuote, startPane} from './helpers/tmux.js';
import {waitFor} from './helpers/wait.js';

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
		const pane = startPane(`${shellQuote(process.execPath)} ${shellQuote(cliPath)} ${args.map(arg => shellQuote(arg)).join(' ')}; echo $? > ${shellQuote(exitFile)}`, {columns: 100, rows: 30, cwd: directory, env: {...env, TERM: 'xterm-256color', CI: 'false'}});
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
});
