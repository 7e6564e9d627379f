import {Box, Text} from 'ink';
import {formatBytes, formatCount, formatMs, formatPercent, formatRate, formatRatio, formatSeconds, formatSetRate, formatThresholdActual, plural, table} from '../../report/format.js';
import type {JsonReport} from '../../report/types.js';
import {phaseNote, phaseSegments} from '../../report/phases-format.js';
import type {LatencySummary} from '../../stats/histogram.js';
import Chart from '../components/chart.js';
import ChecksLine from '../components/checks-line.js';
import EndpointTable from '../components/endpoint-table.js';
import StatusCodes from '../components/status-codes.js';
import {wrapSegments} from '../format.js';
import type {Summary} from '../state/app-state.js';
import {markerLegend, markerRow, saturationThreshold} from '../state/dashboard-state.js';
import {chartLabelColumns} from '../state/layout.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly summary: Summary;
	readonly target: string;
	readonly width: number;
	readonly lines: number;
};

type Tone = 'plain' | 'muted' | 'accent' | 'ok' | 'error';
type Line = {readonly text: string; readonly tone: Tone};

function latencyRow(label: string, latency: LatencySummary): string[] {
	return [label, formatMs(latency.min), formatMs(latency.mean), formatMs(latency.p50), formatMs(latency.p90), formatMs(latency.p99), formatMs(latency.p999), formatMs(latency.max)];
}

/** Start settings, and the settings at the end when they were changed live. */
export function settingsSegments(report: JsonReport): string[] {
	const {settings} = report;
	const rate = (value: number | null): string => (value === null ? 'closed model' : `rate ${formatSetRate(value)}/s`);
	const segments = [`${plural(settings.threads, 'thread')}, ${plural(settings.connections, 'connection')}, ${rate(settings.rate)}`];
	const {final} = settings;
	if (final.threads !== settings.threads || final.connections !== settings.connections || final.rate !== settings.rate) {
		segments.push(`changed live to ${plural(final.threads, 'thread')}, ${plural(final.connections, 'connection')}, ${rate(final.rate)}`);
	}

	return segments;
}

/**
 * Baseline and speedup figures, when the run had a baseline. With several endpoints the baseline
 * measured each one alone and the growth is each endpoint's own, mixed by weight (per endpoint in
 * the endpoint table); a figure that cannot be right reads n/a, with why.
 */
export function baselineSegments(report: JsonReport): string[] {
	const segments: string[] = [];
	const several = report.endpoints.length > 1;
	for (const kind of ['quick', 'extended'] as const) {
		const baseline = report.baseline?.[kind];
		if (!baseline) continue;
		const rate = baseline.rps > 0 ? `${formatRate(baseline.rps)} req/s${several ? " at the config's mix" : ''}` : 'req/s n/a';
		const latency = baseline.latencyMs.count > 0 ? `p50 ${formatMs(baseline.latencyMs.p50)}, p99 ${formatMs(baseline.latencyMs.p99)}` : 'no response';
		// With several endpoints a p50 over all of them alone compares with nothing: each endpoint's is in the table.
		segments.push(several ? `${kind} baseline ${formatCount(baseline.requests)} req (each endpoint alone, in turn), ${rate}` : `${kind} baseline ${formatCount(baseline.requests)} req, ${rate}, ${latency}`);
		if (baseline.stoppedAtTimeout) segments.push('stopped at its first timeout: the rest would time out too');
	}

	const {speedup} = report;
	if (speedup) {
		const efficiency = speedup.perConnectionEfficiency === null
			? (speedup.throughput === null ? 'per connection n/a' : 'per connection n/a (above 110%: each connection under load beat the lone one)')
			: `per connection ${formatPercent(speedup.perConnectionEfficiency)}`;
		segments.push(
			`speedup vs ${speedup.against}: throughput ${formatRatio(speedup.throughput)}`,
			`latency growth p50 ${formatRatio(speedup.latencyGrowthP50)}, p99 ${formatRatio(speedup.latencyGrowthP99)}${speedup.endpoints ? ' (each endpoint vs itself alone, by weight)' : ''}`,
			efficiency,
			`per thread ${formatRate(speedup.perThreadRps)} req/s`,
		);
		const below = speedup.endpoints ? speedup.endpoints.some(endpoint => endpoint.latencyGrowthP50 !== null && endpoint.latencyGrowthP50 < 1) : speedup.latencyGrowthP50 !== null && speedup.latencyGrowthP50 < 1;
		if (below) segments.push('growth below 1x: faster under load than alone (a lone request waits for idle processes to wake up)');
	}

	return segments;
}

