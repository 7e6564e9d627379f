/**
 * Takes the media/tui-*.png screenshots from the running program: the CLI in tmux against the demo
 * target, `tmux capture-pane -e` into media/tui-*.ans, rendered to HTML and shot with headless
 * Chromium. Run: `npm run build && npx tsx test/helpers/capture-media.ts`.
 */
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {chromium} from 'playwright-core';
import {ProfileStore} from '../../source/config/profiles.js';
import {ansiToHtml} from './ansi-html.js';
import {cliPath, rootDir} from './cli.js';
import {shellQuote, startPane, type Pane} from './tmux.js';
import {sleep} from './wait.js';

const mediaDir = path.join(rootDir, 'media');
const chromiumPath = '/usr/bin/chromium';
const entry = `${shellQuote(process.execPath)} ${shellQuote(cliPath)}`;

async function startDemoTarget(): Promise<{url: string; stop: () => void}> {
	const child = spawn(process.execPath, [cliPath, 'demo-server', '--port', '0'], {stdio: ['ignore', 'pipe', 'inherit']});
	const url = await new Promise<string>((resolve, reject) => {
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			const match = /listening on (http:\/\/\S+)/.exec(output);
			if (match) resolve(match[1]!);
		});
		child.once('exit', code => {
			reject(new Error(`demo target exited (${code})`));
		});
	});
	return {url, stop: () => child.kill('SIGTERM')};
}

