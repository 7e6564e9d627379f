import type {LoadedConfig} from '../config/load.js';
import {redactSecrets, redactUrl} from '../config/redact.js';
import type {Hardware} from '../engine/hardware.js';
import type {GeneratorStalls, RunResult} from '../engine/engine.js';
import {summarizeTotals, type TotalsSummary} from '../stats/aggregate.js';
import {eventLoopProbeMs, stallThresholdFor, stallThresholdMs} from '../stats/snapshot.js';
import {encodeHistogram, percentileSpectrum, type Histogram} from '../stats/histogram.js';
import {schemaVersion, type GeneratorReport, type JsonReport, type MergeReport, type ReportAgent, type ReportHardware, type ReportNetwork, type ReportProtocol} from '../report/types.js';
import type {EndpointPlan, HttpClient} from '../config/types.js';
import {networkSettings} from '../config/network.js';
import {describeProxy} from '../config/proxy.js';
import {protocolOf} from '../config/http2.js';
import {planFingerprint} from './plan-fingerprint.js';
import {toolVersion} from './version.js';

/** Event-loop utilisation above which the load generator measures itself rather than the target. */
export const saturationThreshold = 0.9;

/** Stalls taking this share of the workers' time or more could explain any latency figure. */
export const stallShareWarning = 0.1;

/** Workers' time (ms, summed) below which stalls say nothing about the latency: a run's start. */
const minWarningMeasuredMs = 1000;

/** Stalls taking more than this share of the time held back more of the sends than a p99 leaves above it. */
const p99Share = 0.01;

/**
 * Whether the generator's own stalls could explain the latency's tail. In the open model, when the
 * corrected p99 exceeds the uncorrected one by more than a stall's threshold: the longest stall is
 * at least that excess (one stall could account for it), or the stalls took more than 1% of the
 * time (so more than 1% of the sends fell due while the generator was stalled, and the correction
 * charged each with its wait). In either model, when the stalls took 10% of the time or more.
 * Never when the workers measured under a second in all (`measuredMs`): that is their start.
 */
