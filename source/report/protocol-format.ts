import type {ReportProtocol, ReportSettings} from './types.js';

/** A run's protocol; a report of an earlier build has none: it was HTTP/1.1. */
export function reportProtocol(settings: Pick<ReportSettings, 'protocol'>): ReportProtocol {
	return settings.protocol ?? 'http/1.1';
}

/**
 * The protocol of a run in words, for the text and HTML summaries and the TUI's run header:
 * `HTTP/1.1`, or `h2` / `h2c` with the streams per connection. A report of an earlier build has no
 * protocol: it was HTTP/1.1.
 */
export function describeProtocol(settings: Pick<ReportSettings, 'protocol' | 'streams'>): string {
	switch (reportProtocol(settings)) {
		case 'h2': {
			return `h2 (HTTP/2 over TLS), ${streamsText(settings.streams)}`;
		}

		case 'h2c': {
			return `h2c (HTTP/2 in cleartext), ${streamsText(settings.streams)}`;
		}

		default: {
			return 'HTTP/1.1';
		}
	}
}

function streamsText(streams = 1): string {
	return `${streams} ${streams === 1 ? 'stream' : 'streams'} per connection`;
}
