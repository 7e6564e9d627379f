import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ProfileStore} from '../source/config/profiles.js';
import type {JsonReport} from '../source/report/types.js';
import App from '../source/ui/app.js';
import {candidateFromFile, candidateFromFlags, candidateFromUrl, type CandidateContext} from '../source/ui/config-candidates.js';
import {RunController} from '../source/ui/run-controller.js';
import {initialAppState} from '../source/ui/state/app-state.js';
import type {Candidate} from '../source/ui/state/candidate.js';
import {createTheme, ThemeContext} from '../source/ui/theme.js';
import {useTargets} from './helpers/target-server.js';
import {brokenCandidate, testHardware} from './helpers/ui-fixtures.js';
import {sleep, waitFor} from './helpers/wait.js';

const keys = {enter: '\r', down: '\u001B[B', ctrlC: '\u0003'} as const;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const target = useTargets(afterEach);

type Harness = {
	readonly frame: () => string;
	readonly press: (input: string) => Promise<void>;
	readonly controller: RunController;
	readonly store: ProfileStore;
	readonly directory: string;
	readonly exitCode: () => number | undefined;
};

function mount(options: {flags?: Record<string, string>; chosen?: Candidate; configError?: boolean; items?: (context: CandidateContext) => Candidate[]; quickBaselineCount?: number; autoStart?: boolean}): Harness {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-ui-'));
	const store = new ProfileStore({cwd: directory});
	const context: CandidateContext = {flags: options.flags ?? {}, hardware: testHardware, env: {}, extendedBaselineMs: undefined, cwd: directory};
	const controller = new RunController({
		hardware: testHardware,
		quickBaselineCount: options.quickBaselineCount ?? 0,
		jsonPath: path.join(directory, 'run.json'),
		htmlPath: path.join(directory, 'run.html'),
		noReport: false,
		store,
		renderHtml: report => `<html>${report.summary.requests}</html>`,
	});
	const chosen = options.chosen ?? (options.flags?.['url'] ? candidateFromFlags(context) : undefined);
	let exitCode: number | undefined;
	const instance = render(
		<ThemeContext.Provider value={createTheme(false)}>
			<App
				hardware={testHardware}
				workerThreads
				controller={controller}
				initialState={initialAppState({chosen, configError: options.configError})}
				quickBaselineCount={options.quickBaselineCount ?? 0}
				autoStart={options.autoStart ?? false}
				loadCandidates={() => options.items?.(context) ?? []}
				candidateFromUrl={url => candidateFromUrl(url, context)}
				onExit={code => {
					exitCode = code;
				}}
			/>
		</ThemeContext.Provider>,
	);
	cleanups.push(async () => {
		controller.shutdown();
		instance.unmount();
		await waitFor(() => !controller.isRunning, 'the run to end', 20_000).catch(() => undefined);
	});
	return {
		frame: () => instance.lastFrame() ?? '',
		async press(input) {
			instance.stdin.write(input);
			await sleep(50);
		},
		controller,
		store,
		directory,
		exitCode: () => exitCode,
	};
}

async function frameShows(app: Harness, pattern: RegExp, what: string, timeoutMs = 15_000): Promise<void> {
	await waitFor(() => pattern.test(app.frame()), `${what} (last frame:\n${app.frame()})`, timeoutMs);
}

/** Waits until `count()` has not changed for `quietMs` (within `timeoutMs`). */
async function waitUntilStill(count: () => number, quietMs: number, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = count();
	let since = Date.now();
	while (Date.now() - since < quietMs) {
		if (Date.now() > deadline) throw new Error(`the count kept changing (now ${count()})`);
		await sleep(100); // eslint-disable-line no-await-in-loop
		if (count() !== last) {
			last = count();
			since = Date.now();
		}
	}
}

