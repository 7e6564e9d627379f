/** Hand-written inline SVG line charts for the HTML report. Pure: data in, markup out. */
import {escapeHtml} from './format.js';

/** A data point: [x, y] in data units. */
export type Point = readonly [number, number];

export type ChartSeries = {
	readonly name: string;
	/** CSS class that gives the series its colour, e.g. `series-p99`. */
	readonly className: string;
	readonly points: readonly Point[];
	readonly dashed?: boolean;
};

/** A labelled vertical line on the x axis (a change during the run). */
export type ChartMarker = {readonly x: number; readonly label: string; readonly kind: string};

export type Tick = {readonly value: number; readonly label: string};

export type ChartSpec = {
	readonly title: string;
	/** Width and height of the viewBox; text is drawn at 11 units, so pick a width near the rendered width. */
	readonly width: number;
	readonly height: number;
	readonly series: readonly ChartSeries[];
	readonly xDomain: readonly [number, number];
	readonly xTicks: readonly Tick[];
	readonly xLabel: string;
	readonly yLabel: string;
	readonly yTick: (value: number) => string;
	/** Text of a point's tooltip (an SVG title, shown without JavaScript). */
	readonly describe: (series: ChartSeries, point: Point) => string;
	readonly markers?: readonly ChartMarker[];
	/** Shaded x ranges (paused windows). */
	readonly bands?: readonly Point[];
	/** Text drawn at the end of the first series (e.g. the maximum). */
	readonly endLabel?: string;
	/** Shown instead of lines when no series has a point. */
	readonly emptyText: string;
};

const charWidth = 6.3;
const rowHeight = 14;
const maxMarkerRows = 3;
const maxDotsPerSeries = 60;

/** A finite number rounded to 0.1 units (SVG coordinates): never NaN or Infinity. */
function coord(value: number): number {
	return Number.isFinite(value) ? Math.round(value * 10) / 10 : 0;
}

/** A "nice" step (1, 2, 2.5 or 5 times a power of ten) not below `raw`. */
export function niceStep(raw: number): number {
	if (!Number.isFinite(raw) || raw <= 0) {
		return 1;
	}

	const power = 10 ** Math.floor(Math.log10(raw));
	const fraction = raw / power;
	const nice = fraction <= 1 ? 1 : (fraction <= 2 ? 2 : (fraction <= 2.5 ? 2.5 : (fraction <= 5 ? 5 : 10)));
	return nice * power;
}

/** Ticks from 0 up to the first nice value at or above `max` (1 when `max` is 0 or not finite). */
export function ticksUpTo(max: number, count: number, label: (value: number) => string): Tick[] {
	const top = Number.isFinite(max) && max > 0 ? max : 1;
	const step = niceStep(top / count);
	const steps = Math.max(1, Math.ceil((top / step) - 1e-9));
	return Array.from({length: steps + 1}, (_, index) => {
		const value = Number((index * step).toPrecision(12));
		return {value, label: label(value)};
	});
}

/** Ticks from 0 that stay within `max` (for a time axis whose end is the end of the run). */
export function ticksWithin(max: number, count: number, label: (value: number) => string): Tick[] {
	const top = Number.isFinite(max) && max > 0 ? max : 1;
	const step = niceStep(top / count);
	const steps = Math.floor((top / step) + 1e-9);
	return Array.from({length: steps + 1}, (_, index) => {
		const value = Number((index * step).toPrecision(12));
		return {value, label: label(value)};
	});
}

type PlacedLabel = {readonly marker: ChartMarker; readonly x: number; readonly row: number; readonly anchor: 'start' | 'end'; readonly text: string};

/**
 * Places marker labels in up to three rows above the plot so that they never overlap: the label,
 * else the marker's number, else no text (row -1; the line is still drawn).
 */
