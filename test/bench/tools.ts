/**
 * One measured run of one load generator against a bench target: pystress-tui (this build, its
 * undici client, or an earlier build), wrk, autocannon, the bare Node reader (bare-reader.ts) or the
 * C reader (c-reader.c),
 * each pinned to core 0 under GNU time.
 * Around the run it reads the target's own request count (nginx's stub_status) and its CPU time
 * (nginx's worker, from /proc), so every tool is judged by the same yardstick.
 */
import {spawnSync} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {JsonReport} from '../../source/report/types.js';
import type {BenchTarget} from './nginx.js';
import {runTimed, type TimedRun} from './process.js';

export type ToolName = 'pystress-tui' | 'pystress/undici' | 'pystress@base' | 'wrk' | 'autocannon' | 'bare Node reader' | 'C reader';

export type RunPlan = {
	readonly url: string;
	readonly connections: number;
	readonly seconds: number;
	/** pystress-tui's `-t` (default 1); wrk and autocannon always run one thread. */
	readonly threads?: number;
	/** pystress-tui only: the open model at this many requests per second. */
	readonly rate?: number;
	/** pystress-tui only: `--warm-up` seconds before the measured `seconds` (the target serves both). */
	readonly warmUpS?: number;
	/** The build of pystress-tui to run (`dist/cli.js`); `pystress@base` needs it. */
	readonly cli?: string;
	/** pystress-tui only: a config file to run instead of `--url` (its URL should be `url`). */
	readonly config?: string;
};

/** One run's figures. `served` and `targetCpuS` are the target's view; the rest is the tool's own. */
export type Measured = {
	readonly tool: ToolName;
	/** Completed requests by the tool's own count (wrk and autocannon leave out those in flight at the end). */
	readonly requests: number;
	/** Requests the target handled during the run. */
	readonly served: number;
	readonly durationS: number;
	/** Bytes the tool read: bodies only for pystress-tui, status line and headers too for wrk and autocannon. */
	readonly bytesRead: number;
	/** The tool's user + system CPU, seconds. */
	readonly cpuS: number;
	/** The system (kernel) part of cpuS. */
	readonly systemS: number;
	readonly peakRssMb: number;
	/** The target's CPU during the run, seconds (its /proc clock ticks: 10 ms resolution). */
	readonly targetCpuS: number;
	readonly p50Ms: number;
	readonly p99Ms: number;
	/** pystress-tui's JSON report. */
	readonly report?: JsonReport;
	/** Errors and other things worth a look (non-2xx, socket errors). */
	readonly notes: readonly string[];
};

export const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const autocannon = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));
/** Enough open files for 1000 connections and then some. */
const maxOpenFiles = 65_536;

let wrkScript: string | undefined;

/** A wrk script that only adds `done`: no per-request Lua, exact totals and percentiles (µs) on one line. */
function wrkDoneScript(): string {
	if (wrkScript === undefined) {
		wrkScript = path.join(mkdtempSync(path.join(os.tmpdir(), 'pystress-bench-wrk-')), 'done.lua');
		writeFileSync(wrkScript, `done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("WRK_DONE %d %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration, summary.bytes,
		latency:percentile(50), latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
`);
	}

	return wrkScript;
}

type ToolFigures = Omit<Measured, 'tool' | 'served' | 'targetCpuS' | 'cpuS' | 'systemS' | 'peakRssMb'>;

async function runPystress(tool: ToolName, plan: RunPlan): Promise<[TimedRun, ToolFigures]> {
	const args = [...(plan.config === undefined ? ['--url', plan.url] : ['--config', plan.config]), '--headless', '-t', String(plan.threads ?? 1), '-c', String(plan.connections), '-d', String(plan.seconds), '--no-baseline', '--quiet', '--no-report', '--json', '-', '--http-client', tool === 'pystress/undici' ? 'undici' : 'socket'];
	if (plan.rate !== undefined) args.push('--rate', String(plan.rate));
	if (plan.warmUpS !== undefined) args.push('--warm-up', `${plan.warmUpS}s`);
	// The file itself, as the installed `pystress-tui` command runs it (its sh launcher line first).
	const run = await runTimed(plan.cli ?? cli, args);
	const report = JSON.parse(run.stdout) as JsonReport;
	const {summary} = report;
	const notes = summary.errors > 0 ? [`${summary.errors} errors (${JSON.stringify(summary.errorKinds)})`] : [];
	return [run, {requests: summary.requests, durationS: summary.durationS, bytesRead: summary.bytesRead, p50Ms: summary.latencyMs.p50, p99Ms: summary.latencyMs.p99, report, notes}];
}

async function runWrk(plan: RunPlan): Promise<[TimedRun, ToolFigures]> {
	const run = await runTimed('wrk', ['-t1', `-c${plan.connections}`, `-d${plan.seconds}s`, '--latency', '-s', wrkDoneScript(), plan.url], {maxOpenFiles});
	const done = /WRK_DONE ([\d ]+)/.exec(run.stdout)?.[1]?.split(' ').map(Number);
	const printed = /(\d+) requests in/.exec(run.stdout);
	if (!done || !printed) throw new Error(`wrk printed no totals:\n${run.stdout}`);
	const [requests, durationMicros, bytes, p50Micros, p99Micros, ...errors] = done as [number, number, number, number, number, ...number[]];
	const notes: string[] = [];
	if (Number(printed[1]) !== requests) notes.push(`wrk's text says ${printed[1]} requests, its summary ${requests}`);
	const [connect, read, write, status, timeout] = errors;
	if (errors.some(count => count > 0)) notes.push(`socket errors: connect ${connect}, read ${read}, write ${write}, timeout ${timeout}; non-2xx/3xx ${status}`);
	return [run, {requests, durationS: durationMicros / 1e6, bytesRead: bytes, p50Ms: p50Micros / 1000, p99Ms: p99Micros / 1000, notes}];
}