describe('the app against a real server', () => {
	it('runs from the flags: pause stops the load, + and ] reach the engine, s saves, q shows the summary, q exits 0', async () => {
		const server = await target();
		const app = mount({flags: {url: `${server.url}/`, threads: '1', connections: '4', duration: '60'}, autoStart: true, quickBaselineCount: 3});
		await sleep(50);
		await frameShows(app, /^ RUNNING /m, 'the dashboard running');
		expect(app.frame()).toMatch(/Test 9000 · 4C\/8T/);
		expect(app.frame()).toMatch(/threads 1 · connections 4 · rate off/);
		await waitFor(() => server.count > 100, 'load on the server');

		await app.press('p');
		await frameShows(app, /^ PAUSED /m, 'PAUSED in the header');
		expect(app.controller.engine?.state).toBe('paused');
		await waitUntilStill(() => server.count, 1000, 10_000);
		const pausedAt = server.count;
		await sleep(500);
		expect(server.count).toBe(pausedAt);

		await app.press('p');
		await frameShows(app, /^ RUNNING /m, 'RUNNING again');
		await waitFor(() => server.count > pausedAt + 50, 'the load to resume');

		await app.press('+');
		await frameShows(app, /threads 2 · connections 4/, 'threads 2 in the header');
		expect(app.controller.engine?.currentSettings.threads).toBe(2);
		await app.press(']');
		await frameShows(app, /threads 2 · connections 5/, 'connections 5 in the header');
		expect(app.controller.engine?.currentSettings.connections).toBe(5);
		await frameShows(app, /T.*C|TC/, 'the markers under the charts');

		await app.press('s');
		const jsonPath = path.join(app.directory, 'run.json');
		await waitFor(() => existsSync(jsonPath), 'the saved JSON report');
		const saved = JSON.parse(readFileSync(jsonPath, 'utf8')) as JsonReport;
		expect(saved.stopReason).toBe('running');
		expect(saved.settings.final).toMatchObject({threads: 2, connections: 5});
		expect(saved.markers.map(marker => marker.kind)).toEqual(expect.arrayContaining(['pause', 'resume', 'threads', 'connections']));
		expect(readFileSync(path.join(app.directory, 'run.html'), 'utf8')).toMatch(/^<html>\d+<\/html>$/);
		await frameShows(app, /saved .*run\.json, .*run\.html \(the run so far\)/, 'the saved message');

		await app.press('q');
		await frameShows(app, /SUMMARY/, 'the summary', 20_000);
		expect(app.frame()).toMatch(/stopped: user/);
		expect(app.frame()).toMatch(/changed live to 2 threads, 5 connections/);
		expect(app.frame()).toMatch(/quick baseline 3 req/);
		expect(app.frame()).toContain(`report: ${jsonPath}`);
		const final = JSON.parse(readFileSync(jsonPath, 'utf8')) as JsonReport;
		expect(final.stopReason).toBe('user');
		expect(final.summary.responses).toBeGreaterThan(0);
		await app.press('q');
		await waitFor(() => app.exitCode() !== undefined, 'the exit');
		expect(app.exitCode()).toBe(0);
	});

	it('picks a config, edits the settings, starts, and a second Ctrl-C quits with the report written', async () => {
		const server = await target();
		const app = mount({items: context => [brokenCandidate(), candidateFromUrl(`${server.url}/picked`, context)]});
		await sleep(50);
		await frameShows(app, /Choose a config {2}\(2\)/, 'the picker');
		await app.press(keys.enter);
		await frameShows(app, /broken\.json cannot run/, 'the refusal of the broken config');
		await app.press('j');
		await app.press(keys.enter);
		await frameShows(app, /Settings {2}GET http/, 'the settings screen');
		await app.press('2');
		await app.press(keys.down);
		await app.press('3');
		await frameShows(app, /› Connections +3/, 'the edited connections');
		await app.press(keys.enter);
		await frameShows(app, /^ RUNNING /m, 'the run');
		expect(app.frame()).toMatch(/threads 2 · connections 3/);
		await waitFor(() => server.seen.some(request => request.url === '/picked'), 'requests to the picked URL');
		await app.press(keys.ctrlC);
		await frameShows(app, /STOPPING|SUMMARY/, 'the stop');
		if (/STOPPING/.test(app.frame())) {
			await app.press(keys.ctrlC);
			await waitFor(() => app.exitCode() !== undefined, 'the exit after the second Ctrl-C', 20_000);
		} else {
			// The drain finished before the second key: Ctrl-C on the summary quits.
			await app.press(keys.ctrlC);
			await waitFor(() => app.exitCode() !== undefined, 'the exit');
		}

		expect(app.exitCode()).toBe(0);
		const report = JSON.parse(readFileSync(path.join(app.directory, 'run.json'), 'utf8')) as JsonReport;
		expect(report.summary.requests).toBeGreaterThan(0);
		expect(app.store.listRecent()[0]).toMatchObject({label: `GET ${server.url}/picked`, settings: {threads: 2, connections: 3}});
	});
});

