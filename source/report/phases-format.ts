/**
 * Connect time, TLS handshake and time to first byte as report rows (text and HTML alike): so a
 * slow handshake shows apart from a slow server. Pure.
 */
import type {TotalsSummary} from '../stats/aggregate.js';
import {formatCount, formatMs} from './format.js';

/** Column heads of the rows below. */
export const phaseColumns = ['', 'count', 'p50', 'p90', 'p99', 'max'] as const;

/** One row per phase measured (none for a report without them, such as an older one). */
export function phaseRows(summary: Pick<TotalsSummary, 'connectMs' | 'tlsHandshakeMs' | 'ttfbMs'>): string[][] {
	const phases = [
		['connect (TCP)', summary.connectMs],
		['TLS handshake', summary.tlsHandshakeMs],
		['time to first byte', summary.ttfbMs],
	] as const;
	return phases.flatMap(([label, latency]) => latency === undefined
		? []
		: [[label, formatCount(latency.count), formatMs(latency.p50), formatMs(latency.p90), formatMs(latency.p99), formatMs(latency.max)]]);
}