async function runAutocannon(plan: RunPlan): Promise<[TimedRun, ToolFigures]> {
	const run = await runTimed(process.execPath, [autocannon, '-c', String(plan.connections), '-d', String(plan.seconds), '--json', plan.url]);
	const report = JSON.parse(run.stdout) as {requests: {total: number}; duration: number; errors: number; non2xx: number; throughput: {total: number}; latency: {p50: number; p99: number}};
	const notes = report.errors + report.non2xx > 0 ? [`${report.errors} errors, ${report.non2xx} non-2xx`] : [];
	return [run, {requests: report.requests.total + report.errors, durationS: report.duration, bytesRead: report.throughput.total, p50Ms: report.latency.p50, p99Ms: report.latency.p99, notes}];
}

/** The floor of a Node client reading large bodies (bare-reader.ts): bodies only in its byte count, as ours. */
async function runBareReader(plan: RunPlan): Promise<[TimedRun, ToolFigures]> {
	const script = fileURLToPath(new URL('bare-reader.ts', import.meta.url));
	const run = await runTimed(process.execPath, ['--import', import.meta.resolve('tsx'), script, plan.url, String(plan.connections), String(plan.seconds)]);
	const [requests, bytes, durationS] = run.stdout.trim().split(' ').map(Number) as [number, number, number];
	return [run, {requests, durationS, bytesRead: bytes, p50Ms: Number.NaN, p99Ms: Number.NaN, notes: []}];
}

let cReader: {readonly binary: string} | {readonly problem: string} | undefined;

/** The C reader (c-reader.c) built with the system's `cc` on first use, or why it could not be built. */
export function cReaderBuild(): {readonly binary: string} | {readonly problem: string} {
	if (cReader === undefined) {
		const binary = path.join(mkdtempSync(path.join(os.tmpdir(), 'pystress-bench-c-')), 'c-reader');
		const build = spawnSync('cc', ['-O2', '-o', binary, fileURLToPath(new URL('c-reader.c', import.meta.url))], {encoding: 'utf8'});
		const firstError = build.stderr?.split('\n').find(line => line.trim() !== '');
		cReader = build.error === undefined && build.status === 0
			? {binary}
			: {problem: build.error === undefined ? `cc could not build c-reader.c: ${firstError ?? `exit ${build.status}`} (apt-get install gcc libc6-dev)` : 'no C compiler, cc (apt-get install gcc libc6-dev)'};
	}

	return cReader;
}

/** The C reader: the read pattern of the bare Node reader without Node (bodies only in its byte count, as ours). */
async function runCReader(plan: RunPlan): Promise<[TimedRun, ToolFigures]> {
	const build = cReaderBuild();
	if ('problem' in build) throw new Error(`the C reader: ${build.problem}`);
	const {binary} = build;
	const {port, pathname, search} = new URL(plan.url);
	const run = await runTimed(binary, [port, `${pathname}${search}`, String(plan.connections), String(plan.seconds)]);
	const [requests, bytes, durationS] = run.stdout.trim().split(' ').map(Number) as [number, number, number];
	return [run, {requests, durationS, bytesRead: bytes, p50Ms: Number.NaN, p99Ms: Number.NaN, notes: []}];
}

/** Runs `tool` once by `plan` against `target`; a tool that fails to run throws. */
export async function measure(tool: ToolName, target: BenchTarget, plan: RunPlan): Promise<Measured> {
	const servedBefore = await target.served();
	const targetCpuBefore = target.cpuS();
	const [run, figures] = tool === 'wrk' ? await runWrk(plan) : tool === 'autocannon' ? await runAutocannon(plan) : tool === 'bare Node reader' ? await runBareReader(plan) : tool === 'C reader' ? await runCReader(plan) : await runPystress(tool, plan);
	const targetCpuS = target.cpuS() - targetCpuBefore;
	const served = (await target.served()) - servedBefore;
	return {tool, ...figures, served, targetCpuS, cpuS: run.cpuS, systemS: run.systemS, peakRssMb: run.peakRssMb};
}

/** The tool's count against the target's: it may miss at most one request in flight per connection. */
export function countCheck(measured: Measured, connections: number): string {
	// The target also served the warm-up (`--warm-up`), which the report counts apart.
	const warmUp = measured.report?.warmUp?.requests ?? 0;
	const tool = measured.requests + warmUp;
	const missing = measured.served - tool;
	const counted = `tool ${measured.requests}${warmUp > 0 ? ` + warm-up ${warmUp}` : ''}, target ${measured.served}`;
	return missing >= 0 && missing <= connections ? `count ok (${counted})` : `COUNT MISMATCH (${counted})`;
}
