/**
 * The machine's own scheduling noise: an idle worker thread, pinned to the client's core, runs the
 * same 1 ms probe as a load worker (`EventLoopProbe` in source/engine/worker.ts: a gap over 2 ms
 * between two turns is a stall) for as long as a run. Whatever it measures, no generator on this
 * core can avoid: in the open model every such stall is charged to the server by the corrected
 * latency, and a busy generator spends about as long again catching up afterwards.
 */
import {spawn} from 'node:child_process';
import {pin} from './process.js';

/** `runningMs`, `waitingMs`: of the stall time, the thread ran and waited for a core (where /proc/thread-self/schedstat tells; it slept the rest). */
export type NoiseFloor = {readonly stallMs: number; readonly maxGapMs: number; readonly gaps: number; readonly seconds: number; readonly runningMs?: number; readonly waitingMs?: number};

const script = `
const {Worker} = require('node:worker_threads');
const seconds = Number(process.argv[1]);
const body = \`
const {parentPort} = require('node:worker_threads');
const fs = require('node:fs');
let fd; try { fd = fs.openSync('/proc/thread-self/schedstat', 'r'); } catch {}
const buffer = Buffer.alloc(64);
const times = () => { if (fd === undefined) return undefined; const [run, wait] = buffer.toString('latin1', 0, fs.readSync(fd, buffer, 0, 64, 0)).split(' ').map(Number); return {run, wait}; };
let last = performance.now(); const start = last; let stallMs = 0, maxGapMs = 0, gaps = 0, runningMs = 0, waitingMs = 0; let before = times();
const timer = setInterval(() => {
	const now = performance.now(); const gap = now - last; last = now; const after = times();
	if (gap > maxGapMs) maxGapMs = gap;
	if (gap > 2) {
		stallMs += gap; gaps++;
		if (after) { const ran = Math.min(gap, Math.max(0, (after.run - before.run) / 1e6)); runningMs += ran; waitingMs += Math.min(gap - ran, Math.max(0, (after.wait - before.wait) / 1e6)); }
	}
	before = after;
	if (now - start >= \${seconds * 1000}) { clearInterval(timer); parentPort.postMessage({stallMs, maxGapMs, gaps, seconds: \${seconds}, ...(fd === undefined ? {} : {runningMs, waitingMs})}); }
}, 1);\`;
new Worker(body, {eval: true}).on('message', message => { process.stdout.write(JSON.stringify(message)); process.exit(0); });
`;

/** Measures the noise floor on `core` for `seconds`. */
export async function measureNoiseFloor(core: number, seconds: number): Promise<NoiseFloor> {
	const [command, args] = pin(core, process.execPath, ['-e', script, String(seconds)]);
	const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'inherit']});
	let stdout = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	await new Promise(resolve => child.on('close', resolve));
	return JSON.parse(stdout) as NoiseFloor;
}
