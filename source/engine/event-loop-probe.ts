import {performance} from 'node:perf_hooks';
import {probePeriodMs, stallThresholdFor} from '../stats/snapshot.js';

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * Measures this worker's own stalls: a timer every period (`probePeriodMs`: 1 ms in the open model,
 * 10 in the closed); the gap between two of its turns is how long the event loop went without
 * turning (a long run of callbacks, GC, a blocking call). A blocked stretch always falls between two
 * turns, so the gap is at least as long as it. Gaps over twice the period are stalls, summed. Finer
 * than `monitorEventLoopDelay`'s lateness (which misses up to one period), and a take counts the gap
 * still open, so a stall that ends just before it is not lost.
 *
 * Why the closed model's period is longer: a timer every millisecond woke an often idle worker a
 * thousand times a second, which cost about a quarter more client CPU per MiB reading large bodies
 * (the readme's Performance section; Node's C++ `monitorEventLoopDelay` at 1 ms cost as much).
 */
export class EventLoopProbe {
	private periodMs: number;
	private timer: NodeJS.Timeout;
	private last = performance.now();
	private maxGapMs = 0;
	private stallMs = 0;

	constructor(open: boolean) {
		this.periodMs = probePeriodMs(open);
		this.timer = this.start();
	}

	/** The rate was set or cleared: the probe takes the model's period from now on. */
	setOpen(open: boolean): void {
		const periodMs = probePeriodMs(open);
		if (periodMs === this.periodMs) return;
		this.turn();
		clearInterval(this.timer);
		this.periodMs = periodMs;
		this.timer = this.start();
	}

	/** The interval's longest gap and stall time, and the period (ms), counting the gap still open; starts a new interval. */
	take(): {maxEventLoopDelayMs: number; eventLoopStallMs: number; eventLoopProbeMs: number} {
		this.turn();
		const taken = {maxEventLoopDelayMs: round3(this.maxGapMs), eventLoopStallMs: round3(this.stallMs), eventLoopProbeMs: this.periodMs};
		this.maxGapMs = 0;
		this.stallMs = 0;
		return taken;
	}

	stop(): void {
		clearInterval(this.timer);
	}

	private start(): NodeJS.Timeout {
		const timer = setInterval(this.turn, this.periodMs);
		timer.unref();
		return timer;
	}

	private readonly turn = (): void => {
		const now = performance.now();
		const gap = now - this.last;
		this.last = now;
		if (gap > this.maxGapMs) this.maxGapMs = gap;
		if (gap > stallThresholdFor(this.periodMs)) this.stallMs += gap;
	};
}
