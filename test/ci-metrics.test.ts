/**
 * `--metrics-listen` and `--progress ndjson` end to end through the built CLI: the Prometheus
 * endpoint scraped with a real HTTP client (fetch, i.e. undici) during a run and read by a
 * Prometheus text-format parser (parse-prometheus-text-format) and a strict line grammar; the
 * progress lines read by JSON.parse. Both held against the JSON report.
 */
import {readFileSync, rmSync} from 'node:fs';
import path from 'node:path';
import parsePrometheusTextFormat, {type ParsedFamily} from 'parse-prometheus-text-format';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {runCli, type CliResult} from './helpers/cli.js';
import {temporaryDirectory} from './helpers/sample-report.js';
import {startTarget, type TargetServer} from './helpers/target-server.js';
import {sleep, waitFor} from './helpers/wait.js';

/** The exposition format's lines, strictly: comments HELP/TYPE, samples `name{labels} value`. */
const helpLine = /^# HELP [a-zA-Z_:][\w:]* .*$/;
const typeLine = /^# TYPE ([a-zA-Z_:][\w:]*) (counter|gauge|histogram|summary|untyped)$/;
const sampleLine = /^([a-zA-Z_:][\w:]*)(\{[a-zA-Z_]\w*="(?:[^"\\\n]|\\["\\n])*"(?:,[a-zA-Z_]\w*="(?:[^"\\\n]|\\["\\n])*")*\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|[+-]Inf)$/;

/** Problems with the text by the line grammar: every sample belongs to a family whose TYPE came first. */
function grammarProblems(text: string): string[] {
	const problems: string[] = [];
	const types = new Map<string, string>();
	if (!text.endsWith('\n')) problems.push('no final line feed');
	for (const line of text.slice(0, -1).split('\n')) {
		const type = typeLine.exec(line);
		if (type) {
			if (types.has(type[1]!)) problems.push(`TYPE twice: ${line}`);
			types.set(type[1]!, type[2]!);
			continue;
		}

		if (helpLine.test(line)) continue;
		const sample = sampleLine.exec(line);
		if (!sample) {
			problems.push(`not a valid line: ${line}`);
			continue;
		}

		const name = sample[1]!;
		const family = [name, name.replace(/_(bucket|sum|count)$/, '')].find(candidate => types.has(candidate));
		if (family === undefined) problems.push(`sample before its TYPE: ${line}`);
	}

	return problems;
}

/**
 * One sample read by the line grammar: parse-prometheus-text-format keeps no label but `quantile`
 * on summary samples, so the per-endpoint summary is read this way.
 */
function sample(text: string, name: string, labels: Record<string, string>): number {
	for (const line of text.split('\n')) {
		const match = sampleLine.exec(line);
		if (match?.[1] !== name) continue;
		const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(pair => [pair[1]!, pair[2]!.replaceAll(/\\(.)/g, (_all, character: string) => (character === 'n' ? '\n' : character))]));
		if (Object.keys(found).length === Object.keys(labels).length && Object.entries(labels).every(([key, wanted]) => found[key] === wanted)) return Number(match[3]);
	}

	throw new Error(`no ${name} ${JSON.stringify(labels)} in the scrape`);
}

type Scrape = {readonly text: string; readonly families: Map<string, ParsedFamily>};

function value(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
	const family = scrape.families.get(name);
	const metric = family?.metrics.find(candidate => Object.entries(labels).every(([key, wanted]) => candidate.labels?.[key] === wanted));
	if (metric?.value === undefined) throw new Error(`no ${name} ${JSON.stringify(labels)} in the scrape`);
	return Number(metric.value);
}

function histogram(scrape: Scrape, name: string): {buckets: Array<[number, number]>; count: number; sum: number} {
	const metric = scrape.families.get(name)!.metrics[0]!;
	const buckets = Object.entries(metric.buckets!).map(([le, count]): [number, number] => [le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), Number(count)]);
	return {buckets, count: Number(metric.count), sum: Number(metric.sum)};
}

function quantile(scrape: Scrape, name: string, q: string): number {
	return Number(scrape.families.get(name)!.metrics[0]!.quantiles![q]);
}

/** The counters that only grow during a run: requests, responses by status, each latency bucket. */
function counters(scrape: Scrape): Map<string, number> {
	const figures = new Map<string, number>([['requests', value(scrape, 'pystress_requests_total')], ['bytes', value(scrape, 'pystress_bytes_read_total')]]);
	for (const metric of scrape.families.get('pystress_responses_total')!.metrics) figures.set(`status ${metric.labels!['status']!}`, Number(metric.value));
	for (const [le, count] of histogram(scrape, 'pystress_latency_seconds').buckets) figures.set(`le ${le}`, count);
	return figures;
}

