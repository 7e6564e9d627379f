/**
 * `npm run bench`: pystress-tui (headless, one worker thread; its default socket client, and undici
 * as a reference) against autocannon on the same target, each pinned to the same core with taskset
 * (the target on the other), back to back in a rotating order, several rounds.
 * Prints req/s, the ratio, client CPU per request, peak RSS, and checks each tool's count against the
 * target's own. Ratios matter; absolute numbers depend on the machine.
 *
 * Then the TUI (in tmux, a real terminal) against headless mode, same settings: the dashboard's cost.
 *
 * Options (env): BENCH_SECONDS (default 10), BENCH_ROUNDS (3), BENCH_CONNECTIONS (50), BENCH_TUI=0 skips the TUI part,
 * BENCH_UNDICI=0 skips the undici reference runs, BENCH_STARTUP=0 the start-up times (STARTUP_RUNS, default 30). BENCH_BASE=REV (a commit, e.g. HEAD~3) also runs that
 * revision of pystress-tui, built in a temporary git worktree, and prints the CPU per request of this
 * build over that one: how a change moved the cost of the happy path.
 */
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {pin, startBenchTarget, type BenchTarget} from './nginx.js';
import {measureStartup} from './startup.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const autocannon = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));

const baseRevision = process.env['BENCH_BASE'];

/** Builds `revision` in a temporary worktree (sharing this checkout's node_modules); returns its CLI. */
function buildRevision(revision: string): string {
	const root = fileURLToPath(new URL('../..', import.meta.url));
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-bench-base-'));
	execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', directory, revision], {stdio: 'ignore'});
	symlinkSync(path.join(root, 'node_modules'), path.join(directory, 'node_modules'));
	execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(directory, 'tsconfig.json')], {stdio: 'inherit'});
	return path.join(directory, 'dist/cli.js');
}

const baseCli = baseRevision === undefined ? undefined : buildRevision(baseRevision);

// Start-up first (test/bench/startup.ts): whole short runs, before the load rounds heat the machine.
if (process.env['BENCH_STARTUP'] !== '0') {
	const startupClis: Array<[string, string]> = [['this build', cli], ...(baseCli === undefined ? [] : [[baseRevision!, baseCli] as [string, string]])];
	for (const line of await measureStartup(startupClis, Number(process.env['STARTUP_RUNS'] ?? 30))) console.log(line);
	console.log('');
}

type Measured = {tool: string; requests: number; rps: number; served: number; cpuMicrosPerRequest: number; peakRssMb: number};

