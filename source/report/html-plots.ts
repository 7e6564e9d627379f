/** The report's charts: throughput, latency and errors over time, and the latency percentile spectrum. */
import type {PercentilePoint} from '../stats/histogram.js';
import {chartFigure, type ChartMarker, type ChartSeries, type Point, ticksWithin} from './html-charts.js';
import {formatCount, formatMs, formatRate} from './format.js';
import type {JsonReport} from './types.js';

/** viewBox widths: close to the rendered widths at 1280 px so that text keeps its size. */
const wideWidth = 1100;
const halfWidth = 540;

/** `90s`, `2m`, `2m30s` */
export function tickSeconds(value: number): string {
	if (value >= 120) {
		const seconds = Number((value % 60).toPrecision(3));
		return `${Math.floor(value / 60)}m${seconds === 0 ? '' : `${seconds}s`}`;
	}

	return `${Number(value.toPrecision(4))}s`;
}

/** Short milliseconds for axis ticks: `0`, `0.5 ms`, `20 ms`, `1.5 s`. */
export function tickMs(value: number): string {
	if (value === 0) {
		return '0';
	}

	return value >= 1000 ? `${Number((value / 1000).toPrecision(4))} s` : `${Number(value.toPrecision(4))} ms`;
}

export function tickCount(value: number): string {
	return value >= 1000 ? formatCount(value) : String(Number(value.toPrecision(4)));
}

function timeAxis(report: JsonReport): {readonly domain: Point; readonly markers: ChartMarker[]; readonly bands: Point[]} {
	const end = Math.max(report.timeline.at(-1)?.t ?? 0, ...report.markers.map(marker => marker.t), report.summary.durationS);
	const bands: Point[] = [];
	for (const [index, point] of report.timeline.entries()) {
		if (point.paused) {
			bands.push([report.timeline[index - 1]?.t ?? 0, point.t]);
		}
	}

	return {
		domain: [0, end > 0 ? end : 1],
		markers: report.markers.map(marker => ({x: marker.t, label: marker.label, kind: marker.kind})),
		bands,
	};
}

const describeAt = (format: (value: number) => string) => (series: ChartSeries, [t, value]: Point): string => `${series.name} at ${tickSeconds(Number(t.toFixed(1)))}: ${format(value)}`;

function timeChart(report: JsonReport, options: {title: string; yLabel: string; series: ChartSeries[]; yTick: (value: number) => string; format: (value: number) => string; wide: boolean}) {
	const axis = timeAxis(report);
	const width = options.wide ? wideWidth : halfWidth;
	return {
		title: options.title,
		width,
		height: options.wide ? 300 : 250,
		series: options.series,
		xDomain: axis.domain,
		xTicks: ticksWithin(axis.domain[1], options.wide ? 10 : 6, tickSeconds),
		xLabel: 'time since start',
		yLabel: options.yLabel,
		yTick: options.yTick,
		describe: describeAt(options.format),
		markers: axis.markers,
		bands: axis.bands,
		emptyText: 'no samples: the run ended before the first one-second window',
	};
}

/** Requests per second over time (and the target rate in the open model). */
export function throughputFigure(report: JsonReport): string {
	const series: ChartSeries[] = [{name: 'requests/s', className: 'series-rps', points: report.timeline.map(point => [point.t, point.rps])}];
	if (report.timeline.some(point => point.rate !== undefined)) {
		series.push({name: 'target rate', className: 'series-rate', dashed: true, points: report.timeline.flatMap(point => (point.rate === undefined ? [] : [[point.t, point.rate] as const]))});
	}

	return chartFigure(timeChart(report, {title: 'Throughput', yLabel: 'requests/s', series, yTick: tickCount, format: value => `${formatRate(value)} req/s`, wide: false}), {id: 'chart-rps'});
}

/** Transport errors per second over time (derived from each window's share of errors). */
export function errorsFigure(report: JsonReport): string {
	const points = report.timeline.map((point): Point => [point.t, point.requests > 0 ? (point.errors / point.requests) * point.rps : 0]);
	const series: ChartSeries[] = [{name: 'errors/s', className: 'series-errors', points}];
	return chartFigure(timeChart(report, {title: 'Errors', yLabel: 'errors/s', series, yTick: tickCount, format: value => `${formatRate(value)} errors/s`, wide: false}), {id: 'chart-errors'});
}

