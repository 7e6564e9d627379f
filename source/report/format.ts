/** Formatting helpers shared by the text, TUI and HTML outputs. Pure. */

/**
 * A number rounded to a whole one, with thousands separators: what `Intl.NumberFormat('en-US',
 * {maximumFractionDigits: 0})` prints (halves away from zero; test/format.test.ts holds it to
 * Intl's output). By hand, because building that formatter loads ICU's data: about 10 ms of every
 * run's end, on the path of `-n 1` (test/bench/findings.md, "Start-up changes, by session").
 */
function integer(value: number): string {
	if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : (value > 0 ? '∞' : '-∞');
	// A whole number's shortest digits, as Intl prints them (zeros after them past 2^53); String()
	// writes 1e21 and above with an exponent.
	const text = String(Math.round(Math.abs(value)));
	const exponent = text.indexOf('e+');
	const digits = exponent < 0 ? text : text.slice(0, exponent).replace('.', '').padEnd(Number(text.slice(exponent + 2)) + 1, '0');
	const grouped = digits.replaceAll(/\B(?=(?:\d{3})+$)/g, ',');
	return value < 0 || Object.is(value, -0) ? `-${grouped}` : grouped;
}

export function formatCount(value: number): string {
	return integer(value);
}

/** Requests per second: one decimal below 100, none above. */
export function formatRate(value: number): string {
	return value < 100 ? value.toFixed(1) : integer(value);
}

let settingFormat: Intl.NumberFormat | undefined;

/**
 * A configured rate (req/s), as set: an agent's share of `--rate 201` over 2 agents is 100.5, not
 * "101" (formatRate rounds measured rates).
 */
export function formatSetRate(value: number): string {
	return (settingFormat ??= new Intl.NumberFormat('en-US', {maximumFractionDigits: 3})).format(value);
}

/** Milliseconds with a sensible precision: 0.123 ms, 12.3 ms, 1,234 ms; seconds above 10 s. */
export function formatMs(value: number): string {
	if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
	if (value >= 100) return `${integer(value)} ms`;
	if (value >= 10) return `${value.toFixed(1)} ms`;
	if (value >= 1) return `${value.toFixed(2)} ms`;
	return `${value.toFixed(3)} ms`;
}

/** A fraction as a percentage; `n/a` for null (a rate of nothing, such as the pass rate of no request). */
export function formatPercent(fraction: number | null, digits = 1): string {
	return fraction === null ? 'n/a' : `${(fraction * 100).toFixed(digits)}%`;
}

/** A threshold's actual figure in its unit, `no data` when it had none, with its note. */
export function formatThresholdActual(outcome: {readonly actual: number | null; readonly unit?: string; readonly note?: string}): string {
	if (outcome.actual === null) {
		return 'no data';
	}

	const value = Number(outcome.actual.toFixed(3));
	const unit = outcome.unit === undefined || outcome.unit === 'count' ? '' : (outcome.unit === '%' ? '%' : ` ${outcome.unit}`);
	return `${value}${unit}${outcome.note === undefined ? '' : `, ${outcome.note}`}`;
}

export function formatBytes(bytes: number): string {
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}

	return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatSeconds(seconds: number): string {
	return seconds >= 100 ? `${Math.round(seconds)}s` : `${seconds.toFixed(1)}s`;
}

/** A ratio such as a speedup: 12.3x; `n/a` for null (a figure that could not be computed). */
export function formatRatio(value: number | null): string {
	if (value === null) return 'n/a';
	return `${value >= 100 ? Math.round(value) : value.toFixed(2)}x`;
}

/** Pads/truncates cells into aligned columns. The first column is left-aligned, others right-aligned. */
export function table(rows: ReadonlyArray<readonly string[]>, indent = '  '): string {
	const widths: number[] = [];
	for (const row of rows) {
		for (const [index, cell] of row.entries()) {
			widths[index] = Math.max(widths[index] ?? 0, cell.length);
		}
	}

	return rows
		.map(row => indent + row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ').trimEnd())
		.join('\n');
}

/** Escapes text for HTML (and SVG) element content and quoted attribute values. */
export function escapeHtml(text: string): string {
	return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll('\'', '&#39;');
}

/** An ISO timestamp as `2024-05-01 12:34:56 UTC`; other text unchanged. */
export function formatTimestamp(iso: string): string {
	const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
	return match ? `${match[1]} ${match[2]} UTC` : iso;
}

/** `1 thread`, `2 threads`: a count with its noun, plural when it is not one. */
export function plural(count: number, noun: string): string {
	return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}
