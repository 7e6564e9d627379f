import {connectionEventHints, errorHints} from './error-hints.js';
import {describeNetwork} from './network-format.js';
import type {LatencySummary} from '../stats/histogram.js';
import {mostOfStall} from '../stats/snapshot.js';
import {startUpLate} from '../stats/timeline.js';
import {plural, formatBytes, formatCount, formatMs, formatPercent, formatRate, formatRatio, formatSeconds, formatSetRate, formatThresholdActual, table} from './format.js';
import type {JsonReport, ReportWarmUp} from './types.js';
import {agentRows, agentsCaption} from './agents-rows.js';
import {checksLine, checksText} from './checks-format.js';
import {describeProtocol} from './protocol-format.js';
import {phaseColumns, phaseNote, phaseRows} from './phases-format.js';

function latencyRow(label: string, latency: LatencySummary): string[] {
	return [label, formatMs(latency.min), formatMs(latency.mean), formatMs(latency.p50), formatMs(latency.p90), formatMs(latency.p99), formatMs(latency.p999), formatMs(latency.max), formatMs(latency.stdev)];
}

/** The warm-up in one line (the text summary and the HTML report). */
export function warmUpLine(warmUp: ReportWarmUp): string {
	return `${formatSeconds(warmUp.durationS)} first: ${formatCount(warmUp.requests)} requests (${formatCount(warmUp.errors)} errors) before the clock started; not in the figures above`;
}

