import {cumulativeBuckets} from '../stats/latency-buckets.js';
import {summarize, type Histogram} from '../stats/histogram.js';

/*
 * The Prometheus text exposition format (version 0.0.4) of a run's live figures. Pure: figures in,
 * text out (session/metrics-server.ts serves it). Written by hand: a dozen families need no
 * client library, and counts come straight from the run's accumulators.
 */

/** Upper bounds of the latency histogram's buckets, seconds (`+Inf` is added). */
export const latencyBucketsSeconds = [0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** Quantiles of the latency summaries. */
const quantiles = [[0.5, 'p50'], [0.9, 'p90'], [0.95, 'p95'], [0.99, 'p99'], [0.999, 'p999']] as const;

/** What the endpoint shows: the run as it stands (see session/live-metrics.ts). */
export type MetricsFigures = {
	/** 1 while the load runs (or drains), 0 once it ended (the figures are then final). */
	readonly running: boolean;
	/** Seconds of load so far. */
	readonly elapsedS: number;
	readonly requests: number;
	readonly responses: number;
	readonly errors: number;
	readonly bytesRead: number;
	readonly statusCodes: Readonly<Record<string, number>>;
	readonly errorKinds: Readonly<Record<string, number>>;
	/** Responses checked, when the endpoints have response checks. */
	readonly checks?: {readonly passed: number; readonly failed: number};
	readonly inFlight: number;
	readonly threads: number;
	readonly connections: number;
	/** Open model: the target rate (req/s). */
	readonly targetRate: number | undefined;
	/** Requests per second over the last completed second. */
	readonly achievedRate: number;
	readonly late: number;
	readonly dropped: number;
	/** Response latency (integer microseconds). */
	readonly latency: Histogram;
	/** Open model: the corrected latency (from the intended send time). */
	readonly correctedLatency?: Histogram | undefined;
	/** Each endpoint, in config order (names unique). */
	readonly endpoints?: ReadonlyArray<{readonly name: string; readonly requests: number; readonly errors: number; readonly latency: Histogram}>;
};

type Sample = readonly [labels: string, value: number];

/** One metric family: HELP, TYPE and its samples. */
function family(name: string, type: 'counter' | 'gauge', help: string, samples: readonly Sample[]): string {
	const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
	for (const [labels, value] of samples) lines.push(`${name}${labels} ${number(value)}`);
	return lines.join('\n');
}

/** A sample value: integers as they are, others with up to 9 significant decimals. */
function number(value: number): string {
	if (Number.isNaN(value)) return 'NaN';
	if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
	return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}

/** A label value, escaped as the format requires (backslash, double quote, line feed). */
function labelValue(text: string): string {
	return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

function byLabel(label: string, counts: Readonly<Record<string, number>>): Sample[] {
	return Object.entries(counts).map(([key, count]) => [`{${label}=${labelValue(key)}}`, count]);
}

/** A latency histogram family (cumulative buckets, sum, count) and a summary family of its quantiles. */
function latencyFamilies(name: string, what: string, histogram: Histogram): string {
	const bounds = latencyBucketsSeconds.map(seconds => Math.round(seconds * 1e6));
	const {counts, total, sumMicros} = cumulativeBuckets(histogram, bounds);
	const sum = number(sumMicros / 1e6);
	const buckets = latencyBucketsSeconds.map((seconds, index) => `${name}_bucket{le="${seconds}"} ${counts[index]!}`);
	const summary = summarize(histogram);
	const quantileLines = total === 0
		? quantiles.map(([quantile]) => `${name}_quantiles{quantile="${quantile}"} NaN`)
		: quantiles.map(([quantile, key]) => `${name}_quantiles{quantile="${quantile}"} ${number(summary[key] / 1000)}`);
	return [
		`# HELP ${name} ${what}, seconds (HDR histogram counted at fixed buckets).`,
		`# TYPE ${name} histogram`,
		...buckets,
		`${name}_bucket{le="+Inf"} ${total}`,
		`${name}_sum ${sum}`,
		`${name}_count ${total}`,
		`# HELP ${name}_quantiles ${what}, seconds: quantiles of the whole run so far, from the HDR histogram.`,
		`# TYPE ${name}_quantiles summary`,
		...quantileLines,
		`${name}_quantiles_sum ${sum}`,
		`${name}_quantiles_count ${total}`,
	].join('\n');
}

/** Per endpoint: requests, errors and a latency summary, labelled `endpoint`. */
function endpointFamilies(endpoints: NonNullable<MetricsFigures['endpoints']>): string[] {
	const label = (name: string): string => `endpoint=${labelValue(name)}`;
	const name = 'pystress_endpoint_latency_seconds';
	const summaryLines = endpoints.flatMap(endpoint => {
		const summary = summarize(endpoint.latency);
		const {total, sumMicros} = cumulativeBuckets(endpoint.latency, []);
		return [
			...quantiles.map(([quantile, key]) => `${name}{${label(endpoint.name)},quantile="${quantile}"} ${total === 0 ? 'NaN' : number(summary[key] / 1000)}`),
			`${name}_sum{${label(endpoint.name)}} ${number(sumMicros / 1e6)}`,
			`${name}_count{${label(endpoint.name)}} ${total}`,
		];
	});
	return [
		family('pystress_endpoint_requests_total', 'counter', 'Finished requests by endpoint.', endpoints.map(endpoint => [`{${label(endpoint.name)}}`, endpoint.requests])),
		family('pystress_endpoint_errors_total', 'counter', 'Requests that got no response, by endpoint.', endpoints.map(endpoint => [`{${label(endpoint.name)}}`, endpoint.errors])),
		[`# HELP ${name} Response latency by endpoint, seconds: quantiles of the whole run so far, from the HDR histogram.`, `# TYPE ${name} summary`, ...summaryLines].join('\n'),
	];
}

/** The `/metrics` text. Counters are the whole run's so far; they start again at 0 for a new run (a counter reset). */
export function renderPrometheusMetrics(figures: MetricsFigures): string {
	const families = [
		family('pystress_running', 'gauge', '1 while the load runs, 0 once it ended (the figures are then final).', [['', figures.running ? 1 : 0]]),
		family('pystress_elapsed_seconds', 'gauge', 'Seconds of load so far (paused time excluded).', [['', figures.elapsedS]]),
		family('pystress_requests_total', 'counter', 'Finished requests: responses and errors (retries included).', [['', figures.requests]]),
		family('pystress_responses_total', 'counter', 'Responses by HTTP status.', byLabel('status', figures.statusCodes)),
		family('pystress_errors_total', 'counter', 'Requests that got no response, by kind (timeout, connect, reset, ...).', byLabel('kind', figures.errorKinds)),
		family('pystress_bytes_read_total', 'counter', 'Response bytes read.', [['', figures.bytesRead]]),
		...(figures.checks ? [family('pystress_checked_responses_total', 'counter', 'Responses judged by response checks: passed every check, or failed one or more.', [['{result="passed"}', figures.checks.passed], ['{result="failed"}', figures.checks.failed]])] : []),
		family('pystress_in_flight_requests', 'gauge', 'Requests sent and not yet answered.', [['', figures.inFlight]]),
		family('pystress_threads', 'gauge', 'Worker threads sending the load.', [['', figures.threads]]),
		family('pystress_connections', 'gauge', 'Connections (the setting in force).', [['', figures.connections]]),
		...(figures.targetRate === undefined ? [] : [family('pystress_target_rate_rps', 'gauge', 'Open model: requests per second asked for.', [['', figures.targetRate]])]),
		family('pystress_achieved_rate_rps', 'gauge', 'Requests per second over the last completed second.', [['', figures.achievedRate]]),
		family('pystress_late_sends_total', 'counter', 'Open model: sends later than planned.', [['', figures.late]]),
		family('pystress_dropped_sends_total', 'counter', 'Open model: sends dropped for being too late (--max-late).', [['', figures.dropped]]),
		latencyFamilies('pystress_latency_seconds', 'Response latency from the actual send', figures.latency),
		...(figures.endpoints ? endpointFamilies(figures.endpoints) : []),
		...(figures.correctedLatency ? [latencyFamilies('pystress_corrected_latency_seconds', 'Open model: response latency from the intended send (coordinated omission corrected)', figures.correctedLatency)] : []),
	];
	return `${families.join('\n')}\n`;
}
