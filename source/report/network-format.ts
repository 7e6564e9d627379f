import type {ReportNetwork} from './types.js';

/**
 * The TLS and network options of a run in words, for the text and HTML summaries (file paths and
 * names only, as the report holds them); undefined when none was set.
 */
export function describeNetwork(network: ReportNetwork | undefined): string | undefined {
	if (network === undefined) return undefined;
	const parts: string[] = [];
	if (!network.keepalive) parts.push('keep-alive off: a new connection for every request, its connect (and TLS handshake) inside the latency');
	if (network.unixSocket !== undefined) parts.push(`unix socket ${network.unixSocket}`);
	if (network.caFile !== undefined) parts.push(`CA ${network.caFile}`);
	if (network.certFile !== undefined) parts.push(`client certificate ${network.certFile} (key ${network.keyFile ?? '?'})`);
	if (network.servername !== undefined) parts.push(`TLS server name ${network.servername}`);
	return parts.length === 0 ? 'keep-alive on' : parts.join('; ');
}
