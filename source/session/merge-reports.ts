import {ConfigError} from '../config/errors.js';
import {defaultGraceMs, type RunSettings} from '../config/types.js';
import {RunAggregator, type ResultState, type RunInterval, type WindowContext} from '../engine/run-aggregator.js';
import type {JsonReport, MergedAgentReport, ReportEndpoint} from '../report/types.js';
import {evaluateThresholds} from '../stats/aggregate.js';
import {encodedPairs} from '../stats/histogram.js';
import {stallThresholdFor, type EndpointInterval} from '../stats/snapshot.js';
import {parseThreshold, type Threshold} from '../stats/thresholds.js';
import type {TimelinePoint} from '../stats/timeline.js';
import {assembleReport} from './build-report.js';
import {checkThresholdEndpoint, mergeProblems, missingAgents, type MergeInput, type MergeOptions} from './merge-checks.js';

export type {MergeInput, MergeOptions} from './merge-checks.js';

export type MergeResult = {
	readonly report: JsonReport;
	/** Agent indexes expected but not given (exit 1 unless --allow-partial). */
	readonly missingAgents: readonly number[];
	/** One line each: start skew above 1 s, saturation, older inputs, missing agents. */
	readonly warnings: readonly string[];
};

/** Start skew above which the merge warns that seconds of different inputs do not line up, ms. */
export const startSkewWarningMs = 1000;

const micros = (ms: number): number => Math.round(ms * 1000);

/** A report endpoint as an interval (counts and latencies) for the aggregator; min kept exact. */
function endpointInterval(endpoint: ReportEndpoint, report: JsonReport): EndpointInterval {
	// Schema 2 kept the corrected histogram for the whole run only: with one endpoint it is that endpoint's.
	const corrected = endpoint.correctedHistogram ?? (report.endpoints.length === 1 ? report.correctedHistogram : undefined);
	return {
		requests: endpoint.requests,
		responses: endpoint.responses,
		errors: endpoint.errors,
		retries: endpoint.retries,
		incomplete: endpoint.incomplete,
		bytesRead: endpoint.bytesRead,
		statusCodes: endpoint.statusCodes,
		errorKinds: endpoint.errorKinds,
		connectionEvents: endpoint.connectionEvents,
		histogram: encodedPairs(endpoint.histogram, endpoint.latencyMs.count > 0 ? micros(endpoint.latencyMs.min) : undefined),
		correctedHistogram: encodedPairs(corrected, endpoint.correctedLatencyMs ? micros(endpoint.correctedLatencyMs.min) : undefined),
		failureHistogram: encodedPairs(endpoint.failureHistogram, endpoint.failureLatencyMs ? micros(endpoint.failureLatencyMs.min) : undefined),
		incompleteHistogram: encodedPairs(endpoint.incompleteHistogram, endpoint.incompleteAgeMs ? micros(endpoint.incompleteAgeMs.min) : undefined),
		correctedIncompleteHistogram: encodedPairs(endpoint.correctedIncompleteHistogram),
		connectHistogram: encodedPairs(endpoint.connectHistogram, endpoint.connectMs ? micros(endpoint.connectMs.min) : undefined),
		tlsHistogram: encodedPairs(endpoint.tlsHistogram, endpoint.tlsHandshakeMs ? micros(endpoint.tlsHandshakeMs.min) : undefined),
		ttfbHistogram: encodedPairs(endpoint.ttfbHistogram, endpoint.ttfbMs ? micros(endpoint.ttfbMs.min) : undefined),
		...(endpoint.checks ? {checks: endpoint.checks} : {}),
	};
}

/** One timeline second of a report as an interval for the aggregator's window (overall counts only). */
function pointInterval(point: TimelinePoint): RunInterval {
	const empty = {} as const;
	return {
		endpoints: [{
			requests: point.requests,
			responses: point.responses,
			errors: point.errors,
			retries: 0,
			incomplete: 0,
			bytesRead: 0,
			statusCodes: empty,
			errorKinds: empty,
			connectionEvents: empty,
			histogram: encodedPairs(point.histogram),
			correctedHistogram: encodedPairs(point.correctedHistogram),
		}],
		late: point.late,
		dropped: point.dropped,
	};
}