/** Every line of the summary except the endpoint table and the chart (they get what room is left). */
export function summaryLines(summary: Summary, width: number): {top: Line[]; bottom: Line[]} {
	const {report, saved} = summary;
	const totals = report.summary;
	const tone = (tone: Tone) => (text: string): Line => ({text, tone});
	const top: Line[] = [
		...wrapSegments(settingsSegments(report), width, ' · ').map(tone('muted')),
		...wrapSegments([`${formatCount(totals.requests)} requests`, `${formatCount(totals.responses)} responses`, `${formatCount(totals.errors)} errors`, ...(totals.incomplete > 0 ? [`${formatCount(totals.incomplete)} incomplete`] : []), `${formatRate(totals.rps)} req/s`, `pass ${formatPercent(totals.passRate)}`, `${formatBytes(totals.durationS > 0 ? totals.bytesRead / totals.durationS : 0)}/s read`], width).map(tone('plain')),
		...(totals.responses === 0
			? [tone('error')('latency n/a: no response')]
			: table([['latency', 'min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max'], latencyRow(totals.correctedLatencyMs ? 'actual' : '', totals.latencyMs), ...(totals.correctedLatencyMs ? [latencyRow('corrected', totals.correctedLatencyMs)] : [])], '').split('\n').map(tone('plain'))),
		...wrapSegments([...phaseSegments(totals), ...[phaseNote(totals, report.warmUp !== undefined)].filter(note => note !== undefined)], width, ' · ').map(tone('muted')),
		...(totals.incomplete > 0 ? [tone('error')(`${formatCount(totals.incomplete)} incomplete: still in flight when the run ended${totals.incompleteAgeMs ? `, oldest ${formatMs(totals.incompleteAgeMs.max)}` : ''}`)] : []),
	];
	const saturated = report.generator.peakEventLoopUtilization >= saturationThreshold;
	const peak = `generator peak event-loop use ${formatPercent(report.generator.peakEventLoopUtilization, 0)}`;
	const thresholds = report.thresholds ?? [];
	const bottom: Line[] = [
		...(thresholds.length > 0 ? wrapSegments(thresholds.map(threshold => `${threshold.passed ? '✓' : '✗'} ${threshold.expression} (actual ${formatThresholdActual(threshold)})`), width, '  ').map(tone(thresholds.every(threshold => threshold.passed) ? 'ok' : 'error')) : []),
		...wrapSegments(baselineSegments(report), width).map(tone('accent')),
		...(saturated ? wrapSegments([`${peak}: SATURATED`, 'the figures measure the client, not the server'], width) : [`${peak}: fine`]).map(tone(saturated ? 'error' : 'muted')),
		...(saved === undefined ? [tone('muted')('no report written (--no-report): press s to save one')] : []),
		...(saved?.written ?? []).map(file => tone('ok')(`report: ${file}`)),
		...(saved?.errors ?? []).map(error => tone('error')(`error: ${error}`)),
	];
	return {top, bottom};
}

/** The final figures of a run, where the reports went, and what to do next. */
export default function SummaryScreen({summary, target, width, lines}: Props) {
	const theme = useTheme();
	const {report} = summary;
	const colours: Readonly<Record<Tone, string | undefined>> = {plain: undefined, muted: theme.muted, accent: theme.accent, ok: theme.ok, error: theme.error};
	const {top, bottom} = summaryLines(summary, width);
	// Title and status codes take one line each (and the checks line, with checks).
	let room = lines - top.length - bottom.length - 2 - (report.summary.checks ? 1 : 0);
	const wantedEndpoints = report.endpoints.length > 1 ? report.endpoints.length + 1 : 0;
	const endpointLines = Math.min(wantedEndpoints, Math.max(0, room));
	room -= endpointLines;
	const chartHeight = Math.min(8, room - 3);
	const points = report.timeline.slice(-(width - chartLabelColumns - 1));
	const show = (line: Line, index: number) => (
		<Text key={`${index}:${line.text}`} wrap="truncate" color={colours[line.tone]}>{line.text}</Text>
	);
	return (
		<Box flexDirection="column" width={width}>
			<Text wrap="truncate">
				<Text bold inverse color={theme.accent}>{' SUMMARY '}</Text>
				<Text bold>{` ${target}`}</Text>
				<Text color={theme.muted}>{` · stopped: ${report.stopReason} · ${formatSeconds(report.summary.durationS)}`}</Text>
			</Text>
			{top.map(show)}
			<StatusCodes statusCodes={report.summary.statusCodes} errorKinds={report.summary.errorKinds} requests={report.summary.requests} />
			{report.summary.checks ? <ChecksLine checks={report.summary.checks} endpoints={report.endpoints} /> : undefined}
			{endpointLines >= 2 ? (
				<EndpointTable
					endpoints={report.endpoints.map((endpoint, index) => {
						const growth = report.speedup?.endpoints?.[index];
						return {name: endpoint.name, method: endpoint.method, requests: endpoint.requests, errors: endpoint.errors, passRate: endpoint.passRate, p50: endpoint.latencyMs.p50, p99: endpoint.latencyMs.p99, ...(growth ? {growthP50: growth.latencyGrowthP50, growthP99: growth.latencyGrowthP99} : {})};
					})}
					durationS={report.summary.durationS}
					rows={endpointLines - 1}
					width={width}
				/>
			) : undefined}
			{bottom.map(show)}
			{chartHeight >= 2 && points.length > 1 ? (
				<Chart title={report.markers.length > 0 ? `requests/s over the run · ${markerLegend(report.markers)}` : 'requests/s over the run'} series={[points.map(point => point.rps)]} height={chartHeight} width={width} unit="rate" markers={markerRow(points, report.markers)} />
			) : undefined}
		</Box>
	);
}
