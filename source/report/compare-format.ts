/** What the text, JSON and HTML renderings of `compare` share: its input, labels and phrases. Pure. */
import type {CompareRow, Comparison} from '../stats/compare.js';
import type {GateOutcome} from '../stats/compare-gate.js';
import {settingDifferences} from './compare-input.js';
import {formatCount, formatMs, formatPercent, formatRate, formatSeconds, formatSetRate, formatTimestamp, plural} from './format.js';
import type {JsonReport} from './types.js';

/** One compared run: where it was read from and its report. */
export type ComparedRun = {readonly file: string; readonly report: JsonReport};

/** Everything a rendering of `compare` needs. */
export type CompareResult = {
	readonly base: ComparedRun;
	readonly next: ComparedRun;
	readonly comparison: Comparison;
	readonly gates: readonly GateOutcome[];
};

const metricLabels = {rps: 'requests/s', pass: 'pass rate', errors: 'error rate', checks: 'checks passed', min: 'min', mean: 'mean', p50: 'p50', p90: 'p90', p99: 'p99', p999: 'p99.9', max: 'max'} as const;

/** `p99`, `p99 corrected`, `requests/s`. */
export function rowLabel(row: CompareRow): string {
	return `${metricLabels[row.metric]}${row.corrected ? ' corrected' : ''}`;
}

/** A row's figure in its unit: `2.75 ms`, `73,286`, `99.5%`; a checks row with its failed responses (`99.20% (8 failed)`) when `side` is given. */
export function formatFigure(row: CompareRow, value: number | null, side?: 'base' | 'next'): string {
	if (value === null) return 'n/a';
	if (row.metric === 'rps') return formatRate(value);
	const failed = side === undefined ? null : (row.failed?.[side] ?? null);
	if (row.changeKind === 'points') return formatPercent(value, 2) + (failed === null ? '' : ` (${formatCount(failed)} failed)`);
	return formatMs(value);
}

const signed = (text: string, value: number): string => (value > 0 ? `+${text}` : (value < 0 ? text : text.replace(/^-/, '')));

/** A change: `+18%`, `-2.9%`, `+0.50pp`. */
export function formatChange(row: Pick<CompareRow, 'changeKind'>, change: number | null, unit = true): string {
	if (change === null) return 'n/a';
	if (row.changeKind === 'points') return `${signed((change * 100).toFixed(2), change)}${unit ? 'pp' : ''}`;
	const percent = change * 100;
	const digits = Math.abs(percent) < 10 ? 1 : 0;
	return `${signed(percent.toFixed(digits), percent)}${unit ? '%' : ''}`;
}

/** Interval ends beyond a hundredfold are shown as `>+9900%`: a few seconds of a bimodal mix can reach absurd figures. */
const farBeyond = 99;

/** `+12..+24%`, `-100..>+9900%`, or an empty string when not tested. */
export function formatInterval(row: CompareRow): string {
	if (!row.interval) return '';
	const high = row.changeKind === 'relative' && row.interval.high > farBeyond ? `>+${farBeyond * 100}%` : formatChange(row, row.interval.high);
	return `${formatChange(row, row.interval.low, false)}..${high}`;
}

/** `significant, worse`, `within noise`, `not tested (a single sample)`. */
export function verdictText(row: CompareRow): string {
	if (row.verdict === 'significant') return `significant, ${row.direction === 'worse' ? 'worse' : 'better'}`;
	if (row.verdict === 'not tested' || row.verdict === 'no data') return `${row.verdict}${row.note ? ` (${row.note})` : ''}`;
	return row.verdict;
}

/** `p99 +18% (95% CI +12..+24%), significant`, as a headline names a row. */
export function rowSentence(row: CompareRow): string {
	const scope = row.endpoint === null ? '' : `${row.endpoint}: `;
	const interval = row.interval ? ` (95% CI ${formatInterval(row)})` : '';
	return `${scope}${rowLabel(row)} ${formatChange(row, row.change)}${interval}, ${verdictText(row)}`;
}

/** `GET http://host/ · 2026-11-28 20:55:50 UTC · 3.0s · 1 thread, 50 connections, closed model`. */
export function runLine(run: ComparedRun): string {
	const {report} = run;
	const load = report.settings.rate === null ? 'closed model' : `open model, ${formatSetRate(report.settings.rate)} req/s`;
	const more = report.endpoints.length > 1 ? ` (+${report.endpoints.length - 1} more endpoints)` : '';
	return `${report.target.method} ${report.target.url}${more} · ${formatTimestamp(report.startedAt)} · ${formatSeconds(report.summary.durationS)} · ${plural(report.settings.threads, 'thread')}, ${plural(report.settings.connections, 'connection')}, ${load}`;
}

/** The runs' differing load settings, said once (undefined when they ran alike). */
export function differencesText(result: CompareResult): string | undefined {
	const differences = settingDifferences(result.base.report, result.next.report);
	return differences.length === 0 ? undefined : `the runs differ in ${differences.join(', ')}: every change below includes theirs`;
}

const sourceText = {histograms: 'per-second histograms', percentiles: 'per-second percentiles of an older report', none: 'too short to measure'} as const;

/** One sentence on how the intervals were made. */
export function methodText(comparison: Comparison): string {
	const {options, windows, blocks, spreadFrom} = comparison;
	const from = spreadFrom.base === spreadFrom.next ? sourceText[spreadFrom.base] : `${sourceText[spreadFrom.base]} (base), ${sourceText[spreadFrom.next]} (new)`;
	const grouped = blocks.base === windows.base && blocks.next === windows.next ? '' : ` in ${blocks.base} and ${blocks.next} blocks of consecutive seconds`;
	return `block bootstrap over one-second windows (${windows.base} and ${windows.next}${grouped}; ${from}), ${options.iterations} resamples, seed ${options.seed}; 95% intervals; a change whose interval reaches within ±${options.relativeFloor * 100}% (±${options.pointsFloor * 100} pp for rates) is within noise`;
}

/** The rows that are significant changes, worse first. */
export function significantRows(comparison: Comparison): CompareRow[] {
	return comparison.rows.filter(row => row.verdict === 'significant').sort((a, b) => Number(b.direction === 'worse') - Number(a.direction === 'worse'));
}

/** `p99>+10%: p99 +780% (95% CI +650..+900%), significant, worse: FAIL`. */
export function gateText(outcome: GateOutcome): string {
	const {gate, row} = outcome;
	if (!row) return `${gate.expression}: no such figure in both runs`;
	if (outcome.failed && row.next === null) return `${gate.expression}: ${rowLabel(row)} has no data in the new run: FAIL`;
	const status = outcome.failed ? 'FAIL' : (outcome.crossed ? 'crossed, but not significant: pass' : 'pass');
	return `${gate.expression}: ${rowSentence(row)}: ${status}`;
}