/**
 * The generator's figures of a report as intervals: its peak utilisation (counts towards the peak,
 * so the merge is saturated when any input was), and its stalls over the worker time they were
 * measured on (the stall share's denominator; a report keeps the share, so the time is stall ÷
 * share, or the run's thread-seconds when there was no stall).
 */
function generatorIntervals(report: JsonReport): RunInterval[] {
	const {generator} = report;
	const peak: RunInterval = {endpoints: [], late: 0, dropped: 0, eventLoopUtilization: generator.peakEventLoopUtilization, utilizationWindowMs: Number.MAX_SAFE_INTEGER};
	if (generator.maxEventLoopDelayMs === undefined) return [peak];
	const stallMs = generator.eventLoopStallMs ?? 0;
	const share = generator.stallShare ?? 0;
	const measuredMs = stallMs > 0 && share > 0 ? stallMs / share : report.summary.durationS * 1000 * report.settings.final.threads;
	// The probe period back from the threshold the report states (snapshot.ts: twice the period).
	const probe = generator.stallThresholdMs === undefined ? {} : {eventLoopProbeMs: generator.stallThresholdMs / stallThresholdFor(1)};
	const split = generator.stallRunningMs === undefined || generator.stallWaitingMs === undefined ? {} : {stallRunningMs: generator.stallRunningMs, stallWaitingMs: generator.stallWaitingMs};
	return [peak, {endpoints: [], late: 0, dropped: 0, maxEventLoopDelayMs: generator.maxEventLoopDelayMs, eventLoopStallMs: stallMs, utilizationWindowMs: measuredMs, ...probe, ...split}];
}

const sum = (values: ReadonlyArray<number | null | undefined>): number => values.reduce<number>((total, value) => total + (value ?? 0), 0);

/** The settings of the whole distributed run: each agent's share added up. */
function mergedSettings(reports: readonly JsonReport[], which: 'initial' | 'final'): RunSettings {
	const pick = (report: JsonReport) => (which === 'initial' ? report.settings : report.settings.final);
	const open = reports[0]!.settings.rate !== null;
	const {durationS} = reports[0]!.settings;
	return {
		threads: sum(reports.map(report => pick(report).threads)),
		connections: sum(reports.map(report => pick(report).connections)),
		durationMs: durationS === null ? undefined : durationS * 1000,
		maxRequests: reports.every(report => report.settings.maxRequests !== null) ? sum(reports.map(report => report.settings.maxRequests)) : undefined,
		rate: open ? Math.round(sum(reports.map(report => pick(report).rate)) * 1e6) / 1e6 : undefined,
		graceMs: defaultGraceMs,
	};
}

/** Each input's timeline seconds, placed on the merge's wall-clock seconds (by each window's middle). */
function alignSeconds(inputs: readonly MergeInput[], baseMs: number): Map<number, TimelinePoint[]> {
	const slots = new Map<number, TimelinePoint[]>();
	for (const {report} of inputs) {
		const offsetS = (Date.parse(report.startedAt) - baseMs) / 1000;
		let previousT = 0;
		for (const point of report.timeline) {
			const middle = offsetS + ((previousT + point.t) / 2);
			previousT = point.t;
			const slot = Math.max(1, Math.ceil(middle));
			slots.set(slot, [...(slots.get(slot) ?? []), point]);
		}
	}

	return slots;
}

function windowContext(points: readonly TimelinePoint[]): WindowContext {
	const rates = points.flatMap(point => (point.rate === undefined ? [] : [point.rate]));
	return {
		threads: sum(points.map(point => point.threads)),
		connections: sum(points.map(point => point.connections)),
		rate: rates.length > 0 ? Math.round(sum(rates) * 1e6) / 1e6 : undefined,
		paused: points.some(point => point.paused),
	};
}