/** p50/p90/p99 latency over time, plus the corrected p99 in the open model. */
export function latencyFigure(report: JsonReport): string {
	const series: ChartSeries[] = [
		{name: 'p50', className: 'series-p50', points: report.timeline.map(point => [point.t, point.p50])},
		{name: 'p90', className: 'series-p90', points: report.timeline.map(point => [point.t, point.p90])},
		{name: 'p99', className: 'series-p99', points: report.timeline.map(point => [point.t, point.p99])},
	];
	if (report.timeline.some(point => point.correctedP99 !== undefined)) {
		series.push({name: 'p99 corrected (from intended send time)', className: 'series-corrected', dashed: true, points: report.timeline.flatMap(point => (point.correctedP99 === undefined ? [] : [[point.t, point.correctedP99] as const]))});
	}

	const options = {title: 'Latency over time', yLabel: 'latency', series, yTick: tickMs, format: formatMs};
	const {width, height, xTicks} = timeChart(report, {...options, wide: false});
	return chartFigure(timeChart(report, {...options, wide: true}), {id: 'chart-latency', compact: {width, height, xTicks}});
}

/** `x = log10(1 / (1 - p/100))`: 0 at 0%, 1 at 90%, 2 at 99%, ... (Infinity at 100%). */
function decades(percentile: number): number {
	return percentile >= 100 ? Number.POSITIVE_INFINITY : Math.log10(100 / (100 - percentile));
}

/** `0%`, `90%`, `99%`, `99.9%`, ... */
export function decadeLabel(decade: number): string {
	if (decade === 0) {
		return '0%';
	}

	return decade === 1 ? '90%' : `${(100 - (100 / (10 ** decade))).toFixed(decade - 2)}%`;
}

/** One line of a percentile spectrum. */
export type SpectrumLine = {readonly name: string; readonly className: string; readonly dashed: boolean; readonly points: readonly PercentilePoint[]};

/**
 * Percentile spectra on a log axis, as HdrHistogram plots them (the maxima at the right edge): one
 * chart for a run's report and for `compare`'s two runs. `named`: hover texts start with the line's
 * name (several runs on one chart).
 */
export function spectrumChart(lines: readonly SpectrumLine[], options: {readonly named: boolean; readonly endLabel?: string | undefined; readonly note: string}): string {
	const finite = lines.flatMap(line => line.points.map(point => decades(point.percentile)).filter(value => Number.isFinite(value)));
	const edge = Math.max(1, Math.ceil(Math.max(0, ...finite) + 0.1));
	const series: ChartSeries[] = lines.map(line => ({
		name: line.name,
		className: line.className,
		dashed: line.dashed,
		points: line.points.map((point): Point => [Math.min(edge, decades(point.percentile)), point.latencyMs]),
	}));
	return chartFigure({
		title: 'Latency by percentile',
		width: wideWidth,
		height: 320,
		series,
		xDomain: [0, edge],
		xTicks: Array.from({length: edge + 1}, (_, decade) => ({value: decade, label: decadeLabel(decade)})),
		xLabel: 'percentile (log scale: each step is ten times rarer)',
		yLabel: 'latency',
		yTick: tickMs,
		describe(item, [x, y]) {
			const where = x >= edge ? 'max' : `p${Number((100 - (100 / (10 ** x))).toPrecision(6))}`;
			return `${options.named ? `${item.name} ` : ''}${where}: ${formatMs(y)}`;
		},
		...(options.endLabel === undefined ? {} : {endLabel: options.endLabel}),
		emptyText: 'no latency samples',
	}, {id: 'chart-spectrum', compact: {width: halfWidth, height: 280}, note: options.note});
}

/** A run's latency percentile spectrum (and the corrected one in the open model). */
export function spectrumFigure(report: JsonReport): string {
	const lines: SpectrumLine[] = [{name: 'latency', className: 'series-spectrum', dashed: false, points: report.percentiles}];
	if (report.correctedPercentiles) {
		lines.push({name: 'corrected (from intended send time)', className: 'series-corrected', dashed: true, points: report.correctedPercentiles});
	}

	const max = report.percentiles.at(-1)?.latencyMs;
	return spectrumChart(lines, {named: false, endLabel: max === undefined ? undefined : `max ${formatMs(max)}`, note: 'The rightmost point is the maximum. Hover a point for its exact value.'});
}
