/**
 * `tui`: the TUI (in tmux, a real terminal) against headless mode, same settings, the whole client
 * pinned to one core, in an order that rotates by round. Judged: the throughput the TUI costs
 * against the mean of two headless runs in the same round; the difference between those two is
 * shown as the control (on this machine throughput moves between runs by about as much as the
 * dashboard costs). Shown too: the share of the process's CPU that the main thread takes in the
 * TUI beyond what it takes headless (the dashboard's own work, which the pinned load worker goes
 * without), from each thread's exact CPU time, a steadier figure. Skipped when tmux is missing.
 */
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startBenchTarget} from '../nginx.js';
import {pin, sleep, threadCpuNs} from '../process.js';
import {fixed, median, range, rotation} from '../stats.js';
import {verdict} from '../summary.js';
import {cli} from '../tools.js';
import type {BenchCase, BenchContext} from './types.js';

/** The throughput the TUI may cost, a fraction of headless. */
const maxCost = 0.05;

/**
 * Share of the process's CPU that its main thread used between 2 s into the run and 1 s before
 * its end: in the TUI that is the dashboard (the workers measure), a low-noise view of its cost.
 */
async function mainThreadShare(pid: number, seconds: number): Promise<number> {
	await sleep(2000);
	const before = threadCpuNs(pid);
	await sleep((seconds - 3) * 1000);
	const after = threadCpuNs(pid);
	let total = 0;
	let main = 0;
	for (const [tid, ticks] of after) {
		const used = ticks - (before.get(tid) ?? 0);
		total += used;
		if (tid === pid) main = used;
	}

	return total > 0 ? main / total : 0;
}

type Figures = {rps: number; mainShare: number};

/** One run with the TUI in a real terminal (tmux), reading the JSON report it writes at the end. */
async function measureTui(url: string, context: BenchContext): Promise<Figures> {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-bench-tui-'));
	const jsonPath = path.join(directory, 'tui.json');
	const session = `pystress-bench-${process.pid}`;
	const [command, args] = pin(0, cli, ['--url', url, '-t', '1', '-c', String(context.connections), '-d', String(context.seconds), '--no-baseline', '--no-report', '--json', jsonPath]);
	execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', [command, ...args].map(arg => `'${arg}'`).join(' ')]);
	try {
		// taskset execs node, so the pane's process is the CLI itself.
		const pid = Number(execFileSync('tmux', ['list-panes', '-t', session, '-F', '#{pane_pid}'], {encoding: 'utf8'}).trim());
		const mainShare = await mainThreadShare(pid, context.seconds);
		const deadline = Date.now() + ((context.seconds + 30) * 1000);
		while (!existsSync(jsonPath)) {
			if (Date.now() > deadline) throw new Error('the TUI run wrote no report');
			// eslint-disable-next-line no-await-in-loop
			await sleep(200);
		}

		await sleep(300);
		const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as {summary: {rps: number}};
		return {rps: report.summary.rps, mainShare};
	} finally {
		spawnSync('tmux', ['kill-session', '-t', session]);
	}
}

async function measureHeadless(url: string, context: BenchContext): Promise<Figures> {
	const [command, args] = pin(0, cli, ['--url', url, '--headless', '-t', '1', '-c', String(context.connections), '-d', String(context.seconds), '--no-baseline', '--quiet', '--no-report', '--json', '-']);
	const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'ignore']});
	let stdout = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	const mainShare = await mainThreadShare(child.pid!, context.seconds);
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	if (code !== 0) throw new Error(`the headless run exited ${code}`);
	return {rps: (JSON.parse(stdout) as {summary: {rps: number}}).summary.rps, mainShare};
}

type Kind = 'headless' | 'tui' | 'control';

export const tuiCase: BenchCase = async context => {
	if (spawnSync('tmux', ['-V']).status !== 0) {
		console.log('tui: skipped (no tmux)\n');
		return {rows: []};
	}

	if (context.seconds < 4) console.log('tui: BENCH_SECONDS below 4 leaves no window for the thread shares (they read 0)');
	const target = await startBenchTarget(1);
	const shares: number[] = [];
	const costs: number[] = [];
	const controls: number[] = [];
	const tuiRps: number[] = [];
	const headlessRps: number[] = [];
	try {
		for (let round = 1; round <= context.rounds; round++) {
			const figures = new Map<Kind, Figures>();
			for (const kind of rotation(['headless', 'tui', 'control'] as const, round)) {
				// eslint-disable-next-line no-await-in-loop
				figures.set(kind, await (kind === 'tui' ? measureTui(target.url, context) : measureHeadless(target.url, context)));
			}

			const headless = figures.get('headless')!;
			const tui = figures.get('tui')!;
			const control = figures.get('control')!;
			shares.push(tui.mainShare - headless.mainShare);
			costs.push(1 - (tui.rps / ((headless.rps + control.rps) / 2)));
			controls.push(1 - (control.rps / headless.rps));
			tuiRps.push(tui.rps);
			headlessRps.push((headless.rps + control.rps) / 2);
			const rps = (value: number): string => Math.round(value).toLocaleString('en-US');
			console.log(`round ${round} headless ${rps(headless.rps)} req/s (main thread ${fixed(headless.mainShare * 100, 2)}% of the CPU), TUI ${rps(tui.rps)} req/s (main thread ${fixed(tui.mainShare * 100, 2)}%), headless again ${rps(control.rps)} req/s: throughput cost ${fixed(costs.at(-1)! * 100, 1)}% (headless against headless ${fixed(controls.at(-1)! * 100, 1)}%); the TUI's thread adds ${fixed(shares.at(-1)! * 100, 2)}% of the CPU`);
		}
	} finally {
		target.stop();
	}

	const cost = median(costs);
	const [costMin, costMax] = range(costs);
	const [controlMin, controlMax] = range(controls);
	const [shareMin, shareMax] = range(shares);
	console.log(`median TUI cost: ${fixed(cost * 100, 1)}% of headless throughput (range ${fixed(costMin * 100, 1)}-${fixed(costMax * 100, 1)}%; must be <= ${maxCost * 100}%); headless against headless ${fixed(median(controls) * 100, 1)}% (range ${fixed(controlMin * 100, 1)}-${fixed(controlMax * 100, 1)}%)`);
	console.log(`median CPU share the TUI's thread adds: ${fixed(median(shares) * 100, 2)}% (range ${fixed(shareMin * 100, 2)}-${fixed(shareMax * 100, 2)}%; per-thread CPU time, steadier than throughput)\n`);
	const perSecond = (value: number): string => `${Math.round(value).toLocaleString('en-US')} req/s`;
	return {rows: [
		{case: 'tui', measure: `TUI throughput cost, ${context.connections} conns`, ours: `TUI ${perSecond(median(tuiRps))}`, reference: `headless ${perSecond(median(headlessRps))}`, median: cost * 100, min: costMin * 100, max: costMax * 100, unit: '%', target: `<= ${maxCost * 100}%`, verdict: verdict(cost <= maxCost)},
		{case: 'tui', measure: 'headless against headless (control)', ours: '', reference: '', median: median(controls) * 100, min: controlMin * 100, max: controlMax * 100, unit: '%', target: '', verdict: 'INFO'},
		{case: 'tui', measure: 'CPU share the TUI\'s thread adds', ours: '', reference: '', median: median(shares) * 100, min: shareMin * 100, max: shareMax * 100, unit: '%', target: '', verdict: 'INFO'},
	]};
};