/** The thresholds to judge: the inputs' own (as they wrote them) and `--threshold`, each once. */
function mergeThresholds(inputs: readonly MergeInput[], extra: readonly string[]): Threshold[] {
	const expressions = new Set<string>();
	for (const {report} of inputs) {
		for (const outcome of report.thresholds ?? []) expressions.add(outcome.expression);
	}

	for (const text of extra) expressions.add(text.trim());
	const thresholds: Threshold[] = [];
	for (const expression of expressions) {
		try {
			thresholds.push(checkThresholdEndpoint(parseThreshold(expression), inputs[0]!.report));
		} catch (error) {
			throw new ConfigError('merge', [{path: 'thresholds', message: (error as Error).message}]);
		}
	}

	return thresholds;
}

function agentRow(input: MergeInput, baseMs: number): MergedAgentReport {
	const {report, file} = input;
	const {summary} = report;
	return {
		file,
		...(report.agent ? {agent: report.agent} : {}),
		startedAt: report.startedAt,
		endedAt: report.endedAt,
		startOffsetMs: Date.parse(report.startedAt) - baseMs,
		stopReason: report.stopReason,
		durationS: summary.durationS,
		requests: summary.requests,
		errors: summary.errors,
		rps: summary.rps,
		passRate: summary.passRate,
		p99Ms: summary.latencyMs.p99,
		...(summary.correctedLatencyMs ? {correctedP99Ms: summary.correctedLatencyMs.p99} : {}),
		peakEventLoopUtilization: report.generator.peakEventLoopUtilization,
		saturated: report.generator.saturated,
		cpuModel: report.hardware.cpuModel,
		logicalProcessors: report.hardware.logicalProcessors,
	};
}

const describeInput = (row: MergedAgentReport): string => (row.agent ? `agent ${row.agent.index} (${row.file})` : row.file);

/**
 * Merges reports of one run's agents (or of runs of one plan) exactly: every counter summed,
 * every histogram added (64-bit counts), `durationS` from the first start to the last end, rps and
 * rates recomputed, the timelines added second by wall-clock second, thresholds (the inputs' and
 * `--threshold`) judged on the merged figures. Throws ConfigError (exit 2) for `mergeProblems`.
 */
