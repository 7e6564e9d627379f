import {checksPassRate, type CheckCounts} from '../stats/checks.js';
import {escapeHtml, formatCount, formatPercent, table} from './format.js';
import type {JsonReport} from './types.js';

/*
 * Response checks in the text summary and the HTML report (pure). Nothing is shown for a run
 * without checks.
 */

/** "99.0% passed (10 of 1,000 checked responses failed)". */
export function checksLine(checks: CheckCounts): string {
	return `${formatPercent(checksPassRate(checks))} passed (${formatCount(checks.failed)} of ${formatCount(checks.passed + checks.failed)} checked responses failed)`;
}

/** One row per endpoint and check: endpoint, check, failures, share of the endpoint's checked responses. */
export function checkRows(report: JsonReport): string[][] {
	return report.endpoints.flatMap(endpoint => {
		const {checks} = endpoint;
		if (checks === undefined) return [];
		const checked = checks.passed + checks.failed;
		return Object.entries(checks.byName).map(([name, failed]) => [endpoint.name, name, formatCount(failed), formatPercent(checked === 0 ? null : failed / checked)]);
	});
}

/** The text summary's RESPONSE CHECKS section (empty without checks). */
export function checksText(report: JsonReport): string[] {
	const {checks} = report.summary;
	if (checks === undefined) return [];
	return ['', 'RESPONSE CHECKS (failures by check; a failed check is still a response)', `  All checks        ${checksLine(checks)}`, table([['endpoint', 'check', 'failed', 'of checked'], ...checkRows(report)])];
}

/** The HTML report's card body (empty string without checks). */
export function checksHtml(report: JsonReport): string {
	const {checks} = report.summary;
	if (checks === undefined) return '';
	const rows = checkRows(report).map(([endpoint, name, failed, share]) => `<tr><td class="row-label name">${escapeHtml(endpoint!)}</td><td><code>${escapeHtml(name!)}</code></td><td class="num">${failed}</td><td class="num">${share}</td></tr>`).join('');
	return `<p class="${checks.failed === 0 ? 'ok-line' : 'alert'}">${escapeHtml(checksLine(checks))}</p>`
		+ `<div class="table-scroll"><table><thead><tr><th>endpoint</th><th>check</th><th class="num">failed</th><th class="num">of checked</th></tr></thead><tbody>${rows}</tbody></table></div>`
		+ '<p class="note">A response that fails a check still counts as a response under its status code; the checks are counted apart (threshold: checks&gt;99.9%).</p>';
}
