/**
 * NODE_EXTRA_CA_CERTS, read when a verified TLS connection needs it rather than at every start.
 *
 * Node 20 parses that file before any script runs, whether or not the run makes a TLS connection:
 * with the system's 144-certificate bundle in it, `node -e 0` takes 62 ms against 23
 * (test/bench/findings.md, "`NODE_EXTRA_CA_CERTS` is read when TLS needs it"). The launcher line at
 * the top of dist/cli.js (the `pystress-tui` command; see finish-build.ts) moves the variable to
 * PYSTRESS_NODE_EXTRA_CA_CERTS before Node starts. Here, a thread's first verified TLS connection
 * builds one secure context that all its connections share: Node's own default store plus those
 * certificates, as Node would have trusted them (`ca_file` replaces both, as Node's `ca` option
 * does). `node dist/cli.js` leaves Node to read the variable itself, and nothing here applies.
 */
import {accessSync, constants, readFileSync} from 'node:fs';
import {isMainThread} from 'node:worker_threads';
import type {SecureContext} from 'node:tls';
import type {NetworkOptions} from '../config/network.js';

/** Where the launcher puts NODE_EXTRA_CA_CERTS's path. */
export const deferredCaVariable = 'PYSTRESS_NODE_EXTRA_CA_CERTS';

/** One context per network options object (the test's, the token request's); undefined: Node's default. */
const contexts = new Map<NetworkOptions | undefined, SecureContext | undefined>();

/**
 * Node's native context (`secureContext.context`, the object its own `ca` option adds to): adding a
 * CA moves the context from the shared default store to a copy of it.
 */
type NativeContext = {addCACert(pem: string): void};

/** Node's own words for a file it cannot load. */
function warnOf(file: string, error: unknown): void {
	process.stderr.write(`Warning: Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}\n`);
}

/** At start-up, as Node would: a warning when the deferred file cannot be read (a stat, no parsing). */
export function checkDeferredCa(): void {
	const file = process.env[deferredCaVariable];
	if (file === undefined || file === '') return;
	try {
		accessSync(file, constants.R_OK);
	} catch (error) {
		warnOf(file, error);
	}
}

function build(file: string, network: NetworkOptions | undefined): SecureContext | undefined {
	const tls = process.getBuiltinModule('node:tls');
	const client = network?.cert === undefined ? {} : {cert: network.cert, key: network.key};
	try {
		const extra = readFileSync(file, 'utf8');
		const context = tls.createSecureContext(client);
		// What Node does with the variable: its default store (bundled or --use-openssl-ca), plus these.
		// (The documented `ca` option would replace that store: the bundled roots would have to be given
		// again, twice the parsing.) A Node without this method fails here, and says so below.
		(context as SecureContext & {context: NativeContext}).context.addCACert(extra);
		return context;
	} catch (error) {
		// Node's default store alone, as Node falls back to; the main thread says why (a worker's line would repeat it).
		if (isMainThread) warnOf(file, error);
		return undefined;
	}
}

/**
 * `{secureContext}` for a verified TLS connection when the launcher deferred NODE_EXTRA_CA_CERTS
 * (built on the first call, 20 ms for 144 certificates: prepareTrust() does it before any clock);
 * otherwise nothing, and the connection takes its options as before.
 */
export function deferredTrust(network: NetworkOptions | undefined, verifyTls: boolean): {secureContext?: SecureContext} {
	const file = process.env[deferredCaVariable];
	if (!verifyTls || file === undefined || file === '' || network?.ca !== undefined) {
		return {};
	}

	if (!contexts.has(network)) {
		contexts.set(network, build(file, network));
	}

	const secureContext = contexts.get(network);
	return secureContext === undefined ? {} : {secureContext};
}

/** Builds the deferred trust ahead when any of `urls` is https (a worker's start, before its clock). */
export function prepareTrust(network: NetworkOptions | undefined, verifyTls: boolean, urls: Iterable<string>): void {
	for (const url of urls) {
		if (url.startsWith('https:')) {
			deferredTrust(network, verifyTls);
			return;
		}
	}
}
