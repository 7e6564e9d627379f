import type {LoadedConfig} from '../config/load.js';
import {redactSecrets, redactUrl} from '../config/redact.js';
import type {Hardware} from '../engine/hardware.js';
import type {RunResult} from '../engine/engine.js';
import {summarizeTotals} from '../stats/aggregate.js';
import {encodeHistogram, percentileSpectrum} from '../stats/histogram.js';
import {schemaVersion, type JsonReport} from '../report/types.js';
import {toolVersion} from './version.js';

/** Event-loop utilisation above which the load generator measures itself rather than the target. */
export const saturationThreshold = 0.9;

export type ReportContext = {
	readonly config: LoadedConfig;
	readonly hardware: Hardware;
	readonly extra?: Pick<JsonReport, 'baseline' | 'speedup' | 'thresholds' | 'token'>;
};

/** Builds the JSON report (the single source for the text, JSON and HTML outputs) from a run. */
export function buildReport(result: RunResult, context: ReportContext): JsonReport {
	const {plan} = context.config;
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
			httpClient: plan.policy.httpClient,
			final: {threads: final.threads, connections: final.connections, rate: final.rate ?? null},
		},
		hardware: {
			cpuModel: context.hardware.cpuModel,
			physicalCores: context.hardware.physicalCores,
			logicalProcessors: context.hardware.logicalProcessors,
			cpuQuota: context.hardware.cpuQuota,
			totalMemoryBytes: context.hardware.totalMemoryBytes,
			node: context.hardware.node,
			platform: context.hardware.platform,
		},
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
			};
		}),
		timeline: result.timeline,
		markers: result.markers,
		percentiles: percentileSpectrum(result.totals.overall.histogram),
		...(result.totals.overall.correctedHistogram
			? {correctedPercentiles: percentileSpectrum(result.totals.overall.correctedHistogram), correctedHistogram: encodeHistogram(result.totals.overall.correctedHistogram)}
			: {}),
		histogram: encodeHistogram(result.totals.overall.histogram),
		generator: {
			peakEventLoopUtilization: Math.round(result.peakWorkerUtilization * 1000) / 1000,
			saturated: result.peakWorkerUtilization >= saturationThreshold,
		},
		config: redactSecrets(context.config.raw),
		...context.extra,
	};
}
