import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import os from 'node:os';

/** What the machine offers the load generator. */
export type Hardware = {
	readonly cpuModel: string;
	readonly physicalCores: number;
	readonly logicalProcessors: number;
	/** CPUs this process may use by affinity (os.availableParallelism). */
	readonly availableParallelism: number;
	/** cgroup CPU quota in CPUs (e.g. 1.5), or null when there is none. */
	readonly cpuQuota: number | null;
	readonly totalMemoryBytes: number;
	readonly freeMemoryBytes: number;
	readonly node: string;
	readonly platform: string;
	readonly arch: string;
	/** How physical cores were found: 'cpuinfo', 'sysfs', 'sysctl' or 'logical' (fallback). */
	readonly coresSource: string;
};

/** Reads a file, or undefined when it cannot be read. */
type ReadText = (path: string) => string | undefined;

const readText: ReadText = path => {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return undefined;
	}
};

/** Counts distinct (physical id, core id) pairs in /proc/cpuinfo text; undefined when absent. */
export function physicalCoresFromCpuinfo(cpuinfo: string): number | undefined {
	const cores = new Set<string>();
	for (const block of cpuinfo.split(/\n\s*\n/)) {
		const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
		const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
		if (physical !== undefined && core !== undefined) {
			cores.add(`${physical}:${core}`);
		}
	}

	return cores.size > 0 ? cores.size : undefined;
}

/** Parses cgroup v2 `cpu.max` ("max 100000" or "150000 100000") into CPUs, null when unlimited. */
export function quotaFromCpuMax(text: string): number | null | undefined {
	const [quota, period] = text.trim().split(/\s+/);
	if (quota === 'max') {
		return null;
	}

	const value = Number(quota) / Number(period ?? 100_000);
	return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Finds the cgroup CPU quota (v2, then v1); null when there is none. */
export function detectCpuQuota(read: ReadText = readText): number | null {
	const cgroup = read('/proc/self/cgroup') ?? '';
	const v2Path = /^0::(.*)$/m.exec(cgroup)?.[1]?.trim();
	const candidates = v2Path && v2Path !== '/' ? [`/sys/fs/cgroup${v2Path}/cpu.max`, '/sys/fs/cgroup/cpu.max'] : ['/sys/fs/cgroup/cpu.max'];
	for (const path of candidates) {
		const text = read(path);
		if (text !== undefined) {
			const quota = quotaFromCpuMax(text);
			if (quota !== undefined) {
				return quota;
			}
		}
	}

	const v1Path = /^\d+:[^:]*\bcpu\b[^:]*:(.*)$/m.exec(cgroup)?.[1]?.trim();
	const v1Bases = ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct'];
	const v1Candidates = v1Path && v1Path !== '/' ? [...v1Bases.map(base => `${base}${v1Path}`), ...v1Bases] : v1Bases;
	for (const base of v1Candidates) {
		const quota = Number(read(`${base}/cpu.cfs_quota_us`));
		const period = Number(read(`${base}/cpu.cfs_period_us`));
		if (Number.isFinite(quota) && Number.isFinite(period) && period > 0) {
			return quota > 0 ? quota / period : null;
		}
	}

	return null;
}

function physicalCores(read: ReadText, logical: number): {count: number; source: string} {
	if (process.platform === 'linux') {
		const fromCpuinfo = physicalCoresFromCpuinfo(read('/proc/cpuinfo') ?? '');
		if (fromCpuinfo !== undefined) {
			return {count: fromCpuinfo, source: 'cpuinfo'};
		}

		const cores = new Set<string>();
		for (let cpu = 0; cpu < logical; cpu++) {
			const core = read(`/sys/devices/system/cpu/cpu${cpu}/topology/core_id`)?.trim();
			const socket = read(`/sys/devices/system/cpu/cpu${cpu}/topology/physical_package_id`)?.trim();
			if (core !== undefined) {
				cores.add(`${socket ?? 0}:${core}`);
			}
		}

		if (cores.size > 0) {
			return {count: cores.size, source: 'sysfs'};
		}
	}

	if (process.platform === 'darwin') {
		try {
			const count = Number(execFileSync('sysctl', ['-n', 'hw.physicalcpu'], {encoding: 'utf8', timeout: 2000}).trim());
			if (count > 0) {
				return {count, source: 'sysctl'};
			}
		} catch {}
	}

	return {count: logical, source: 'logical'};
}

/** Detects the hardware. `read` is injectable for tests. */
export function detectHardware(read: ReadText = readText): Hardware {
	const cpus = os.cpus();
	const logical = cpus.length || os.availableParallelism();
	const cores = physicalCores(read, logical);
	return {
		cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
		physicalCores: cores.count,
		logicalProcessors: logical,
		availableParallelism: os.availableParallelism(),
		cpuQuota: process.platform === 'linux' ? detectCpuQuota(read) : null,
		totalMemoryBytes: os.totalmem(),
		freeMemoryBytes: os.freemem(),
		node: process.version,
		platform: process.platform,
		arch: process.arch,
		coresSource: cores.source,
	};
}

/** The default worker-thread count and why: the cgroup quota (rounded up) if any, else the CPUs available. */
export function defaultThreads(hardware: Hardware): {threads: number; reason: string} {
	if (hardware.cpuQuota !== null) {
		const threads = Math.max(1, Math.min(Math.ceil(hardware.cpuQuota), hardware.availableParallelism));
		return {threads, reason: `cgroup CPU quota of ${hardware.cpuQuota} CPUs`};
	}

	return {threads: Math.max(1, hardware.availableParallelism), reason: `${hardware.availableParallelism} CPUs available to this process`};
}

/**
 * The threads a run keeps busy: no more than its request budget (`-n`), since each thread needs a
 * request to be of use (`-n 1` starts one worker, not one per CPU).
 */
export function busyThreads(threads: number, maxRequests: number | undefined): number {
	return maxRequests === undefined ? threads : Math.min(threads, maxRequests);
}
