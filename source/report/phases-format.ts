/**
 * Connect time, TLS handshake and time to first byte as report rows (text and HTML alike): so a
 * slow handshake shows apart from a slow server. Pure.
 */
import type {TotalsSummary} from '../stats/aggregate.js';
import {formatCount, formatMs} from './format.js';

/** Column heads of the rows below. */
export const phaseColumns = ['', 'count', 'p50', 'p90', 'p99', 'max'] as const;

/** The phases in a few words for a one-line view (the TUI summary): `connect p50 0.55 ms, p99 2.90 ms (40)`. */
export function phaseSegments(summary: Pick<TotalsSummary, 'connectMs' | 'tlsHandshakeMs' | 'ttfbMs'>): string[] {
	const phases = [['connect', summary.connectMs], ['TLS', summary.tlsHandshakeMs], ['first byte', summary.ttfbMs]] as const;
	return phases.flatMap(([label, latency]) => latency === undefined ? [] : [`${label} p50 ${formatMs(latency.p50)}, p99 ${formatMs(latency.p99)} (${formatCount(latency.count)})`]);
}

/**
 * Why no connect time shows after a warm-up: every connection was opened during it, and nothing of
 * the warm-up is a figure. Undefined otherwise.
 */
export function phaseNote(summary: Pick<TotalsSummary, 'connectMs'>, warmedUp: boolean): string | undefined {
	return warmedUp && summary.connectMs === undefined ? 'connect: none measured, every connection was opened during the warm-up (not measured)' : undefined;
}

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
