/** Starts test/bench/slow-server.ts (10 ms per answer) in a child process on one core, as a bench target. */
import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import type {BenchTarget} from './nginx.js';
import {pin, processCpuS} from './process.js';

export async function startSlowTarget(core: number): Promise<BenchTarget> {
	const script = fileURLToPath(new URL('slow-server.ts', import.meta.url));
	const [command, args] = pin(core, process.execPath, ['--import', import.meta.resolve('tsx'), script]);
	const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'inherit']});
	const port = await new Promise<number>((resolve, reject) => {
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			if (output.includes('\n')) resolve(Number(output.trim()));
		});
		child.on('error', reject);
		child.on('exit', code => {
			reject(new Error(`the slow target exited ${code} before listening`));
		});
	});
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
