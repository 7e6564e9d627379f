/**
 * The machine's own scheduling noise: an idle worker thread, pinned to the client's core, runs the
 * same 1 ms probe as a load worker (`EventLoopProbe` in source/engine/worker.ts: a gap over 2 ms
 * between two turns is a stall) for as long as a run. Whatever it measures, no generator on this
 * core can avoid: in the open model every such stall is charged to the server by the corrected
 * latency, and a busy generator spends about as long again catching up afterwards.
 */
import {spawn} from 'node:child_process';
import {pin} from './process.js';

export type NoiseFloor = {readonly stallMs: number; readonly maxGapMs: number; readonly gaps: number; readonly seconds: number};

const script = `
const {Worker} = require('node:worker_threads');
const seconds = Number(process.argv[1]);
const body = \`
const {parentPort} = require('node:worker_threads');
let last = performance.now(); const start = last; let stallMs = 0, maxGapMs = 0, gaps = 0;
const timer = setInterval(() => {
	const now = performance.now(); const gap = now - last; last = now;
	if (gap > maxGapMs) maxGapMs = gap;
	if (gap > 2) { stallMs += gap; gaps++; }
	if (now - start >= \${seconds * 1000}) { clearInterval(timer); parentPort.postMessage({stallMs, maxGapMs, gaps, seconds: \${seconds}}); }
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
