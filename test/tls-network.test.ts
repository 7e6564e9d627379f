/**
 * TLS and network options against real servers on 127.0.0.1: a test CA (made with openssl at test
 * time), mutual TLS, SNI, keep-alive off and a unix socket, for both clients and --single-request.
 */
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls, {type TLSSocket} from 'node:tls';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import type {NetworkOptions} from '../source/config/network.js';
import {deferredCaVariable, deferredTrust} from '../source/engine/tls-trust.js';
import {planFingerprint} from '../source/session/plan-fingerprint.js';
import {cliPath, runCli, runProgram, type RunOptions} from './helpers/cli.js';

const temporary = mkdtempSync(path.join(os.tmpdir(), 'pystress-tls-'));
const file = (name: string): string => path.join(temporary, name);
const clients = ['socket', 'undici'] as const;

function openssl(...args: string[]): void {
	execFileSync('openssl', args, {cwd: temporary, stdio: 'ignore'});
}

/** A CA, a server certificate for test.local and 127.0.0.1, a client certificate, and a stray key (once per file). */
function makeCertificates(): void {
	if (existsSync(file('other.key'))) return;
	const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
	openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=pystress test CA');
	writeFileSync(file('server.ext'), 'subjectAltName=DNS:test.local,IP:127.0.0.1\n');
	openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=test.local');
	openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
	openssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=pystress client');
	openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2');
	openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'other.key');
}

type Counted = {url: string; requests: number; connections: number; servernames: Set<string>; close(): Promise<void>};

/** Counts requests, and connections (TLS ones once the handshake is done). */
function answer(server: http.Server | https.Server, counted: {requests: number; connections: number}): void {
	server.on(server instanceof https.Server ? 'secureConnection' : 'connection', () => counted.connections++);
	server.on('request', (_request: http.IncomingMessage, response: http.ServerResponse) => {
		counted.requests++;
		response.end('ok');
	});
}

async function listen(server: http.Server, where: number | string): Promise<void> {
	await new Promise<void>(resolve => {
		// A string is a unix socket path (no host); a number a port on loopback.
		if (typeof where === 'string') server.listen(where, resolve);
		else server.listen(where, '127.0.0.1', resolve);
	});
}

async function httpsServer(options: https.ServerOptions): Promise<Counted> {
	const server = https.createServer({key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), ...options});
	const counted: Counted = {url: '', requests: 0, connections: 0, servernames: new Set(), close: async () => new Promise(resolve => server.close(() => resolve()))};
	answer(server, counted);
	server.on('secureConnection', (socket: TLSSocket) => {
		const {servername} = socket as TLSSocket & {servername?: string | false};
		if (typeof servername === 'string') counted.servernames.add(servername);
	});
	await listen(server, 0);
	counted.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
	const close = counted.close;
	counted.close = async () => {
		server.closeAllConnections();
		await close();
	};

	return counted;
}

/** `launcher`: dist/cli.js run as a program (its sh launcher first, as the `pystress-tui` command), not by node. */
async function run(args: string[], options: {env?: Record<string, string>; launcher?: boolean} = {}): Promise<{code: number | null; output: string; report: any}> {
	const jsonPath = file(`report-${Math.random().toString(36).slice(2)}.json`);
	const all = ['--headless', '--no-baseline', '--no-report', '-t', '1', '--json', jsonPath, ...args];
	const runOptions: RunOptions = {timeoutMs: 30_000, ...(options.env === undefined ? {} : {env: options.env})};
	const result = await (options.launcher ? runProgram(cliPath, all, runOptions) : runCli(all, runOptions));
	let report: any;
	try {
		report = JSON.parse(readFileSync(jsonPath, 'utf8'));
	} catch {}

	return {code: result.code, output: result.stdout + result.stderr, report};
}

function writeConfig(config: Record<string, unknown>): string {
	const path_ = file(`config-${Math.random().toString(36).slice(2)}.json`);
	writeFileSync(path_, JSON.stringify(config));
	return path_;
}

