import {closeSync, openSync, readSync} from 'node:fs';
import {performance} from 'node:perf_hooks';
import {probePeriodMs, stallThresholdFor} from '../stats/snapshot.js';

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** The calling thread's time on a CPU and time runnable but waiting for one, ns, cumulative. */
export type ThreadTimes = {readonly runNs: number; readonly waitNs: number};

/** Reads this thread's `ThreadTimes`; undefined when the system does not say. */
export type ThreadTimesReader = {read(): ThreadTimes | undefined; close(): void};

/** Every ThreadTimes the reader returns is made here (one object shape; see below). */
const threadTimes = (runNs: number, waitNs: number): ThreadTimes => ({runNs, waitNs});
// A thread's times pass 2^31 ns (2.1 s of CPU) in the middle of a run, where V8, having laid these
// fields out for small integers, would change the objects' layout and throw away the probe's
// optimised code (`--trace-deopt`: "not a Smi" in the reader, then "wrong map" in `turn`) to compile
// it again on a background thread while the run is measured. A first object holding fractions has
// them laid out as doubles from the start.
threadTimes(0.5, 0.5);

/**
 * Linux's `/proc/thread-self/schedstat` ("run-ns wait-ns slices"), opened by the thread that reads it
 * and read again in place (about a microsecond). Undefined where it cannot be opened.
 */
export function openSchedstat(): ThreadTimesReader | undefined {
	let fd: number;
	try {
		fd = openSync('/proc/thread-self/schedstat', 'r');
	} catch {
		return undefined;
	}

	const buffer = Buffer.alloc(64);
	let open = true;
	return {
		read() {
			// Once closed, the descriptor's number may name another file.
			if (!open) return undefined;
			try {
				const text = buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
				const [run, wait] = text.split(' ');
				const runNs = Number(run);
				const waitNs = Number(wait);
				return Number.isFinite(runNs) && Number.isFinite(waitNs) ? threadTimes(runNs, waitNs) : undefined;
			} catch {
				return undefined;
			}
		},
		close() {
			if (open) closeSync(fd);
			open = false;
		},
	};
}

/** What a take returns; the split is absent where the thread's times are not known. */
export type ProbeTake = {
	readonly maxEventLoopDelayMs: number;
	readonly eventLoopStallMs: number;
	readonly eventLoopProbeMs: number;
	readonly stallRunningMs?: number;
	readonly stallWaitingMs?: number;
};

/**
 * Measures this worker's own stalls: a timer every period (`probePeriodMs`: 1 ms in the open model,
 * 10 in the closed); the gap between two of its turns is how long the event loop went without
 * turning (a long run of callbacks, GC, a blocking call). A blocked stretch always falls between two
 * turns, so the gap is at least as long as it. Gaps over twice the period are stalls, summed. Finer
 * than `monitorEventLoopDelay`'s lateness (which misses up to one period), and a take counts the gap
 * still open, so a stall that ends just before it is not lost.
 *
 * Where the system tells (Linux), each stall is split by what the thread did meanwhile: it ran (its
 * own callbacks, GC; or a VM's host took the core), it was ready but waited for a core (another
 * thread or process had it), or it slept past its timer (woken late); the last is the rest.
 *
 * Why the closed model's period is longer: a timer every millisecond woke an often idle worker a
 * thousand times a second, which cost about a quarter more client CPU per MiB reading large bodies
 * (test/bench/findings.md, "What did move it: a timer every millisecond"; Node's C++
 * `monitorEventLoopDelay` at 1 ms cost as much).
 */
export class EventLoopProbe {
	private periodMs: number;
	private timer: NodeJS.Timeout;
	private last = performance.now();
	private maxGapMs = 0;
	private stallMs = 0;
	private stallRunningMs = 0;
	private stallWaitingMs = 0;
	private times: ThreadTimes | undefined;

	/** `threadTimes`: this thread's CPU times (a test passes its own); null or none, no split. */
	constructor(open: boolean, private readonly threadTimes: ThreadTimesReader | null = openSchedstat() ?? null) {
		this.periodMs = probePeriodMs(open);
		this.times = threadTimes?.read();
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

	/**
	 * The interval's longest gap and stall time, the period (ms), and, where measured, how much of the
	 * stall time the thread ran and waited for a core; counting the gap still open; starts a new interval.
	 */
	take(): ProbeTake {
		this.turn();
		const split = this.times === undefined ? {} : {stallRunningMs: round3(this.stallRunningMs), stallWaitingMs: round3(this.stallWaitingMs)};
		const taken = {maxEventLoopDelayMs: round3(this.maxGapMs), eventLoopStallMs: round3(this.stallMs), eventLoopProbeMs: this.periodMs, ...split};
		this.maxGapMs = 0;
		this.stallMs = 0;
		this.stallRunningMs = 0;
		this.stallWaitingMs = 0;
		return taken;
	}

	stop(): void {
		clearInterval(this.timer);
		this.threadTimes?.close();
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
		const before = this.times;
		const times = before === undefined ? undefined : this.threadTimes?.read();
		if (times !== undefined) this.times = times;
		if (gap <= stallThresholdFor(this.periodMs)) return;
		this.stallMs += gap;
		if (before === undefined || times === undefined) return;
		// What the thread did over the gap, clamped to it: ran, then waited; it slept the rest.
		const runningMs = Math.min(gap, Math.max(0, (times.runNs - before.runNs) / 1e6));
		this.stallRunningMs += runningMs;
		this.stallWaitingMs += Math.min(gap - runningMs, Math.max(0, (times.waitNs - before.waitNs) / 1e6));
	};
}
