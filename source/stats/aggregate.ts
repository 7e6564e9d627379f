import {createHistogram, recycleHistogram, summarize, type Histogram, type LatencySummary} from './histogram.js';
import {addCheckCounts, checksPassRate, sortedCheckCounts, type CheckCounts, type MutableCheckCounts} from './checks.js';
import {addPairs} from './latency-counts.js';
import type {EndpointInterval, WorkerSnapshot} from './snapshot.js';
import {evaluateThreshold, type Threshold, type ThresholdFigures, type ThresholdOutcome} from './thresholds.js';

/**
 * Running totals for one endpoint or for the whole run. Mutable accumulator; see `addInterval`.
 * `requests` are finished attempts (responses + errors); `incomplete` requests were still in flight
 * when the run ended and are not among them.
 */
export type Totals = {
	requests: number;
	responses: number;
	errors: number;
	retries: number;
	incomplete: number;
	bytesRead: number;
	statusCodes: Record<string, number>;
	errorKinds: Record<string, number>;
	connectionEvents: Record<string, number>;
	/** Latency of responses (never of errors). */
	readonly histogram: Histogram;
	/** Present once any corrected (open-model) latency was recorded. */
	correctedHistogram: Histogram | undefined;
	/** Time to fail of the errors. */
	failureHistogram: Histogram | undefined;
	/** Age of the incomplete requests when the run ended. */
	incompleteHistogram: Histogram | undefined;
	correctedIncompleteHistogram: Histogram | undefined;
	/** Response checks, once a checked response was counted. */
	checks: MutableCheckCounts | undefined;
	/** Connect time per new connection (TCP, DNS included), TLS handshake time, time to first byte per response. */
	connectHistogram: Histogram | undefined;
	tlsHistogram: Histogram | undefined;
	ttfbHistogram: Histogram | undefined;
};

export function createTotals(): Totals {
	return {
		requests: 0,
		responses: 0,
		errors: 0,
		retries: 0,
		incomplete: 0,
		bytesRead: 0,
		statusCodes: {},
		errorKinds: {},
		connectionEvents: {},
		histogram: createHistogram(),
		correctedHistogram: undefined,
		failureHistogram: undefined,
		incompleteHistogram: undefined,
		correctedIncompleteHistogram: undefined,
		checks: undefined,
		connectHistogram: undefined,
		tlsHistogram: undefined,
		ttfbHistogram: undefined,
	};
}

function addCounts(target: Record<string, number>, source: Readonly<Record<string, number>> | undefined): void {
	for (const key in source) {
		if (Object.hasOwn(source, key)) {
			target[key] = (target[key] ?? 0) + source[key]!;
		}
	}
}

type OptionalHistogram = 'correctedHistogram' | 'failureHistogram' | 'incompleteHistogram' | 'correctedIncompleteHistogram' | 'connectHistogram' | 'tlsHistogram' | 'ttfbHistogram';
const optionalHistograms: readonly OptionalHistogram[] = ['correctedHistogram', 'failureHistogram', 'incompleteHistogram', 'correctedIncompleteHistogram', 'connectHistogram', 'tlsHistogram', 'ttfbHistogram'];

/** Adds one endpoint interval into each of `targets`. */
export function addInterval(targets: readonly Totals[], interval: EndpointInterval): void {
	for (const target of targets) {
		target.requests += interval.requests;
		target.responses += interval.responses;
		target.errors += interval.errors;
		target.retries += interval.retries ?? 0;
		target.incomplete += interval.incomplete ?? 0;
		target.bytesRead += interval.bytesRead;
		addCounts(target.statusCodes, interval.statusCodes);
		addCounts(target.errorKinds, interval.errorKinds);
		addCounts(target.connectionEvents, interval.connectionEvents);
		addPairs(target.histogram, interval.histogram);
		target.checks = addCheckCounts(target.checks, interval.checks);
		for (const name of optionalHistograms) {
			const pairs = interval[name];
			if (pairs !== undefined && pairs.length > 0) {
				addPairs(target[name] ??= createHistogram(), pairs);
			}
		}
	}
}

/** Adds `source` totals into `target`. */
export function addTotals(target: Totals, source: Totals): void {
	target.requests += source.requests;
	target.responses += source.responses;
	target.errors += source.errors;
	target.retries += source.retries;
	target.incomplete += source.incomplete;
	target.bytesRead += source.bytesRead;
	addCounts(target.statusCodes, source.statusCodes);
	addCounts(target.errorKinds, source.errorKinds);
	addCounts(target.connectionEvents, source.connectionEvents);
	target.histogram.add(source.histogram);
	target.checks = addCheckCounts(target.checks, source.checks);
	for (const name of optionalHistograms) {
		const histogram = source[name];
		if (histogram) {
			(target[name] ??= createHistogram()).add(histogram);
		}
	}
}

