import {spawn, spawnSync} from 'node:child_process';
import {existsSync, readlinkSync} from 'node:fs';
import {performance} from 'node:perf_hooks';
import {setTimeout as sleep} from 'node:timers/promises';
import {describe, expect, it} from 'vitest';
import {EventLoopProbe, openSchedstat, type ProbeTake, type ThreadTimes} from '../source/engine/event-loop-probe.js';
import {closedLoopProbeMs, eventLoopProbeMs} from '../source/stats/snapshot.js';

/** Blocks this thread's event loop for `ms`, as a long GC pause or a blocking call would. */
function block(ms: number): void {
	const until = performance.now() + ms;
	// eslint-disable-next-line no-empty
	while (performance.now() < until) {}
}

/** Takes once after `quietMs`, then blocks the loop for `stallMs` after 20-30 ms of quiet. */
async function takeThenStall(probe: EventLoopProbe, quietMs: number, stallMs: number): Promise<void> {
	await sleep(quietMs);
	probe.take();
	await sleep(25);
	block(stallMs);
}

describe('the event-loop probe', () => {
	it('counts a stall between two takes, in either model', async () => {
		for (const open of [true, false]) {
			const probe = new EventLoopProbe(open);
			await takeThenStall(probe, 100, 150);
			// Let the probe's timer turn after the stall, then take.
			await sleep(30);
			const taken = probe.take();
			probe.stop();
			expect(taken.maxEventLoopDelayMs).toBeGreaterThanOrEqual(150);
			expect(taken.eventLoopStallMs).toBeGreaterThanOrEqual(150);
			// Only the stall (and at most a few gaps beside it) counts: not the quiet time around it.
			expect(taken.eventLoopStallMs).toBeLessThan(150 + 60);
		}
	});

	it('counts a stall that ends just before a take, in the same turn (the gap still open)', async () => {
		const probe = new EventLoopProbe(true);
		await takeThenStall(probe, 100, 120);
		const taken = probe.take();
		expect(taken.maxEventLoopDelayMs).toBeGreaterThanOrEqual(120);
		expect(taken.eventLoopStallMs).toBeGreaterThanOrEqual(120);
		// The next interval does not count it again.
		await sleep(50);
		expect(probe.take().eventLoopStallMs).toBeLessThan(120);
		probe.stop();
	});

	it('turns once a period: 1 ms in the open model, 10 ms in the closed one', async () => {
		for (const [open, periodMs] of [[true, eventLoopProbeMs], [false, closedLoopProbeMs]] as const) {
			const probe = new EventLoopProbe(open);
			await sleep(300);
			const taken = probe.take();
			probe.stop();
			// The longest gap is about a period (a busy test machine may hold a turn back a little).
			expect(taken.maxEventLoopDelayMs).toBeGreaterThanOrEqual(periodMs * 0.5);
			expect(taken.maxEventLoopDelayMs).toBeLessThan(periodMs + 50);
		}
	});

	it('changes period when the rate is set or cleared, keeping what the old one measured', async () => {
		const probe = new EventLoopProbe(false);
		await takeThenStall(probe, 50, 100);
		await sleep(30);
		probe.setOpen(true);
		await sleep(50);
		const taken = probe.take();
		probe.stop();
		expect(taken.eventLoopProbeMs).toBe(eventLoopProbeMs);
		expect(taken.maxEventLoopDelayMs).toBeGreaterThanOrEqual(100);
		expect(taken.eventLoopStallMs).toBeGreaterThanOrEqual(100);
	});
});

/** Of a take's stall time, what the thread did: ran, waited for a core, slept (the rest). */
function split(taken: ProbeTake): {running: number; waiting: number; sleeping: number} {
	expect(taken.stallRunningMs).toBeDefined();
	expect(taken.stallWaitingMs).toBeDefined();
	const running = taken.stallRunningMs!;
	const waiting = taken.stallWaitingMs!;
	return {running, waiting, sleeping: taken.eventLoopStallMs - running - waiting};
}

/** This thread's id, from /proc/thread-self (a link to `PID/task/TID`). */
const threadId = (): string => readlinkSync('/proc/thread-self').split('/').at(-1)!;