/** The plain-text summary printed at the end of a headless run. Pure. */
export function renderTextSummary(report: JsonReport): string {
	const {summary, settings, hardware} = report;
	const lines: string[] = [];
	const quota = hardware.cpuQuota === null ? 'none' : `${hardware.cpuQuota} CPUs`;
	lines.push(
		'PYSTRESS-TUI SUMMARY',
		`  Target            ${report.target.method} ${report.target.url}${report.endpoints.length > 1 ? ` (+${report.endpoints.length - 1} more endpoints)` : ''}`,
		`  Hardware          ${hardware.cpuModel}; ${hardware.physicalCores} physical cores, ${hardware.logicalProcessors} logical processors, cgroup quota ${quota}; ${formatBytes(hardware.totalMemoryBytes)} RAM; Node ${hardware.node} on ${hardware.platform}`,
		`  Settings          ${plural(settings.threads, 'thread')}, ${plural(settings.connections, 'connection')}, ${settings.durationS === null ? plural(settings.maxRequests ?? 0, 'request') : `${settings.durationS}s`}${settings.rate === null ? ' (closed model)' : `, rate ${formatSetRate(settings.rate)}/s (open model)`}${settings.httpClient === 'undici' ? ', undici client' : ''}`,
	);
	lines.push(`  Protocol          ${describeProtocol(settings)}`);
	const network = describeNetwork(settings.network);
	if (network !== undefined) lines.push(`  Network           ${network}`);
	if (settings.proxy !== undefined) lines.push(`  Proxy             ${settings.proxy}`);
	const {final} = settings;
	if (final.threads !== settings.threads || final.connections !== settings.connections || final.rate !== settings.rate) {
		lines.push(`  Changed live to   ${plural(final.threads, 'thread')}, ${plural(final.connections, 'connection')}${final.rate === null ? '' : `, rate ${formatSetRate(final.rate)}/s`}`);
	}

	lines.push(
		`  Duration          ${formatSeconds(summary.durationS)} (stopped: ${report.stopReason})`,
		`  Total requests    ${formatCount(summary.requests)} (${formatCount(summary.responses)} responses, ${formatCount(summary.errors)} errors${summary.retries > 0 ? `; ${formatCount(summary.retries)} of them retries` : ''})`,
		`  Throughput        ${formatRate(summary.rps)} req/s, ${formatBytes(summary.bytesRead / Math.max(summary.durationS, 1e-9))}/s read`,
		`  Pass rate         ${formatPercent(summary.passRate)} (2xx/3xx${summary.incomplete > 0 ? ' of requests + incomplete' : ''})`,
	);
	if (summary.checks) {
		lines.push(`  Checks            ${checksLine(summary.checks)}`);
	}

	if (summary.incomplete > 0) {
		lines.push(`  Incomplete        ${formatCount(summary.incomplete)} still in flight when the run ended${summary.incompleteAgeMs ? `, oldest ${formatMs(summary.incompleteAgeMs.max)}` : ''} (failures for the pass and error rates; their age is a lower bound of their latency)`);
	}

	if (report.token) {
		lines.push(`  Token requests    ${formatCount(report.token.requests)} (${formatCount(report.token.errors)} errors, ${formatCount(report.token.refreshes)} refreshes; not in the figures above)`);
	}

	if (report.warmUp) {
		lines.push(`  Warm-up           ${warmUpLine(report.warmUp)}`);
	}

	if (summary.cancelled > 0) {
		lines.push(`  Cancelled         ${formatCount(summary.cancelled)} ${summary.cancelled === 1 ? 'retry' : 'retries'} not sent because the run stopped (not requests)`);
	}

	if (report.settings.rate !== null) {
		const atStart = startUpLate(report.timeline, summary.late, report.warmUp !== undefined);
		lines.push(`  Late sends        ${formatCount(summary.late)} late, ${formatCount(summary.dropped)} dropped${atStart === undefined ? '' : `; ${formatCount(atStart)} of them in the first second: start-up, which --warm-up 2s keeps out of the figures`}`);
	}

	lines.push('', 'LATENCY (responses)');
	if (summary.responses === 0) {
		lines.push('  n/a: no response');
	}

	const latencyRows = [
		...(summary.responses > 0 ? [latencyRow(summary.correctedLatencyMs ? 'uncorrected' : 'all', summary.latencyMs)] : []),
		...(summary.responses > 0 && summary.correctedLatencyMs ? [latencyRow('corrected', summary.correctedLatencyMs)] : []),
		...(summary.failureLatencyMs ? [latencyRow('errors (time to fail)', summary.failureLatencyMs)] : []),
		...(summary.incompleteAgeMs ? [latencyRow('incomplete (age)', summary.incompleteAgeMs)] : []),
	];
	if (latencyRows.length > 0) {
		lines.push(table([['', 'min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max', 'stdev'], ...latencyRows]));
	}

	const stalls = generatorStallFigures(report);
	if (stalls) {
		lines.push(`  Generator stalls  ${stalls}`);
	}

	const phases = phaseRows(summary);
	if (phases.length > 0) {
		lines.push('', 'CONNECT AND TIME TO FIRST BYTE (connect: per new connection; first byte: per response, from its send)', table([[...phaseColumns], ...phases]));
		const note = phaseNote(summary, report.warmUp !== undefined);
		if (note !== undefined) lines.push(`  ${note}`);
	}

	const statuses = Object.entries(summary.statusCodes);
	if (statuses.length > 0) {
		lines.push('', 'STATUS CODES', table(statuses.map(([code, count]) => [code, formatCount(count), formatPercent(count / Math.max(summary.requests, 1))])));
	}

	const errors = Object.entries(summary.errorKinds);
	if (errors.length > 0) {
		lines.push('', 'ERRORS', table(errors.map(([kind, count]) => [kind, formatCount(count), errorHints[kind] ?? ''])));
	}

	const events = Object.entries(summary.connectionEvents ?? {});
	if (events.length > 0) {
		lines.push('', 'CONNECTION EVENTS (not errors)', table(events.map(([kind, count]) => [kind, formatCount(count), connectionEventHints[kind] ?? ''])));
	}

	lines.push(...checksText(report));

	if (report.endpoints.length > 1) {
		lines.push('', 'ENDPOINTS', table([
			['name', 'weight', 'requests', 'req/s', 'errors', 'pass', 'p50', 'p99', 'max'],
			...report.endpoints.map(endpoint => [
				endpoint.name,
				String(endpoint.weight),
				formatCount(endpoint.requests),
				formatRate(endpoint.rps),
				formatCount(endpoint.errors),
				formatPercent(endpoint.passRate),
				endpoint.responses > 0 ? formatMs(endpoint.latencyMs.p50) : 'n/a',
				endpoint.responses > 0 ? formatMs(endpoint.latencyMs.p99) : 'n/a',
				endpoint.responses > 0 ? formatMs(endpoint.latencyMs.max) : 'n/a',
			]),
		]));
	}

	if (report.merge) {
		lines.push('', 'AGENTS', `  ${agentsCaption(report.merge)}`, table(agentRows(report.merge)));
	}

	lines.push(...baselineText(report));

	if (report.thresholds && report.thresholds.length > 0) {
		lines.push('', 'THRESHOLDS', table(report.thresholds.map(threshold => [
			threshold.passed ? 'PASS' : 'FAIL',
			threshold.expression,
			`actual ${formatThresholdActual(threshold)}`,
		])));
	}

	if (report.generator.saturated) {
		lines.push('', `WARNING: a load-generator thread reached ${formatPercent(report.generator.peakEventLoopUtilization, 0)} event-loop utilisation; figures may measure the client, not the target. Add --threads or lower --connections.`);
	}

	const stallWarning = generatorStallWarning(report);
	if (stallWarning) {
		lines.push('', `WARNING: ${stallWarning}`);
	}

	return `${lines.join('\n')}\n`;
}

