import {formatCount, formatMs, formatPercent, formatRate, formatSeconds} from './format.js';
import type {MergeReport} from './types.js';

/** Start offsets and skew in whole milliseconds: the reports' start times have no finer grain. */
const wholeMs = (ms: number): string => `${formatCount(Math.round(ms))} ms`;

/**
 * The rows of a merged report's agents table, for the text summary and the HTML report alike:
 * a header and one row per input (which agent, when it started after the first, its figures).
 */
export function agentRows(merge: MergeReport): string[][] {
	const corrected = merge.agents.some(row => row.correctedP99Ms !== undefined);
	return [
		['input', 'agent', 'start', 'duration', 'requests', 'req/s', 'errors', 'pass', 'p99', ...(corrected ? ['corrected p99'] : []), 'generator'],
		...merge.agents.map(row => [
			row.file,
			row.agent ? `${row.agent.index} of ${row.agent.count}` : '-',
			`+${wholeMs(row.startOffsetMs)}`,
			// How an agent stopped matters when it was not the planned end (a signal, an error, a user).
			`${formatSeconds(row.durationS)}${row.stopReason === 'duration' || row.stopReason === 'requests' ? '' : ` (${row.stopReason})`}`,
			formatCount(row.requests),
			formatRate(row.rps),
			formatCount(row.errors),
			formatPercent(row.passRate),
			row.requests > row.errors ? formatMs(row.p99Ms) : 'n/a',
			...(corrected ? [row.correctedP99Ms === undefined ? 'n/a' : formatMs(row.correctedP99Ms)] : []),
			`${row.saturated ? 'SATURATED ' : ''}${formatPercent(row.peakEventLoopUtilization, 0)} busy`,
		]),
	];
}

/** One line on how the inputs line up: start skew and any missing agents. */
export function agentsCaption(merge: MergeReport): string {
	const missing = merge.missingAgents.length > 0 ? `; missing ${merge.missingAgents.length === 1 ? 'agent' : 'agents'} ${merge.missingAgents.join(', ')} of ${merge.expectedAgents} (merged with --allow-partial)` : '';
	return `merged from ${merge.agents.length} ${merge.agents.length === 1 ? 'report' : 'reports'}${merge.expectedAgents === null ? '' : ` (${merge.expectedAgents} agents expected)`}; start skew ${wholeMs(merge.startSkewMs)}${merge.startSkewMs > 1000 ? ' (over 1 s: seconds mix different moments)' : ''}${missing}`;
}
