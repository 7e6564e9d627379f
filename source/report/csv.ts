import {stringify} from 'csv-stringify/sync';
import type {LatencySummary} from '../stats/histogram.js';
import type {JsonReport, ReportSummary} from './types.js';

/*
 * CSV exports of a run (pure; RFC 4180 quoting by csv-stringify): `PREFIX-stats.csv`, one row per
 * endpoint and a total row with the text summary's figures, and `PREFIX-timeline.csv`, one row per
 * second. Numbers are plain (no thousands separators), latencies in ms, rates as fractions 0..1;
 * an empty cell is a figure that does not apply (no response, closed model).
 */

const statsColumns = [
	'scope', 'name', 'method', 'url', 'weight', 'requests', 'responses', 'errors', 'incomplete', 'retries', 'rps', 'pass_rate', 'error_rate',
	'min_ms', 'mean_ms', 'p50_ms', 'p90_ms', 'p95_ms', 'p99_ms', 'p999_ms', 'max_ms', 'stdev_ms',
	'corrected_p50_ms', 'corrected_p99_ms', 'corrected_max_ms', 'bytes_read', 'checks_passed', 'checks_failed',
] as const;

const timelineColumns = ['t', 'requests', 'responses', 'errors', 'rps', 'p50_ms', 'p90_ms', 'p99_ms', 'max_ms', 'corrected_p99_ms', 'late', 'dropped', 'threads', 'connections', 'rate', 'paused'] as const;

type Cell = string | number | undefined;

function latencyCells(latency: LatencySummary, answered: boolean): Cell[] {
	return answered ? [latency.min, latency.mean, latency.p50, latency.p90, latency.p95, latency.p99, latency.p999, latency.max, latency.stdev] : Array.from({length: 9}, () => undefined);
}

function summaryCells(summary: ReportSummary): Cell[] {
	const answered = summary.responses > 0;
	const corrected = answered ? summary.correctedLatencyMs : undefined;
	return [
		summary.requests, summary.responses, summary.errors, summary.incomplete, summary.retries, summary.rps, summary.passRate ?? undefined, summary.errorRate ?? undefined,
		...latencyCells(summary.latencyMs, answered),
		corrected?.p50, corrected?.p99, corrected?.max,
		summary.bytesRead, summary.checks?.passed, summary.checks?.failed,
	];
}

const csv = (header: readonly string[], rows: Cell[][]): string => stringify([[...header], ...rows], {eof: true, record_delimiter: 'unix'});

/** `PREFIX-stats.csv`: one row per endpoint (scope `endpoint`), then the whole run (scope `total`). */
export function renderStatsCsv(report: JsonReport): string {
	const rows: Cell[][] = report.endpoints.map(endpoint => ['endpoint', endpoint.name, endpoint.method, endpoint.url, endpoint.weight, ...summaryCells(endpoint)]);
	rows.push(['total', 'Total', undefined, undefined, undefined, ...summaryCells(report.summary)]);
	return csv(statsColumns, rows);
}

/** `PREFIX-timeline.csv`: one row per second of the run (the report's timeline). */
export function renderTimelineCsv(report: JsonReport): string {
	return csv(timelineColumns, report.timeline.map(point => [
		point.t, point.requests, point.responses, point.errors, point.rps,
		...(point.responses > 0 ? [point.p50, point.p90, point.p99, point.max] : [undefined, undefined, undefined, undefined]),
		point.correctedP99, point.late, point.dropped, point.threads, point.connections, point.rate, point.paused ? 1 : 0,
	]));
}
