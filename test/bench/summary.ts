/**
 * The bench's one summary table, printed at the end and written as JSON to BENCH_JSON: a row per
 * figure with a target (or a reference figure), its median over rounds and the range.
 */
import {execFileSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import os from 'node:os';
import {fixed, meanInterval, median, range} from './stats.js';

/** PASS/MISSED against a target; INFO has none; N/A when the check does not apply; FAIL only for soak (exit 1). */
export type Verdict = 'PASS' | 'MISSED' | 'INFO' | 'N/A' | 'FAIL';

export type SummaryRow = {
	readonly case: string;
	/** What the figure is, e.g. "CPU/request ours/wrk, 50 conns". */
	readonly measure: string;
	/** Our median figure, with its unit. */
	readonly ours: string;
	/** The reference's median figure (or the baseline), with its unit. */
	readonly reference: string;
	/** The figure judged against the target: median over rounds and range, in `unit`. */
	readonly median: number;
	readonly min: number | null;
	readonly max: number | null;
	readonly unit: 'ratio' | 'ms' | 'MB' | '%';
	readonly target: string;
	readonly verdict: Verdict;
	/** Why N/A, or what to keep in mind. */
	readonly note?: string;
	/** Ratio rows over 5 rounds or more: the mean of the per-round ratios and its 95% interval's half-width. */
	readonly mean?: number;
	readonly ci95?: number;
};

/** PASS or MISSED. */
export const verdict = (met: boolean): Verdict => (met ? 'PASS' : 'MISSED');

export type RatioRowInput = {
	readonly case: string;
	readonly measure: string;
	/** Our figure and the reference's, one per round (same rounds, same order). */
	readonly ours: readonly number[];
	readonly reference: readonly number[];
	readonly referenceName: string;
	/** A figure with its unit, e.g. "5.77 µs". */
	readonly format: (value: number) => string;
	/** The target on the median ratio; none: INFO. */
	readonly target?: {readonly text: string; readonly met: (ratio: number) => boolean};
};

/** A row of per-round ratios ours/reference: their median and range, judged against the target. */
export function ratioRow(input: RatioRowInput): SummaryRow {
	const ratios = input.ours.map((value, index) => value / input.reference[index]!);
	const [min, max] = range(ratios);
	const ratio = median(ratios);
	const interval = ratios.length >= 5 ? meanInterval(ratios) : undefined;
	return {
		...(interval ? {mean: interval.mean, ci95: interval.half} : {}),
		case: input.case,
		measure: input.measure,
		ours: input.format(median(input.ours)),
		reference: `${input.referenceName} ${input.format(median(input.reference))}`,
		median: ratio,
		min,
		max,
		unit: 'ratio',
		target: input.target?.text ?? '',
		verdict: input.target ? verdict(input.target.met(ratio)) : 'INFO',
	};
}

/** The line printed under a case for a ratio row: median and range over rounds, and the verdict. */
export function ratioLine(row: SummaryRow): string {
	const mean = row.mean === undefined ? '' : `; mean ${fixed(row.mean, 3)} ± ${fixed(row.ci95 ?? Number.NaN, 3)} at 95%`;
	return `median ${row.measure}: ${fixed(row.median, 3)} (range ${fixed(row.min ?? Number.NaN, 3)}-${fixed(row.max ?? Number.NaN, 3)}${mean}; ours ${row.ours}, ${row.reference})${row.target ? `, target ${row.target}: ${row.verdict}` : ''}`;
}

const digits = (unit: SummaryRow['unit']): number => (unit === 'ratio' ? 3 : unit === 'ms' ? 3 : 1);

/** The table as lines of text. */
export function formatSummary(rows: readonly SummaryRow[]): string[] {
	const header = ['case', 'measure', 'ours', 'reference', 'median', 'range', 'target', 'result'];
	const cells = rows.map(row => [
		row.case,
		row.measure,
		row.ours,
		row.reference,
		`${fixed(row.median, digits(row.unit))}${row.unit === 'ratio' ? '' : row.unit === '%' ? '%' : ` ${row.unit}`}`,
		row.min === null || row.max === null ? '' : `${fixed(row.min, digits(row.unit))}..${fixed(row.max, digits(row.unit))}`,
		row.target,
		row.note ? `${row.verdict} (${row.note})` : row.verdict,
	]);
	const widths = header.map((title, column) => Math.max(title.length, ...cells.map(line => line[column]!.length)));
	const line = (values: readonly string[]): string => values.map((value, column) => value.padEnd(widths[column]!)).join('  ').trimEnd();
	return [line(header), line(widths.map(width => '-'.repeat(width))), ...cells.map(values => line(values))];
}

/** Writes the rows, with the commit and the machine, as JSON (for the readme's Performance section). */
export function writeSummaryJson(file: string, rows: readonly SummaryRow[], settings: Readonly<Record<string, unknown>>): void {
	let commit = 'unknown';
	try {
		commit = execFileSync('git', ['rev-parse', 'HEAD'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
	} catch {}

	const machine = {cpuModel: os.cpus()[0]?.model ?? 'unknown', logicalProcessors: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}`};
	writeFileSync(file, `${JSON.stringify({generatedAt: new Date().toISOString(), commit, machine, settings, rows}, null, '\t')}\n`);
}
