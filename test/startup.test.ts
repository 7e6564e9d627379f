import {execFile, spawn, spawnSync} from 'node:child_process';
import {promisify} from 'node:util';
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import meow from 'meow';
import {afterEach, describe, expect, it} from 'vitest';
import {normalizeArgv} from '../source/commands/argv.js';
import {flagDefinitions, type CliFlags} from '../source/commands/flags.js';
import {parseFlags} from '../source/commands/parse-flags.js';
import {detectHardware} from '../source/engine/hardware.js';
import {prepareRun} from '../source/session/prepare.js';
import {cliPath, runCli} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';

const target = useTargets(afterEach);

/** meow on argv, as `cli.tsx` called it before the fast reader (and still does for what that leaves). */
function meowParse(argv: readonly string[]): {input: string[]; flags: CliFlags} {
	const cli = meow('help', {importMeta: import.meta, argv: [...argv], allowUnknownFlags: false, flags: flagDefinitions});
	return {input: cli.input, flags: cli.flags};
}

describe('the fast flag reader reads argv exactly as meow does', () => {
	const cases: string[][] = [
		[],
		['--url', 'http://127.0.0.1:8080/', '--single-request'],
		['-u', 'http://127.0.0.1:8080/', '-n', '1', '--headless', '--no-baseline', '--no-report'],
		['--url=http://127.0.0.1:8080/x?a=1&b=2', '-m', 'POST', '--json-body', '{"a":1}', '-H', 'A: 1', '--header', 'B: 2', '-H=C: 3'],
		['--config', 'config-examples/demo.json', '-t', '4', '-c', '100', '-d', '30', '-R', '2.5', '--max-connections', '400', '--max-late', '1s', '--grace', '0'],
		['--stage', '30s:200', '--stage', '1m:0', '--threshold', 'p99<300ms', '--threshold', 'home:errors<1%', '--abort-on-fail'],
		['--ramp-up', '10s', '--baseline-duration', '1e3', '--log', 'x.ndjson', '--log-sample', '0.5', '-q', '--http-client', 'undici'],
		['--json', '\u0000stdout', '-o', 'r.html', '--report', '--baseline', '--headless', '--quiet'],
		['--profile', 'smoke', '--save-profile', 'other', '--cpu-prof', 'profiles'],
		['report', 'run.json', '-o', 'run.html'],
		['profiles', 'show', 'smoke'],
		['demo-server', '--port', '8787'],
		['demo', '--body', '', '--method', 'get'],
		['--url', 'http://[::1]:8080/', '--body', 'a=b=c', '--json-body', '[1,2]'],
		['--no-headless', '--no-quiet', '--no-single-request', '--no-abort-on-fail'],
	];

	it.each(cases)('%j', (...argv) => {
		const normalized = normalizeArgv(argv, flagDefinitions);
		const fast = parseFlags<CliFlags>(normalized, flagDefinitions);
		expect(fast).toBeDefined();
		expect(fast).toStrictEqual(meowParse(normalized));
	});

	it('values yargs-parser could read as something else: where the fast reader answers, as meow', () => {
		let answered = 0;
		for (const value of ['null', 'undefined', 'NaN', 'Infinity', '0x1F', '1e3', ' 5', '.5', '+5', '', '__proto__', 'constructor', '[]', '{}', 'TRUE', 'x=y', 'démo']) {
			for (const argv of [['--url', value], ['-H', value], [`--body=${value}`], ['report', value]]) {
				const fast = parseFlags<CliFlags>(argv, flagDefinitions);
				if (fast === undefined) continue;
				answered++;
				expect(fast, JSON.stringify(argv)).toStrictEqual(meowParse(argv));
			}
		}

		expect(answered).toBeGreaterThan(50);
	});

	it('leaves to meow what it does not read exactly as meow: --help, --version, --, values and arguments that begin with - or read as numbers, booleans with =, true and false', () => {
		for (const argv of [['--help'], ['--version'], ['-h'], ['--url', 'x', '--', 'y'], ['-d', '-5'], ['report', '12'], ['--headless=false'], ['--no-url', 'x'], ['--headless', 'true'], ['-q', 'false', 'x'], ['--url', 'true'], ['report', 'false']]) {
			expect(parseFlags(argv, flagDefinitions), JSON.stringify(argv)).toBeUndefined();
		}
	});

	it('the CLI still answers --help and --version through meow', async () => {
		const help = await runCli(['--help']);
		expect(help.code).toBe(0);
		expect(help.stdout).toContain('--cpu-prof DIR');
		expect(help.stdout).toContain('$ pystress-tui demo-server');
		const version = await runCli(['--version']);
		expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
	});
});

