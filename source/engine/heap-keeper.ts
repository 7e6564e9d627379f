import v8 from 'node:v8';
import vm from 'node:vm';

/** V8's `gc()` (`--expose-gc`): a full, synchronous collection. (Node 20's V8 ignores `{type: 'major'}`: measured, it collected nothing.) */
type GcFunction = () => void;

/** Old-generation growth above the last collection's that triggers the next one. */
export const defaultHeapGrowthBytes = 2 * 1024 * 1024;

/** No two collections requested closer than this. */
export const defaultHeapCheckSpacingMs = 10_000;

/**
 * Keeps a load worker's old generation near its live size over a long run.
 *
 * Why: a busy worker promotes a little garbage all the time (about 10 KB/s at 50 connections,
 * mostly Node's per-write request objects that were in flight at a scavenge). V8 collects the old
 * generation only when it reaches its allocation limit, which for a small heap sits megabytes above
 * the live size; the memory reducer, which would collect earlier, waits for a quiet mutator and a
 * load worker is never quiet. So RSS climbs for many minutes before V8 collects, and a soak test
 * sees growth that is not a leak. This asks for a full collection when the old generation has grown
 * `growthBytes` past what the last collection left, at most once per `spacingMs`: on a 7 MB heap it
 * takes a few milliseconds (the generator's stall probe counts it like any stall).
 */
export class HeapKeeper {
	private readonly gc: GcFunction | undefined;
	private baselineBytes: number;
	private lastAtMs: number;

	/** `nowMs`: the time now on the clock `check` is given; the first collection comes no sooner than `spacingMs` after it (not in a run's first seconds). */
	constructor(nowMs: number, private readonly growthBytes = defaultHeapGrowthBytes, private readonly spacingMs = defaultHeapCheckSpacingMs) {
		this.gc = exposeGc();
		this.baselineBytes = oldGenerationBytes();
		this.lastAtMs = nowMs;
	}

	/** Whether collections can be requested (V8 accepted --expose-gc). */
	get active(): boolean {
		return this.gc !== undefined;
	}

	/** Call now and then (each snapshot): collects when the old generation grew past the budget. Returns whether it did. */
	check(nowMs: number): boolean {
		if (this.gc === undefined || nowMs - this.lastAtMs < this.spacingMs) return false;
		const used = oldGenerationBytes();
		if (used < this.baselineBytes + this.growthBytes) {
			// The heap can also shrink (V8 collected on its own): follow it down.
			if (used < this.baselineBytes) this.baselineBytes = used;
			return false;
		}

		this.gc();
		this.lastAtMs = nowMs;
		this.baselineBytes = oldGenerationBytes();
		return true;
	}
}

/**
 * A full collection now, where one costs nothing measured: right before the clock starts. Start-up
 * (modules, config, workers) leaves megabytes of garbage that V8 would otherwise collect a few
 * seconds into the run, in one pause of 5-15 ms (incremental marking included) that, on a shared
 * core, holds up the load worker and shows in the open model's corrected tail.
 */
export function collectBeforeStart(): void {
	exposeGc()?.();
}

/**
 * Turns V8's memory reducer off for the run. It collects the whole heap of a thread that looks idle
 * (the main thread between its once-a-second figures), in pauses of 5-13 ms each measured here (up to
 * 47 ms of collection in one second, incremental steps included), which on
 * a core shared with a load worker hold the worker up and show in the open model's corrected tail.
 * The run's own collections still happen when the heap needs them; the workers' heaps are kept by
 * HeapKeeper. (`--no-memory-reducer` on the command line took the corrected p99 at 50,000/s from
 * 2.4-3.1 ms to 1.6-2.3 ms.)
 */
export function quietHeapForRun(): void {
	try {
		v8.setFlagsFromString('--no-memory-reducer');
	} catch {
		// An engine without the flag: nothing to turn off.
	}
}

/** Bytes in use in the old generation (old, code and large-object spaces). */
function oldGenerationBytes(): number {
	let bytes = 0;
	for (const space of v8.getHeapSpaceStatistics()) {
		if (space.space_name !== 'new_space' && space.space_name !== 'new_large_object_space') bytes += space.space_used_size;
	}

	return bytes;
}

/** V8's `gc` for this thread, without `--expose-gc` on the command line (the flag is turned off again at once). */
function exposeGc(): GcFunction | undefined {
	try {
		v8.setFlagsFromString('--expose-gc');
		const gc = vm.runInNewContext('gc') as unknown;
		return typeof gc === 'function' ? gc as GcFunction : undefined;
	} catch {
		return undefined;
	} finally {
		v8.setFlagsFromString('--no-expose-gc');
	}
}