/**
 * The load generator's own stalls in one line (undefined in reports from before they were
 * measured): time its event loops did not turn, and the longest such gap.
 */
export function generatorStallFigures(report: Pick<JsonReport, 'generator'>): string | undefined {
	const {eventLoopStallMs, maxEventLoopDelayMs, stallShare, stallThresholdMs} = report.generator;
	if (eventLoopStallMs === undefined || maxEventLoopDelayMs === undefined) return undefined;
	const threshold = stallThresholdMs === undefined ? '' : ` (gaps over ${formatMs(stallThresholdMs)})`;
	if (eventLoopStallMs <= 0) return `no event-loop stalls${threshold}; longest gap ${formatMs(maxEventLoopDelayMs)}`;
	const split = generatorStallSplit(report);
	return `${formatMs(eventLoopStallMs)} of event-loop stalls${threshold}, ${formatPercent(stallShare ?? 0, 1)} of the workers' time${split === undefined ? '' : ` (${split})`}; longest gap ${formatMs(maxEventLoopDelayMs)}`;
}

/**
 * What the stalled threads did meanwhile, in words (undefined when not measured, or no stall):
 * whether a stall was the generator's own work or the machine's (a core taken, a late wake-up).
 */
export function generatorStallSplit(report: Pick<JsonReport, 'generator'>): string | undefined {
	const {eventLoopStallMs = 0, stallRunningMs, stallWaitingMs, stallSleepingMs} = report.generator;
	if (stallRunningMs === undefined || stallWaitingMs === undefined || stallSleepingMs === undefined || eventLoopStallMs <= 0) return undefined;
	return `running ${formatMs(stallRunningMs)}, waiting for a core ${formatMs(stallWaitingMs)}, asleep past a timer ${formatMs(stallSleepingMs)}`;
}

/** Why the generator's stalls could explain the latency's tail, when they could (see `GeneratorReport.stallWarning`). */
export function generatorStallWarning(report: Pick<JsonReport, 'generator' | 'summary'>): string | undefined {
	const {generator, summary} = report;
	if (!generator.stallWarning) return undefined;
	const longest = formatMs(generator.maxEventLoopDelayMs ?? 0);
	const tail = summary.correctedLatencyMs
		? `the corrected p99 (${formatMs(summary.correctedLatencyMs.p99)}, uncorrected ${formatMs(summary.latencyMs.p99)}) may be the generator's own delay, not the server's: the correction charges a send the generator held up to the server`
		: 'the latency may include the generator\'s own delay in reading responses';
	return `the load generator's event loop stalled (${formatPercent(generator.stallShare ?? 0, 1)} of its time, longest ${longest}); ${tail}. ${stallAdvice(generator)}`;
}

/** What to do about the stalls, by what the stalled threads mostly did (when that was measured). */
function stallAdvice(generator: JsonReport['generator']): string {
	const {eventLoopStallMs = 0, stallRunningMs, stallWaitingMs, stallSleepingMs} = generator;
	const most = stallSleepingMs === undefined ? undefined : mostOfStall(eventLoopStallMs, stallRunningMs, stallWaitingMs);
	if (most === undefined) return 'Add --threads, lower the rate, or give the generator a core of its own.';
	if (most === 'running') return 'Most of it the generator was running its own work: add --threads or lower the rate.';
	if (most === 'waiting') return 'Most of it the generator was waiting for a core that another thread or process had: give it cores of its own.';
	return 'Most of it the generator was asleep past its timers (the system woke it late, as virtual machines often do): the machine\'s delay, not the server\'s; a quieter machine gives a truer tail.';
}