export function stallsCouldExplainTail(stalls: Pick<GeneratorReport, 'eventLoopStallMs' | 'maxEventLoopDelayMs' | 'stallShare'>, summary: Pick<TotalsSummary, 'latencyMs' | 'correctedLatencyMs' | 'responses'>, measuredMs?: number): boolean {
	const {eventLoopStallMs = 0, maxEventLoopDelayMs = 0, stallShare = 0} = stalls;
	if (eventLoopStallMs <= 0) return false;
	// Under a second of worker time (`-n 1`, a few requests) is the workers' own start: no warning.
	if (measuredMs !== undefined && measuredMs < minWarningMeasuredMs) return false;
	if (stallShare >= stallShareWarning) return true;
	if (!summary.correctedLatencyMs || summary.responses === 0) return false;
	const excess = summary.correctedLatencyMs.p99 - summary.latencyMs.p99;
	return excess > stallThresholdMs && (excess <= maxEventLoopDelayMs || stallShare > p99Share);
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/** The stall time split into running, waiting for a core and sleeping (the rest), ms to 0.1, summing to the stall time as reported. */
function stallSplit(stalls: GeneratorStalls): Pick<GeneratorReport, 'stallRunningMs' | 'stallWaitingMs' | 'stallSleepingMs'> {
	if (stalls.runningMs === undefined || stalls.waitingMs === undefined) return {};
	const stallRunningMs = round1(stalls.runningMs);
	const stallWaitingMs = round1(stalls.waitingMs);
	return {stallRunningMs, stallWaitingMs, stallSleepingMs: Math.max(0, round1(round1(stalls.stallMs) - stallRunningMs - stallWaitingMs))};
}

function generatorReport(result: RunResult, overall: TotalsSummary): GeneratorReport {
	const base = {
		peakEventLoopUtilization: Math.round(result.peakWorkerUtilization * 1000) / 1000,
		saturated: result.peakWorkerUtilization >= saturationThreshold,
	};
	const stalls = result.generatorStalls;
	if (!stalls) return base;
	const figures = {
		eventLoopStallMs: round1(stalls.stallMs),
		maxEventLoopDelayMs: round1(stalls.maxDelayMs),
		stallShare: stalls.measuredMs > 0 ? Math.round((stalls.stallMs / stalls.measuredMs) * 1e4) / 1e4 : 0,
		// The threshold the workers used (the coarsest, when a run changed model); older ones probed every 1 ms.
		stallThresholdMs: stallThresholdFor(stalls.probeMs ?? eventLoopProbeMs),
		...stallSplit(stalls),
	};
	return {...base, ...figures, stallWarning: stallsCouldExplainTail(figures, overall, stalls.measuredMs)};
}

export type ReportContext = {
	readonly config: LoadedConfig;
	readonly hardware: Hardware;
	readonly extra?: Pick<JsonReport, 'baseline' | 'speedup' | 'thresholds' | 'token'>;
	/** This run was one agent of a distributed run. */
	readonly agent?: ReportAgent;
};

/** What a report says of the plan: its endpoints, client, config and fingerprint (`merge` takes them from its inputs). */
export type ReportPlan = {
	readonly endpoints: ReadonlyArray<Pick<EndpointPlan, 'name' | 'method' | 'url' | 'weight'>>;
	readonly httpClient: HttpClient;
	/** http/1.1, h2 or h2c (absent when merging reports of earlier builds), and HTTP/2's streams per connection. */
	readonly protocol?: ReportProtocol | undefined;
	readonly streams?: number | undefined;
	/** TLS and network options (paths, never contents), when any was set. */
	readonly network?: ReportNetwork | undefined;
	/** The HTTP proxy in words, its password redacted (config/proxy.ts describeProxy), when one is used. */
	readonly proxy?: string | undefined;
	/** The configuration used (secrets are redacted here). */
	readonly config: unknown;
	readonly planFingerprint?: string;
};

/** Everything but the run that a report is built from. */
export type ReportParts = Omit<ReportContext, 'config' | 'hardware'> & {
	readonly plan: ReportPlan;
	readonly hardware: ReportHardware;
	readonly merge?: MergeReport;
};

/** Builds the JSON report (the single source for the text, JSON and HTML outputs) from a run. */
export function buildReport(result: RunResult, context: ReportContext): JsonReport {
	const {plan} = context.config;
	const {hardware} = context;
	return assembleReport(result, {
		...context,
		plan: {endpoints: plan.endpoints, httpClient: plan.policy.httpClient, protocol: protocolOf(plan.policy.http2, plan.endpoints[0]!.url), streams: plan.policy.http2?.streams, network: networkSettings(plan.policy.network), proxy: plan.policy.proxy && describeProxy(plan.policy.proxy), config: context.config.raw, planFingerprint: planFingerprint(plan)},
		hardware: {
			cpuModel: hardware.cpuModel,
			physicalCores: hardware.physicalCores,
			logicalProcessors: hardware.logicalProcessors,
			cpuQuota: hardware.cpuQuota,
			totalMemoryBytes: hardware.totalMemoryBytes,
			node: hardware.node,
			platform: hardware.platform,
		},
	});
}

/** An encoded histogram when there is one with counts, for optional report fields. */
function encodedIfAny<K extends string>(key: K, histogram: Histogram | undefined): Partial<Record<K, string>> {
	return histogram && histogram.totalCount > 0 ? {[key]: encodeHistogram(histogram)} as Record<K, string> : {};
}

/** Builds the JSON report from a run's (or a merge's) result and what is known of its plan. */
export function assembleReport(result: RunResult, parts: ReportParts): JsonReport {
	const {plan} = parts;
	const overall = summarizeTotals(result.totals.overall, result.durationS);
	const first = plan.endpoints[0]!;
	const initial = result.initialSettings;
	const final = result.finalSettings;
	return {
		schemaVersion,
		tool: {name: 'pystress-tui', version: toolVersion},
		startedAt: result.startedAt.toISOString(),
		endedAt: result.endedAt.toISOString(),
		stopReason: result.stopReason,
		target: plan.endpoints.length === 1
			? {url: redactUrl(first.url), method: first.method, name: first.name}
			: {url: redactUrl(first.url), method: first.method, name: `${plan.endpoints.length} endpoints`},
		settings: {
			threads: initial.threads,
			connections: initial.connections,
			durationS: initial.durationMs === undefined ? null : initial.durationMs / 1000,
			maxRequests: initial.maxRequests ?? null,
			rate: initial.rate ?? null,
			httpClient: plan.httpClient,
			...(plan.protocol === undefined ? {} : {protocol: plan.protocol}),
			...(plan.streams === undefined ? {} : {streams: plan.streams}),
			final: {threads: final.threads, connections: final.connections, rate: final.rate ?? null},
			...(plan.network === undefined ? {} : {network: plan.network}),
			...(plan.proxy === undefined ? {} : {proxy: plan.proxy}),
		},
		hardware: parts.hardware,
		summary: {...overall, late: result.totals.late, dropped: result.totals.dropped, cancelled: result.cancelled},
		endpoints: plan.endpoints.map((endpoint, index) => {
			const totals = result.totals.endpoints[index]!;
			return {
				name: endpoint.name,
				method: endpoint.method,
				url: redactUrl(endpoint.url),
				weight: endpoint.weight,
				...summarizeTotals(totals, result.durationS),
				histogram: encodeHistogram(totals.histogram),
				...(totals.correctedHistogram ? {correctedHistogram: encodeHistogram(totals.correctedHistogram)} : {}),
				...encodedIfAny('failureHistogram', totals.failureHistogram),
				...encodedIfAny('incompleteHistogram', totals.incompleteHistogram),
				...encodedIfAny('correctedIncompleteHistogram', totals.correctedIncompleteHistogram),
				...encodedIfAny('connectHistogram', totals.connectHistogram),
				...encodedIfAny('tlsHistogram', totals.tlsHistogram),
				...encodedIfAny('ttfbHistogram', totals.ttfbHistogram),
			};
		}),
		timeline: result.timeline,
		markers: result.markers,
		percentiles: percentileSpectrum(result.totals.overall.histogram),
		...(result.totals.overall.correctedHistogram
			? {correctedPercentiles: percentileSpectrum(result.totals.overall.correctedHistogram), correctedHistogram: encodeHistogram(result.totals.overall.correctedHistogram)}
			: {}),
		histogram: encodeHistogram(result.totals.overall.histogram),
		generator: generatorReport(result, overall),
		...(result.warmUp ? {warmUp: {durationS: result.warmUp.durationS, requests: result.warmUp.responses + result.warmUp.errors, errors: result.warmUp.errors}} : {}),
		config: redactSecrets(plan.config),
		...parts.extra,
		...(parts.agent ? {agent: parts.agent} : {}),
		...(plan.planFingerprint === undefined ? {} : {planFingerprint: plan.planFingerprint}),
		...(parts.merge ? {merge: parts.merge} : {}),
	};
}
