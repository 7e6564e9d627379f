import type {TimelinePoint} from '../stats/timeline.js';

/** One `--progress ndjson` line: a timeline second as tools following a run read it. */
export type ProgressObject = {
	/** Seconds since the start of the run at the end of this second. */
	readonly t: number;
	/** Requests finished in this second (responses and errors). */
	readonly requests: number;
	readonly rps: number;
	/** Latency of this second's responses, ms (0 without any). */
	readonly p50: number;
	readonly p99: number;
	readonly errors: number;
	readonly threads: number;
	readonly connections: number;
	/** Open model: the target rate in force. */
	readonly rate?: number;
	/**
	 * The run's last line only, when its last sliver (under half a second) was folded into the
	 * second before, as the report's timeline does: this line replaces the line of that `t`.
	 */
	readonly replaces?: number;
};

/** The JSON line (with its newline) of one timeline second; `replaces`: see ProgressObject. */
export function renderProgressJson(point: TimelinePoint, replaces?: number): string {
	const line: ProgressObject = {
		t: point.t,
		requests: point.requests,
		rps: point.rps,
		p50: point.p50,
		p99: point.p99,
		errors: point.errors,
		threads: point.threads,
		connections: point.connections,
		...(point.rate === undefined ? {} : {rate: point.rate}),
		...(replaces === undefined ? {} : {replaces}),
	};
	return `${JSON.stringify(line)}\n`;
}
