import {describe, expect, it} from 'vitest';
import {busyThreads, defaultThreads, detectCpuQuota, detectHardware, physicalCoresFromCpuinfo, quotaFromCpuMax} from '../source/engine/hardware.js';

function cpuinfo(entries: Array<[physical: number, core: number]>): string {
	return entries.map(([physical, core], processor) => `processor\t: ${processor}\nmodel name\t: Test CPU\nphysical id\t: ${physical}\ncore id\t\t: ${core}\n`).join('\n');
}

describe('hardware detection', () => {
	it('counts physical cores across sockets with hyperthreading', () => {
		// 2 sockets x 4 cores x 2 threads = 16 logical, 8 physical.
		const entries: Array<[number, number]> = [];
		for (const socket of [0, 1]) for (const thread of [0, 1]) for (const core of [0, 1, 2, 3]) entries.push([socket, core + (thread * 0)]);
		expect(physicalCoresFromCpuinfo(cpuinfo(entries))).toBe(8);
		expect(physicalCoresFromCpuinfo('processor : 0\n')).toBeUndefined();
	});

	it('reads cgroup v2 and v1 quotas', () => {
		expect(quotaFromCpuMax('max 100000\n')).toBeNull();
		expect(quotaFromCpuMax('150000 100000\n')).toBe(1.5);
		const v2 = (path: string): string | undefined => ({'/proc/self/cgroup': '0::/job\n', '/sys/fs/cgroup/job/cpu.max': '200000 100000\n'} as Record<string, string>)[path];
		expect(detectCpuQuota(v2)).toBe(2);
		const v1 = (path: string): string | undefined => ({'/proc/self/cgroup': '4:cpu,cpuacct:/ci\n', '/sys/fs/cgroup/cpu,cpuacct/ci/cpu.cfs_quota_us': '50000', '/sys/fs/cgroup/cpu,cpuacct/ci/cpu.cfs_period_us': '100000'} as Record<string, string>)[path];
		expect(detectCpuQuota(v1)).toBe(0.5);
		const unlimited = (path: string): string | undefined => ({'/proc/self/cgroup': '1:cpu:/\n', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000'} as Record<string, string>)[path];
		expect(detectCpuQuota(unlimited)).toBeNull();
	});

	it('detects this machine and picks a default thread count', () => {
		const hardware = detectHardware();
		expect(hardware.logicalProcessors).toBeGreaterThan(0);
		expect(hardware.physicalCores).toBeGreaterThan(0);
		expect(hardware.physicalCores).toBeLessThanOrEqual(hardware.logicalProcessors);
		expect(hardware.node).toBe(process.version);
		expect(defaultThreads({...hardware, cpuQuota: 1.5, availableParallelism: 8}).threads).toBe(2);
		expect(defaultThreads({...hardware, cpuQuota: null, availableParallelism: 6})).toEqual({threads: 6, reason: '6 CPUs available to this process'});
	});
});

describe('busy threads', () => {
	it('keeps no more threads than the request budget, and all of them without one', () => {
		expect(busyThreads(4, 1)).toBe(1);
		expect(busyThreads(4, 3)).toBe(3);
		expect(busyThreads(4, 4)).toBe(4);
		expect(busyThreads(4, 1000)).toBe(4);
		expect(busyThreads(4, undefined)).toBe(4);
	});
});
