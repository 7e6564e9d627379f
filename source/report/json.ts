import type {JsonReport} from './types.js';

/** The JSON report as text (two-space indented, trailing newline). */
export function renderJsonReport(report: JsonReport): string {
	return `${JSON.stringify(report, null, 2)}\n`;
}
