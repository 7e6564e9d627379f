/** Table sections of the HTML report. Pure; every value from the user or the target is escaped. */
import {connectionEventHints, errorHints} from './error-hints.js';
import type {LatencySummary} from '../stats/histogram.js';
import {escapeHtml as esc, formatCount, formatMs, formatPercent, formatRate, formatRatio, formatThresholdActual} from './format.js';
import {generatorStallFigures, generatorStallSplit, generatorStallWarning} from './text.js';
import type {BaselineReport, JsonReport} from './types.js';
import {agentRows, agentsCaption} from './agents-rows.js';
import {phaseColumns, phaseNote, phaseRows} from './phases-format.js';

/** What each error kind usually means, shown beside its count. */
/** A section card with a stable id. */
export function card(id: string, title: string, body: string, extraClass = ''): string {
	return `<section class="card${extraClass ? ` ${extraClass}` : ''}" id="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`;
}

/** `2xx`, `3xx`, ... for a status code, `other` for anything else. */
export function statusClass(code: string): string {
	return /^[2-5]\d\d$/.test(code) ? `${code[0]}xx` : 'other';
}

const latencyColumns = ['min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max', 'stdev'] as const;

function latencyCells(latency: LatencySummary): string {
	return [latency.min, latency.mean, latency.p50, latency.p90, latency.p99, latency.p999, latency.max, latency.stdev].map(value => `<td class="num">${formatMs(value)}</td>`).join('');
}

export function latencySection(report: JsonReport): string {
	const {latencyMs, correctedLatencyMs} = report.summary;
	const head = `<thead><tr><th></th>${latencyColumns.map(column => `<th class="num">${column}</th>`).join('')}</tr></thead>`;
	if (report.summary.responses === 0) {
		return card('latency', 'Latency', '<p class="note">n/a: no response, so no latency to show (failed attempts are counted under Errors, with their time to fail).</p>');
	}

	const rows = [`<tr><td class="row-label">${correctedLatencyMs ? 'uncorrected (from actual send)' : 'all responses'}</td>${latencyCells(latencyMs)}</tr>`];
	if (correctedLatencyMs) {
		rows.push(`<tr><td class="row-label">corrected (from intended send)</td>${latencyCells(correctedLatencyMs)}</tr>`);
	}

	const note = correctedLatencyMs
		? '<p class="note">Open model: the corrected row measures from the time each request was due, so it includes time spent waiting behind slow responses (coordinated omission).</p>'
		: '';
	const stalls = generatorStallFigures(report);
	const stallNote = stalls ? `<p class="note">Generator stalls: ${esc(stalls)}${report.generator.stallWarning ? ': <a href="#generator">they could explain the tail</a>' : ''}.</p>` : '';
	return card('latency', 'Latency', `<div class="table-scroll"><table>${head}<tbody>${rows.join('')}</tbody></table></div>${note}${stallNote}${phasesTable(report)}`);
}

/** Connect, TLS handshake and time to first byte: a slow handshake apart from a slow server. */
function phasesTable(report: JsonReport): string {
	const rows = phaseRows(report.summary);
	if (rows.length === 0) return '';
	const head = phaseColumns.map((column, index) => `<th${index > 0 ? ' class="num"' : ''}>${column}</th>`).join('');
	const body = rows.map(([label, ...cells]) => `<tr><td class="row-label">${esc(label!)}</td>${cells.map(cell => `<td class="num">${esc(cell)}</td>`).join('')}</tr>`).join('');
	const warmUpNote = phaseNote(report.summary, report.warmUp !== undefined);
	return `<h3 id="connect-ttfb">Connect and time to first byte</h3><div class="table-scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div><p class="note">Connect: per new connection (DNS lookup included); TLS handshake: after it; time to first byte: per response, from its send.${warmUpNote === undefined ? '' : ` ${esc(warmUpNote.charAt(0).toUpperCase() + warmUpNote.slice(1))}.`}</p>`;
}

function share(count: number, total: number): string {
	return formatPercent(total > 0 ? count / total : 0);
}