export function mergeReports(inputs: readonly MergeInput[], options: MergeOptions = {}): MergeResult {
	const issues = mergeProblems(inputs, options);
	if (issues.length > 0) throw new ConfigError('merge', issues);
	const reports = inputs.map(input => input.report);
	const first = reports[0]!;
	const baseMs = Math.min(...reports.map(report => Date.parse(report.startedAt)));
	const endMs = Math.max(...reports.map(report => Date.parse(report.endedAt)));
	const durationS = (endMs - baseMs) / 1000;
	const initialSettings = mergedSettings(reports, 'initial');
	const aggregator = new RunAggregator({endpointCount: first.endpoints.length, initialSettings, startedAt: new Date(baseMs)});
	aggregator.begin(0, new Date(baseMs));

	for (const report of reports) {
		aggregator.add({endpoints: report.endpoints.map(endpoint => endpointInterval(endpoint, report)), late: report.summary.late, dropped: report.summary.dropped}, {scope: 'totals'});
		for (const interval of generatorIntervals(report)) aggregator.add(interval, {scope: 'totals'});
		aggregator.addCancelled(report.summary.cancelled);
	}

	const markers = reports.flatMap(report => report.markers.map(marker => ({...marker, atMs: Date.parse(report.startedAt) - baseMs + (marker.t * 1000)})));
	const seen = new Set<string>();
	for (const marker of markers.sort((a, b) => a.atMs - b.atMs)) {
		// Every agent marks the same stage change: once is enough.
		const key = `${marker.kind}|${marker.label}|${Math.round(marker.atMs / 100)}`;
		if (seen.has(key)) continue;
		seen.add(key);
		aggregator.mark(marker.atMs, marker.kind, marker.label, marker.value);
	}

	const slots = alignSeconds(inputs, baseMs);
	const lastSlot = Math.max(0, ...slots.keys());
	for (let slot = 1; slot <= lastSlot; slot++) {
		const points = slots.get(slot) ?? [];
		for (const point of points) aggregator.add(pointInterval(point), {scope: 'window'});
		const final = slot === lastSlot;
		aggregator.closeWindow(final ? Math.max(endMs - baseMs, ((slot - 1) * 1000) + 1) : slot * 1000, windowContext(points), final);
	}

	const names = first.endpoints.map(endpoint => endpoint.name);
	const thresholds = mergeThresholds(inputs, options.thresholds ?? []);
	const outcomes = evaluateThresholds(thresholds, aggregator.totals, names, durationS);
	const stopReasons = new Set(reports.map(report => report.stopReason));
	const lastEnded = reports.find(report => Date.parse(report.endedAt) === endMs)!;
	const result = aggregator.result({
		endedAt: new Date(endMs),
		durationS,
		stopReason: (stopReasons.size === 1 ? first.stopReason : lastEnded.stopReason) as ResultState,
		finalSettings: mergedSettings(reports, 'final'),
	});
	const tokens = reports.flatMap(report => (report.token ? [report.token] : []));
	const warmUps = reports.flatMap(report => (report.warmUp ? [report.warmUp] : []));
	const {expected, missing} = missingAgents(inputs, options.expectAgents);
	const rows = inputs.map(input => agentRow(input, baseMs));
	const startSkewMs = Math.max(...rows.map(row => row.startOffsetMs));
	const report = assembleReport(result, {
		plan: {endpoints: first.endpoints, httpClient: first.settings.httpClient, protocol: first.settings.protocol, streams: first.settings.streams, network: first.settings.network, proxy: first.settings.proxy, config: first.config, ...(first.planFingerprint === undefined ? {} : {planFingerprint: first.planFingerprint})},
		hardware: first.hardware,
		extra: {
			...(outcomes.length > 0 ? {thresholds: outcomes} : {}),
			...(warmUps.length > 0 ? {warmUp: {durationS: Math.max(...warmUps.map(warmUp => warmUp.durationS)), requests: sum(warmUps.map(warmUp => warmUp.requests)), errors: sum(warmUps.map(warmUp => warmUp.errors))}} : {}),
			...(tokens.length > 0 ? {token: {requests: sum(tokens.map(token => token.requests)), errors: sum(tokens.map(token => token.errors)), refreshes: sum(tokens.map(token => token.refreshes))}} : {}),
		},
		merge: {startSkewMs, expectedAgents: expected, missingAgents: missing, agents: rows},
	});

	const warnings: string[] = [];
	if (startSkewMs > startSkewWarningMs) {
		const latest = rows.find(row => row.startOffsetMs === startSkewMs)!;
		warnings.push(`the inputs started ${(startSkewMs / 1000).toFixed(3)} s apart (${describeInput(latest)} last): each merged second mixes different moments of their load; start the agents together with --start-at`);
	}

	for (const row of rows.filter(row => row.saturated)) {
		warnings.push(`the load generator saturated on ${describeInput(row)} (peak event-loop utilisation ${Math.round(row.peakEventLoopUtilization * 100)}%): the merged figures measure that generator as well as the target`);
	}

	if (first.timeline.length > 0 && first.timeline.some(point => point.histogram === undefined)) {
		warnings.push(`the inputs are schema ${inputs[0]!.writtenVersion} reports: their seconds carry no histogram, so the merged timeline has counts but no per-second latency (totals and endpoints are exact)`);
	}

	return {report, missingAgents: missing, warnings};
}