// openssl is brought by `npm test`'s set-up (test/setup/system-deps.mjs): these tests never skip.
describe('TLS options (a test CA made with openssl)', () => {
	let plain: Counted;
	let mutual: Counted;
	beforeAll(async () => {
		makeCertificates();
		plain = await httpsServer({});
		mutual = await httpsServer({requestCert: true, rejectUnauthorized: true, ca: readFileSync(file('ca.pem'))});
	});
	afterAll(async () => {
		await plain?.close();
		await mutual?.close();
	});

	for (const client of clients) {
		it(`ca_file lets verify_tls pass where it failed without (${client})`, async () => {
			const without = await run(['--url', plain.url, '-n', '20', '-c', '2', '--http-client', client]);
			expect(without.code).toBe(1);
			const before = plain.requests;
			const withCa = await run(['--url', plain.url, '-n', '50', '-c', '2', '--http-client', client, '--ca-file', file('ca.pem')]);
			expect(withCa.code, withCa.output).toBe(0);
			expect(withCa.report.summary.statusCodes).toEqual({200: 50});
			expect(plain.requests - before).toBe(50);
			expect(withCa.report.settings.network).toEqual({caFile: file('ca.pem'), keepalive: true});
		});

		it(`mutual TLS: no client certificate, no response; with it, every request answered (${client})`, async () => {
			const without = await run(['--url', mutual.url, '-n', '20', '-c', '2', '--http-client', client, '--ca-file', file('ca.pem')]);
			expect(without.code).toBe(1);
			expect(mutual.requests).toBe(0);
			const withCert = await run(['--url', mutual.url, '-n', '60', '-c', '3', '--http-client', client, '--ca-file', file('ca.pem'), '--cert-file', file('client.pem'), '--key-file', file('client.key')]);
			expect(withCert.code, withCert.output).toBe(0);
			expect(withCert.report.summary.statusCodes).toEqual({200: 60});
			expect(mutual.requests).toBe(60);
			mutual.requests = 0;
			const text = withCert.output + JSON.stringify(withCert.report);
			expect(text).not.toContain('PRIVATE KEY');
			expect(text).not.toContain(readFileSync(file('client.key'), 'utf8').split('\n')[1]);
			expect(withCert.report.settings.network).toMatchObject({certFile: file('client.pem'), keyFile: file('client.key')});
		});

		it(`servername is sent as SNI and checked against the certificate (${client})`, async () => {
			plain.servernames.clear();
			const result = await run(['--url', plain.url, '-n', '10', '-c', '1', '--http-client', client, '--ca-file', file('ca.pem'), '--servername', 'test.local']);
			expect(result.code, result.output).toBe(0);
			expect([...plain.servernames]).toEqual(['test.local']);
			const wrong = await run(['--url', plain.url, '-n', '5', '-c', '1', '--http-client', client, '--ca-file', file('ca.pem'), '--servername', 'other.example']);
			expect(wrong.code).toBe(1);
		});
	}

	it('--single-request uses the CA, the client certificate and the server name', async () => {
		const before = mutual.requests;
		plain.servernames.clear();
		const result = await runCli(['--single-request', '--url', mutual.url, '--ca-file', file('ca.pem'), '--cert-file', file('client.pem'), '--key-file', file('client.key')]);
		expect(result.code, result.stdout + result.stderr).toBe(0);
		expect(mutual.requests - before).toBe(1);
		const named = await runCli(['--single-request', '--url', plain.url, '--ca-file', file('ca.pem'), '--servername', 'test.local']);
		expect(named.code, named.stdout + named.stderr).toBe(0);
		expect([...plain.servernames]).toEqual(['test.local']);
		expect(result.stdout + result.stderr).not.toContain('PRIVATE KEY');
	});

	it('the baseline connects with the client certificate too', async () => {
		const before = mutual.requests;
		const result = await runCli(['--headless', '--no-report', '-t', '1', '--url', mutual.url, '-n', '20', '-c', '2', '--json', '-', '--ca-file', file('ca.pem'), '--cert-file', file('client.pem'), '--key-file', file('client.key')], {timeoutMs: 30_000});
		expect(result.code, result.stderr).toBe(0);
		const report = JSON.parse(result.stdout);
		expect(report.baseline.errors ?? 0).toBe(0);
		expect(mutual.requests - before).toBeGreaterThan(20);
	});

	it('token_acquisition connects with its own CA and client certificate (mTLS token endpoint)', async () => {
		const tokenServer = https.createServer({key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), requestCert: true, rejectUnauthorized: true, ca: readFileSync(file('ca.pem'))}, (_request, response) => {
			response.setHeader('content-type', 'application/json');
			response.end(JSON.stringify({access_token: 'tok-123', token_type: 'bearer', expires_in: 3600}));
		});
		await listen(tokenServer, 0);
		const seen: string[] = [];
		const target = http.createServer((request, response) => {
			seen.push(request.headers.authorization ?? '');
			response.end('ok');
		});
		await listen(target, 0);
		try {
			const tokenUrl = `https://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
			const config = writeConfig({
				token_acquisition: {url: tokenUrl, form: {grant_type: 'client_credentials'}, ca_file: file('ca.pem'), cert_file: file('client.pem'), key_file: file('client.key')},
				stress_test: {url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/`},
			});
			const result = await run(['--config', config, '-n', '20', '-c', '2']);
			expect(result.code, result.output).toBe(0);
			expect(seen).toHaveLength(20);
			expect(new Set(seen)).toEqual(new Set(['Bearer tok-123']));
			expect(result.output + JSON.stringify(result.report)).not.toContain('PRIVATE KEY');
			const withoutCert = await run(['--config', writeConfig({token_acquisition: {url: tokenUrl, ca_file: file('ca.pem')}, stress_test: {url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/`}}), '-n', '5']);
			expect(withoutCert.code).toBe(1);
			expect(withoutCert.output).toMatch(/token request/);
			expect(seen).toHaveLength(20);
		} finally {
			tokenServer.closeAllConnections();
			target.closeAllConnections();
			tokenServer.close();
			target.close();
		}
	});

	it('bad files are exit 2, one line naming the field and the fix', async () => {
		const missing = await runCli(['--url', plain.url, '--headless', '--ca-file', file('nope.pem')]);
		expect(missing.code).toBe(2);
		expect(missing.stderr).toMatch(/ca_file: cannot read ".*nope\.pem" \(no such file\)/);
		const noKey = await runCli(['--url', plain.url, '--headless', '--cert-file', file('client.pem')]);
		expect(noKey.code).toBe(2);
		expect(noKey.stderr).toMatch(/key_file: missing: cert_file needs its private key/);
		const mismatch = await runCli(['--url', plain.url, '--headless', '--cert-file', file('client.pem'), '--key-file', file('other.key')]);
		expect(mismatch.code).toBe(2);
		expect(mismatch.stderr).toMatch(/key_file: ".*other\.key" does not match cert_file/);
		expect(mismatch.stderr).not.toContain('PRIVATE KEY');
		const notPem = await runCli(['--url', plain.url, '--headless', '--ca-file', file('server.ext')]);
		expect(notPem.code).toBe(2);
		expect(notPem.stderr).toMatch(/ca_file: ".*server\.ext" holds no usable certificate \(no PEM certificate in it\)/);
		const badKey = await runCli(['--url', plain.url, '--headless', '--cert-file', file('client.pem'), '--key-file', file('client.pem')]);
		expect(badKey.code).toBe(2);
		expect(badKey.stderr).toMatch(/cert_file: .* cannot be used/);
		const badValue = await runCli(['--url', plain.url, '--headless', '--config', writeConfig({url: plain.url, keepalive: 'no', servername: ''})]);
		expect(badValue.code).toBe(2);
		expect(badValue.stderr).toMatch(/keepalive: expected true or false/);
		expect(badValue.stderr).toMatch(/servername: expected a non-empty host name/);
		const notSocket = await runCli(['--url', plain.url, '--headless', '--unix-socket', file('ca.pem')]);
		expect(notSocket.code).toBe(2);
		expect(notSocket.stderr).toMatch(/unix_socket: ".*ca\.pem" is not a socket/);
	});
});

describe('NODE_EXTRA_CA_CERTS: read by Node at start-up, or by us when the launcher deferred it', () => {
	// `node dist/cli.js` leaves the variable to Node (the oracle); run as a program, dist/cli.js's sh
	// launcher hands it to engine/tls-trust.ts, which reads it only for a verified TLS connection.
	const launches = [{name: 'launcher', launcher: true}, {name: 'node', launcher: false}] as const;
	let target: Counted;
	let mutual: Counted;
	let h2: {url: string; streams: number; close(): Promise<void>};
	let token: {url: string; requests: number; close(): Promise<void>};
	let plainHttp: {url: string; requests: number; close(): Promise<void>};
	const withCa = (): Record<string, string> => ({NODE_EXTRA_CA_CERTS: file('ca.pem')});
	const program = async (args: string[], launcher: boolean, env: Record<string, string>) => {
		const options = {env, timeoutMs: 30_000};
		const result = await (launcher ? runProgram(cliPath, args, options) : runCli(args, options));
		return {...result, output: result.stdout + result.stderr};
	};

	beforeAll(async () => {
		makeCertificates();
		target = await httpsServer({});
		mutual = await httpsServer({requestCert: true, rejectUnauthorized: true, ca: readFileSync(file('ca.pem'))});
		const h2Server = http2.createSecureServer({key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem'))});
		h2 = {url: '', streams: 0, close: async () => new Promise(resolve => h2Server.close(() => resolve()))};
		h2Server.on('stream', stream => {
			h2.streams++;
			stream.respond({':status': 200});
			stream.end('ok');
		});
		await new Promise<void>(resolve => h2Server.listen(0, '127.0.0.1', resolve));
		h2.url = `https://127.0.0.1:${(h2Server.address() as AddressInfo).port}/`;
		const tokenServer = https.createServer({key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem'))}, (request, response) => {
			token.requests++;
			request.resume();
			response.setHeader('content-type', 'application/json');
			response.end(JSON.stringify({access_token: 'tok-ca', token_type: 'bearer', expires_in: 3600}));
		});
		await listen(tokenServer, 0);
		token = {url: `https://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`, requests: 0, close: async () => new Promise(resolve => tokenServer.close(() => resolve()))};
		const httpServer = http.createServer((_request, response) => {
			plainHttp.requests++;
			response.end('ok');
		});
		await listen(httpServer, 0);
		plainHttp = {url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/`, requests: 0, close: async () => new Promise(resolve => httpServer.close(() => resolve()))};
	});
	afterAll(async () => {
		await Promise.all([target?.close(), mutual?.close(), h2?.close(), token?.close(), plainHttp?.close()]);
	});

	for (const {name, launcher} of launches) {
		for (const client of [...clients, 'http2'] as const) {
			it(`${name}: a load run (${client}) trusts the variable's CA, and fails without it`, async () => {
				const server = client === 'http2' ? h2 : target;
				const clientArgs = client === 'http2' ? ['--http2'] : ['--http-client', client];
				const count = (): number => (client === 'http2' ? h2.streams : target.requests);
				const before = count();
				const trusted = await run(['--url', server.url, '-n', '40', '-c', '2', '-t', '2', ...clientArgs], {env: withCa(), launcher});
				expect(trusted.code, trusted.output).toBe(0);
				expect(trusted.report.summary.statusCodes).toEqual({200: 40});
				expect(count() - before).toBe(40);
				expect(trusted.output).not.toContain('Warning');
				const untrusted = await run(['--url', server.url, '-n', '10', '-c', '1', ...clientArgs], {env: {NODE_EXTRA_CA_CERTS: ''}, launcher});
				expect(untrusted.code).toBe(1);
				expect(count() - before).toBe(40);
			});
		}

		it(`${name}: --single-request (HTTP/1.1 and h2) trusts it`, async () => {
			const before = target.requests;
			const one = await program(['--single-request', '--url', target.url], launcher, withCa());
			expect(one.code, one.output).toBe(0);
			expect(one.stdout).toContain('200 OK');
			expect(target.requests - before).toBe(1);
			const streams = h2.streams;
			const overH2 = await program(['--single-request', '--http2', '--url', h2.url], launcher, withCa());
			expect(overH2.code, overH2.output).toBe(0);
			expect(h2.streams - streams).toBe(1);
			const refused = await program(['--single-request', '--url', target.url], launcher, {NODE_EXTRA_CA_CERTS: ''});
			expect(refused.code).not.toBe(0);
			expect(target.requests - before).toBe(1);
		});

		it(`${name}: the token request and a client certificate (no ca_file) take it too`, async () => {
			const config = writeConfig({
				token_acquisition: {url: token.url, form: {grant_type: 'client_credentials'}},
				stress_test: {url: mutual.url, cert_file: file('client.pem'), key_file: file('client.key')},
			});
			const tokens = token.requests;
			const before = mutual.requests;
			const result = await run(['--config', config, '-n', '30', '-c', '2'], {env: withCa(), launcher});
			expect(result.code, result.output).toBe(0);
			expect(token.requests - tokens).toBe(1);
			expect(mutual.requests - before).toBe(30);
			expect(result.report.summary.statusCodes).toEqual({200: 30});
		});
	}

	it('deferredTrust in-process: Node\'s store plus the file, shared; none without verification, with ca_file, or where Node lacks the method', async () => {
		/** Whether a TLS handshake to the test server verifies with these options (Node's own check is the oracle). */
		const verifies = async (options: tls.ConnectionOptions): Promise<boolean> => new Promise(resolve => {
			const {port} = new URL(target.url);
			const socket = tls.connect({host: '127.0.0.1', port: Number(port), ...options}, () => {
				socket.destroy();
				resolve(true);
			});
			socket.on('error', () => {
				resolve(false);
			});
		});
		const saved = process.env[deferredCaVariable];
		// The prototype of Node's native secure context: its addCACert is hidden for the last check.
		const native = Object.getPrototypeOf((tls.createSecureContext() as tls.SecureContext & {context: object}).context) as {addCACert?: unknown};
		const addCACert = native.addCACert;
		try {
			// This test process's Node read the machine's own NODE_EXTRA_CA_CERTS, without the test CA.
			expect(await verifies({})).toBe(false);
			process.env[deferredCaVariable] = file('ca.pem');
			const network = {keepalive: true} as NetworkOptions;
			const trust = deferredTrust(network, true);
			expect(trust.secureContext).toBeDefined();
			expect(deferredTrust(network, true).secureContext).toBe(trust.secureContext);
			expect(await verifies(trust)).toBe(true);
			expect(deferredTrust(network, false)).toEqual({});
			expect(deferredTrust({keepalive: true, ca: readFileSync(file('server.pem'), 'utf8')}, true)).toEqual({});
			// Without the method the run goes on with Node's default store (and a warning), as Node does
			// with a file it cannot load: the test CA is then not trusted.
			native.addCACert = undefined;
			const without = deferredTrust({keepalive: true} as NetworkOptions, true);
			native.addCACert = addCACert;
			expect(without).toEqual({});
			expect(await verifies(without)).toBe(false);
		} finally {
			native.addCACert = addCACert;
			if (saved === undefined) delete process.env[deferredCaVariable];
			else process.env[deferredCaVariable] = saved;
		}
	});

	it('the launcher defers the file: Node never reads it, and an unreadable one is one warning, once, in our words', async () => {
		const missing = file('no-such-bundle.pem');
		// Node reads it at start-up, before any script: its own message (OpenSSL's words).
		const byNode = await program(['--single-request', '--url', plainHttp.url], false, {NODE_EXTRA_CA_CERTS: missing});
		expect(byNode.code, byNode.output).toBe(0);
		expect(byNode.stderr).toContain(`Warning: Ignoring extra certs from \`${missing}\`, load failed: error:`);
		// Through the launcher Node never sees it: our start-up check says so, in Node's form, once.
		const deferred = await program(['--single-request', '--url', plainHttp.url], true, {NODE_EXTRA_CA_CERTS: missing});
		expect(deferred.code, deferred.output).toBe(0);
		expect(deferred.stderr).toBe(`Warning: Ignoring extra certs from \`${missing}\`, load failed: ENOENT: no such file or directory, access '${missing}'\n`);
		// Two workers and a baseline to an https target: still the one line, and Node's default store alone.
		const load = await program(['--headless', '--no-report', '-t', '2', '-n', '4', '-c', '2', '--url', target.url], true, {NODE_EXTRA_CA_CERTS: missing});
		expect(load.code).toBe(1);
		expect(load.stderr.match(/Ignoring extra certs/g)).toHaveLength(1);
	});

	it('ca_file replaces the variable\'s CAs in both launches, as Node\'s own `ca` option does', async () => {
		const otherCa = file('other-ca.pem');
		if (!existsSync(otherCa)) openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '2', '-subj', '/CN=another CA');
		for (const {launcher} of launches) {
			// eslint-disable-next-line no-await-in-loop
			const result = await run(['--url', target.url, '-n', '5', '-c', '1', '--ca-file', otherCa], {env: withCa(), launcher});
			expect(result.code, result.output).toBe(1);
			expect(result.report.summary.statusCodes).toEqual({});
		}
	});
});

