/** Pure text helpers for the TUI (bars, sparklines, fitting text into a width). */

const sparks = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** A horizontal bar `████░░░░` of `width` cells, filled to `fraction` (0..1). */
export function bar(fraction: number, width: number): string {
	const cells = Math.max(0, Math.floor(width));
	const filled = Math.round(Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * cells);
	return '█'.repeat(filled) + '░'.repeat(cells - filled);
}

/** A one-line sparkline of the last `width` values (scaled to the largest; zero is the lowest bar, anything above zero is higher). */
export function sparkline(values: readonly number[], width: number): string {
	const shown = values.slice(-Math.max(0, width));
	const max = Math.max(0, ...shown);
	return shown.map(value => (max <= 0 || value <= 0 ? sparks[0] : sparks[Math.max(1, Math.min(sparks.length - 1, Math.round((value / max) * (sparks.length - 1))))])).join('');
}

/** Cuts text to `width` characters, ending with `…` when cut. */
export function truncate(text: string, width: number): string {
	if (width <= 0) return '';
	return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Joins segments with `separator` into as few lines as fit `width` (a too-long segment is truncated). */
export function wrapSegments(segments: readonly string[], width: number, separator = ' · '): string[] {
	const lines: string[] = [];
	let line = '';
	for (const segment of segments) {
		const cut = truncate(segment, width);
		if (line === '') {
			line = cut;
		} else if (line.length + separator.length + cut.length <= width) {
			line += separator + cut;
		} else {
			lines.push(line);
			line = cut;
		}
	}

	if (line !== '') lines.push(line);
	return lines;
}

/** Keeps the segments that fit on one line of `width`, in order, dropping the rest. */
export function fitSegments(segments: readonly string[], width: number, separator = ' · '): string {
	let line = '';
	for (const segment of segments) {
		const next = line === '' ? segment : line + separator + segment;
		if (next.length > width) break;
		line = next;
	}

	return line === '' ? truncate(segments[0] ?? '', width) : line;
}

/** Compact count: 950, 9.5k, 12k, 1.2M. */
export function compact(value: number): string {
	const abs = Math.abs(value);
	if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
	if (abs >= 1e3) return `${(value / 1e3).toFixed(abs >= 1e4 ? 0 : 1)}k`;
	if (abs >= 100 || Number.isInteger(value)) return value.toFixed(0);
	return value.toFixed(abs >= 10 ? 1 : 2);
}
