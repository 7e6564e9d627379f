/** From JSON reports to what `compare` works on, and whether two reports can be compared. Pure. */
import type {CompareFigures, CompareRun, CompareWindow} from '../stats/compare.js';
import {decodeHistogram} from '../stats/histogram.js';
import {reportProtocol} from './protocol-format.js';
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

const model = (report: JsonReport): string => (report.settings.rate === null ? 'closed model' : 'open model');
const endpointList = (report: JsonReport): string => report.endpoints.map(endpoint => `${endpoint.method} ${endpoint.name}`).join(', ');

/**
 * Why two reports cannot be compared, one phrase each (empty when they can): different endpoints
 * (names and methods), or one closed and one open model (their latencies mean different things).
 * A different URL or host is allowed (two builds or hosts of a service is what `compare` is for),
 * and so are different load settings (`settingDifferences`: comparing configurations is too).
 */
export function compareProblems(base: JsonReport, next: JsonReport): string[] {
	const problems: string[] = [];
	if (endpointList(base) !== endpointList(next)) problems.push(`different endpoints (${endpointList(base)} vs ${endpointList(next)})`);
	if (model(base) !== model(next)) problems.push(`different load (${model(base)} vs ${model(next)}); compare runs of one model`);
	const histograms = [base, next].filter(report => typeof report.histogram !== 'string');
	if (histograms.length > 0) problems.push('a report without its latency histogram');
	return problems;
}

/**
 * The load settings in which two comparable runs differ, one phrase each (`connections 20 vs 5`):
 * threads, connections, rate, HTTP client, protocol. Each rendering of `compare` shows them, since
 * every change then includes theirs.
 */
export function settingDifferences(base: JsonReport, next: JsonReport): string[] {
	const differences: string[] = [];
	const differ = (name: string, a: string | number | null | undefined, b: string | number | null | undefined): void => {
		if (a !== b) differences.push(`${name} ${a ?? 'none'} vs ${b ?? 'none'}`);
	};

	differ('threads', base.settings.threads, next.settings.threads);
	differ('connections', base.settings.connections, next.settings.connections);
	differ('rate', base.settings.rate, next.settings.rate);
	differ('HTTP client', base.settings.httpClient, next.settings.httpClient);
	differ('protocol', reportProtocol(base.settings), reportProtocol(next.settings));
	return differences;
}
