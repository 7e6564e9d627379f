import type {Totals} from './aggregate.js';
import {encodeHistogram, summarize} from './histogram.js';

/** One second (or the last partial second) of a run. Latencies in milliseconds. */
export type TimelinePoint = {
	/** Seconds since the start of the run at the end of this window. */
	readonly t: number;
	readonly requests: number;
	readonly responses: number;
	readonly errors: number;
	readonly rps: number;
	readonly p50: number;
	readonly p90: number;
	readonly p99: number;
	readonly max: number;
	/** Open model: corrected p99 (from the intended send time). */
	readonly correctedP99?: number;
	readonly late: number;
	readonly dropped: number;
	readonly threads: number;
	readonly connections: number;
	/** Target rate (req/s) in force, open model only. */
	readonly rate?: number;
	readonly paused: boolean;
	/**
	 * This window's latencies (responses), encoded HDR histogram (see `encodeHistogram`), so any
	 * second can be merged exactly (`merge`). Absent only in reports upgraded from schema 1 and 2.
	 */
	readonly histogram?: string;
	/** Open model: this window's corrected latencies, encoded. */
	readonly correctedHistogram?: string;
};

export type TimelineContext = {
	readonly t: number;
	readonly windowS: number;
	readonly late: number;
	readonly dropped: number;
	readonly threads: number;
	readonly connections: number;
	readonly rate?: number | undefined;
	readonly paused: boolean;
};

/** Builds a timeline point from a window's totals. */
export function timelinePoint(window: Totals, context: TimelineContext): TimelinePoint {
	const latency = summarize(window.histogram);
	const point: TimelinePoint = {
		t: Math.round(context.t * 1000) / 1000,
		requests: window.requests,
		responses: window.responses,
		errors: window.errors,
		rps: context.windowS > 0 ? Math.round((window.requests / context.windowS) * 10) / 10 : 0,
		p50: latency.p50,
		p90: latency.p90,
		p99: latency.p99,
		max: latency.max,
		...(window.correctedHistogram ? {correctedP99: summarize(window.correctedHistogram).p99} : {}),
		late: context.late,
		dropped: context.dropped,
		threads: context.threads,
		connections: context.connections,
		...(context.rate === undefined ? {} : {rate: context.rate}),
		paused: context.paused,
		histogram: encodeHistogram(window.histogram),
		...(window.correctedHistogram ? {correctedHistogram: encodeHistogram(window.correctedHistogram)} : {}),
	};
	return point;
}

/** A change made during the run, marked on the time axis of charts. */
export type RunMarker = {
	/** Seconds since the start of the run. */
	readonly t: number;
	readonly kind: 'threads' | 'connections' | 'rate' | 'pause' | 'resume' | 'stage' | 'stop';
	readonly value?: number;
	readonly label: string;
};

/**
 * Open model: the late sends of a run's first second, when they are at least half of all its late
 * sends and the run had no warm-up; undefined otherwise. Late sends that gather at the start come
 * from the start-up (connections being made, code compiled on first use: hundreds of sends in the
 * first second at 20,000/s on one thread here, about 110 a second after it), which `--warm-up`
 * keeps out of the figures; more connections are not what they call for. `points` in time order.
 */
export function startUpLate(points: ReadonlyArray<Pick<TimelinePoint, 't' | 'late'>>, totalLate: number, warmedUp: boolean): number | undefined {
	const first = points[0];
	// The first window ends about 1 s into the run; a ring that has dropped it no longer knows.
	if (warmedUp || first === undefined || first.t > 1.5 || first.late <= 0 || first.late * 2 < totalLate) return undefined;
	return first.late;
}
