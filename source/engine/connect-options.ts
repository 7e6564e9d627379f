/**
 * How a connection reaches its target under the TLS and network options (config/network.ts):
 * the extra node:net / node:tls options and undici's. Called once per connection made, never per
 * request; with no option set, the callers keep their own plain path.
 */
import type {NetworkOptions} from '../config/network.js';

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

/** undici Client/Agent options: `connect` TLS options and `socketPath`. */
export function undiciConnectOptions(network: NetworkOptions | undefined, rejectUnauthorized: boolean): {connect: Record<string, unknown>; socketPath?: string} {
	if (network === undefined) {
		return {connect: {rejectUnauthorized}};
	}

	const {path, ...tls} = socketConnectOptions(network);
	return {connect: {rejectUnauthorized, ...tls}, ...(path === undefined ? {} : {socketPath: path})};
}

/** node:http(s) request options (`--single-request`): TLS options and `socketPath`. */
export function nodeHttpOptions(network: NetworkOptions | undefined): {ca?: string; cert?: string; key?: string; servername?: string; socketPath?: string} {
	if (network === undefined) {
		return {};
	}

	const {path, ...tls} = socketConnectOptions(network);
	return {...tls, ...(path === undefined ? {} : {socketPath: path})};
}