/** Requests that were sent: finished attempts plus those still in flight when the run ended. */
export function attempts(totals: Pick<Totals, 'requests' | 'incomplete'>): number {
	return totals.requests + totals.incomplete;
}

/**
 * Share of responses with a 2xx or 3xx status among all attempts (incomplete ones included),
 * 0..1; null when nothing was sent (no data is not a pass).
 */
export function passRate(totals: Pick<Totals, 'requests' | 'incomplete' | 'statusCodes'>): number | null {
	const sent = attempts(totals);
	if (sent === 0) {
		return null;
	}

	let passed = 0;
	for (const [code, count] of Object.entries(totals.statusCodes)) {
		const status = Number(code);
		if (status >= 200 && status < 400) {
			passed += count;
		}
	}

	return passed / sent;
}

/** Share of attempts that failed (errors and incomplete requests), 0..1; null when nothing was sent. */
export function errorRate(totals: Pick<Totals, 'requests' | 'errors' | 'incomplete'>): number | null {
	const sent = attempts(totals);
	return sent === 0 ? null : (totals.errors + totals.incomplete) / sent;
}

/**
 * The latency that thresholds judge: responses (corrected in the open model) together with the age
 * of the incomplete requests as a lower bound of theirs, so a request that hung through the end of
 * a run counts as at least that slow. Undefined when there is neither.
 */
export function thresholdLatency(totals: Totals): LatencySummary | undefined {
	const responses = totals.correctedHistogram ?? totals.histogram;
	const incomplete = totals.correctedHistogram ? (totals.correctedIncompleteHistogram ?? totals.incompleteHistogram) : totals.incompleteHistogram;
	if (incomplete === undefined || incomplete.totalCount === 0) {
		return responses.totalCount === 0 ? undefined : summarize(responses);
	}

	const combined = createHistogram();
	combined.add(responses);
	combined.add(incomplete);
	return summarize(combined);
}

/** Plain-data summary of totals over a duration. */
export type TotalsSummary = {
	/** Finished attempts: responses + errors (retries included). */
	readonly requests: number;
	readonly responses: number;
	readonly errors: number;
	/** Of `requests`, how many were retries. */
	readonly retries: number;
	/** Requests still in flight when the run ended (not in `requests`; failures for the pass and error rates). */
	readonly incomplete: number;
	readonly statusCodes: Readonly<Record<string, number>>;
	readonly errorKinds: Readonly<Record<string, number>>;
	/** Connection events by kind: unsolicited bytes, stale keep-alive connections retried. */
	readonly connectionEvents: Readonly<Record<string, number>>;
	readonly bytesRead: number;
	readonly durationS: number;
	readonly rps: number;
	/** 2xx/3xx responses among requests + incomplete; null when nothing was sent. */
	readonly passRate: number | null;
	/** (errors + incomplete) among requests + incomplete; null when nothing was sent. */
	readonly errorRate: number | null;
	/** Latency of responses, from the actual send (count 0 when there was no response). */
	readonly latencyMs: LatencySummary;
	/** Open model: latency from the intended send (coordinated-omission corrected). */
	readonly correctedLatencyMs?: LatencySummary;
	/** Time to fail of the errors, when there were any. */
	readonly failureLatencyMs?: LatencySummary;
	/** Age of the incomplete requests when the run ended, when there were any. */
	readonly incompleteAgeMs?: LatencySummary;
	/** Response checks, when the endpoint (or any endpoint, for the whole run) has them. */
	readonly checks?: CheckCounts;
	/** Connect time of the connections made (TCP, DNS included), when any was made. */
	readonly connectMs?: LatencySummary;
	/** TLS handshake time of the TLS connections made (after their TCP connect). */
	readonly tlsHandshakeMs?: LatencySummary;
	/** Time to first byte of the responses (send to the response's first byte). */
	readonly ttfbMs?: LatencySummary;
};