function placeMarkerLabels(markers: readonly ChartMarker[], toX: (value: number) => number, right: number): PlacedLabel[] {
	const rows: Array<Array<readonly [number, number]>> = [];
	const placed: PlacedLabel[] = [];
	const sorted = [...markers].sort((a, b) => a.x - b.x);
	for (const [index, marker] of sorted.entries()) {
		const x = toX(marker.x);
		for (const text of [marker.label, String(index + 1)]) {
			const width = (text.length * charWidth) + 4;
			const anchor = x + 3 + width > right ? 'end' : 'start';
			const span: readonly [number, number] = anchor === 'start' ? [x, x + 3 + width] : [x - 3 - width, x];
			let row = rows.findIndex(spans => spans.every(([from, to]) => span[0] > to + 4 || span[1] < from - 4));
			if (row === -1 && rows.length < maxMarkerRows) {
				row = rows.length;
				rows.push([]);
			}

			if (row !== -1) {
				rows[row]!.push(span);
				placed.push({marker, x, row, anchor, text});
				break;
			}
		}

		if (placed.at(-1)?.marker !== marker) {
			placed.push({marker, x, row: -1, anchor: 'start', text: ''});
		}
	}

	return placed;
}

function polyline(series: ChartSeries, toX: (value: number) => number, toY: (value: number) => number): string {
	const points = series.points.map(([x, y]) => `${coord(toX(x))},${coord(toY(y))}`).join(' ');
	return `<polyline class="line ${escapeHtml(series.className)}${series.dashed ? ' dashed' : ''}" points="${points}" />`;
}

function dots(series: ChartSeries, spec: ChartSpec, toX: (value: number) => number, toY: (value: number) => number): string {
	if (series.points.length > maxDotsPerSeries) {
		return '';
	}

	return series.points
		.map(point => `<circle class="dot ${escapeHtml(series.className)}" cx="${coord(toX(point[0]))}" cy="${coord(toY(point[1]))}" r="2.5"><title>${escapeHtml(spec.describe(series, point))}</title></circle>`)
		.join('');
}

