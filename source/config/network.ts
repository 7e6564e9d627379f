/*
 * TLS and network options: `ca_file`, `cert_file` + `key_file` (mTLS), `servername`, `keepalive`
 * and `unix_socket`. Validated and read here, once, on the main thread; the resolved options ride
 * in the request policy to the workers. They are connection settings, so they sit beside
 * `verify_tls` at the top level (and in `token_acquisition`, for its own connection), not per
 * endpoint. Key material never leaves the policy: reports take `networkSettings()` (paths only).
 */
import {readFileSync, statSync} from 'node:fs';
import {joinPath, type ConfigIssue} from './interpolate.js';
import {boolean, meta, minLength, optional, string} from './zod.js';

/** node:tls only when a TLS file is given: a plain run's start-up does not load it (2-5 ms). */
function createSecureContext(options: import('node:tls').SecureContextOptions): void {
	process.getBuiltinModule('node:tls').createSecureContext(options);
}

/** Resolved TLS and network options; a policy carries them only when one is set. */
export type NetworkOptions = {
	readonly caFile?: string;
	readonly certFile?: string;
	readonly keyFile?: string;
	/** PEM contents, read once on the main thread. */
	readonly ca?: string;
	readonly cert?: string;
	/** Private key (PEM): never logged, shown or reported. */
	readonly key?: string;
	readonly servername?: string;
	/** False: one connection per request (`Connection: close`), the connect inside its latency. */
	readonly keepalive: boolean;
	readonly unixSocket?: string;
};

/** What a report says of them: paths and names, never contents. */
export type NetworkSettings = {
	readonly caFile?: string;
	readonly certFile?: string;
	readonly keyFile?: string;
	readonly servername?: string;
	readonly keepalive: boolean;
	readonly unixSocket?: string;
};

const pathSchema = (what: string, flag: string) => string({error: 'expected a file path string'}).check(
	minLength(1, {error: 'expected a non-empty file path'}),
	meta({description: `${what} (${flag}); relative paths are from the working directory.`}),
);

/** Config keys, spread into the policy fields of config/schema.ts. */
export const networkFields = {
	ca_file: optional(pathSchema('PEM file of the CA certificates to trust for https targets, instead of Node\'s default ones and NODE_EXTRA_CA_CERTS (as curl\'s --cacert does)', '--ca-file')),
	cert_file: optional(pathSchema('PEM client certificate for mutual TLS; needs key_file', '--cert-file')),
	key_file: optional(pathSchema('PEM private key of cert_file', '--key-file')),
	servername: optional(string({error: 'expected a host name string'}).check(minLength(1, {error: 'expected a non-empty host name'}), meta({description: 'TLS server name (SNI) sent and checked against the certificate, instead of the URL\'s host (--servername).'}))),
	keepalive: optional(boolean({error: 'expected true or false'}).check(meta({description: 'false: a new connection for every request (Connection: close), its connect and handshake inside the latency (--no-keepalive). Default true.'}))),
	unix_socket: optional(string({error: 'expected a socket path string'}).check(minLength(1, {error: 'expected a non-empty socket path'}), meta({description: 'Connect to this unix domain socket; the URL still gives Host and path (--unix-socket).'}))),
	proxy: optional(string({error: 'expected a proxy URL string'}).check(minLength(1, {error: 'expected a non-empty proxy URL'}), meta({description: 'HTTP proxy, http://[user:password@]host:port (--proxy): http:// targets in absolute form, https:// ones through CONNECT. Wins over HTTP_PROXY/HTTPS_PROXY; NO_PROXY still applies. In token_acquisition: the token request\'s own (default: the test\'s).'}))),
};

type NetworkConfig = {
	readonly ca_file?: string | undefined;
	readonly cert_file?: string | undefined;
	readonly key_file?: string | undefined;
	readonly servername?: string | undefined;
	readonly keepalive?: boolean | undefined;
	readonly unix_socket?: string | undefined;
};

/** Flags for these options, as the command line gives them. */
export type NetworkFlags = {
	readonly caFile?: string | undefined;
	readonly certFile?: string | undefined;
	readonly keyFile?: string | undefined;
	readonly servername?: string | undefined;
	/** `--no-keepalive` makes it false; true (the default) leaves the config as it is. */
	readonly keepalive?: boolean | undefined;
	readonly unixSocket?: string | undefined;
	readonly proxy?: string | undefined;
};

/** Puts the flags given into the raw config (`target`: the top level, or `stress_test`). */
export function applyNetworkFlags(target: Record<string, unknown>, flags: NetworkFlags): void {
	if (flags.caFile !== undefined) target['ca_file'] = flags.caFile;
	if (flags.certFile !== undefined) target['cert_file'] = flags.certFile;
	if (flags.keyFile !== undefined) target['key_file'] = flags.keyFile;
	if (flags.servername !== undefined) target['servername'] = flags.servername;
	if (flags.keepalive === false) target['keepalive'] = false;
	if (flags.unixSocket !== undefined) target['unix_socket'] = flags.unixSocket;
	if (flags.proxy !== undefined) target['proxy'] = flags.proxy;
}