describe('--metrics-listen and --progress ndjson (a real run on loopback)', () => {
	let directory: string;
	let server: TargetServer;
	let run: CliResult;
	const scrapes: Scrape[] = [];
	/** The scrape after the run ended (the endpoint keeps the final figures for it). */
	let final: Scrape | undefined;
	let report: JsonReport;

	beforeAll(async () => {
		directory = temporaryDirectory('pystress-metrics-');
		server = await startTarget();
		let stderr = '';
		const scrape = async (url: string): Promise<Scrape> => {
			const response = await fetch(url);
			expect(response.status).toBe(200);
			expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
			const text = await response.text();
			return {text, families: new Map(parsePrometheusTextFormat(text).map(family => [family.name, family]))};
		};

		const scraper = (async () => {
			await waitFor(() => /^metrics: (http:\S+)$/m.test(stderr), 'the metrics URL on stderr', 20_000);
			const url = /^metrics: (http:\S+)$/m.exec(stderr)![1]!;
			expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
			while (!stderr.includes('metrics: the final figures stay at')) {
				// eslint-disable-next-line no-await-in-loop
				scrapes.push(await scrape(url));
				// eslint-disable-next-line no-await-in-loop
				await sleep(200);
			}

			final = await scrape(url);
		})();
		run = await runCli(['--url', `${server.url}/`, '-d', '3', '--rate', '600', '-c', '4', '-t', '2', '--headless', '--no-baseline', '--metrics-listen', '0', '--progress', 'ndjson', '--json', path.join(directory, 'run.json'), '--no-report'], {
			cwd: directory,
			onStart(child) {
				child.stderr!.on('data', (chunk: Buffer) => {
					stderr += chunk.toString();
				});
			},
		});
		await scraper;
		report = JSON.parse(readFileSync(path.join(directory, 'run.json'), 'utf8')) as JsonReport;
	}, 60_000);

	afterAll(async () => {
		await server?.close();
		rmSync(directory, {recursive: true, force: true});
	});

	it('serves valid Prometheus text during the run; counters never go down between scrapes', () => {
		expect(run.code).toBe(0);
		const running = scrapes.filter(scrape => value(scrape, 'pystress_running') === 1);
		expect(running.length).toBeGreaterThanOrEqual(3);
		for (const scrape of [...scrapes, final!]) expect(grammarProblems(scrape.text)).toEqual([]);
		const families = new Map([...final!.families.values()].map(family => [family.name, family.type]));
		expect(Object.fromEntries(families)).toMatchObject({
			pystress_requests_total: 'COUNTER',
			pystress_responses_total: 'COUNTER',
			pystress_errors_total: 'COUNTER',
			pystress_in_flight_requests: 'GAUGE',
			pystress_threads: 'GAUGE',
			pystress_connections: 'GAUGE',
			pystress_target_rate_rps: 'GAUGE',
			pystress_achieved_rate_rps: 'GAUGE',
			pystress_latency_seconds: 'HISTOGRAM',
			pystress_latency_seconds_quantiles: 'SUMMARY',
			pystress_corrected_latency_seconds: 'HISTOGRAM',
		});
		expect(value(running.at(-1)!, 'pystress_target_rate_rps')).toBe(600);
		expect(value(running.at(-1)!, 'pystress_threads')).toBe(2);
		expect(value(running.at(-1)!, 'pystress_connections')).toBe(4);
		const series = [...scrapes, final!].map(scrape => counters(scrape));
		for (const [index, figures] of series.entries()) {
			if (index === 0) continue;
			for (const [key, figure] of series[index - 1]!) expect(figures.get(key), key).toBeGreaterThanOrEqual(figure);
		}

		expect(series.at(-1)!.get('requests')).toBeGreaterThan(series[0]!.get('requests')!);
	});

	it('the last scrape, after the run, equals the JSON report\'s totals; the buckets agree with the quantiles', () => {
		const last = final!;
		const {summary} = report;
		expect(value(last, 'pystress_running')).toBe(0);
		expect(value(last, 'pystress_requests_total')).toBe(summary.requests);
		expect(summary.requests).toBe(server.count - summary.incomplete);
		for (const [status, count] of Object.entries(summary.statusCodes)) expect(value(last, 'pystress_responses_total', {status})).toBe(count);
		expect(last.families.get('pystress_errors_total')!.metrics).toHaveLength(Object.keys(summary.errorKinds).length);
		expect(value(last, 'pystress_bytes_read_total')).toBe(summary.bytesRead);
		expect(value(last, 'pystress_late_sends_total')).toBe(summary.late);
		expect(value(last, 'pystress_in_flight_requests')).toBe(0);
		for (const endpoint of report.endpoints) {
			expect(value(last, 'pystress_endpoint_requests_total', {endpoint: endpoint.name})).toBe(endpoint.requests);
			expect(value(last, 'pystress_endpoint_errors_total', {endpoint: endpoint.name})).toBe(endpoint.errors);
			expect(sample(last.text, 'pystress_endpoint_latency_seconds_count', {endpoint: endpoint.name})).toBe(endpoint.responses);
			expect(Math.round(sample(last.text, 'pystress_endpoint_latency_seconds', {endpoint: endpoint.name, quantile: '0.99'}) * 1e6)).toBe(Math.round(endpoint.latencyMs.p99 * 1000));
		}

		for (const [name, latency] of [['pystress_latency_seconds', summary.latencyMs], ['pystress_corrected_latency_seconds', summary.correctedLatencyMs!]] as const) {
			const {buckets, count, sum} = histogram(last, name);
			expect(count).toBe(summary.responses);
			expect(buckets.at(-1)).toEqual([Number.POSITIVE_INFINITY, count]);
			expect(sum / count).toBeCloseTo(latency.mean / 1000, 5);
			const quantiles = last.families.get(`${name}_quantiles`)!.metrics[0]!;
			expect(Number(quantiles.count)).toBe(count);
			// Compared in integer microseconds (the HDR unit; the report gives ms with 3 decimals).
			const micros = (seconds: number): number => Math.round(seconds * 1e6);
			expect(micros(quantile(last, `${name}_quantiles`, '0.5'))).toBe(Math.round(latency.p50 * 1000));
			expect(micros(quantile(last, `${name}_quantiles`, '0.99'))).toBe(Math.round(latency.p99 * 1000));
			expect(micros(quantile(last, `${name}_quantiles`, '0.999'))).toBe(Math.round(latency.p999 * 1000));
			// A quantile at or below a bucket's bound means that bucket holds at least that share, and only then.
			for (const [q, ms] of [[0.5, latency.p50], [0.9, latency.p90], [0.99, latency.p99]] as const) {
				for (const [le, cumulative] of buckets) {
					if (le === Number.POSITIVE_INFINITY) continue;
					const needed = Math.ceil(q * count);
					expect(cumulative >= needed, `le ${le}: ${cumulative} of ${count} against p${q * 100} = ${ms} ms`).toBe(Math.round(ms * 1000) <= micros(le));
				}
			}
		}
	});

	it('--progress ndjson: every progress line is one JSON object; the seconds match the report\'s timeline and sum to its total', () => {
		const lines = run.stderr.trimEnd().split('\n');
		const json = lines.filter(line => line.startsWith('{'));
		// Nothing else on those lines, and no other line is a text progress line.
		const others = lines.filter(line => !line.startsWith('{'));
		expect(others.every(line => /^(metrics: |JSON report: )/.test(line)), others.join('\n')).toBe(true);
		const seconds = new Map<number, {t: number; requests: number; p50: number; p99: number; threads: number; connections: number; replaces?: number}>();
		for (const line of json) {
			const point = JSON.parse(line) as {t: number; requests: number; p50: number; p99: number; threads: number; connections: number; replaces?: number};
			expect(Object.keys(point).slice(0, 8)).toEqual(['t', 'requests', 'rps', 'p50', 'p99', 'errors', 'threads', 'connections']);
			if (point.replaces !== undefined) {
				expect(seconds.has(point.replaces)).toBe(true);
				seconds.delete(point.replaces);
			}

			seconds.set(point.t, point);
		}

		const points = [...seconds.values()];
		expect(points.map(point => [point.t, point.requests, point.p50, point.p99])).toEqual(report.timeline.map(point => [point.t, point.requests, point.p50, point.p99]));
		expect(points.reduce((sum, point) => sum + point.requests, 0)).toBe(report.summary.requests);
		expect(points.every(point => point.threads === 2 && point.connections === 4)).toBe(true);
	});
});