const msOrNa = (value: number | null): string => (value === null ? 'n/a' : formatMs(value));

/** The BASELINE and SPEEDUP sections (empty without a baseline). */
function baselineText(report: JsonReport): string[] {
	const lines: string[] = [];
	const several = report.endpoints.length > 1;
	if (report.baseline?.quick ?? report.baseline?.extended) {
		lines.push('', `BASELINE (one connection, sequential${several ? ', each endpoint in turn' : ''})`);
		const rows: string[][] = [['', 'requests', 'req/s', 'p50', 'p99', 'max']];
		for (const [label, baseline] of [['quick', report.baseline.quick], ['extended', report.baseline.extended]] as const) {
			if (baseline) {
				const answered = baseline.latencyMs.count > 0;
				rows.push([label, formatCount(baseline.requests), baseline.rps > 0 ? formatRate(baseline.rps) : 'n/a', ...[baseline.latencyMs.p50, baseline.latencyMs.p99, baseline.latencyMs.max].map(value => (answered ? formatMs(value) : 'n/a'))]);
			}
		}

		lines.push(table(rows), `  req/s: one connection's rate${report.baseline.quick ? " (quick: warm requests only, each endpoint's first is cold)" : ''}${several ? ", at the config's mix of endpoints" : ''}`);
		if (report.baseline.quick?.stoppedAtTimeout) {
			lines.push(`  The quick baseline stopped at its first timeout (timeout_ms): the rest would have timed out too.`);
		}
	}

	const {speedup} = report;
	if (!speedup) return lines;
	lines.push(
		'',
		`SPEEDUP (vs ${speedup.against} baseline)`,
		`  Throughput        ${formatRatio(speedup.throughput)}`,
		`  Latency growth    p50 ${formatRatio(speedup.latencyGrowthP50)}, p99 ${formatRatio(speedup.latencyGrowthP99)} (under load ÷ alone${speedup.endpoints ? ', each endpoint against its own baseline, mixed by weight' : ''})`,
		`  Per connection    ${speedup.perConnectionEfficiency === null ? 'n/a' : `${formatPercent(speedup.perConnectionEfficiency)} efficiency`}`,
		`  Per thread        ${formatRate(speedup.perThreadRps)} req/s`,
	);
	if (speedup.endpoints) {
		lines.push(table([
			['endpoint', 'weight', 'alone p50', 'loaded p50', 'growth', 'alone p99', 'loaded p99', 'growth'],
			...speedup.endpoints.map(endpoint => [endpoint.name, String(endpoint.weight), msOrNa(endpoint.baselineP50Ms), msOrNa(endpoint.p50Ms), formatRatio(endpoint.latencyGrowthP50), msOrNa(endpoint.baselineP99Ms), msOrNa(endpoint.p99Ms), formatRatio(endpoint.latencyGrowthP99)]),
		]));
	}

	for (const note of speedup.notes ?? []) lines.push(`  Note: ${note}`);
	return lines;
}

type ProgressFigures = {requests: number; rps: number; p50: number; p99: number; responses?: number; errors: number};

/** The figures of a progress line: requests and errors so far, this second's rate and latencies. */
function progressFigures(progress: ProgressFigures): string {
	return `${formatCount(progress.requests)} requests, ${formatRate(progress.rps)} req/s, ${progress.responses === 0 ? 'no response this second' : `p50 ${formatMs(progress.p50)}, p99 ${formatMs(progress.p99)}`}, ${formatCount(progress.errors)} errors`;
}

/** One progress line for stderr (headless mode). */
export function renderProgressLine(progress: ProgressFigures & {elapsedS: number; totalS: number | undefined; state: string}): string {
	const elapsed = progress.totalS === undefined ? formatSeconds(progress.elapsedS) : `${formatSeconds(progress.elapsedS)}/${formatSeconds(progress.totalS)}`;
	return `[${elapsed}] ${progress.state === 'running' ? '' : `${progress.state.toUpperCase()} `}${progressFigures(progress)}`;
}

/** The progress line of a second of the warm-up (headless mode): its figures as the run's lines give theirs, marked. */
export function renderWarmUpLine(progress: ProgressFigures & {elapsedS: number; totalS: number}): string {
	return `[warm-up ${formatSeconds(progress.elapsedS)}/${formatSeconds(progress.totalS)}] ${progressFigures(progress)} (not measured)`;
}