async function run(command: string, args: string[], env: Record<string, string> = {}): Promise<{stdout: string; stderr: string; cpuS: number; peakRssMb: number}> {
	// /usr/bin/time gives the child's CPU time and peak RSS.
	const [pinned, pinnedArgs] = pin(0, '/usr/bin/time', ['-f', 'TIME %U %S %M', command, ...args]);
	const child = spawn(pinned, pinnedArgs, {env: {...process.env, ...env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	if (code !== 0) {
		throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr}`);
	}

	const time = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
	return {stdout, stderr, cpuS: Number(time?.[1] ?? 0) + Number(time?.[2] ?? 0), peakRssMb: Number(time?.[3] ?? 0) / 1024};
}

type Tool = 'autocannon' | 'pystress-tui' | 'pystress/undici' | 'pystress@base';

async function measure(tool: Tool, target: BenchTarget): Promise<Measured> {
	const before = await target.served();
	let requests: number;
	let durationS: number;
	let result;
	if (tool !== 'autocannon') {
		const client = tool === 'pystress/undici' ? 'undici' : 'socket';
		result = await run(process.execPath, [tool === 'pystress@base' ? baseCli! : cli, '--url', target.url, '--headless', '-t', '1', '-c', String(connections), '-d', String(seconds), '--no-baseline', '--quiet', '--json', '-', '--http-client', client]);
		const report = JSON.parse(result.stdout) as {summary: {requests: number; durationS: number}};
		requests = report.summary.requests;
		durationS = report.summary.durationS;
	} else {
		result = await run(process.execPath, [autocannon, '-c', String(connections), '-d', String(seconds), '--json', target.url]);
		const report = JSON.parse(result.stdout) as {requests: {total: number}; duration: number; errors: number};
		requests = report.requests.total + report.errors;
		durationS = report.duration;
	}

	const served = (await target.served()) - before - 1;
	return {tool, requests, rps: requests / durationS, served, cpuMicrosPerRequest: (result.cpuS * 1e6) / requests, peakRssMb: result.peakRssMb};
}

const target = await startBenchTarget(1);
console.log(`target: ${target.kind} at ${target.url} (core 1); tools on core 0; ${connections} connections, ${seconds}s per run, ${rounds} rounds\n`);
const ratios: number[] = [];
const undiciRatios: number[] = [];
const tools: Tool[] = process.env['BENCH_UNDICI'] === '0' ? ['autocannon', 'pystress-tui'] : ['autocannon', 'pystress-tui', 'pystress/undici'];
if (baseCli !== undefined) {
	tools.push('pystress@base');
}

const baseCpuRatios: number[] = [];
try {
	for (let round = 1; round <= rounds; round++) {
		// A rotating order, so that no tool always runs first (or right after another).
		const shift = (round - 1) % tools.length;
		const order = [...tools.slice(shift), ...tools.slice(0, shift)];
		const results: Record<string, Measured> = {};
		for (const tool of order) {
			// eslint-disable-next-line no-await-in-loop
			results[tool] = await measure(tool, target);
		}

		for (const tool of order) {
			const r = results[tool]!;
			const countCheck = r.requests <= r.served && r.served - r.requests <= connections ? 'count ok' : `COUNT MISMATCH (tool ${r.requests}, target ${r.served})`;
			console.log(`round ${round} ${tool.padEnd(15)} ${Math.round(r.rps).toLocaleString('en-US').padStart(8)} req/s  ${r.cpuMicrosPerRequest.toFixed(1).padStart(5)} us CPU/req  peak RSS ${r.peakRssMb.toFixed(0)} MB  ${countCheck}`);
		}

		const ratio = results['pystress-tui']!.rps / results['autocannon']!.rps;
		ratios.push(ratio);
		console.log(`round ${round} ratio pystress-tui/autocannon: ${ratio.toFixed(3)}`);
		if (results['pystress/undici']) {
			const undiciRatio = results['pystress/undici'].rps / results['autocannon']!.rps;
			undiciRatios.push(undiciRatio);
			console.log(`round ${round} ratio pystress-tui --http-client undici/autocannon: ${undiciRatio.toFixed(3)}`);
		}

		if (results['pystress@base']) {
			const cpuRatio = results['pystress-tui']!.cpuMicrosPerRequest / results['pystress@base'].cpuMicrosPerRequest;
			baseCpuRatios.push(cpuRatio);
			console.log(`round ${round} CPU per request, this build / ${baseRevision}: ${cpuRatio.toFixed(3)}`);
		}

		console.log('');
	}
} finally {
	target.stop();
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`median ratio pystress-tui/autocannon: ${median(ratios).toFixed(3)} (must >= 1.0, aim 1.3)`);
if (undiciRatios.length > 0) {
	console.log(`median ratio pystress-tui --http-client undici/autocannon: ${median(undiciRatios).toFixed(3)} (reference)`);
}

if (baseCpuRatios.length > 0) {
	const sorted = [...baseCpuRatios].sort((a, b) => a - b);
	console.log(`median CPU per request, this build / ${baseRevision}: ${median(baseCpuRatios).toFixed(3)} (range ${sorted[0]!.toFixed(3)}-${sorted.at(-1)!.toFixed(3)}; 1.0 is no change)`);
}

if (baseCli !== undefined) {
	execFileSync('git', ['-C', fileURLToPath(new URL('../..', import.meta.url)), 'worktree', 'remove', '--force', path.dirname(path.dirname(baseCli))], {stdio: 'ignore'});
}

console.log('');

/** CPU ticks per thread of a process (Linux /proc): utime + stime, keyed by thread id. */
function threadTicks(pid: number): Map<number, number> {
	const ticks = new Map<number, number>();
	try {
		for (const tid of readdirSync(`/proc/${pid}/task`)) {
			const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			ticks.set(Number(tid), Number(fields[11]) + Number(fields[12]));
		}
	} catch {}

	return ticks;
}

/**
 * Share of the process's CPU that its main thread used between 2 s into the run and 1 s before
 * its end: in the TUI that is the dashboard (the workers measure), a low-noise view of its cost.
 */
async function mainThreadShare(pid: number): Promise<number> {
	await new Promise(resolve => setTimeout(resolve, 2000));
	const before = threadTicks(pid);
	await new Promise(resolve => setTimeout(resolve, (seconds - 3) * 1000));
	const after = threadTicks(pid);
	let total = 0;
	let main = 0;
	for (const [tid, ticks] of after) {
		const used = ticks - (before.get(tid) ?? 0);
		total += used;
		if (tid === pid) main = used;
	}

	return total > 0 ? main / total : 0;
}

/** One run with the TUI in a real terminal (tmux), reading the JSON report it writes at the end. */
async function measureTui(url: string): Promise<{rps: number; mainShare: number}> {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-bench-tui-'));
	const jsonPath = path.join(directory, 'tui.json');
	const session = `pystress-bench-${process.pid}`;
	const [command, args] = pin(0, process.execPath, [cli, '--url', url, '-t', '1', '-c', String(connections), '-d', String(seconds), '--no-baseline', '--no-report', '--json', jsonPath]);
	execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', [command, ...args].map(arg => `'${arg}'`).join(' ')]);
	try {
		// taskset execs node, so the pane's process is the CLI itself.
		const pid = Number(execFileSync('tmux', ['list-panes', '-t', session, '-F', '#{pane_pid}'], {encoding: 'utf8'}).trim());
		const mainShare = await mainThreadShare(pid);
		const deadline = Date.now() + ((seconds + 30) * 1000);
		while (!existsSync(jsonPath)) {
			if (Date.now() > deadline) throw new Error('the TUI run wrote no report');
			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => setTimeout(resolve, 200));
		}

		await new Promise(resolve => setTimeout(resolve, 300));
		const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as {summary: {rps: number}};
		return {rps: report.summary.rps, mainShare};
	} finally {
		spawnSync('tmux', ['kill-session', '-t', session]);
	}
}

async function measureHeadless(url: string): Promise<{rps: number; mainShare: number}> {
	const [command, args] = pin(0, process.execPath, [cli, '--url', url, '--headless', '-t', '1', '-c', String(connections), '-d', String(seconds), '--no-baseline', '--quiet', '--no-report', '--json', '-']);
	const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'ignore']});
	let stdout = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	const mainShare = await mainThreadShare(child.pid!);
	await new Promise(resolve => child.on('close', resolve));
	return {rps: (JSON.parse(stdout) as {summary: {rps: number}}).summary.rps, mainShare};
}

if (process.env['BENCH_TUI'] !== '0' && spawnSync('tmux', ['-V']).status === 0) {
	const tuiTarget = await startBenchTarget(1);
	const costs: number[] = [];
	const shares: number[] = [];
	try {
		for (let round = 1; round <= rounds; round++) {
			// eslint-disable-next-line no-await-in-loop
			const headless = await measureHeadless(tuiTarget.url);
			// eslint-disable-next-line no-await-in-loop
			const tui = await measureTui(tuiTarget.url);
			const cost = 1 - (tui.rps / headless.rps);
			costs.push(cost);
			shares.push(tui.mainShare - headless.mainShare);
			console.log(`round ${round} headless ${Math.round(headless.rps).toLocaleString('en-US')} req/s (main thread ${(headless.mainShare * 100).toFixed(1)}% of the CPU), TUI ${Math.round(tui.rps).toLocaleString('en-US')} req/s (main thread ${(tui.mainShare * 100).toFixed(1)}%): throughput cost ${(cost * 100).toFixed(1)}%`);
		}
	} finally {
		tuiTarget.stop();
	}

	costs.sort((a, b) => a - b);
	shares.sort((a, b) => a - b);
	console.log(`median TUI cost: ${(costs[Math.floor(costs.length / 2)]! * 100).toFixed(1)}% of headless throughput (must be <= 5%)`);
	console.log(`median CPU share the dashboard's thread adds: ${(shares[Math.floor(shares.length / 2)]! * 100).toFixed(1)}% (per-thread CPU from /proc, less noisy than throughput)`);
}