const browser = await chromium.launch({executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu']});

/** Saves the pane as media/<name>.ans and media/<name>.png (headless Chromium, the terminal window element only). */
async function shoot(pane: Pane, name: string, columns: number, rows: number, title: string): Promise<void> {
	const capture = pane.capture(true);
	writeFileSync(path.join(mediaDir, `${name}.ans`), capture);
	const page = await browser.newPage({viewport: {width: Math.ceil((columns * 9.1) + 80), height: Math.ceil((rows * 19) + 120)}});
	await page.setContent(ansiToHtml(capture, {columns, rows, title}));
	await page.locator('.window').screenshot({path: path.join(mediaDir, `${name}.png`)});
	await page.close();
	console.log(`media/${name}.png`);
}

function pane(args: string, options: {columns: number; rows: number; cwd: string; env: Record<string, string>}): Pane {
	return startPane(`${entry} ${args}`, options);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'pystress-media-'));
const configHome = path.join(work, 'config');
mkdirSync(mediaDir, {recursive: true});
const demo = await startDemoTarget();
const env = {XDG_CONFIG_HOME: configHome, DEMO_URL: demo.url, SHOP_TOKEN: 'shown-nowhere', TERM: 'xterm-256color', COLORTERM: ''};
const panes: Pane[] = [];
try {
	// A store with a profile and recent runs, and config files in the current directory.
	const store = new ProfileStore({cwd: path.join(configHome, 'pystress-tui-nodejs')});
	store.saveProfile('checkout-smoke', {config: {url: '${SHOP_URL:-http://127.0.0.1:8787}/checkout', method: 'POST', json: {cart: 42}, headers: {Authorization: 'Bearer ${SHOP_TOKEN}'}}, settings: {threads: 2, connections: 16, durationMs: 30_000}});
	store.addRecent({label: 'GET http://127.0.0.1:8787/json', at: new Date().toISOString(), config: {url: 'http://127.0.0.1:8787/json'}, settings: {connections: 8, durationMs: 10_000}});
	writeFileSync(path.join(work, 'storefront.json'), JSON.stringify({name: 'Storefront: browse and buy', duration: '20s', connections: 24, requests: [{name: 'home', url: '${DEMO_URL}/', weight: 5}, {name: 'catalog', url: '${DEMO_URL}/json', weight: 3}, {name: 'order', method: 'POST', url: '${DEMO_URL}/echo', json: {sku: 'A-1'}, weight: 1}]}, undefined, 2));
	writeFileSync(path.join(work, 'typo.json'), JSON.stringify({url: 'http://127.0.0.1:8787/', conections: 10, duration: 'ten seconds', retries: -1}, undefined, 2));
	writeFileSync(path.join(work, 'with-baseline.json'), JSON.stringify({...JSON.parse(readFileSync(path.join(rootDir, 'config-examples/demo.json'), 'utf8')) as object, baseline_duration: '6s', duration: '25s'}, undefined, 2));

	// 1. The picker (hardware header on top), then a config with errors.
	const picker = pane('', {columns: 120, rows: 30, cwd: work, env});
	panes.push(picker);
	await picker.waitFor(/Choose a config {2}\(\d+\)/, 'the picker');
	await sleep(500);
	await shoot(picker, 'tui-picker', 120, 30, 'pystress-tui — config picker: profiles, recent runs, examples, files here');
	picker.send('/');
	picker.send('typo', true);
	await sleep(500);
	await shoot(picker, 'tui-picker-errors', 120, 30, 'pystress-tui — a config that fails validation');
	picker.send('Escape');
	await sleep(300);
	picker.send('u');
	picker.send('8787/json', true);
	await sleep(300);
	await shoot(picker, 'tui-picker-url', 120, 30, 'pystress-tui — u: type a URL');
	picker.send('Enter');
	await picker.waitFor(/Settings/, 'the settings');
	picker.send('Down');
	picker.send('64', true);
	picker.send('Down');
	picker.send('15s', true);
	await sleep(300);
	await shoot(picker, 'tui-settings', 120, 30, 'pystress-tui — settings');
	picker.send('q');

	// 2. Baselines, the dashboard at 80x24 with live changes, help, summary.
	const run = pane(`--config ${shellQuote(path.join(work, 'with-baseline.json'))} -d 25`, {columns: 80, rows: 24, cwd: work, env});
	panes.push(run);
	await run.waitFor(/Extended baseline .*[1-9]\.\ds\/6\.0s/, 'the extended baseline', 30_000);
	await sleep(1500);
	await shoot(run, 'tui-baseline', 80, 24, 'pystress-tui — baselines');
	await run.waitFor(/ RUNNING /, 'the dashboard', 30_000);
	await sleep(4000);
	run.send('p');
	await sleep(2000);
	run.send('p');
	await sleep(2000);
	run.send('+');
	await sleep(2000);
	run.send(']');
	run.send(']');
	await sleep(3000);
	await shoot(run, 'tui-dashboard-80x24', 80, 24, 'pystress-tui — dashboard at 80x24');
	run.send('?');
	await sleep(500);
	await shoot(run, 'tui-help', 80, 24, 'pystress-tui — ? help');
	run.send('Escape');
	await sleep(300);
	run.send('P');
	run.send('demo-3-threads', true);
	await sleep(400);
	await shoot(run, 'tui-save-profile', 80, 24, 'pystress-tui — P: save the settings as a profile');
	run.send('Enter');
	await run.waitFor(/ SUMMARY /, 'the summary', 40_000);
	await sleep(500);
	await shoot(run, 'tui-summary-80x24', 80, 24, 'pystress-tui — summary at 80x24');

	// 3. A roomy terminal.
	const wide = pane(`--config ${shellQuote(path.join(rootDir, 'config-examples/demo.json'))} -d 40 -c 48`, {columns: 130, rows: 40, cwd: work, env});
	panes.push(wide);
	await wide.waitFor(/ RUNNING /, 'the wide dashboard', 30_000);
	await sleep(8000);
	wide.send('-');
	await sleep(4000);
	wide.send('[');
	await sleep(6000);
	await shoot(wide, 'tui-dashboard', 130, 40, 'pystress-tui — dashboard');
	wide.send('q');
	await wide.waitFor(/ SUMMARY /, 'the wide summary', 30_000);
	await sleep(500);
	await shoot(wide, 'tui-summary', 130, 40, 'pystress-tui — summary');

	// 4. One thread, many connections: the generator saturates.
	const busy = pane(`--url ${shellQuote(`${demo.url}/`)} -t 1 -c 400 -d 20 --no-baseline`, {columns: 100, rows: 30, cwd: work, env});
	panes.push(busy);
	await busy.waitFor(/GENERATOR SATURATED/, 'the saturation warning', 20_000).then(async () => {
		await sleep(7000);
		await shoot(busy, 'tui-saturated', 100, 30, 'pystress-tui — the load generator is saturated');
	}, (error: unknown) => {
		console.log(`no saturation screenshot: ${(error as Error).message.split('\n')[0]}`);
	});
	busy.send('C-c');
	busy.send('C-c');
} finally {
	for (const each of panes) each.kill();
	demo.stop();
	await browser.close();
}
