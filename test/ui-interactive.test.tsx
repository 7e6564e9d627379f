import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {ProfileStore} from '../source/config/profiles.js';
import {runInteractive, type InteractiveOptions} from '../source/interactive.js';
import type {JsonReport} from '../source/report/types.js';
import {FakeTtyIn, FakeTtyOut} from './helpers/fake-tty.js';
import {startTarget, type TargetServer} from './helpers/target-server.js';
import {testHardware} from './helpers/ui-fixtures.js';
import {sleep, waitFor} from './helpers/wait.js';

const servers: TargetServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

type Started = {result: Promise<number>; stdout: FakeTtyOut; stdin: FakeTtyIn; stderr: FakeTtyOut; signal: (name: string) => void; directory: string; store: ProfileStore};

function start(options: Partial<InteractiveOptions> & {flags: InteractiveOptions['flags']}, columns = 140): Started {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-interactive-'));
	const store = options.profileStore ?? new ProfileStore({cwd: path.join(directory, 'store')});
	const stdout = new FakeTtyOut(columns, 30);
	const stderr = new FakeTtyOut();
	const stdin = new FakeTtyIn();
	let handler: ((signal: string) => void) | undefined;
	const result = runInteractive({
		hardware: testHardware,
		env: {},
		quickBaselineCount: 0,
		extendedBaselineMs: undefined,
		jsonPath: path.join(directory, 'run.json'),
		htmlPath: path.join(directory, 'run.html'),
		noReport: false,
		profile: undefined,
		saveProfile: undefined,
		...options,
		profileStore: store,
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: stderr as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		signals(listener) {
			handler = listener;
			return () => {
				handler = undefined;
			};
		},
		cwd: directory,
	});
	return {result, stdout, stdin, stderr, signal: name => handler?.(name), directory, store};
}

async function shows(started: Started, pattern: RegExp, what: string, timeoutMs = 15_000): Promise<void> {
	await waitFor(() => pattern.test(started.stdout.text), `${what} (output so far:\n${started.stdout.text.slice(-2000)})`, timeoutMs);
}

describe('runInteractive', () => {
	it('shows a broken --config in the picker, and quitting there returns 2', async () => {
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-broken-'));
		const config = path.join(directory, 'broken.json');
		writeFileSync(config, JSON.stringify({url: 'http://127.0.0.1:9/', conections: 3}));
		const started = start({flags: {config}});
		await shows(started, /conections: unknown key; did you mean "connections"\?/, 'the validation error');
		expect(started.stdout.text).toMatch(/1 problem \(shown below\): fix the file, or choose another config/);
		await sleep(50);
		started.stdin.press('q');
		expect(await started.result).toBe(2);
		// The alternate screen was entered and left; the terminal is restored.
		expect(started.stdout.output.startsWith('\u001B[?1049h')).toBe(true);
		expect(started.stdout.output).toContain('\u001B[?25h\u001B[?1049l');
		expect(started.stdin.isRaw).toBe(false);
	});

	it('--save-profile keeps the flags given; --profile opens the settings filled from it', async () => {
		const first = start({flags: {url: 'http://127.0.0.1:9/health', connections: '7'}, saveProfile: 'health'});
		await shows(first, /saved profile "health"/, 'the saved message');
		expect(first.stdout.text).toMatch(/Settings {2}GET http:\/\/127\.0\.0\.1:9\/health/);
		await sleep(50);
		first.stdin.press('q');
		expect(await first.result).toBe(0);
		expect(first.store.getProfile('health')).toMatchObject({config: {url: 'http://127.0.0.1:9/health'}, settings: {connections: 7}});
		expect(first.store.getProfile('health')?.settings.threads).toBeUndefined();

		const second = start({flags: {}, profile: 'health', profileStore: first.store});
		await shows(second, /Settings {2}health \(profile\)/, 'the settings of the profile');
		expect(second.stdout.text).toMatch(/Connections +7/);
		await sleep(50);
		second.stdin.press('\u0003');
		expect(await second.result).toBe(0);
	});

	it('names a missing profile and offers the picker', async () => {
		const started = start({flags: {}, profile: 'nope'});
		await shows(started, /no profile "nope" \(none saved yet\): choose a config below/, 'the missing profile');
		await sleep(50);
		started.stdin.press('q');
		expect(await started.result).toBe(2);
	});

	it('starts at once with a duration, and SIGTERM stops, writes the reports and restores the terminal', async () => {
		const server = await startTarget();
		servers.push(server);
		const started = start({flags: {url: `${server.url}/`, threads: '1', connections: '2', duration: '60'}});
		await shows(started, / RUNNING /, 'the dashboard');
		await waitFor(() => server.count > 20, 'load on the server');
		started.signal('SIGTERM');
		expect(await started.result).toBe(0);
		const report = JSON.parse(readFileSync(path.join(started.directory, 'run.json'), 'utf8')) as JsonReport;
		expect(report.stopReason).toBe('signal');
		expect(report.summary.responses).toBeGreaterThan(0);
		const restoredAt = started.stdout.output.lastIndexOf('\u001B[?1049l');
		expect(restoredAt).toBeGreaterThan(0);
		// The text summary comes after the terminal is back to normal, and the report paths on stderr.
		expect(started.stdout.output.slice(restoredAt)).toMatch(/PYSTRESS-TUI SUMMARY/);
		expect(started.stderr.text).toContain(`JSON report: ${path.join(started.directory, 'run.json')}`);
	});
});