// The oracle is the kernel's own account of the thread (/proc/thread-self/schedstat; Linux, a kernel with scheduler statistics).
describe.runIf(existsSync('/proc/thread-self/schedstat'))('what a stalled thread did (Linux)', () => {
	it('reads this thread\'s run and wait times, and they grow as it runs', () => {
		const reader = openSchedstat()!;
		expect(reader).toBeDefined();
		const before = reader.read()!;
		block(30);
		const after = reader.read()!;
		reader.close();
		expect(after.runNs - before.runNs).toBeGreaterThan(10e6);
		expect(after.waitNs).toBeGreaterThanOrEqual(before.waitNs);
	});

	it('a busy stall is time running (or waiting for a core), not asleep', async () => {
		const probe = new EventLoopProbe(true);
		await takeThenStall(probe, 50, 150);
		const taken = probe.take();
		probe.stop();
		expect(taken.eventLoopStallMs).toBeGreaterThanOrEqual(150);
		const {running, waiting, sleeping} = split(taken);
		expect(running).toBeGreaterThan(0);
		expect(running + waiting).toBeGreaterThanOrEqual(140);
		expect(sleeping).toBeLessThan(taken.eventLoopStallMs - 140 + 1);
	});

	it('a thread blocked asleep (Atomics.wait) is time asleep past its timer', async () => {
		const probe = new EventLoopProbe(true);
		await sleep(50);
		probe.take();
		await sleep(25);
		Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
		const taken = probe.take();
		probe.stop();
		expect(taken.eventLoopStallMs).toBeGreaterThanOrEqual(150);
		const {running, sleeping} = split(taken);
		expect(sleeping).toBeGreaterThanOrEqual(130);
		expect(running).toBeLessThan(20);
	});

	it('a busy stall on a core another process keeps busy is partly time waiting for the core', async () => {
		// Pin this thread to one core and start a busy process on the same core: the kernel shares the core between them.
		const tid = threadId();
		const mask = spawnSync('taskset', ['-p', tid], {encoding: 'utf8'});
		expect(mask.status).toBe(0);
		const original = mask.stdout.trim().split(' ').at(-1)!;
		const core = String(JSON.parse(`[${spawnSync('taskset', ['-cp', tid], {encoding: 'utf8'}).stdout.trim().split(' ').at(-1)!.split(',')[0]!.split('-')[0]}]`)[0]);
		expect(spawnSync('taskset', ['-cp', core, tid]).status).toBe(0);
		const hog = spawn('taskset', ['-c', core, 'sh', '-c', 'while :; do :; done'], {stdio: 'ignore'});
		try {
			const probe = new EventLoopProbe(true);
			await sleep(150);
			probe.take();
			await sleep(25);
			block(300);
			const taken = probe.take();
			probe.stop();
			const {running, waiting} = split(taken);
			expect(taken.eventLoopStallMs).toBeGreaterThanOrEqual(300);
			// Both shares are large: the busy process had the core part of the time.
			expect(waiting).toBeGreaterThanOrEqual(taken.eventLoopStallMs * 0.2);
			expect(running).toBeGreaterThanOrEqual(taken.eventLoopStallMs * 0.2);
			expect(running + waiting).toBeGreaterThanOrEqual(290);
		} finally {
			hog.kill('SIGKILL');
			spawnSync('taskset', ['-p', original, tid]);
		}
	});
});

describe('the stall split, with the thread\'s times given', () => {
	/** A reader that reports what the test sets. */
	function fakeTimes(): {times: ThreadTimes; reader: {read(): ThreadTimes; close(): void}} {
		const state = {times: {runNs: 0, waitNs: 0}};
		return {
			get times() {
				return state.times;
			},
			set times(value: ThreadTimes) {
				state.times = value;
			},
			reader: {read: () => state.times, close() {}},
		};
	}

	it('splits each stall by the thread\'s run and wait time over it, clamped to the gap, and sums over the interval', async () => {
		const fake = fakeTimes();
		const probe = new EventLoopProbe(true, fake.reader);
		await sleep(50);
		probe.take();
		await sleep(25);
		// A stall of about 100 ms in which the thread ran 30 ms and waited 50 ms (it slept the rest).
		block(100);
		fake.times = {runNs: 30e6, waitNs: 50e6};
		const first = probe.take();
		expect(first.eventLoopStallMs).toBeGreaterThanOrEqual(100);
		expect(first.stallRunningMs).toBe(30);
		expect(first.stallWaitingMs).toBe(50);
		// Times that outrun the gap (a clock's rounding) are clamped: running first, waiting to the rest.
		await sleep(25);
		block(60);
		fake.times = {runNs: 30e6 + 500e6, waitNs: 50e6 + 500e6};
		const second = probe.take();
		// The block is the interval's longest gap (a busy machine may add a short stall before it, with no time of its own).
		expect(second.maxEventLoopDelayMs).toBeGreaterThanOrEqual(60);
		expect(second.stallRunningMs).toBe(second.maxEventLoopDelayMs);
		expect(second.stallWaitingMs).toBe(0);
		probe.stop();
	});

	it('has no split where the thread\'s times are unknown', async () => {
		const probe = new EventLoopProbe(true, null);
		await takeThenStall(probe, 30, 60);
		const taken = probe.take();
		probe.stop();
		expect(taken.eventLoopStallMs).toBeGreaterThanOrEqual(60);
		expect(taken).not.toHaveProperty('stallRunningMs');
		expect(taken).not.toHaveProperty('stallWaitingMs');
	});
});
