/**
 * The machine's own scheduling noise: an idle thread, pinned to the client's core, runs a load
 * worker's own event-loop probe (`EventLoopProbe`, open model: a turn every 1 ms, a gap over 2 ms is
 * a stall, split by what the thread did meanwhile) for as long as a run. Whatever it measures, no
 * generator on this core can avoid: in the open model every such stall is charged to the server by
 * the corrected latency, and a busy generator spends about as long again catching up afterwards.
 */
import {spawn} from 'node:child_process';
import {pin} from './process.js';

/** `runningMs`, `waitingMs`: of the stall time, the thread ran and waited for a core (where the system tells; it slept the rest). */
export type NoiseFloor = {readonly stallMs: number; readonly maxGapMs: number; readonly seconds: number; readonly runningMs?: number; readonly waitingMs?: number};

const probeUrl = new URL('../../source/engine/event-loop-probe.ts', import.meta.url).href;

const script = `
const {EventLoopProbe} = await import(${JSON.stringify(probeUrl)});
const seconds = Number(process.argv[1]);
const probe = new EventLoopProbe(true);
setTimeout(() => {
	const taken = probe.take();
	probe.stop();
	process.stdout.write(JSON.stringify({stallMs: taken.eventLoopStallMs, maxGapMs: taken.maxEventLoopDelayMs, seconds, runningMs: taken.stallRunningMs, waitingMs: taken.stallWaitingMs}));
}, seconds * 1000);
`;

/** Measures the noise floor on `core` for `seconds`. */
export async function measureNoiseFloor(core: number, seconds: number): Promise<NoiseFloor> {
	const [command, args] = pin(core, process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, String(seconds)]);
	const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'inherit']});
	let stdout = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	await new Promise(resolve => child.on('close', resolve));
	return JSON.parse(stdout) as NoiseFloor;
}