describe('the app with an OAuth2 token', () => {
	it('says where the token comes from (redacted) while it is fetched, then runs', async () => {
		const answers: Array<() => void> = [];
		const server = await target({
			respond(request, _index, response) {
				if (request.url.startsWith('/token')) {
					// Held until the test has seen the token screen.
					answers.push(() => {
						response.writeHead(200, {'content-type': 'application/json'});
						response.end(JSON.stringify({access_token: 'tok', token_type: 'bearer', expires_in: 3600}));
					});
					return;
				}

				response.writeHead(200, {'content-type': 'text/plain', 'content-length': 2});
				response.end('ok');
			},
		});
		cleanups.push(() => {
			for (const answer of answers.splice(0)) answer();
		});
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-ui-token-'));
		const file = path.join(directory, 'oauth.json');
		writeFileSync(file, JSON.stringify({
			token_acquisition: {url: `${server.url}/token?client_secret=s3cr3t`, method: 'POST', form: {grant_type: 'client_credentials', client_id: 'load'}},
			stress_test: {url: `${server.url}/api`},
		}));
		const chosen = candidateFromFile(file, 'file', {flags: {threads: '1', connections: '2', duration: '60'}, hardware: testHardware, env: {}, extendedBaselineMs: undefined, cwd: directory});
		const app = mount({chosen, autoStart: true});
		await frameShows(app, /fetching OAuth2 token from http:\/\/127\.0\.0\.1:\d+\/token\?client_secret=%5Bredacted%5D…/, 'the token screen');
		expect(app.frame()).toMatch(/^Starting {2}GET http/m);
		expect(app.frame()).not.toContain('s3cr3t');
		await waitFor(() => answers.length > 0, 'the token request');
		answers.shift()?.();
		await frameShows(app, /^ RUNNING /m, 'the run after the token');
		await waitFor(() => server.seen.some(request => request.url === '/api' && request.headers.authorization === 'Bearer tok'), 'requests with the token');
		await app.press('q');
		await frameShows(app, /SUMMARY/, 'the summary', 20_000);
	});
});

describe('the app without load', () => {
	it('quits with 2 from the picker while a config from the flags is broken', async () => {
		const app = mount({configError: true, items: () => [brokenCandidate()]});
		await sleep(50);
		await frameShows(app, /conections: unknown key/, 'the errors of the broken config');
		await app.press('q');
		await waitFor(() => app.exitCode() !== undefined, 'the exit');
		expect(app.exitCode()).toBe(2);
	});

	it('types a URL in the picker, and saves the settings as a profile with P', async () => {
		const app = mount({items: () => []});
		await sleep(50);
		await frameShows(app, /No configs found/, 'the empty picker');
		await app.press('u');
		await app.press('9/typed');
		await frameShows(app, /URL: http:\/\/127\.0\.0\.1:9\/typed/, 'the URL field');
		await app.press(keys.enter);
		await frameShows(app, /Settings {2}GET http:\/\/127\.0\.0\.1:9\/typed/, 'the settings of the typed URL');
		await app.press('7');
		await app.press('P');
		await frameShows(app, /Save the settings as profile:/, 'the profile prompt');
		await app.press('quick-7');
		await app.press(keys.enter);
		await frameShows(app, /saved profile "quick-7"/, 'the saved message');
		expect(app.store.getProfile('quick-7')).toMatchObject({config: {url: 'http://127.0.0.1:9/typed'}, settings: {threads: 7, connections: 50, durationMs: 60_000}});
		await app.press('?');
		await frameShows(app, /Keys: Settings/, 'the help');
		await app.press('?');
		await app.press(keys.ctrlC);
		await waitFor(() => app.exitCode() !== undefined, 'the exit');
		expect(app.exitCode()).toBe(0);
	});
});
