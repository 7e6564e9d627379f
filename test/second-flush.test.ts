/**
 * The end of each second of a run (Engine.endSecond): every worker is asked for a snapshot at
 * once, and the second is closed when all have answered, at the time it ended. Before, a second held
 * what the workers' regular 250 ms snapshots had brought by its end, and the rest went to the next
 * one (at a fixed 50,000 req/s, 48,600 in the first second and 51,400 in the last). Scripted
 * workers (the pool's `spawn` seam) answer when the test says, so the order of events is exact.
 */
import {EventEmitter} from 'node:events';
import type {Worker} from 'node:worker_threads';
import {describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import {Engine} from '../source/engine/engine.js';
import type {FromWorker, ToWorker, WorkerInit} from '../source/engine/protocol.js';
import {EndpointRecorder} from '../source/engine/recorder.js';
import type {TimelinePoint} from '../source/stats/timeline.js';

/** A snapshot of `responses` 200s, 1 ms each. */
function snapshot(workerId: number, responses: number): FromWorker & {type: 'snapshot'} {
	const recorder = new EndpointRecorder();
	for (let index = 0; index < responses; index++) {
		recorder.recordResponse(200, 1000, 2, 1000);
	}

	return {type: 'snapshot', snapshot: {workerId, endpoints: [recorder.take()], inFlight: 0, connections: 1, late: 0, dropped: 0, eventLoopUtilization: 0.1, utilizationWindowMs: 250}};
}

/** A stand-in for a load worker: `script` decides what it answers to each message. */
class ScriptedWorker extends EventEmitter {
	constructor(readonly workerId: number, private readonly script: (message: ToWorker, worker: ScriptedWorker) => void) {
		super();
		setImmediate(() => {
			this.send({type: 'ready', workerId});
		});
	}

	postMessage(message: ToWorker): void {
		setImmediate(() => {
			this.script(message, this);
		});
	}

	send(message: FromWorker): void {
		this.emit('message', message);
	}

	async terminate(): Promise<number> {
		setImmediate(() => this.emit('exit', 0));
		return 0;
	}
}

/** Stops like a worker: its last snapshot, then done. */
function stopLikeAWorker(message: ToWorker, worker: ScriptedWorker): boolean {
	if (message.type !== 'stop') return false;
	worker.send(snapshot(worker.workerId, 0));
	worker.send({type: 'done', workerId: worker.workerId, cancelled: 0});
	return true;
}

async function run(script: (message: ToWorker, worker: ScriptedWorker) => void, durationMs: number): Promise<{seconds: Array<{point: TimelinePoint; emittedAtS: number}>; flushes: number[]; startedAtMs: number}> {
	const config = resolveConfig({url: 'http://127.0.0.1:9/'}, {source: 'test', env: {}});
	const flushes: number[] = [];
	const engine = new Engine({
		plan: config.plan,
		settings: {threads: 1, connections: 1, durationMs, maxRequests: undefined, rate: undefined, graceMs: 100},
		spawn: (init: WorkerInit) => new ScriptedWorker(init.workerId, (message, worker) => {
			if (message.type === 'flush') flushes.push(performance.now());
			if (!stopLikeAWorker(message, worker)) script(message, worker);
		}) as unknown as Worker,
	});
	const seconds: Array<{point: TimelinePoint; emittedAtS: number}> = [];
	let startedAtMs = 0;
	engine.subscribe(event => {
		if (event.type === 'state' && event.state === 'running' && startedAtMs === 0) startedAtMs = performance.now();
		if (event.type === 'second') seconds.push({point: event.point, emittedAtS: (performance.now() - startedAtMs) / 1000});
	});
	await engine.start();
	return {seconds, flushes, startedAtMs};
}

describe('the end of a second', () => {
	it('waits for every worker\'s answer and counts it in the second that ended, at the time it ended', async () => {
		const answerAfterMs = 40;
		const {seconds, flushes} = await run((message, worker) => {
			// 10 responses in a regular snapshot early on; at the end of each second, 5 more, answered late.
			if (message.type === 'start') {
				setTimeout(() => worker.send(snapshot(worker.workerId, 10)), 100);
			} else if (message.type === 'flush') {
				setTimeout(() => worker.send({...snapshot(worker.workerId, 5), flushed: message.seq}), answerAfterMs);
			}
		}, 2500);
		expect(flushes.length).toBeGreaterThanOrEqual(2);
		// The first second holds the answer that came 40 ms after it ended; the second holds the next answer only.
		expect(seconds[0]!.point.requests).toBe(15);
		expect(seconds[1]!.point.requests).toBe(5);
		// Each was made once its answer came, and is dated when its second ended, not when the answer came.
		for (const {point, emittedAtS} of seconds.slice(0, 2)) {
			expect(emittedAtS - point.t).toBeGreaterThanOrEqual((answerAfterMs - 5) / 1000);
		}

		expect(seconds[1]!.point.t - seconds[0]!.point.t).toBeCloseTo(1, 1);
		// Every response is in some second: 10 + 5 per flush (the last second takes what the stop brought).
		expect(seconds.reduce((sum, {point}) => sum + point.requests, 0)).toBe(10 + (5 * flushes.length));
	});

	it('does not wait long for a worker that does not answer: what came is closed, the rest counts in a later second', async () => {
		let flushCount = 0;
		const {seconds} = await run((message, worker) => {
			if (message.type === 'start') {
				setTimeout(() => worker.send(snapshot(worker.workerId, 10)), 100);
			} else if (message.type === 'flush' && ++flushCount === 1) {
				// The first answer comes 600 ms late (a stalled worker); the second's closes without it.
				setTimeout(() => worker.send({...snapshot(worker.workerId, 7), flushed: message.seq}), 600);
			}
		}, 2500);
		expect(seconds[0]!.point.requests).toBe(10);
		expect(seconds[0]!.emittedAtS - seconds[0]!.point.t).toBeLessThan(0.5);
		expect(seconds[1]!.point.requests).toBe(7);
		expect(seconds.reduce((sum, {point}) => sum + point.requests, 0)).toBe(17);
	});

	it('takes a late answer to an earlier flush for no answer to the current one', async () => {
		const answerAfterMs = 60;
		const {seconds} = await run((message, worker) => {
			if (message.type !== 'flush') return;
			if (message.seq === 1) {
				// The answer to the first flush comes 1.03 s late: just after the second flush went out.
				setTimeout(() => worker.send({...snapshot(worker.workerId, 7), flushed: message.seq}), 1030);
			} else {
				setTimeout(() => worker.send({...snapshot(worker.workerId, 5), flushed: message.seq}), answerAfterMs);
			}
		}, 2500);
		// The first second closed without its answer (after the wait); the second one waited for its own
		// answer, not the stale one, and holds both.
		expect(seconds[0]!.point.requests).toBe(0);
		expect(seconds[1]!.point.requests).toBe(12);
		expect(seconds[1]!.emittedAtS - seconds[1]!.point.t).toBeGreaterThanOrEqual((answerAfterMs - 5) / 1000);
	});
});