/** Validates the options and reads the files; undefined when none is set (the default path stays as it was). */
export function resolveNetwork(config: NetworkConfig, base: string, issues: ConfigIssue[]): NetworkOptions | undefined {
	const {ca_file: caFile, cert_file: certFile, key_file: keyFile, servername, keepalive, unix_socket: unixSocket} = config;
	if (caFile === undefined && certFile === undefined && keyFile === undefined && servername === undefined && keepalive === undefined && unixSocket === undefined) {
		return undefined;
	}

	const at = (key: string): string => joinPath(base, key);
	const ca = caFile === undefined ? undefined : readPem(caFile, at('ca_file'), 'a PEM file of CA certificates (--ca-file)', issues);
	const cert = certFile === undefined ? undefined : readPem(certFile, at('cert_file'), 'a PEM client certificate (--cert-file)', issues);
	const key = keyFile === undefined ? undefined : readPem(keyFile, at('key_file'), 'the PEM private key of cert_file (--key-file)', issues);
	if (certFile !== undefined && keyFile === undefined) {
		issues.push({path: at('key_file'), message: 'missing: cert_file needs its private key; set key_file (--key-file)'});
	} else if (keyFile !== undefined && certFile === undefined) {
		issues.push({path: at('cert_file'), message: 'missing: key_file needs its certificate; set cert_file (--cert-file)'});
	}

	if (ca !== undefined) {
		// OpenSSL skips what is not PEM without a word: a file with no certificate at all is a mistake.
		let problem = /-----BEGIN (TRUSTED |X509 )?CERTIFICATE-----/.test(ca) ? undefined : 'no PEM certificate in it';
		try {
			createSecureContext({ca});
		} catch (error) {
			problem = tlsReason(error);
		}

		if (problem !== undefined) {
			issues.push({path: at('ca_file'), message: `"${caFile}" holds no usable certificate (${problem}); give a PEM file of CA certificates`});
		}
	}

	if (cert !== undefined && key !== undefined) {
		try {
			createSecureContext({cert, key});
		} catch (error) {
			const reason = tlsReason(error);
			const mismatch = /mismatch/i.test(reason);
			issues.push(mismatch
				? {path: at('key_file'), message: `"${keyFile}" does not match cert_file "${certFile}"; give the key the certificate was made for`}
				: {path: at('cert_file'), message: `"${certFile}" with key "${keyFile}" cannot be used (${reason}); give a PEM certificate and its unencrypted PEM key`});
		}
	}

	if (unixSocket !== undefined) {
		checkSocket(unixSocket, at('unix_socket'), issues);
	}

	return {
		...(caFile === undefined ? {} : {caFile}),
		...(certFile === undefined ? {} : {certFile}),
		...(keyFile === undefined ? {} : {keyFile}),
		...(ca === undefined ? {} : {ca}),
		...(cert === undefined ? {} : {cert}),
		...(key === undefined ? {} : {key}),
		...(servername === undefined ? {} : {servername}),
		keepalive: keepalive ?? true,
		...(unixSocket === undefined ? {} : {unixSocket}),
	};
}

/** The options as a report records them: paths, never contents. */
export function networkSettings(network: NetworkOptions | undefined): NetworkSettings | undefined {
	if (network === undefined) return undefined;
	const {caFile, certFile, keyFile, servername, keepalive, unixSocket} = network;
	return {
		...(caFile === undefined ? {} : {caFile}),
		...(certFile === undefined ? {} : {certFile}),
		...(keyFile === undefined ? {} : {keyFile}),
		...(servername === undefined ? {} : {servername}),
		keepalive,
		...(unixSocket === undefined ? {} : {unixSocket}),
	};
}

/** With keep-alive off, every endpoint asks for the connection to close (`Connection: close`), unless it says otherwise. */
export function closeHeaders<T extends {readonly headers: Readonly<Record<string, string>>}>(endpoints: readonly T[], network: NetworkOptions | undefined): T[] {
	if (network?.keepalive !== false) return [...endpoints];
	return endpoints.map(endpoint => Object.keys(endpoint.headers).some(name => name.toLowerCase() === 'connection')
		? endpoint
		: {...endpoint, headers: {...endpoint.headers, Connection: 'close'}});
}

function readPem(file: string, path: string, expected: string, issues: ConfigIssue[]): string | undefined {
	try {
		return readFileSync(file, 'utf8');
	} catch (error) {
		issues.push({path, message: `cannot read "${file}" (${fileReason(error)}); give ${expected}`});
		return undefined;
	}
}

function checkSocket(file: string, path: string, issues: ConfigIssue[]): void {
	try {
		const stats = statSync(file);
		if (!stats.isSocket()) {
			issues.push({path, message: `"${file}" is not a socket (${stats.isDirectory() ? 'a directory' : 'a file'}); give the path a server listens on`});
		}
	} catch (error) {
		issues.push({path, message: `cannot use "${file}" (${fileReason(error)}); start the server first, or give the path it listens on`});
	}
}

function fileReason(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') return 'no such file';
	if (code === 'EACCES') return 'permission denied';
	if (code === 'EISDIR') return 'a directory';
	return code ?? 'unreadable';
}

/** OpenSSL's reason (e.g. "key values mismatch"), never the PEM text. */
function tlsReason(error: unknown): string {
	const {code, message} = error as NodeJS.ErrnoException;
	const reason = /::([^:]+)$/.exec(message)?.[1] ?? message;
	return reason.length > 120 || reason.includes('-----') ? (code ?? 'invalid') : reason;
}
