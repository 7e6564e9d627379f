/**
 * Processes for the bench: run a client pinned to core 0 under GNU time (its CPU and peak RSS), and
 * read a running process's CPU time, children and resident memory from Linux's /proc.
 */
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';

/** `command args` bound to one core with taskset, when taskset works here. */
export function pin(core: number, command: string, args: readonly string[]): [string, string[]] {
	const taskset = spawnSync('taskset', ['-c', String(core), 'true']).status === 0;
	return taskset ? ['taskset', ['-c', String(core), command, ...args]] : [command, [...args]];
}

/** What one client run cost, by GNU time: user + system CPU of the process, and its peak RSS. */
export type TimedRun = {
	readonly stdout: string;
	readonly stderr: string;
	readonly cpuS: number;
	/** The system (kernel) part of cpuS. */
	readonly systemS: number;
	readonly peakRssMb: number;
};

export type RunOptions = {
	readonly env?: Readonly<Record<string, string>>;
	/** Raise the soft open-file limit to this (up to the hard limit) before exec: wrk at 1000 connections. */
	readonly maxOpenFiles?: number;
};

/** Runs `command` on core 0 under /usr/bin/time; a non-zero exit (a crashed tool) throws. */
export async function runTimed(command: string, args: readonly string[], options: RunOptions = {}): Promise<TimedRun> {
	// `sh -c 'ulimit ...; exec "$@"'` keeps the process the same, so time measures the tool itself.
	const inner = options.maxOpenFiles === undefined
		? [command, ...args]
		: ['sh', '-c', 'ulimit -n "$0" 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"', String(options.maxOpenFiles), command, ...args];
	const [pinned, pinnedArgs] = pin(0, '/usr/bin/time', ['-f', 'TIME %U %S %M', ...inner]);
	const child = spawn(pinned, pinnedArgs, {env: {...process.env, ...options.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	if (code !== 0) {
		throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr}`);
	}

	const time = /TIME ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(stderr);
	if (!time) throw new Error(`no GNU time figures after ${command} ${args.join(' ')}:\n${stderr}`);
	return {stdout, stderr, cpuS: Number(time[1]) + Number(time[2]), systemS: Number(time[2]), peakRssMb: Number(time[3]) / 1024};
}

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 on Linux). */
export function clockTicksPerSecond(): number {
	ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;
	return ticksPerSecond;
}

/** Fields of a /proc stat line after the command name (field 3, `state`, is index 0). */
function statFields(stat: string): string[] {
	return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU time (utime + stime) of a whole process so far, seconds; NaN once it is gone. */
export function processCpuS(pid: number): number {
	try {
		const fields = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
		return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
	} catch {
		return Number.NaN;
	}
}

/**
 * CPU time per thread of a process so far, nanoseconds, keyed by thread id: the first field of
 * /proc/PID/task/TID/schedstat (time on a CPU, exact), where utime + stime count 10 ms ticks.
 */
export function threadCpuNs(pid: number): Map<number, number> {
	const cpu = new Map<number, number>();
	try {
		for (const tid of readdirSync(`/proc/${pid}/task`)) {
			cpu.set(Number(tid), Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
		}
	} catch {}

	return cpu;
}

/** Process ids whose parent is `pid`, scanning /proc (not every kernel has /proc/PID/task/TID/children). */
export function childPids(pid: number): number[] {
	const children: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			if (Number(statFields(readFileSync(`/proc/${entry}/stat`, 'utf8'))[1]) === pid) children.push(Number(entry));
		} catch {}
	}

	return children.sort((a, b) => a - b);
}

/** Resident memory of a process now (VmRSS: all its threads share it), MB; NaN once it is gone. */
export function rssMb(pid: number): number {
	try {
		const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) / 1024 : Number.NaN;
	} catch {
		return Number.NaN;
	}
}

export const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));
