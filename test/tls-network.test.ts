/**
 * TLS and network options against real servers on 127.0.0.1: a test CA (made with openssl at test
 * time), mutual TLS, SNI, keep-alive off and a unix socket, for both clients and --single-request.
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type {TLSSocket} from 'node:tls';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import {planFingerprint} from '../source/session/plan-fingerprint.js';
import {runCli} from './helpers/cli.js';

const temporary = mkdtempSync(path.join(os.tmpdir(), 'pystress-tls-'));
const file = (name: string): string => path.join(temporary, name);
const clients = ['socket', 'undici'] as const;

function openssl(...args: string[]): void {
	execFileSync('openssl', args, {cwd: temporary, stdio: 'ignore'});
}

/** A CA, a server certificate for test.local and 127.0.0.1, a client certificate, and a stray key. */
function makeCertificates(): void {
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

async function run(args: string[]): Promise<{code: number | null; output: string; report: any}> {
	const jsonPath = file(`report-${Math.random().toString(36).slice(2)}.json`);
	const result = await runCli(['--headless', '--no-baseline', '--no-report', '-t', '1', '--json', jsonPath, ...args], {timeoutMs: 30_000});
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