export function statusSection(report: JsonReport): string {
	const {summary} = report;
	const codes = Object.entries(summary.statusCodes).sort(([a], [b]) => a.localeCompare(b));
	const total = Math.max(summary.requests, 1);
	const segments = [
		...codes.map(([code, count]) => `<span class="bar-${statusClass(code)}" style="width:${((count / total) * 100).toFixed(2)}%" title="${esc(code)}: ${formatCount(count)}"></span>`),
		...(summary.errors > 0 ? [`<span class="bar-error" style="width:${((summary.errors / total) * 100).toFixed(2)}%" title="transport errors: ${formatCount(summary.errors)}"></span>`] : []),
	];
	const body = codes.length === 0
		? '<p class="muted">No HTTP responses were received.</p>'
		: `<div class="status-bar" role="img" aria-label="share of each status code">${segments.join('')}</div>`
			+ `<div class="table-scroll"><table><thead><tr><th>status</th><th class="num">count</th><th class="num">share of requests</th></tr></thead><tbody>${codes
				.map(([code, count]) => `<tr><td><span class="badge s${statusClass(code)}">${esc(code)}</span></td><td class="num">${formatCount(count)}</td><td class="num">${share(count, summary.requests)}</td></tr>`)
				.join('')}${summary.errors > 0 ? `<tr><td><span class="badge no-response">no response</span> <span class="muted">(see errors)</span></td><td class="num">${formatCount(summary.errors)}</td><td class="num">${share(summary.errors, summary.requests)}</td></tr>` : ''}</tbody></table></div>`;
	return card('status-codes', 'Status codes', body);
}

export function errorsSection(report: JsonReport): string {
	const {summary} = report;
	const kinds = Object.entries(summary.errorKinds).sort(([, a], [, b]) => b - a);
	const body = kinds.length === 0
		? `<p class="ok-line">✓ No transport errors</p><p class="note">Every request ${summary.incomplete > 0 ? 'that finished ' : ''}got an HTTP response (status codes are counted separately).</p>`
		: `<div class="table-scroll"><table><thead><tr><th>kind and what it usually means</th><th class="num">count</th><th class="num">share</th></tr></thead><tbody>${kinds
			.map(([kind, count]) => `<tr><td class="error-kind"><span class="badge s5xx">${esc(kind)}</span><div class="hint">${esc(errorHints[kind] ?? errorHints['other']!)}</div></td><td class="num">${formatCount(count)}</td><td class="num">${share(count, summary.requests)}</td></tr>`)
			.join('')}</tbody></table></div>`;
	const events = Object.entries(summary.connectionEvents ?? {}).sort(([, a], [, b]) => b - a);
	const eventRows = events.length === 0
		? ''
		: `<h3>Connection events (not errors)</h3><div class="table-scroll"><table><thead><tr><th>event and what it means</th><th class="num">count</th></tr></thead><tbody>${events
			.map(([kind, count]) => `<tr><td class="error-kind"><span class="badge s4xx">${esc(kind)}</span><div class="hint">${esc(connectionEventHints[kind] ?? '')}</div></td><td class="num">${formatCount(count)}</td></tr>`)
			.join('')}</tbody></table></div>`;
	const incomplete = summary.incomplete > 0
		? `<p class="alert"><strong>${formatCount(summary.incomplete)} incomplete.</strong> Requests still in flight when the run ended${summary.incompleteAgeMs ? ` (oldest ${esc(formatMs(summary.incompleteAgeMs.max))})` : ''}: failures for the pass and error rates, and their age counts as a lower bound of their latency for thresholds.</p>`
		: '';
	const failure = summary.failureLatencyMs ? `<p class="note">Time to fail of the errors: p50 ${esc(formatMs(summary.failureLatencyMs.p50))}, max ${esc(formatMs(summary.failureLatencyMs.max))} (not part of the response latency).</p>` : '';
	return card('errors', `Errors (${formatCount(summary.errors)})`, incomplete + body + failure + eventRows);
}

export function endpointsSection(report: JsonReport): string {
	const head = ['name', 'method', 'url', 'weight', 'requests', 'req/s', 'errors', 'pass rate', 'p50', 'p99', 'max']
		.map((column, index) => `<th${index >= 3 ? ' class="num"' : ''}>${column}</th>`)
		.join('');
	const rows = report.endpoints.map(endpoint => `<tr><td class="row-label name">${esc(endpoint.name)}</td><td><code>${esc(endpoint.method)}</code></td><td class="url mono">${esc(endpoint.url)}</td>`
		+ `<td class="num">${esc(String(endpoint.weight))}</td><td class="num">${formatCount(endpoint.requests)}</td><td class="num">${formatRate(endpoint.rps)}</td>`
		+ `<td class="num">${formatCount(endpoint.errors)}</td><td class="num">${formatPercent(endpoint.passRate)}</td>`
		+ (endpoint.responses > 0
			? `<td class="num">${formatMs(endpoint.latencyMs.p50)}</td><td class="num">${formatMs(endpoint.latencyMs.p99)}</td><td class="num">${formatMs(endpoint.latencyMs.max)}</td></tr>`
			: '<td class="num">n/a</td><td class="num">n/a</td><td class="num">n/a</td></tr>'));
	return card('endpoints', report.endpoints.length === 1 ? 'Endpoint' : `Endpoints (${report.endpoints.length})`, `<div class="table-scroll"><table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`);
}

