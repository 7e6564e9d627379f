import {performance} from 'node:perf_hooks';
import {setTimeout as sleep} from 'node:timers/promises';
import {describe, expect, it} from 'vitest';
import {EventLoopProbe} from '../source/engine/event-loop-probe.js';
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