/** Renders a line chart as an inline SVG element. */
export function renderLineChart(spec: ChartSpec): string {
	const {width, height} = spec;
	const hasData = spec.series.some(series => series.points.length > 0);
	const yMax = Math.max(0, ...spec.series.flatMap(series => series.points.map(([, y]) => (Number.isFinite(y) ? y : 0))));
	const yTicks = ticksUpTo(yMax, 4, spec.yTick);
	const yTop = yTicks.at(-1)!.value;
	const left = 12 + (Math.max(...yTicks.map(tick => tick.label.length)) * charWidth) + 22;
	const right = width - 16;
	const [xFrom, xTo] = spec.xDomain;
	const xSpan = xTo > xFrom ? xTo - xFrom : 1;
	const toX = (value: number): number => left + (((value - xFrom) / xSpan) * (right - left));
	const labels = hasData ? placeMarkerLabels(spec.markers ?? [], toX, right) : [];
	const labelRows = Math.max(0, ...labels.map(label => label.row + 1));
	const top = 12 + (labelRows * rowHeight);
	const bottom = height - 42;
	const toY = (value: number): number => bottom - ((value / yTop) * (bottom - top));
	const parts: string[] = [`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(spec.title)}" xmlns="http://www.w3.org/2000/svg">`, `<title>${escapeHtml(spec.title)}</title>`];
	for (const [from, to] of spec.bands ?? []) {
		parts.push(`<rect class="band" x="${coord(toX(from))}" y="${coord(top)}" width="${coord(Math.max(0, toX(to) - toX(from)))}" height="${coord(bottom - top)}"><title>paused</title></rect>`);
	}

	for (const tick of yTicks) {
		const y = coord(toY(tick.value));
		parts.push(`<line class="grid" x1="${coord(left)}" x2="${coord(right)}" y1="${y}" y2="${y}" />`, `<text class="tick" x="${coord(left - 8)}" y="${coord(y + 4)}" text-anchor="end">${escapeHtml(tick.label)}</text>`);
	}

	for (const tick of spec.xTicks) {
		const x = coord(toX(tick.value));
		const half = (tick.label.length * charWidth) / 2;
		const anchor = x + half > width - 2 ? 'end' : (x - half < 2 ? 'start' : 'middle');
		parts.push(`<line class="axis" x1="${x}" x2="${x}" y1="${coord(bottom)}" y2="${coord(bottom + 5)}" />`, `<text class="tick" x="${anchor === 'end' ? coord(Math.min(x + half, width - 2)) : x}" y="${coord(bottom + 18)}" text-anchor="${anchor}">${escapeHtml(tick.label)}</text>`);
	}

	parts.push(
		`<line class="axis" x1="${coord(left)}" x2="${coord(right)}" y1="${coord(bottom)}" y2="${coord(bottom)}" />`,
		`<line class="axis" x1="${coord(left)}" x2="${coord(left)}" y1="${coord(top)}" y2="${coord(bottom)}" />`,
		`<text class="axis-label" x="${coord((left + right) / 2)}" y="${height - 6}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`,
		`<text class="axis-label" transform="translate(12 ${coord((top + bottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`,
	);
	for (const label of labels) {
		const x = coord(label.x);
		const y = coord(10 + (Math.max(0, label.row) * rowHeight));
		const kind = escapeHtml(label.marker.kind);
		parts.push(`<line class="marker marker-${kind}" x1="${x}" x2="${x}" y1="${label.row === -1 ? coord(top) : coord(y + 3)}" y2="${coord(bottom)}"><title>${escapeHtml(label.marker.label)}</title></line>`);
		if (label.row !== -1) {
			parts.push(`<text class="marker-label marker-${kind}" x="${coord(label.anchor === 'start' ? label.x + 3 : label.x - 3)}" y="${y}" text-anchor="${label.anchor}">${escapeHtml(label.text)}</text>`);
		}
	}

	if (hasData) {
		for (const series of spec.series) {
			parts.push(polyline(series, toX, toY), dots(series, spec, toX, toY));
		}

		const last = spec.series[0]?.points.at(-1);
		if (spec.endLabel && last) {
			parts.push(`<text class="end-label" x="${coord(toX(last[0]) - 4)}" y="${coord(Math.min(bottom - 6, toY(last[1]) + 18))}" text-anchor="end">${escapeHtml(spec.endLabel)}</text>`);
		}
	} else {
		parts.push(`<text class="empty" x="${coord((left + right) / 2)}" y="${coord((top + bottom) / 2)}" text-anchor="middle">${escapeHtml(spec.emptyText)}</text>`);
	}

	parts.push('</svg>');
	return parts.join('');
}

/**
 * A chart in a figure with its caption and an HTML legend (scrolls sideways on narrow screens).
 * With `compact`, the figure spans the full width and also holds a narrower drawing that CSS shows
 * instead on small screens (and in print), so the text stays readable without any script.
 */
export function chartFigure(spec: ChartSpec, options: {readonly id: string; readonly compact?: Partial<ChartSpec>; readonly note?: string}): string {
	const legend = spec.series
		.map(series => `<li><span class="swatch ${escapeHtml(series.className)}${series.dashed ? ' dashed' : ''}"></span>${escapeHtml(series.name)}</li>`)
		.join('');
	const drawings = options.compact
		? `<div class="chart-scroll chart-wide">${renderLineChart(spec)}</div><div class="chart-scroll chart-compact">${renderLineChart({...spec, ...options.compact})}</div>`
		: `<div class="chart-scroll">${renderLineChart(spec)}</div>`;
	return `<figure class="chart-figure${options.compact ? ' wide' : ''}" id="${escapeHtml(options.id)}">`
		+ `<figcaption><span class="chart-title">${escapeHtml(spec.title)}</span><ul class="legend">${legend}</ul></figcaption>`
		+ drawings
		+ (options.note ? `<p class="note">${escapeHtml(options.note)}</p>` : '')
		+ '</figure>';
}