function baselineRow(label: string, baseline: Pick<BaselineReport, 'requests' | 'errors' | 'rps' | 'latencyMs'>): string {
	const latency = baseline.latencyMs.count > 0 ? [baseline.latencyMs.p50, baseline.latencyMs.p99, baseline.latencyMs.max].map(value => `<td class="num">${formatMs(value)}</td>`).join('') : '<td class="num">n/a</td>'.repeat(3);
	return `<tr><td class="row-label">${esc(label)}</td><td class="num">${formatCount(baseline.requests)}</td><td class="num">${baseline.rps > 0 ? formatRate(baseline.rps) : 'n/a'}</td>${latency}<td class="num">${formatCount(baseline.errors)}</td></tr>`;
}

function tile(label: string, value: string, sub: string, unit = ''): string {
	return `<div class="stat"><div class="stat-label">${esc(label)}</div><div class="stat-value">${esc(value)}${unit ? `<span class="unit">${esc(unit)}</span>` : ''}</div><div class="stat-sub">${esc(sub)}</div></div>`;
}

/** Baseline (one connection, sequential) versus this run, and the speedup figures. Empty without either. */
export function baselineSection(report: JsonReport): string {
	const {baseline, speedup, summary} = report;
	const parts: string[] = [];
	if (baseline?.quick ?? baseline?.extended) {
		const rows = [
			...(baseline.quick ? [baselineRow('quick baseline', baseline.quick)] : []),
			...(baseline.extended ? [baselineRow('extended baseline', baseline.extended)] : []),
			baselineRow('this run', {requests: summary.requests, errors: summary.errors, rps: summary.rps, latencyMs: summary.latencyMs}),
		];
		const several = report.endpoints.length > 1;
		const timedOut = baseline.quick?.stoppedAtTimeout ? '<p class="alert">The quick baseline stopped at its first timeout (timeout_ms): the rest would have timed out too.</p>' : '';
		parts.push(`<p class="note">A baseline sends one request at a time on a single connection, before the load test: the target's latency alone${several ? ', each endpoint in turn' : ''}. Its req/s is one connection's rate${baseline.quick ? " (quick baseline: warm requests only, each endpoint's first is cold)" : ''}${several ? ", at the config's mix of endpoints" : ''}.</p>${timedOut}`, `<div class="table-scroll"><table><thead><tr><th>run</th><th class="num">requests</th><th class="num">req/s</th><th class="num">p50</th><th class="num">p99</th><th class="num">max</th><th class="num">errors</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`);
	}

	if (speedup) {
		parts.push(
			`<h3>Speedup versus the ${esc(speedup.against)} baseline</h3><div class="stats">`,
			tile('Throughput', formatRatio(speedup.throughput), 'this run ÷ baseline req/s'),
			tile('p50 latency growth', formatRatio(speedup.latencyGrowthP50), 'under load ÷ alone'),
			tile('p99 latency growth', formatRatio(speedup.latencyGrowthP99), 'under load ÷ alone'),
			tile('Per-connection efficiency', formatPercent(speedup.perConnectionEfficiency), 'speedup ÷ connections'),
			tile('Per thread', formatRate(speedup.perThreadRps), 'per worker thread', 'req/s'),
			'</div>',
		);
		if (speedup.endpoints) {
			const ms = (value: number | null): string => `<td class="num">${value === null ? 'n/a' : formatMs(value)}</td>`;
			const rows = speedup.endpoints.map(endpoint => `<tr><td class="row-label name">${esc(endpoint.name)}</td><td class="num">${esc(String(endpoint.weight))}</td>${ms(endpoint.baselineP50Ms)}${ms(endpoint.p50Ms)}<td class="num">${formatRatio(endpoint.latencyGrowthP50)}</td>${ms(endpoint.baselineP99Ms)}${ms(endpoint.p99Ms)}<td class="num">${formatRatio(endpoint.latencyGrowthP99)}</td></tr>`);
			parts.push(
				'<p class="note">Latency growth per endpoint: its latency under load ÷ its own baseline; the figures above are their mix by weight.</p>',
				`<div class="table-scroll"><table><thead><tr><th>endpoint</th><th class="num">weight</th><th class="num">alone p50</th><th class="num">loaded p50</th><th class="num">growth</th><th class="num">alone p99</th><th class="num">loaded p99</th><th class="num">growth</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
			);
		}

		parts.push(...(speedup.notes ?? []).map(note => `<p class="note">${esc(note)}</p>`));
	}

	return parts.length === 0 ? '' : card('baseline', 'Baseline comparison', parts.join(''));
}

/** A merged report's inputs, one row each (see `agentRows`). */
export function agentsSection(report: JsonReport): string {
	if (!report.merge) return '';
	const [head = [], ...rows] = agentRows(report.merge);
	const numeric = (index: number): boolean => index >= 2 && index < head.length - 1;
	const cell = (tag: 'th' | 'td', text: string, index: number): string => `<${tag}${numeric(index) ? ' class="num"' : ''}>${esc(text)}</${tag}>`;
	const table = `<div class="table-scroll"><table><thead><tr>${head.map((text, index) => cell('th', text, index)).join('')}</tr></thead><tbody>${rows.map(row => `<tr>${row.map((text, index) => cell('td', text, index)).join('')}</tr>`).join('')}</tbody></table></div>`;
	return card('agents', 'Agents', `<p class="note">${esc(agentsCaption(report.merge))}.</p>${table}`);
}

export function thresholdsSection(report: JsonReport): string {
	const thresholds = report.thresholds ?? [];
	if (thresholds.length === 0) {
		return '';
	}

	const passed = thresholds.filter(threshold => threshold.passed).length;
	const rows = thresholds.map(threshold => `<tr><td><span class="badge ${threshold.passed ? 'pass' : 'fail'}">${threshold.passed ? 'PASS' : 'FAIL'}</span></td><td><code>${esc(threshold.expression)}</code></td><td>${esc(threshold.endpoint ?? 'all endpoints')}</td><td class="num">${esc(formatThresholdActual(threshold))}</td></tr>`);
	return card('thresholds', `Thresholds: ${passed} of ${thresholds.length} passed`, `<div class="table-scroll"><table><thead><tr><th>result</th><th>expression</th><th>scope</th><th class="num">actual</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`);
}

export function generatorSection(report: JsonReport): string {
	const {peakEventLoopUtilization, saturated, eventLoopStallMs, maxEventLoopDelayMs, stallShare} = report.generator;
	const warning = saturated
		? `<p class="alert"><strong>Load generator saturated.</strong> A worker thread reached ${formatPercent(peakEventLoopUtilization, 0)} event-loop utilisation: these figures may measure the client rather than the target. Add threads or lower the connections.</p>`
		: '<p class="ok-line">✓ The load generator kept up (below 90% event-loop utilisation).</p>';
	const stallWarning = generatorStallWarning(report);
	const stallRows = eventLoopStallMs === undefined || maxEventLoopDelayMs === undefined
		? ''
		: `<dt>Event-loop stalls</dt><dd>${esc(formatMs(eventLoopStallMs))} (${esc(formatPercent(stallShare ?? 0, 1))} of the workers' time)</dd>${stallSplitRow(report)}<dt>Longest event-loop gap</dt><dd>${esc(formatMs(maxEventLoopDelayMs))}</dd>`;
	const stalls = stallWarning ? `<p class="alert"><strong>Generator stalls could explain the latency's tail.</strong> ${esc(capitalize(stallWarning))}</p>` : '';
	return card('generator', 'Load generator health', `<dl class="kv"><dt>Peak event-loop utilisation</dt><dd>${formatPercent(peakEventLoopUtilization, 0)}</dd>${stallRows}</dl>${warning}${stalls}`);
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** The stalls' split (running, waiting for a core, asleep past a timer), when measured. */
function stallSplitRow(report: JsonReport): string {
	const split = generatorStallSplit(report);
	return split === undefined ? '' : `<dt>Stalled threads were</dt><dd>${esc(split)}</dd>`;
}

export function configSection(report: JsonReport): string {
	const text = JSON.stringify(report.config, null, 2) ?? 'null';
	return card('config', 'Configuration used', `<p class="note">As loaded, with secrets redacted.</p><pre class="config"><code>${esc(text)}</code></pre>`);
}
