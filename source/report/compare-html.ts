/**
 * The `compare -o` page: one self-contained file (inline CSS and SVG, no script, no request to
 * anything else) in the run report's style, with both runs' charts overlaid. Pure.
 */
import type {CompareRow} from '../stats/compare.js';
import type {PercentilePoint} from '../stats/histogram.js';
import {type CompareResult, differencesText, formatChange, formatFigure, formatInterval, gateText, methodText, rowLabel, rowSentence, runLine, significantRows, verdictText} from './compare-format.js';
import {escapeHtml as esc} from './format.js';
import {chartFigure, type ChartSeries, ticksWithin} from './html-charts.js';
import {spectrumChart, tickCount, tickMs, tickSeconds, type SpectrumLine} from './html-plots.js';
import {card} from './html-sections.js';
import {htmlDocument} from './html-style.js';
import type {JsonReport} from './types.js';


/** Base in grey-blue, new in orange; the corrected (open model) lines dashed. */
const compareCss = `
:root { --c-base: #475569; --c-new: #ea580c; }
@media (prefers-color-scheme: dark) { :root { --c-base: #94a3b8; --c-new: #fb923c; } }
${['base', 'new'].map(name => `.line.series-${name}{stroke:var(--c-${name})}.dot.series-${name}{fill:var(--c-${name})}.swatch.series-${name}{background:var(--c-${name})}`).join('\n')}
td.verdict-worse { color: var(--bad); font-weight: 700; } td.verdict-better { color: var(--good); font-weight: 700; } td.verdict-quiet { color: var(--muted); }
ul.changes { margin: 0; padding-left: 20px; } ul.changes li { margin: 4px 0; }
`;

function verdictClass(row: CompareRow): string {
	if (row.verdict === 'significant') return row.direction === 'worse' ? 'verdict-worse' : 'verdict-better';
	return row.verdict === 'within noise' ? '' : 'verdict-quiet';
}

function scopeTable(rows: readonly CompareRow[]): string {
	const head = '<thead><tr><th></th><th class="num">base</th><th class="num">new</th><th class="num">change</th><th class="num">95% interval</th><th>verdict</th></tr></thead>';
	const body = rows.map(row => `<tr><td class="row-label">${esc(rowLabel(row))}</td><td class="num">${esc(formatFigure(row, row.base, 'base'))}</td><td class="num">${esc(formatFigure(row, row.next, 'next'))}</td>`
		+ `<td class="num">${esc(formatChange(row, row.change))}</td><td class="num">${esc(formatInterval(row))}</td><td class="${verdictClass(row)}">${esc(verdictText(row))}</td></tr>`).join('');
	return `<div class="table-scroll"><table>${head}<tbody>${body}</tbody></table></div>`;
}

function tablesSection(result: CompareResult): string {
	const {rows, shifts} = result.comparison;
	const scopes = [...new Set(rows.map(row => row.endpoint))];
	return scopes.map((scope, index) => {
		const shiftNotes = shifts.filter(shift => shift.endpoint === scope)
			.map(shift => `<p class="note">Shift${shift.corrected ? ' (corrected)' : ''}: a new latency is slower than a base one with probability ${shift.probabilityNextSlower.toFixed(2)} (${esc(shift.magnitude)}; 0.50 is no shift).</p>`).join('');
		return card(index === 0 ? 'figures' : `endpoint-${index}`, scope === null ? 'Whole run' : `Endpoint ${scope}`, scopeTable(rows.filter(row => row.endpoint === scope)) + shiftNotes);
	}).join('\n');
}

function summarySection(result: CompareResult): string {
	const significant = significantRows(result.comparison);
	const changes = significant.length === 0
		? '<p>No significant change: every tested figure is within noise.</p>'
		: `<ul class="changes">${significant.map(row => `<li class="${row.direction === 'worse' ? 'bad' : 'good'}">${esc(rowSentence(row))}</li>`).join('')}</ul>`;
	const gates = result.gates.length === 0
		? ''
		: `<h3>Fail-on gates</h3><ul class="changes">${result.gates.map(outcome => `<li><span class="badge ${outcome.failed ? 'fail' : 'pass'}">${outcome.failed ? 'FAIL' : 'PASS'}</span> ${esc(gateText(outcome))}</li>`).join('')}</ul>`;
	return card('changes', 'Changes', changes + gates + `<p class="note">Method: ${esc(methodText(result.comparison))}.</p>`);
}

type Timed = (point: JsonReport['timeline'][number]) => number | undefined;

