import {type IntervalHistogram, monitorEventLoopDelay, performance} from 'node:perf_hooks';
import {probePeriodMs} from '../stats/snapshot.js';

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * Measures this worker's own stalls with Node's `monitorEventLoopDelay`: a libuv timer every period
 * (`probePeriodMs`: 1 ms in the open model, 10 in the closed) whose callback, in C++, records the
 * time since its previous turn into a histogram (ns); the gap between two turns is how long the
 * event loop went without turning (a long run of callbacks, GC, a blocking call). A blocked stretch
 * always falls between two turns, so the gap is at least as long as it. Gaps over twice the period
 * are stalls. The stall time is summed from the histogram's own values, one recorded gap at a time
 * from the longest down, so it is exact to the histogram's precision (three significant digits).
 */
export class EventLoopProbe {
	private periodMs: number;
	private histogram: IntervalHistogram;
	private lastTakeAt = performance.now();
	/** Figures of a histogram retired by `setOpen` in the current interval. */
	private carried = {maxMs: 0, stallMs: 0};

	constructor(open: boolean) {
		this.periodMs = probePeriodMs(open);
		this.histogram = this.start();
	}

	/** The rate was set or cleared: the probe takes the model's period from now on. */
	setOpen(open: boolean): void {
		const periodMs = probePeriodMs(open);
		if (periodMs === this.periodMs) return;
		const {maxMs, stallMs} = this.read();
		this.carried = {maxMs: Math.max(this.carried.maxMs, maxMs), stallMs: this.carried.stallMs + stallMs};
		this.histogram.disable();
		this.periodMs = periodMs;
		this.histogram = this.start();
	}

	/** The interval's longest gap and stall time, and the period (ms); starts a new interval. */
	take(): {maxEventLoopDelayMs: number; eventLoopStallMs: number; eventLoopProbeMs: number} {
		const {maxMs, stallMs} = this.read();
		const taken = {maxEventLoopDelayMs: round3(Math.max(maxMs, this.carried.maxMs)), eventLoopStallMs: round3(stallMs + this.carried.stallMs), eventLoopProbeMs: this.periodMs};
		this.carried = {maxMs: 0, stallMs: 0};
		return taken;
	}

	stop(): void {
		this.histogram.disable();
	}

	private start(): IntervalHistogram {
		const histogram = monitorEventLoopDelay({resolution: this.periodMs});
		histogram.enable();
		return histogram;
	}

	/** The current histogram's longest gap and stall time since the last read (ms); resets it. */
	private read(): {maxMs: number; stallMs: number} {
		const {histogram} = this;
		const {count} = histogram;
		const nsPerMs = 1e6;
		const thresholdMs = 2 * this.periodMs;
		const now = performance.now();
		let stallMs = 0;
		let maxMs = count === 0 ? 0 : histogram.max / nsPerMs;
		// The k-th longest gap is the value at percentile 100 (count - k + 1) / count.
		for (let rank = count; rank > 0; rank--) {
			const gapMs = histogram.percentile((100 * rank) / count) / nsPerMs;
			if (gapMs <= thresholdMs) break;
			stallMs += gapMs;
		}

		// A reset forgets the timer's last turn, so the gap that spans a read is in no histogram:
		// the time the recorded gaps leave uncovered is the end of the last one and the start of the
		// first. Longer than a period past the threshold, it was a stall (one that ended just before
		// this read, in the same turn).
		const uncoveredMs = now - this.lastTakeAt - (count === 0 ? 0 : (histogram.mean * count) / nsPerMs);
		if (uncoveredMs > thresholdMs + this.periodMs) {
			stallMs += uncoveredMs;
			maxMs = Math.max(maxMs, uncoveredMs);
		}

		this.lastTakeAt = now;
		histogram.reset();
		return {maxMs, stallMs};
	}
}
