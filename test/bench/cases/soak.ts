/**
 * `soak` (only when named: BENCH_CASES=soak): one long closed-model run of pystress-tui, `-t 1`
 * at 50 connections against nginx, BENCH_SOAK_SECONDS long (default 600). Samples the CLI's
 * resident memory (VmRSS: the process, its worker threads included) every 10 s and prints the
 * samples. The baseline is the sample at 60 s, after warm-up (a quarter of the run when that is
 * shorter, at least the first sample); any later sample more than 5% above it is a failure: the
 * bench exits 1.
 */
import {spawn} from 'node:child_process';
import type {JsonReport} from '../../../source/report/types.js';
import {startBenchTarget} from '../nginx.js';
import {pin, rssMb, sleep} from '../process.js';
import {count, fixed} from '../stats.js';
import type {SummaryRow} from '../summary.js';
import {cli} from '../tools.js';
import type {BenchCase} from './types.js';

const connections = 50;
const sampleEveryS = 10;
const warmUpS = 60;
const maxGrowth = 0.05;

/** When the baseline sample is taken, seconds into the run: 60, or a quarter of a shorter run, on the sampling grid. */
export function baselineAtS(runS: number): number {
	return Math.max(sampleEveryS, Math.floor(Math.min(warmUpS, runS / 4) / sampleEveryS) * sampleEveryS);
}

export const soakCase: BenchCase = async context => {
	const runS = context.soakSeconds;
	const target = await startBenchTarget(1);
	console.log(`soak: ${target.kind} at ${target.url} (core 1); pystress-tui on core 0, -t 1 -c ${connections}, ${runS} s; RSS every ${sampleEveryS} s, baseline at ${baselineAtS(runS)} s`);
	const samples: Array<{atS: number; rssMb: number}> = [];
	let stdout = '';
	let stderr = '';
	try {
		const servedBefore = await target.served();
		const [command, args] = pin(0, cli, ['--url', target.url, '--headless', '-t', '1', '-c', String(connections), '-d', String(runS), '--no-baseline', '--quiet', '--no-report', '--json', '-']);
		const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}});
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		let exitCode: number | null | undefined;
		const exited = new Promise<void>(resolve => child.on('close', code => {
			exitCode = code;
			resolve();
		}));
		// taskset execs node, so the child is the CLI; sample on a fixed grid from its start.
		const startedAt = Date.now();
		for (let atS = sampleEveryS; atS < runS; atS += sampleEveryS) {
			// eslint-disable-next-line no-await-in-loop
			await Promise.race([sleep(startedAt + (atS * 1000) - Date.now()), exited]);
			if (exitCode !== undefined) break;
			const sample = {atS, rssMb: rssMb(child.pid!)};
			samples.push(sample);
			console.log(`soak ${String(atS).padStart(5)} s  RSS ${fixed(sample.rssMb, 1)} MB`);
		}

		await exited;
		if (exitCode !== 0) throw new Error(`the soak run exited ${exitCode}:\n${stderr}`);
		const {summary} = JSON.parse(stdout) as JsonReport;
		const served = (await target.served()) - servedBefore;
		console.log(`soak run: ${count(summary.requests)} requests (nginx served ${count(served)}), ${count(summary.rps)} req/s, ${summary.errors} errors`);
	} finally {
		target.stop();
	}

	const baselineS = baselineAtS(runS);
	const baseline = samples.find(sample => sample.atS === baselineS);
	if (baseline === undefined) throw new Error(`soak: no sample at ${baselineS} s (run too short?)`);
	const later = samples.filter(sample => sample.atS > baselineS);
	const peak = later.reduce((highest, sample) => Math.max(highest, sample.rssMb), baseline.rssMb);
	const growth = (peak / baseline.rssMb) - 1;
	const over = later.filter(sample => sample.rssMb > baseline.rssMb * (1 + maxGrowth));
	const failed = over.length > 0;
	console.log(`soak: baseline ${fixed(baseline.rssMb, 1)} MB at ${baselineS} s, highest later ${fixed(peak, 1)} MB (${fixed(growth * 100, 1)}%; ${later.length} samples after the baseline)${failed ? `; above +${maxGrowth * 100}% at ${over.map(sample => `${sample.atS} s`).join(', ')}: FAIL` : `: within +${maxGrowth * 100}%, PASS`}\n`);
	const row: SummaryRow = {
		case: 'soak',
		measure: `RSS growth after ${baselineS} s, ${runS} s run`,
		ours: `${fixed(peak, 1)} MB highest`,
		reference: `baseline ${fixed(baseline.rssMb, 1)} MB`,
		median: growth * 100,
		min: null,
		max: null,
		unit: '%',
		target: `<= ${maxGrowth * 100}%`,
		verdict: failed ? 'FAIL' : later.length === 0 ? 'N/A' : 'PASS',
		...(later.length === 0 ? {note: 'no sample after the baseline'} : {}),
	};
	return {rows: [row], failed};
};
