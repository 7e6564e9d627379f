/** From JSON reports to what `compare` works on, and whether two reports can be compared. Pure. */
import type {CompareFigures, CompareRun, CompareWindow} from '../stats/compare.js';
import {decodeHistogram} from '../stats/histogram.js';
import type {JsonReport, ReportEndpoint} from './types.js';

const decodeOptional = (encoded: string | undefined) => (encoded === undefined ? undefined : decodeHistogram(encoded));

function figures(summary: JsonReport['summary'] | ReportEndpoint, histogram: string, correctedHistogram: string | undefined): CompareFigures {
	const corrected = decodeOptional(correctedHistogram);
	return {
		rps: summary.rps,
		requests: summary.requests,
		errorRate: summary.errorRate,
		passRate: summary.passRate,
		latencyMs: summary.latencyMs,
		...(summary.correctedLatencyMs ? {correctedLatencyMs: summary.correctedLatencyMs} : {}),
		histogram: decodeHistogram(histogram),
		...(corrected ? {correctedHistogram: corrected} : {}),
		...(summary.checks ? {checks: {checked: summary.checks.passed + summary.checks.failed, failed: summary.checks.failed}} : {}),
	};
}

/** Decodes a report's histograms and one-second windows (with their own histograms when the report has them). */
export function compareInput(report: JsonReport): CompareRun {
	const windows: CompareWindow[] = report.timeline.map((point, index) => {
		// Per-second histograms from schema version 3 on; absent in upgraded older reports.
		const histogram = decodeOptional(point.histogram);
		const corrected = decodeOptional(point.correctedHistogram);
		return {
			durationS: Math.max(0, point.t - (report.timeline[index - 1]?.t ?? 0)),
			requests: point.requests,
			errors: point.errors,
			responses: point.responses,
			p50: point.p50,
			p90: point.p90,
			p99: point.p99,
			...(point.correctedP99 === undefined ? {} : {correctedP99: point.correctedP99}),
			...(histogram ? {histogram} : {}),
			...(corrected ? {correctedHistogram: corrected} : {}),
		};
	}).filter(window => window.durationS > 0);
	return {
		run: figures(report.summary, report.histogram, report.correctedHistogram),
		endpoints: report.endpoints.map(endpoint => ({...figures(endpoint, endpoint.histogram, endpoint.correctedHistogram), name: endpoint.name})),
		windows,
	};
}

const model = (report: JsonReport): string => (report.settings.rate === null ? 'closed model' : `open model at ${report.settings.rate} req/s`);
const endpointList = (report: JsonReport): string => report.endpoints.map(endpoint => `${endpoint.method} ${endpoint.name}`).join(', ');

/**
 * Why two reports cannot be compared, one phrase each (empty when they can): different endpoints
 * (names and methods), a different model or rate, a different number of connections. A different
 * URL or host is allowed: comparing two builds of a service is what `compare` is for.
 */
export function compareProblems(base: JsonReport, next: JsonReport): string[] {
	const problems: string[] = [];
	if (endpointList(base) !== endpointList(next)) problems.push(`different endpoints (${endpointList(base)} vs ${endpointList(next)})`);
	if (model(base) !== model(next)) problems.push(`different load (${model(base)} vs ${model(next)})`);
	if (base.settings.connections !== next.settings.connections) problems.push(`different connections (${base.settings.connections} vs ${next.settings.connections})`);
	const histograms = [base, next].filter(report => typeof report.histogram !== 'string');
	if (histograms.length > 0) problems.push('a report without its latency histogram');
	return problems;
}
