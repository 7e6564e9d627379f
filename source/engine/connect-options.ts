/**
 * How a connection reaches its target under the TLS and network options (config/network.ts):
 * the extra node:net / node:tls options and undici's. Called once per connection made, never per
 * request; with no option set, the callers keep their own plain path.
 */
import type {NetworkOptions} from '../config/network.js';
import {deferredTrust} from './tls-trust.js';

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

/** tls.connect's options beyond the connection's own: the files, SNI and the trust (tls-trust.ts); `path` stays apart. */
export function tlsConnectOptions(network: NetworkOptions | undefined, verifyTls: boolean): ReturnType<typeof socketConnectOptions> & ReturnType<typeof deferredTrust> {
	return {...(network === undefined ? {} : socketConnectOptions(network)), ...deferredTrust(network, verifyTls)};
}

/** undici Client/Agent options: `connect` TLS options (for an https:// `secure` origin) and `socketPath`. */
export function undiciConnectOptions(network: NetworkOptions | undefined, rejectUnauthorized: boolean, secure: boolean): {connect: Record<string, unknown>; socketPath?: string} {
	const {path, ...tls} = secure ? tlsConnectOptions(network, rejectUnauthorized) : network === undefined ? {} : socketConnectOptions(network);
	return {connect: {rejectUnauthorized, ...tls}, ...(path === undefined ? {} : {socketPath: path})};
}

/** node:http(s) request options (`--single-request`): TLS options (for an https:// `secure` URL) and `socketPath`. */
export function nodeHttpOptions(network: NetworkOptions | undefined, verifyTls: boolean, secure: boolean): ReturnType<typeof tlsConnectOptions> & {socketPath?: string} {
	const {path, ...tls} = secure ? tlsConnectOptions(network, verifyTls) : network === undefined ? {} : socketConnectOptions(network);
	return {...tls, ...(path === undefined ? {} : {socketPath: path})};
}
