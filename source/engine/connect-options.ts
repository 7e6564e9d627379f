/**
 * How a connection reaches its target under the TLS and network options (config/network.ts):
 * the extra node:net / node:tls options (a TLS connection's with the trust, tls-trust.ts) and
 * undici's. Called once per connection made, never per request; with no option set, the callers
 * keep their own plain path.
 */
import {isIP, type Socket} from 'node:net';
import {performance} from 'node:perf_hooks';
import type {NetworkOptions} from '../config/network.js';
import {deferredTrust} from './tls-trust.js';

/**
 * A connection to an IP address starts its connect clock again at connect(2), Node's
 * 'connectionAttempt': the socket waits a tick before it, and in a just-started worker that tick
 * compiles Node's connect path (about 1 ms on loopback that is not the network's). A host name's
 * clock keeps its start before the lookup (DNS included); a unix socket has no attempt event.
 */
export function clockFromAttempt(socket: Socket, host: string, restart: (at: number) => void): void {
	if (isIP(host.replace(/^\[(.*)\]$/, '$1')) !== 0) {
		socket.once('connectionAttempt', () => {
			restart(performance.now());
		});
	}
}

/** Extra options for net.connect / tls.connect: CA, client certificate and key, SNI, unix socket. */
export function socketConnectOptions(network: NetworkOptions): {ca?: string; cert?: string; key?: string; servername?: string; path?: string} {
	return {
		...(network.ca === undefined ? {} : {ca: network.ca}),
		...(network.cert === undefined ? {} : {cert: network.cert}),
		...(network.key === undefined ? {} : {key: network.key}),
		...(network.servername === undefined ? {} : {servername: network.servername}),
		...(network.unixSocket === undefined ? {} : {path: network.unixSocket}),
	};
}

/** Those options for a TLS (`secure`) connection or a plain one: a TLS one's also carry the trust (tls-trust.ts). */
export function connectOptions(network: NetworkOptions | undefined, verifyTls: boolean, secure: boolean): ReturnType<typeof socketConnectOptions> & ReturnType<typeof deferredTrust> {
	const options = network === undefined ? {} : socketConnectOptions(network);
	return secure ? {...options, ...deferredTrust(network, verifyTls)} : options;
}

/** undici Client/Agent options: `connect` TLS options (for an https:// `secure` origin) and `socketPath`. */
export function undiciConnectOptions(network: NetworkOptions | undefined, rejectUnauthorized: boolean, secure: boolean): {connect: Record<string, unknown>; socketPath?: string} {
	const {path, ...tls} = connectOptions(network, rejectUnauthorized, secure);
	return {connect: {rejectUnauthorized, ...tls}, ...(path === undefined ? {} : {socketPath: path})};
}

/** node:http(s) request options (`--single-request`): TLS options (for an https:// `secure` URL) and `socketPath`. */
export function nodeHttpOptions(network: NetworkOptions | undefined, verifyTls: boolean, secure: boolean): Omit<ReturnType<typeof connectOptions>, 'path'> & {socketPath?: string} {
	const {path, ...tls} = connectOptions(network, verifyTls, secure);
	return {...tls, ...(path === undefined ? {} : {socketPath: path})};
}
