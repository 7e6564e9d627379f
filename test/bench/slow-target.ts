/** Starts test/bench/slow-server.ts (10 ms per answer) in a child process on one core, as a bench target. */
import {fileURLToPath} from 'node:url';
import type {BenchTarget} from './nginx.js';
import {processCpuS} from './process.js';
import {startScriptServer} from './script-server.js';

export async function startSlowTarget(core: number): Promise<BenchTarget> {
	const {child, port} = await startScriptServer(fileURLToPath(new URL('slow-server.ts', import.meta.url)), core, 'slow target');
	const url = `http://127.0.0.1:${port}`;
	return {
		url: `${url}/`,
		kind: 'slow',
		// taskset execs node, so the child is the server; its whole process (all threads).
		cpuS: () => processCpuS(child.pid!),
		async served() {
			return Number(await (await fetch(`${url}/count`)).text());
		},
		stop() {
			child.kill('SIGTERM');
		},
	};
}
