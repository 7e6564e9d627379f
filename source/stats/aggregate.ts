import {addEncoded, createHistogram, summarize, type Histogram, type LatencySummary} from './histogram.js';
import type {EndpointInterval, WorkerSnapshot} from './snapshot.js';

/** Running totals for one endpoint or for the whole run. Mutable accumulator; see `addInterval`. */
export type Totals = {
	requests: number;
	responses: number;
	errors: number;
	bytesRead: number;
	statusCodes: Record<string, number>;
	errorKinds: Record<string, number>;
	connectionEvents: Record<string, number>;
	readonly histogram: Histogram;
	/** Present once any corrected (open-model) latency was recorded. */
	correctedHistogram: Histogram | undefined;
};

export function createTotals(): Totals {
	return {
		requests: 0,
		responses: 0,
		errors: 0,
		bytesRead: 0,
		statusCodes: {},
		errorKinds: {},
		connectionEvents: {},
		histogram: createHistogram(),
		correctedHistogram: undefined,
	};
}

function addCounts(target: Record<string, number>, source: Readonly<Record<string, number>>): void {
	for (const key in source) {
		if (Object.hasOwn(source, key)) {
			target[key] = (target[key] ?? 0) + source[key]!;
		}
	}
}

/** Adds one endpoint interval into each of `targets` (decoding its histograms once per target). */
export function addInterval(targets: readonly Totals[], interval: EndpointInterval): void {
	for (const target of targets) {
		target.requests += interval.requests;
		target.responses += interval.responses;
		target.errors += interval.errors;
		target.bytesRead += interval.bytesRead;
		addCounts(target.statusCodes, interval.statusCodes);
		addCounts(target.errorKinds, interval.errorKinds);
		addCounts(target.connectionEvents, interval.connectionEvents);
		addEncoded(target.histogram, interval.histogram);
		if (interval.correctedHistogram !== undefined) {
			target.correctedHistogram ??= createHistogram();
			addEncoded(target.correctedHistogram, interval.correctedHistogram);
		}
	}
}

/** Adds `source` totals into `target`. */
export function addTotals(target: Totals, source: Totals): void {
	target.requests += source.requests;
	target.responses += source.responses;
	target.errors += source.errors;
	target.bytesRead += source.bytesRead;
	addCounts(target.statusCodes, source.statusCodes);
	addCounts(target.errorKinds, source.errorKinds);
	addCounts(target.connectionEvents, source.connectionEvents);
	target.histogram.add(source.histogram);
	if (source.correctedHistogram) {
		target.correctedHistogram ??= createHistogram();
		target.correctedHistogram.add(source.correctedHistogram);
	}
}

/** Share of responses with a 2xx or 3xx status among all attempts, 0..1 (1 when there were none). */
export function passRate(totals: Pick<Totals, 'requests' | 'statusCodes'>): number {
	if (totals.requests === 0) {
		return 1;
	}

	let passed = 0;
	for (const [code, count] of Object.entries(totals.statusCodes)) {
		const status = Number(code);
		if (status >= 200 && status < 400) {
			passed += count;
		}
	}

	return passed / totals.requests;
}

/** Plain-data summary of totals over a duration. */
export type TotalsSummary = {
	readonly requests: number;
	readonly responses: number;
	readonly errors: number;
	readonly statusCodes: Readonly<Record<string, number>>;
	readonly errorKinds: Readonly<Record<string, number>>;
	/** Connection events by kind: unsolicited bytes, stale keep-alive connections retried. */
	readonly connectionEvents: Readonly<Record<string, number>>;
	readonly bytesRead: number;
	readonly durationS: number;
	readonly rps: number;
	readonly passRate: number;
	/** Latency from the actual send. */
	readonly latencyMs: LatencySummary;
	/** Open model: latency from the intended send (coordinated-omission corrected). */
	readonly correctedLatencyMs?: LatencySummary;
};

export function summarizeTotals(totals: Totals, durationS: number): TotalsSummary {
	return {
		requests: totals.requests,
		responses: totals.responses,
		errors: totals.errors,
		statusCodes: sortKeys(totals.statusCodes),
		errorKinds: sortKeys(totals.errorKinds),
		connectionEvents: sortKeys(totals.connectionEvents),
		bytesRead: totals.bytesRead,
		durationS: round3(durationS),
		rps: durationS > 0 ? round3(totals.requests / durationS) : 0,
		passRate: round6(passRate(totals)),
		latencyMs: summarize(totals.histogram),
		...(totals.correctedHistogram ? {correctedLatencyMs: summarize(totals.correctedHistogram)} : {}),
	};
}

const round3 = (value: number): number => Math.round(value * 1000) / 1000;
const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;

function sortKeys(record: Readonly<Record<string, number>>): Record<string, number> {
	return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Per-run accumulator: whole-run totals, per-endpoint totals and the current timeline window. */
export type RunTotals = {
	readonly overall: Totals;
	readonly endpoints: Totals[];
	/** Totals since the last timeline point; replaced by `takeWindow`. */
	window: Totals;
	late: number;
	dropped: number;
	windowLate: number;
	windowDropped: number;
};

export function createRunTotals(endpointCount: number): RunTotals {
	return {
		overall: createTotals(),
		endpoints: Array.from({length: endpointCount}, () => createTotals()),
		window: createTotals(),
		late: 0,
		dropped: 0,
		windowLate: 0,
		windowDropped: 0,
	};
}

/** Merges one worker snapshot into the run totals. */
export function addSnapshot(run: RunTotals, snapshot: WorkerSnapshot): void {
	for (const [index, interval] of snapshot.endpoints.entries()) {
		if (interval.requests === 0 && Object.keys(interval.connectionEvents).length === 0) {
			continue;
		}

		const endpoint = run.endpoints[index];
		addInterval(endpoint ? [run.overall, endpoint, run.window] : [run.overall, run.window], interval);
	}

	run.late += snapshot.late;
	run.dropped += snapshot.dropped;
	run.windowLate += snapshot.late;
	run.windowDropped += snapshot.dropped;
}

/** Returns the current window and starts a new one. */
export function takeWindow(run: RunTotals): {totals: Totals; late: number; dropped: number} {
	const taken = {totals: run.window, late: run.windowLate, dropped: run.windowDropped};
	run.window = createTotals();
	run.windowLate = 0;
	run.windowDropped = 0;
	return taken;
}