function timeFigure(result: CompareResult, id: string, title: string, yLabel: string, value: Timed, yTick: (value: number) => string): string {
	const line = (report: JsonReport, name: string, className: string): ChartSeries => ({
		name,
		className,
		points: report.timeline.flatMap(point => {
			const y = value(point);
			return y === undefined ? [] : [[point.t, y] as const];
		}),
	});
	const series = [line(result.base.report, 'base', 'series-base'), line(result.next.report, 'new', 'series-new')];
	const end = Math.max(1, ...series.flatMap(item => item.points.map(([t]) => t)));
	return chartFigure({
		title,
		width: 540,
		height: 250,
		series,
		xDomain: [0, end],
		xTicks: ticksWithin(end, 6, tickSeconds),
		xLabel: 'time since start',
		yLabel,
		yTick,
		describe: (item, [t, y]) => `${item.name} at ${tickSeconds(Number(t.toFixed(1)))}: ${yTick(y)}`,
		emptyText: 'no samples',
	}, {id});
}

function spectrumFigure(result: CompareResult): string {
	const line = (name: string, className: string, dashed: boolean, points: readonly PercentilePoint[]): SpectrumLine => ({name, className, dashed, points});
	const lines = [line('base', 'series-base', false, result.base.report.percentiles), line('new', 'series-new', false, result.next.report.percentiles)];
	if (result.base.report.correctedPercentiles && result.next.report.correctedPercentiles) {
		lines.push(line('base corrected', 'series-base', true, result.base.report.correctedPercentiles), line('new corrected', 'series-new', true, result.next.report.correctedPercentiles));
	}

	return spectrumChart(lines, {named: true, note: 'The rightmost points are the maxima. Hover a point for its exact value.'});
}

function chartsSection(result: CompareResult): string {
	const corrected = result.base.report.timeline.some(point => point.correctedP99 !== undefined) && result.next.report.timeline.some(point => point.correctedP99 !== undefined);
	const figures = [
		timeFigure(result, 'chart-p99', 'p99 latency over time', 'latency', point => point.p99, tickMs),
		timeFigure(result, 'chart-p50', 'p50 latency over time', 'latency', point => point.p50, tickMs),
		timeFigure(result, 'chart-rps', 'Throughput', 'requests/s', point => point.rps, tickCount),
		corrected ? timeFigure(result, 'chart-corrected', 'Corrected p99 over time', 'latency', point => point.correctedP99, tickMs) : timeFigure(result, 'chart-errors', 'Errors per second', 'errors/s', point => point.errors, tickCount),
	];
	return card('charts', 'Over time', `<div class="charts-grid">${figures.join('')}</div>`) + card('spectrum', 'Latency percentile spectrum', spectrumFigure(result));
}

function banner(result: CompareResult): string {
	const differences = differencesText(result);
	const run = (label: string, file: string, text: string): string => `<p class="meta"><span><b>${label}</b> <span class="mono">${esc(file)}</span></span><span>${esc(text)}</span></p>`;
	return '<header class="banner" id="target">'
		+ `<div class="brand"><strong>pystress-tui</strong><span>comparison of two runs</span><span class="chip">v${esc(result.next.report.tool.version)}</span></div>`
		+ `<h1 class="target-main"><span class="target-url">${esc(result.base.report.target.url)}${result.base.report.target.url === result.next.report.target.url ? '' : ` vs ${esc(result.next.report.target.url)}`}</span></h1>`
		+ run('Base', result.base.file, runLine(result.base))
		+ run('New', result.next.file, runLine(result.next))
		+ (differences === undefined ? '' : `<p class="meta"><span><b>Differ</b></span><span>${esc(differences)}</span></p>`)
		+ '</header>';
}

/** The comparison as one HTML document. */
export function renderCompareHtml(result: CompareResult): string {
	const sections = [summarySection(result), tablesSection(result), chartsSection(result)].join('\n');
	return htmlDocument({
		title: `pystress-tui compare — ${result.base.file} vs ${result.next.file}`,
		version: result.next.report.tool.version,
		css: compareCss,
		parts: [banner(result), '<nav aria-label="Sections"><ul class="toc"><li><a href="#changes">Changes</a></li><li><a href="#figures">Figures</a></li><li><a href="#charts">Charts</a></li><li><a href="#spectrum">Percentiles</a></li></ul></nav>', sections],
		footer: `Generated by pystress-tui ${result.next.report.tool.version} · a self-contained file: no scripts, no external resources.`,
	});
}