describe('keep-alive off and unix sockets', () => {
	const counted = {requests: 0, connections: 0};
	const server = http.createServer();
	answer(server, counted);
	const unixCounted = {requests: 0, connections: 0};
	const unixServer = http.createServer();
	answer(unixServer, unixCounted);
	const socketPath = path.join(temporary, 'target.sock');
	let url = '';
	beforeAll(async () => {
		await listen(server, 0);
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
		await new Promise<void>(resolve => unixServer.listen(socketPath, resolve));
	});
	afterAll(async () => {
		server.closeAllConnections();
		unixServer.closeAllConnections();
		await new Promise(resolve => server.close(resolve));
		await new Promise(resolve => unixServer.close(resolve));
	});

	for (const client of clients) {
		it(`--no-keepalive: one new connection per request, as many as the report counts (${client})`, async () => {
			counted.requests = 0;
			counted.connections = 0;
			const result = await run(['--url', url, '-n', '300', '-c', '4', '--http-client', client, '--no-keepalive']);
			expect(result.code, result.output).toBe(0);
			expect(result.report.summary.statusCodes).toEqual({200: 300});
			expect(counted.requests).toBe(300);
			expect(counted.connections).toBe(300);
			expect(result.report.summary.connectionEvents).toEqual({'connection-opened': 300});
			expect(result.report.settings.network).toEqual({keepalive: false});
		});

		it(`--unix-socket: every request reaches the socket's server (${client})`, async () => {
			unixCounted.requests = 0;
			const before = counted.requests;
			const result = await run(['--url', 'http://127.0.0.1/', '-n', '200', '-c', '4', '--http-client', client, '--unix-socket', socketPath]);
			expect(result.code, result.output).toBe(0);
			expect(result.report.summary.statusCodes).toEqual({200: 200});
			expect(unixCounted.requests).toBe(200);
			expect(counted.requests).toBe(before);
			expect(result.report.settings.network).toEqual({keepalive: true, unixSocket: socketPath});
		});
	}

	it('"keepalive": false in a config file, with the baseline: the server sees one connection per request', async () => {
		counted.requests = 0;
		counted.connections = 0;
		const config = file('no-keepalive.json');
		writeFileSync(config, JSON.stringify({url, keepalive: false}));
		const result = await runCli(['--headless', '--no-report', '-t', '1', '--config', config, '-n', '100', '-c', '2', '--json', '-'], {timeoutMs: 30_000});
		expect(result.code, result.stderr).toBe(0);
		expect(counted.requests).toBeGreaterThan(100);
		expect(counted.connections).toBe(counted.requests);
	});

	it('--single-request over the unix socket', async () => {
		unixCounted.requests = 0;
		const result = await runCli(['--single-request', '--url', 'http://127.0.0.1/', '--unix-socket', socketPath]);
		expect(result.code, result.stdout + result.stderr).toBe(0);
		expect(unixCounted.requests).toBe(1);
	});
});

describe('the plan fingerprint (merge) tells runs with other network options apart', () => {
	const fingerprint = (config: Record<string, unknown>): string => planFingerprint(resolveConfig({url: 'https://127.0.0.1:8443/', ...config}, {source: 'test', env: {}}).plan);

	it('servername and keep-alive change it; no option leaves it as it was', () => {
		const plain = fingerprint({});
		expect(fingerprint({servername: 'a.test'})).not.toBe(plain);
		expect(fingerprint({servername: 'a.test'})).not.toBe(fingerprint({servername: 'b.test'}));
		expect(fingerprint({keepalive: false})).not.toBe(plain);
		expect(fingerprint({keepalive: true})).not.toBe(fingerprint({keepalive: false}));
	});
});
