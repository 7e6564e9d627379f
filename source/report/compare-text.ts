/** The `compare` summary for the terminal: a pure `(result) => string`. */
import type {CompareRow, CompareShift} from '../stats/compare.js';
import {type CompareResult, differencesText, formatChange, formatFigure, formatInterval, gateText, methodText, rowLabel, rowSentence, runLine, significantRows, verdictText} from './compare-format.js';
import {table} from './format.js';

function shiftText(shift: CompareShift): string {
	return `P(new slower than base) ${shift.probabilityNextSlower.toFixed(2)}, ${shift.magnitude}`;
}

function scopeTable(rows: readonly CompareRow[], shifts: readonly CompareShift[]): string {
	const lines: string[][] = [['', 'base', 'new', 'change', '95% interval', 'verdict']];
	for (const row of rows) {
		lines.push([rowLabel(row), formatFigure(row, row.base, 'base'), formatFigure(row, row.next, 'next'), formatChange(row, row.change), formatInterval(row), verdictText(row)]);
	}

	const text = table(lines);
	const shiftLines = shifts.map(shift => `  shift${shift.corrected ? ' (corrected)' : ''}: ${shiftText(shift)}`);
	return [text, ...shiftLines].join('\n');
}

/** The whole comparison: runs, method, headline, a table per scope, gates and the result. */
export function renderCompareText(result: CompareResult): string {
	const {comparison, gates} = result;
	const parts: string[] = [
		'PYSTRESS-TUI COMPARE',
		`  Base    ${result.base.file}: ${runLine(result.base)}`,
		`  New     ${result.next.file}: ${runLine(result.next)}`,
	];
	const differences = differencesText(result);
	if (differences !== undefined) parts.push(`  Differ  ${differences}`);
	parts.push(`  Method  ${methodText(comparison)}`, '');
	const significant = significantRows(comparison);
	parts.push(significant.length === 0
		? 'CHANGES\n  none significant: every tested figure is within noise'
		: `CHANGES\n${significant.map(row => `  ${rowSentence(row)}`).join('\n')}`);
	const scopes = [...new Set(comparison.rows.map(row => row.endpoint))];
	for (const scope of scopes) {
		const rows = comparison.rows.filter(row => row.endpoint === scope);
		const shifts = comparison.shifts.filter(shift => shift.endpoint === scope);
		parts.push('', scope === null ? 'WHOLE RUN' : `ENDPOINT ${scope}`, scopeTable(rows, shifts));
	}

	if (gates.length > 0) {
		const failed = gates.filter(outcome => outcome.failed);
		parts.push('', 'FAIL-ON', ...gates.map(outcome => `  ${gateText(outcome)}`), failed.length > 0
			? `  regression: ${failed.map(outcome => outcome.gate.expression).join(', ')} (exit 99)`
			: '  no gate failed');
	}

	return `${parts.join('\n')}\n`;
}
