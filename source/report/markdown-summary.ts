import {checksLine} from './checks-format.js';
import {formatCount, formatMs, formatPercent, formatRate, formatSeconds, formatThresholdActual} from './format.js';
import {runTitle, thresholdLimit} from './junit.js';
import type {LatencySummary} from '../stats/histogram.js';
import type {JsonReport} from './types.js';

/*
 * A run as GitHub-flavoured markdown: what a GitHub Actions job summary ($GITHUB_STEP_SUMMARY)
 * or --summary-md shows. Pure. Every cell is escaped (a `|` in an endpoint name must not open a
 * column, a `<` must not start HTML).
 */

/** Text for a table cell or a line: markdown and HTML specials escaped, on one line. */
export function escapeMarkdown(text: string): string {
	return text
		.replaceAll(/\r?\n|\r/g, ' ')
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll(/[\\`*_[\]|#~]/g, character => `\\${character}`);
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, alignRight = true): string[] {
	const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
	return [line(header), line(header.map((_cell, index) => (index === 0 || !alignRight ? '---' : '---:'))), ...rows.map(row => line(row))];
}

const latencyCells = (latency: LatencySummary): string[] => [formatMs(latency.p50), formatMs(latency.p90), formatMs(latency.p99), formatMs(latency.p999), formatMs(latency.max)];

/** Passed, failed or partial: the headline's verdict, by the exit-code rules (see session/outcome.ts). */
function verdict(report: JsonReport): string {
	if (report.summary.responses === 0) return '❌ no response';
	if (report.agent === undefined && report.thresholds?.some(threshold => !threshold.passed)) return '❌ thresholds failed';
	if (report.stopReason === 'signal') return '⚠️ stopped by a signal (partial)';
	return report.thresholds && report.thresholds.length > 0 && report.agent === undefined ? '✅ thresholds passed' : '✅ done';
}

/** The markdown summary of a run; `files` are the report files written for it (listed by name). */
export function renderMarkdownSummary(report: JsonReport, files: readonly string[] = []): string {
	const {summary} = report;
	const lines: string[] = [`### pystress-tui: ${escapeMarkdown(runTitle(report))}: ${verdict(report)}`, ''];
	const errors = summary.errors + summary.incomplete;
	lines.push(...table(['Requests', 'Throughput', 'Pass rate', 'Errors', 'Duration'], [[
		formatCount(summary.requests),
		`${formatRate(summary.rps)} req/s`,
		formatPercent(summary.passRate),
		`${formatCount(errors)} (${formatPercent(summary.errorRate)})`,
		`${formatSeconds(summary.durationS)} (${escapeMarkdown(report.stopReason)})`,
	]]), '');

	if (summary.responses > 0) {
		const corrected = summary.correctedLatencyMs;
		lines.push('#### Latency', '', ...table(['', 'p50', 'p90', 'p99', 'p99.9', 'max'], [
			...(corrected ? [['corrected (from the intended send)', ...latencyCells(corrected)]] : []),
			[corrected ? 'uncorrected' : 'responses', ...latencyCells(summary.latencyMs)],
		]), '');
	}

	if (report.endpoints.length > 1) {
		lines.push('#### Endpoints', '', ...table(['Endpoint', 'Requests', 'req/s', 'Errors', 'Pass', 'p50', 'p99', 'max'], report.endpoints.map(endpoint => [
			escapeMarkdown(`${endpoint.name} (${endpoint.method} ${endpoint.url})`),
			formatCount(endpoint.requests),
			formatRate(endpoint.rps),
			formatCount(endpoint.errors + endpoint.incomplete),
			formatPercent(endpoint.passRate),
			...(endpoint.responses > 0 ? [formatMs(endpoint.latencyMs.p50), formatMs(endpoint.latencyMs.p99), formatMs(endpoint.latencyMs.max)] : ['n/a', 'n/a', 'n/a']),
		])), '');
	}

	if (report.thresholds && report.thresholds.length > 0) {
		const judged = report.agent === undefined;
		lines.push('#### Thresholds', '', ...(judged ? [] : [`Agent ${report.agent!.index} of ${report.agent!.count}: its share only; \`pystress-tui merge\` judges the thresholds on the merged figures.`, '']), ...table(['Result', 'Threshold', 'Actual', 'Limit'], report.thresholds.map(threshold => [
			judged ? (threshold.passed ? '✅ pass' : '❌ fail') : 'not judged',
			escapeMarkdown(threshold.expression),
			escapeMarkdown(formatThresholdActual(threshold)),
			escapeMarkdown(thresholdLimit(threshold.expression) ?? ''),
		]), false), '');
	}

	if (summary.checks) {
		lines.push('#### Response checks', '', escapeMarkdown(checksLine(summary.checks)), '', ...table(['Endpoint', 'Check', 'Failed', 'Of checked'], report.endpoints.flatMap(endpoint => {
			const {checks} = endpoint;
			if (!checks) return [];
			const checked = checks.passed + checks.failed;
			return Object.entries(checks.byName).map(([name, failed]) => [escapeMarkdown(endpoint.name), escapeMarkdown(name), formatCount(failed), formatPercent(checked === 0 ? null : failed / checked)]);
		})), '');
	}

	if (files.length > 0) {
		lines.push('#### Reports', '', ...files.map(file => `- ${escapeMarkdown(file)}`), '');
	}

	return `${lines.join('\n')}\n`;
}