/**
 * A `--import` hook that records every module the CLI loads (resolved URLs, through the module
 * hooks' thread) and prints them on exit: what a command loads, without any timing.
 */
function loadedModulesHook(directory: string): string {
	const hooks = path.join(directory, 'hooks.mjs');
	writeFileSync(hooks, 'let port;\nexport function initialize(data) { port = data.port; }\nexport async function resolve(specifier, context, next) { const result = await next(specifier, context); port.postMessage(result.url); return result; }\n');
	const preload = path.join(directory, 'preload.mjs');
	writeFileSync(preload, `import {register} from 'node:module';\nimport {MessageChannel} from 'node:worker_threads';\nconst {port1, port2} = new MessageChannel();\nconst seen = new Set();\nport1.on('message', url => seen.add(url));\nport1.unref();\nregister(${JSON.stringify(pathToFileURL(hooks).href)}, {data: {port: port2}, transferList: [port2]});\nprocess.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify([...seen]) + '\\n'));\n`);
	return preload;
}

async function loadedBy(args: readonly string[], preload: string): Promise<string[]> {
	// Asynchronous: the target answers from this process.
	const child = spawn(process.execPath, ['--import', pathToFileURL(preload).href, cliPath, ...args], {env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
	await new Promise(resolve => child.on('close', resolve));
	clearTimeout(timer);
	// One line per thread (workers run the preload too): what the process loaded in all.
	const lines = stderr.split('\n').filter(text => text.startsWith('LOADED '));
	expect(lines.length, stderr).toBeGreaterThan(0);
	return lines.flatMap(line => JSON.parse(line.slice('LOADED '.length)) as string[]).map(url => url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/'));
}

/** The build's bundle: which source modules (and bundled packages' files) each file of dist/ holds (esbuild's metafile). */
const bundleInputs = (): Map<string, string[]> => {
	const meta = JSON.parse(readFileSync(path.join(path.dirname(cliPath), 'meta.json'), 'utf8')) as {outputs: Record<string, {inputs: Record<string, unknown>}>};
	return new Map(Object.entries(meta.outputs).map(([file, output]) => [file, Object.keys(output.inputs)]));
};

/** What `loaded` ran, module by module: each dist/ file stands for the sources bundled into it. */
function sourcesOf(loaded: readonly string[]): string[] {
	const inputs = bundleInputs();
	return loaded.flatMap(url => (url.startsWith('dist/') ? inputs.get(url) ?? [url] : [url]));
}

describe('start-up loads only what the command uses', () => {
	it('--single-request loads neither meow, the engine, histograms, reports, Ink, conf nor zod\'s files (zod/mini is in the build\'s bundle)', async () => {
		const server = await target();
		const preload = loadedModulesHook(mkdtempSync(path.join(os.tmpdir(), 'pystress-startup-')));
		const loaded = await loadedBy(['--url', `${server.url}/`, '--single-request'], preload);
		const sources = sourcesOf(loaded);
		expect(sources).toContain('source/session/single-request.ts');
		expect(sources).toContain('source/config/zod.ts');
		expect(loaded.filter(url => url.startsWith('node_modules/zod/'))).toEqual([]);
		const heavy = sources.filter(url => /node_modules\/(meow|hdr-histogram-js|ink|react|conf|undici)\/|source\/(engine\/engine|stats\/histogram|report\/html|headless\/run|interactive|engine\/spawn-worker)\.tsx?$/.test(url));
		expect(heavy).toEqual([]);
	});

	it('a headless run loads neither meow, Ink, React, conf, undici (the socket client, no token), zod\'s or hdr-histogram-js\'s files (both in the build\'s bundle), nor the writers of outputs it was not asked for', async () => {
		const server = await target();
		const preload = loadedModulesHook(mkdtempSync(path.join(os.tmpdir(), 'pystress-startup-')));
		const loaded = await loadedBy(['--url', `${server.url}/`, '-n', '1', '-t', '1', '--headless', '--no-baseline', '--no-report', '-q'], preload);
		const sources = sourcesOf(loaded);
		expect(sources).toContain('source/headless/run.ts');
		expect(sources).toContain('source/stats/histogram.ts');
		expect(sources.some(file => file.startsWith('node_modules/hdr-histogram-js/'))).toBe(true);
		expect(loaded.filter(url => /node_modules\/(meow|ink|react|conf|undici|zod|hdr-histogram-js|pako|csv-stringify|csv-parse)\//.test(url))).toEqual([]);
		expect(sources.filter(url => /node_modules\/(meow|ink|react|conf|undici)\/|source\/(interactive|commands\/help)\.tsx?$/.test(url))).toEqual([]);
		// Nor the CI outputs' writers and the metrics endpoint (node:http), which only a run that asks for them needs.
		expect(sources.filter(url => /source\/(session\/(output-files|metrics-server)|report\/(junit|csv|markdown-summary|prometheus))\.ts$|^node:http$/.test(url))).toEqual([]);
	});
});

describe('load workers started ahead of the run (prewarmed while the main thread resolves it)', () => {
	/** A headless run's JSON report and exit code. */
	async function run(args: readonly string[]): Promise<{code: number | null; report: {summary: {requests: number; errors: number}; settings: {threads: number}}}> {
		const result = await runCli([...args, '--headless', '--no-baseline', '--no-report', '-q', '--json', '-'], {timeoutMs: 30_000});
		return {code: result.code, report: JSON.parse(result.stdout) as never};
	}

	it('run the test with every count exact, whether the run uses as many workers as were started, fewer or more', async () => {
		const server = await target();
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-prewarm-'));
		// The config's own thread count is known only once resolved: the hardware's default was started.
		const config = path.join(directory, 'one-thread.json');
		writeFileSync(config, JSON.stringify({url: `${server.url}/`, threads: 1, connections: 4}));
		let served = server.count;
		for (const args of [['--config', config, '-n', '200'], ['--url', `${server.url}/`, '-t', '3', '-c', '6', '-n', '300'], ['--url', `${server.url}/`, '-t', '1', '-n', '1']]) {
			// eslint-disable-next-line no-await-in-loop
			const {code, report} = await run(args);
			expect(code, args.join(' ')).toBe(0);
			expect(report.summary.errors).toBe(0);
			expect(report.summary.requests).toBe(server.count - served);
			served = server.count;
		}

		expect(served).toBe(501);
	});

	it('-n N keeps no more threads than requests, says why, and an agent counts its own share', async () => {
		const server = await target();
		const result = await runCli(['--url', `${server.url}/`, '-t', '4', '-c', '8', '-n', '2', '--headless', '--no-baseline', '--no-report', '--json', '-'], {timeoutMs: 30_000});
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('2 threads (set by --threads, at most one per request), 8 connections, 2 requests');
		expect((JSON.parse(result.stdout) as {settings: {threads: number}}).settings.threads).toBe(2);
		expect(server.count).toBe(2);
		// -n 3 over 2 agents: agent 1 sends 1 of them, on one thread.
		const agent = prepareRun({url: `${server.url}/`, threads: '4', connections: '8', requests: '3', agents: '2', agentIndex: '1'}, detectHardware(), {});
		expect(agent.settings.maxRequests).toBe(1);
		expect(agent.settings.threads).toBe(1);
		expect(prepareRun({url: `${server.url}/`, threads: '4', requests: '9'}, detectHardware(), {}).settings.threads).toBe(4);
	});

	it('a run refused by validation exits 2 at once, its prewarmed workers unused', async () => {
		const result = await runCli(['--url', 'http://127.0.0.1:9/', '-t', '4', '--rate', 'fast', '--headless'], {timeoutMs: 20_000});
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('--rate');
	});
});

const hasCurl = spawnSync('curl', ['--version']).status === 0;

describe('--single-request times the network, not module loading', () => {
	/** The "connected" figure, in ms. */
	const connectedMs = (stdout: string): number => {
		const match = /connected\s+([\d.,]+) (ms|s)\b/.exec(stdout);
		expect(match, stdout).not.toBeNull();
		return Number(match![1]!.replaceAll(',', '')) * (match![2] === 's' ? 1000 : 1);
	};

	it.skipIf(!hasCurl)('connect time on loopback is within 2 ms of curl\'s time_connect (the fastest of 5 each)', async () => {
		const server = await target();
		const ours: number[] = [];
		const curls: number[] = [];
		for (let round = 0; round < 5; round++) {
			// eslint-disable-next-line no-await-in-loop
			const result = await runCli(['--url', `${server.url}/`, '--single-request']);
			expect(result.code).toBe(0);
			ours.push(connectedMs(result.stdout));
			// Asynchronous: the target answers from this process.
			// eslint-disable-next-line no-await-in-loop
			const {stdout} = await promisify(execFile)('curl', ['-s', '-m', '10', '-o', '/dev/null', '-w', '%{time_connect}', `${server.url}/`], {encoding: 'utf8'});
			curls.push(Number(stdout) * 1000);
		}

		expect(Math.min(...ours) - Math.min(...curls), `ours ${ours.join(', ')} ms; curl ${curls.map(ms => ms.toFixed(3)).join(', ')} ms`).toBeLessThan(2);
	});
});

describe('--cpu-prof DIR', () => {
	it('leaves one valid V8 CPU profile per thread: the main thread, each load worker, the baseline worker', async () => {
		const server = await target();
		const directory = path.join(mkdtempSync(path.join(os.tmpdir(), 'pystress-cpuprof-')), 'profiles');
		const result = await runCli(['--url', `${server.url}/`, '-n', '200', '-t', '2', '-c', '4', '--headless', '-q', '--no-report', '--cpu-prof', directory]);
		expect(result.code, result.stderr).toBe(0);
		const files = readdirSync(directory).sort();
		const pid = /^main-(\d+)\.cpuprofile$/.exec(files.find(file => file.startsWith('main-')) ?? '')?.[1];
		expect(pid, files.join(', ')).toBeDefined();
		expect(files).toEqual([`baseline-1-${pid}.cpuprofile`, `main-${pid}.cpuprofile`, `worker-1-${pid}.cpuprofile`, `worker-2-${pid}.cpuprofile`]);
		for (const file of files) {
			const profile = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as {nodes: unknown[]; samples: unknown[]; startTime: number; endTime: number};
			expect(profile.nodes.length, file).toBeGreaterThan(0);
			expect(Array.isArray(profile.samples), file).toBe(true);
			expect(profile.endTime, file).toBeGreaterThan(profile.startTime);
		}

		expect(result.stderr).toContain(`CPU profile: ${path.join(directory, `main-${pid}.cpuprofile`)}`);
	});

	it('an unwritable directory is a usage error naming the flag, before anything runs', async () => {
		const result = await runCli(['--url', 'http://127.0.0.1:9/', '-n', '1', '--headless', '--cpu-prof', '/dev/null/profiles']);
		expect(result.code).toBe(2);
		expect(result.stderr).toBe('command line: --cpu-prof: cannot write into /dev/null/profiles (ENOTDIR: not a directory); pick a writable directory\n');
	});
});

describe('the installed command: dist/cli.js run as a program starts with its sh launcher (source/finish-build.ts)', () => {
	it('node runs the same file with the memory reducer off, every argument as given, and NODE_EXTRA_CA_CERTS moved aside', async () => {
		const server = await target({keep: 1});
		const header = 'X-Quoted: a "b" \'c\' $HOME `d` *';
		const args = ['--url', `${server.url}/`, '-H', header, '-d', '20', '-c', '1', '-t', '1', '--headless', '--no-baseline', '--no-report', '-q'];
		const child = spawn(cliPath, args, {env: {...process.env, NODE_EXTRA_CA_CERTS: '/etc/hosts', PYSTRESS_NODE_EXTRA_CA_CERTS: ''}, stdio: 'ignore'});
		const closed = new Promise<number | null>(resolve => child.on('close', resolve));
		// sh execs node in the same process. Its command line is read before the program sets
		// process.title (which writes over it), its environment and the request once the run is on.
		let argv: string[] = [];
		const deadline = Date.now() + 10_000;
		while (path.basename(argv[0] ?? '') !== 'node' && Date.now() < deadline) {
			argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => setTimeout(resolve, 1));
		}

		while (server.count === 0 && Date.now() < deadline) {
			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => setTimeout(resolve, 5));
		}

		const environment = new Map(readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0').filter(Boolean).map(entry => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
		child.kill('SIGINT');
		// A signal reaches node itself (sh is gone): the run stops as interrupted (exit 130).
		expect(await closed).toBe(130);
		expect(path.basename(argv[0]!)).toBe('node');
		expect(argv.slice(1)).toEqual(['--no-memory-reducer', cliPath, ...args]);
		expect(server.seen[0]!.headers['x-quoted']).toBe('a "b" \'c\' $HOME `d` *');
		expect(environment.has('NODE_EXTRA_CA_CERTS')).toBe(false);
		expect(environment.get('PYSTRESS_NODE_EXTRA_CA_CERTS')).toBe('/etc/hosts');
	});
});
