import {formatThresholdActual} from './format.js';
import {metricUnit, parseThreshold} from '../stats/thresholds.js';
import type {JsonReport, ThresholdResult} from './types.js';

/*
 * The JUnit XML report (the surefire shape that CI systems read: testsuites > testsuite >
 * testcase, with failure/error/skipped). Pure. One testsuite per run; its testcases:
 * - "run": the run itself; fails when no request got a response (exit 1), an error when a signal
 *   stopped it before its end;
 * - one per threshold: fails when the threshold failed (exit 99), the actual value and the limit
 *   in the message; skipped for an agent of a distributed run (`merge` judges the thresholds);
 * - one per response check of each endpoint: fails when any checked response failed that check
 *   (a check alone does not fail the run: a `checks>99.9%` threshold does).
 */

type Outcome =
	| {readonly kind: 'passed'}
	| {readonly kind: 'failure' | 'error' | 'skipped'; readonly type: string; readonly message: string; readonly detail?: string};

type TestCase = {
	readonly classname: string;
	readonly name: string;
	readonly timeS: number;
	readonly outcome: Outcome;
};

/** Text as XML character data or a quoted attribute value: escaped, with characters XML 1.0 forbids removed. */
export function escapeXml(text: string): string {
	return text
		// eslint-disable-next-line no-control-regex -- the control characters XML 1.0 does not allow
		.replaceAll(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
		.replaceAll(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;')
		.replaceAll('\'', '&apos;')
		.replaceAll('\n', '&#10;')
		.replaceAll('\r', '&#13;')
		.replaceAll('\t', '&#9;');
}

/** `< 300 ms`, `> 99.9%`: a threshold's limit in the unit its actual figure is given in. */
export function thresholdLimit(expression: string): string | undefined {
	try {
		const threshold = parseThreshold(expression);
		const unit = metricUnit(threshold.metric);
		const value = Number((unit === '%' ? threshold.value * 100 : threshold.value).toFixed(6));
		return `${threshold.operator} ${value}${unit === 'count' ? '' : (unit === '%' ? '%' : ` ${unit}`)}`;
	} catch {
		return undefined;
	}
}

function thresholdCase(report: JsonReport, threshold: ThresholdResult): TestCase {
	const limit = thresholdLimit(threshold.expression);
	const actual = formatThresholdActual(threshold);
	const base = {classname: 'pystress-tui.thresholds', name: threshold.expression, timeS: 0};
	if (report.agent !== undefined) {
		return {...base, outcome: {kind: 'skipped', type: 'agent', message: `agent ${report.agent.index} of ${report.agent.count}: measured its share only (actual ${actual}); pystress-tui merge judges the thresholds on the merged figures`}};
	}

	if (threshold.passed) return {...base, outcome: {kind: 'passed'}};
	const message = `${threshold.expression} failed: actual ${actual}${limit === undefined ? '' : `, limit ${limit}`}`;
	return {...base, outcome: {kind: 'failure', type: 'threshold', message, detail: `threshold: ${threshold.expression}\nendpoint: ${threshold.endpoint ?? '(whole run)'}\nactual: ${actual}\nlimit: ${limit ?? threshold.expression}`}};
}

function checkCases(report: JsonReport): TestCase[] {
	return report.endpoints.flatMap(endpoint => {
		const {checks} = endpoint;
		if (checks === undefined) return [];
		const checked = checks.passed + checks.failed;
		return Object.entries(checks.byName).map(([name, failed]): TestCase => ({
			classname: `pystress-tui.checks.${endpoint.name}`,
			name,
			timeS: 0,
			outcome: failed === 0
				? {kind: 'passed'}
				: {kind: 'failure', type: 'check', message: `${endpoint.name}: check ${name} failed on ${failed} of ${checked} checked responses (actual ${((failed / Math.max(checked, 1)) * 100).toFixed(3)}% failed, limit 0)`},
		}));
	});
}

function runCase(report: JsonReport): TestCase {
	const {summary} = report;
	const base = {classname: 'pystress-tui.run', name: 'the target answered', timeS: summary.durationS};
	if (summary.responses === 0) {
		const kinds = Object.entries(summary.errorKinds).map(([kind, count]) => `${count} ${kind}`).join(', ');
		const message = summary.requests + summary.incomplete === 0 ? 'no request was sent, so nothing was measured' : `no request got a response (${kinds || `${summary.incomplete} incomplete`})`;
		return {...base, outcome: {kind: 'failure', type: 'no-response', message}};
	}

	if (report.stopReason === 'signal') {
		return {...base, outcome: {kind: 'error', type: 'interrupted', message: `a signal stopped the run after ${summary.durationS} s: the figures are partial`}};
	}

	return {...base, outcome: {kind: 'passed'}};
}

function renderCase(test: TestCase): string {
	const open = `    <testcase classname="${escapeXml(test.classname)}" name="${escapeXml(test.name)}" time="${seconds(test.timeS)}"`;
	const {outcome} = test;
	if (outcome.kind === 'passed') return `${open}/>`;
	const body = outcome.detail === undefined ? '/>' : `>${escapeXml(outcome.detail)}</${outcome.kind}>`;
	return `${open}>\n      <${outcome.kind} message="${escapeXml(outcome.message)}" type="${escapeXml(outcome.type)}"${body}\n    </testcase>`;
}

const seconds = (value: number): string => value.toFixed(3);


/**
 * `NAME (GET URL)` for a named endpoint, else `GET URL` (an endpoint's default name, `GET /path`,
 * says nothing more); `3 endpoints (GET URL, …)` for several.
 */
export function runTitle({target, endpoints}: Pick<JsonReport, 'target' | 'endpoints'>): string {
	const request = `${target.method} ${target.url}`;
	if (endpoints.length > 1) return `${endpoints.length} endpoints (${request}, …)`;
	return target.name && target.name !== target.url && !target.name.startsWith(`${target.method} `) ? `${target.name} (${request})` : request;
}

/** The JUnit XML of a run (pure). */
export function renderJunitReport(report: JsonReport): string {
	const cases = [runCase(report), ...(report.thresholds ?? []).map(threshold => thresholdCase(report, threshold)), ...checkCases(report)];
	const count = (kind: Outcome['kind']): number => cases.filter(test => test.outcome.kind === kind).length;
	const {summary} = report;
	const name = escapeXml(`pystress-tui ${runTitle(report)}`);
	const totals = `tests="${cases.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${seconds(summary.durationS)}"`;
	const timestamp = report.startedAt.replace(/\.\d+Z$/, '');
	const properties = [
		['requests', summary.requests],
		['responses', summary.responses],
		['errors', summary.errors],
		['rps', summary.rps],
		['pass_rate', summary.passRate ?? 'n/a'],
		['p50_ms', summary.latencyMs.p50],
		['p99_ms', summary.latencyMs.p99],
		['stop_reason', report.stopReason],
	].map(([key, value]) => `      <property name="${key}" value="${escapeXml(String(value))}"/>`);
	return [
		'<?xml version="1.0" encoding="UTF-8"?>',
		`<testsuites name="pystress-tui" ${totals}>`,
		`  <testsuite name="${name}" ${totals} timestamp="${timestamp}" hostname="localhost">`,
		'    <properties>',
		...properties,
		'    </properties>',
		...cases.map(test => renderCase(test)),
		'  </testsuite>',
		'</testsuites>',
		'',
	].join('\n');
}