export function summarizeTotals(totals: Totals, durationS: number): TotalsSummary {
	const pass = passRate(totals);
	const failed = errorRate(totals);
	return {
		requests: totals.requests,
		responses: totals.responses,
		errors: totals.errors,
		retries: totals.retries,
		incomplete: totals.incomplete,
		statusCodes: sortKeys(totals.statusCodes),
		errorKinds: sortKeys(totals.errorKinds),
		connectionEvents: sortKeys(totals.connectionEvents),
		bytesRead: totals.bytesRead,
		durationS: round3(durationS),
		rps: durationS > 0 ? round3(totals.requests / durationS) : 0,
		passRate: pass === null ? null : round6(pass),
		errorRate: failed === null ? null : round6(failed),
		latencyMs: summarize(totals.histogram),
		...(totals.correctedHistogram ? {correctedLatencyMs: summarize(totals.correctedHistogram)} : {}),
		...(totals.failureHistogram && totals.failureHistogram.totalCount > 0 ? {failureLatencyMs: summarize(totals.failureHistogram)} : {}),
		...(totals.incompleteHistogram && totals.incompleteHistogram.totalCount > 0 ? {incompleteAgeMs: summarize(totals.incompleteHistogram)} : {}),
		...(totals.checks ? {checks: sortedCheckCounts(totals.checks)} : {}),
		...(totals.connectHistogram && totals.connectHistogram.totalCount > 0 ? {connectMs: summarize(totals.connectHistogram)} : {}),
		...(totals.tlsHistogram && totals.tlsHistogram.totalCount > 0 ? {tlsHandshakeMs: summarize(totals.tlsHistogram)} : {}),
		...(totals.ttfbHistogram && totals.ttfbHistogram.totalCount > 0 ? {ttfbMs: summarize(totals.ttfbHistogram)} : {}),
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
	/**
	 * The last two windows `takeWindow` handed out, oldest first: the newest is still read (a final
	 * sliver is folded into it); an older one is recycled.
	 */
	takenWindows: Totals[];
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
		takenWindows: [],
		late: 0,
		dropped: 0,
		windowLate: 0,
		windowDropped: 0,
	};
}

/**
 * Where an interval goes: `all` (a live run: the whole-run, endpoint and window totals at once),
 * or, when the whole run and its seconds come apart (`merge` adds a report's endpoints to the
 * totals and its timeline seconds to the windows), `totals` or `window` alone.
 */
export type SnapshotScope = 'all' | 'totals' | 'window';

/** Merges one worker snapshot (or any interval of the same shape) into the run totals. */
export function addSnapshot(run: RunTotals, snapshot: Pick<WorkerSnapshot, 'endpoints' | 'late' | 'dropped'>, scope: SnapshotScope = 'all'): void {
	const totals = scope !== 'window';
	const window = scope !== 'totals';
	for (const [index, interval] of snapshot.endpoints.entries()) {
		if (interval.requests === 0 && !interval.incomplete && Object.keys(interval.connectionEvents ?? {}).length === 0 && !interval.connectHistogram?.length && !interval.tlsHistogram?.length) {
			continue;
		}

		const endpoint = run.endpoints[index];
		addInterval([...(totals ? [run.overall, ...(endpoint ? [endpoint] : [])] : []), ...(window ? [run.window] : [])], interval);
	}

	if (totals) {
		run.late += snapshot.late;
		run.dropped += snapshot.dropped;
	}

	if (window) {
		run.windowLate += snapshot.late;
		run.windowDropped += snapshot.dropped;
	}
}

/** The totals a threshold judges: its endpoint's (by name), else the whole run's. */
export function totalsForThreshold(threshold: Pick<Threshold, 'endpoint'>, overall: Totals, endpoints: readonly Totals[], endpointNames: readonly string[]): Totals {
	const index = threshold.endpoint === undefined ? -1 : endpointNames.indexOf(threshold.endpoint);
	return index >= 0 ? endpoints[index] ?? overall : overall;
}

/**
 * The figures a threshold is checked against, from totals over `durationS`. In the open model
 * latency thresholds use the corrected latency (from the intended send time): what users wait.
 */
export function thresholdFigures(totals: Totals, durationS: number): ThresholdFigures {
	return {
		requests: totals.requests,
		errors: totals.errors,
		incomplete: totals.incomplete,
		rps: durationS > 0 ? totals.requests / durationS : 0,
		passRate: passRate(totals),
		checksPassRate: checksPassRate(totals.checks),
		latencyMs: thresholdLatency(totals),
	};
}

/** Evaluates thresholds on a run's totals (each on its endpoint's, when it names one). */
export function evaluateThresholds(thresholds: readonly Threshold[], run: Pick<RunTotals, 'overall' | 'endpoints'>, endpointNames: readonly string[], durationS: number): ThresholdOutcome[] {
	return thresholds.map(threshold => evaluateThreshold(threshold, thresholdFigures(totalsForThreshold(threshold, run.overall, run.endpoints, endpointNames), durationS)));
}

/**
 * Returns the current window and starts a new one. A window stays valid until two more have been
 * taken; then its histograms are recycled (a live run takes one a second, for hours).
 */
export function takeWindow(run: RunTotals): {totals: Totals; late: number; dropped: number} {
	const taken = {totals: run.window, late: run.windowLate, dropped: run.windowDropped};
	run.takenWindows.push(run.window);
	if (run.takenWindows.length > 2) recycleTotals(run.takenWindows.shift()!);
	run.window = createTotals();
	run.windowLate = 0;
	run.windowDropped = 0;
	return taken;
}

/** Gives a window's histograms back for reuse (see `recycleHistogram`). */
function recycleTotals(totals: Totals): void {
	recycleHistogram(totals.histogram);
	for (const name of optionalHistograms) {
		const histogram = totals[name];
		if (histogram) recycleHistogram(histogram);
	}
}
