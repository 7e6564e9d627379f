import type {JsonReport} from './types.js';

/**
 * The JSON report as text: two-space indented with a trailing newline, but one line per timeline
 * second (a 10-minute run has 600 of them, each with its histograms: a line each keeps the file
 * small and readable). Parses to exactly the report.
 */
export function renderJsonReport(report: JsonReport): string {
	// (A report without a timeline, say a hand-made one, is written as it is.)
	if (!Array.isArray(report.timeline) || report.timeline.length === 0) return `${JSON.stringify(report, null, 2)}\n`;
	const text = JSON.stringify({...report, timeline: []}, null, 2);
	// A newline followed by two spaces occurs only in the structure (strings escape newlines), so
	// this is the top-level key and nothing else.
	const seconds = report.timeline.map(point => `    ${JSON.stringify(point)}`).join(',\n');
	return `${text.replace('\n  "timeline": []', () => `\n  "timeline": [\n${seconds}\n  ]`)}\n`;
}
