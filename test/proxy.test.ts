/**
 * The HTTP proxy against a small forward proxy on loopback (node:http: absolute-form requests and
 * CONNECT tunnels, each counted, with the Proxy-Authorization it saw): the proxy's and the
 * target's own counts are the oracles, for both clients, --single-request and the token request.
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, {type AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {bypassesProxy, resolveProxy} from '../source/config/proxy.js';
import {runCli} from './helpers/cli.js';

const temporary = mkdtempSync(path.join(os.tmpdir(), 'pystress-proxy-'));
const file = (name: string): string => path.join(temporary, name);
const clients = ['socket', 'undici'] as const;
const password = 's3cret-proxy-pass';
const basic = `Basic ${Buffer.from(`tester:${password}`).toString('base64')}`;

type Proxy = {
	url: string;
	port: number;
	/** Absolute-form requests it forwarded, and CONNECT tunnels it opened. */
	requests: number;
	tunnels: number;
	/** Proxy-Authorization values seen (one per request or tunnel). */
	authorizations: string[];
	/** Request targets as received (absolute form expected). */
	targets: string[];
	/** Answer 407 unless the credentials are `tester:password`. */
	requireAuth: boolean;
	close(): Promise<void>;
};

async function listen(server: net.Server): Promise<number> {
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return (server.address() as AddressInfo).port;
}

async function startProxy(): Promise<Proxy> {
	const sockets = new Set<net.Socket>();
	const server = http.createServer();
	const proxy: Proxy = {url: '', port: 0, requests: 0, tunnels: 0, authorizations: [], targets: [], requireAuth: false, close: async () => undefined};
	const allowed = (header: string | undefined): boolean => !proxy.requireAuth || header === basic;
	server.on('connection', socket => sockets.add(socket));
	server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
		proxy.targets.push(request.url ?? '');
		const auth = request.headers['proxy-authorization'];
		if (auth !== undefined) proxy.authorizations.push(auth);
		if (!allowed(auth)) {
			response.writeHead(407, {'proxy-authenticate': 'Basic realm="test"', 'content-length': 0}).end();
			return;
		}

		proxy.requests++;
		const headers = {...request.headers};
		delete headers['proxy-authorization'];
		const upstream = http.request(request.url!, {method: request.method, headers, agent: false}, answer => {
			response.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(response);
		});
		upstream.on('error', () => response.writeHead(502).end());
		request.pipe(upstream);
	});
	server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
		const auth = request.headers['proxy-authorization'];
		if (auth !== undefined) proxy.authorizations.push(auth);
		if (!allowed(auth)) {
			client.end('HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="test"\r\ncontent-length: 0\r\n\r\n');
			return;
		}

		proxy.tunnels++;
		const [host, port] = (request.url ?? '').split(':');
		const upstream = net.connect(Number(port), host, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length > 0) upstream.write(head);
			upstream.pipe(client).pipe(upstream);
		});
		sockets.add(upstream);
		upstream.on('error', () => client.destroy());
		client.on('error', () => upstream.destroy());
	});
	proxy.port = await listen(server);
	proxy.url = `http://127.0.0.1:${proxy.port}`;
	proxy.close = async () => {
		for (const socket of sockets) socket.destroy();
		await new Promise<void>(resolve => server.close(() => resolve()));
	};

	return proxy;
}

type Target = {url: string; requests: number; connections: number; paths: string[]; close(): Promise<void>};

async function startTarget(tls: boolean): Promise<Target> {
	const server = tls ? https.createServer({key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem'))}) : http.createServer();
	const target: Target = {url: '', requests: 0, connections: 0, paths: [], close: async () => undefined};
	server.on(tls ? 'secureConnection' : 'connection', () => target.connections++);
	server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
		target.requests++;
		target.paths.push(request.url ?? '');
		if (request.url === '/token') {
			response.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({access_token: 'tok', token_type: 'Bearer', expires_in: 3600}));
			return;
		}

		response.end('ok');
	});
	target.url = `${tls ? 'https' : 'http'}://127.0.0.1:${await listen(server)}`;
	target.close = async () => {
		server.closeAllConnections();
		await new Promise<void>(resolve => server.close(() => resolve()));
	};

	return target;
}

async function run(args: string[], env: Record<string, string> = {}): Promise<{code: number | null; output: string; report: any; json: string}> {
	const jsonPath = file(`report-${Math.random().toString(36).slice(2)}.json`);
	const result = await runCli(['--headless', '--no-baseline', '--no-report', '-t', '1', '--json', jsonPath, ...args], {timeoutMs: 30_000, env});
	let json = '';
	try {
		json = readFileSync(jsonPath, 'utf8');
	} catch {}

	return {code: result.code, output: result.stdout + result.stderr, report: json === '' ? undefined : JSON.parse(json), json};
}

describe('HTTP proxy', () => {
	let proxy: Proxy;
	let plain: Target;
	let secure: Target;
	beforeAll(async () => {
		execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.pem', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {cwd: temporary, stdio: 'ignore'});
		proxy = await startProxy();
		plain = await startTarget(false);
		secure = await startTarget(true);
	});
	afterEach(() => {
		proxy.requireAuth = false;
	});
	afterAll(async () => {
		await proxy?.close();
		await plain?.close();
		await secure?.close();
	});

	const counts = () => ({proxyRequests: proxy.requests, tunnels: proxy.tunnels, plain: plain.requests, secure: secure.requests, secureConnections: secure.connections, auth: proxy.authorizations.length});

	for (const client of clients) {
		it(`http:// target through --proxy: absolute-form requests, counted alike by the proxy, the target and the report (${client})`, async () => {
			const before = counts();
			const {code, output, report} = await run(['--url', `${plain.url}/item?x=1`, '-n', '60', '-c', '3', '--http-client', client, '--proxy', proxy.url]);
			expect(code, output).toBe(0);
			expect(proxy.requests - before.proxyRequests).toBe(60);
			expect(plain.requests - before.plain).toBe(60);
			expect(report.summary.requests).toBe(60);
			expect(report.summary.statusCodes).toEqual({200: 60});
			expect(proxy.targets.at(-1)).toBe(`${plain.url}/item?x=1`);
			expect(report.settings.proxy).toBe(proxy.url);
			expect(output).toContain(`Proxy             ${proxy.url}`);
		});

		it(`https:// target through --proxy: one CONNECT tunnel per connection, TLS inside (${client})`, async () => {
			const before = counts();
			const {code, output, report} = await run(['--url', `${secure.url}/`, '-n', '40', '-c', '2', '--no-keepalive', '--http-client', client, '--proxy', proxy.url, '--ca-file', file('server.pem')]);
			expect(code, output).toBe(0);
			const tunnels = proxy.tunnels - before.tunnels;
			expect(tunnels).toBe(40);
			expect(secure.connections - before.secureConnections).toBe(tunnels);
			expect(secure.requests - before.secure).toBe(40);
			expect(proxy.requests - before.proxyRequests).toBe(0);
			expect(report.summary.connectMs.count).toBe(tunnels);
			expect(report.summary.tlsHandshakeMs.count).toBe(tunnels);
		});

		it(`credentials go as Proxy-Authorization and appear nowhere in the report, log or output (${client})`, async () => {
			proxy.requireAuth = true;
			const before = counts();
			const logPath = file(`log-${client}.ndjson`);
			const proxyUrl = `http://tester:${password}@127.0.0.1:${proxy.port}`;
			const httpRun = await run(['--url', `${plain.url}/`, '-n', '20', '-c', '2', '--http-client', client, '--proxy', proxyUrl, '--log', logPath]);
			const httpsRun = await run(['--url', `${secure.url}/`, '-n', '20', '-c', '2', '--http-client', client, '--proxy', proxyUrl, '--ca-file', file('server.pem')]);
			expect(httpRun.code, httpRun.output).toBe(0);
			expect(httpsRun.code, httpsRun.output).toBe(0);
			expect(proxy.requests - before.proxyRequests).toBe(20);
			expect(secure.requests - before.secure).toBe(20);
			const seen = proxy.authorizations.slice(before.auth);
			expect(seen.length).toBe(20 + (proxy.tunnels - before.tunnels));
			expect(new Set(seen)).toEqual(new Set([basic]));
			const base64 = basic.slice('Basic '.length);
			for (const text of [httpRun.output, httpRun.json, httpsRun.output, httpsRun.json, readFileSync(logPath, 'utf8')]) {
				expect(text).not.toContain(password);
				expect(text).not.toContain(base64);
			}

			expect(httpRun.report.settings.proxy).toBe(`http://tester:redacted@127.0.0.1:${proxy.port}`);
		});
	}

	it('a proxy that refuses the tunnel (407) is a clear error: exit 1, kind proxy-auth with its hint; --single-request names the status', async () => {
		proxy.requireAuth = true;
		for (const client of clients) {
			// eslint-disable-next-line no-await-in-loop
			const {code, output, report} = await run(['--url', `${secure.url}/`, '-n', '5', '-c', '1', '--http-client', client, '--proxy', proxy.url, '--ca-file', file('server.pem')]);
			expect(code).toBe(1);
			expect(report.summary.errorKinds).toEqual({'proxy-auth': 5});
			expect(output).toContain('The HTTP proxy wants credentials (407 Proxy Authentication Required)');
		}

		const single = await runCli(['--url', `${secure.url}/`, '--single-request', '--proxy', proxy.url, '--ca-file', file('server.pem')], {timeoutMs: 20_000});
		expect(single.code).toBe(1);
		expect(single.stdout + single.stderr).toContain(`proxy-auth: the proxy refused the tunnel to 127.0.0.1:${new URL(secure.url).port}: 407 Proxy Authentication Required`);
	});

	it('a proxy that cannot be reached: kind proxy, the proxy named (both clients)', async () => {
		// A port that was just free: nothing listens there.
		const closed = net.createServer();
		const port = await listen(closed);
		await new Promise<void>(resolve => closed.close(() => resolve()));
		for (const client of clients) {
			// eslint-disable-next-line no-await-in-loop
			const {code, output, report} = await run(['--url', `${secure.url}/`, '-n', '3', '-c', '1', '--http-client', client, '--proxy', `http://127.0.0.1:${port}`, '--ca-file', file('server.pem')]);
			expect(code, output).toBe(1);
			expect(report.summary.errorKinds).toEqual({proxy: 3});
		}
	});

	it('HTTP_PROXY from the environment is used; NO_PROXY sends the host direct; the flag wins over both', async () => {
		let before = counts();
		const viaEnv = await run(['--url', `${plain.url}/`, '-n', '15', '-c', '1'], {HTTP_PROXY: proxy.url});
		expect(viaEnv.code, viaEnv.output).toBe(0);
		expect(proxy.requests - before.proxyRequests).toBe(15);
		expect(viaEnv.report.settings.proxy).toBe(`${proxy.url} (http) from the environment`);

		before = counts();
		const bypassed = await run(['--url', `${plain.url}/`, '-n', '15', '-c', '1'], {http_proxy: proxy.url, NO_PROXY: 'example.com, 127.0.0.1'});
		expect(bypassed.code, bypassed.output).toBe(0);
		expect(proxy.requests - before.proxyRequests).toBe(0);
		expect(plain.requests - before.plain).toBe(15);

		// An https:// target uses HTTPS_PROXY, not HTTP_PROXY.
		before = counts();
		const httpsEnv = await run(['--url', `${secure.url}/`, '-n', '6', '-c', '1', '--ca-file', file('server.pem')], {HTTP_PROXY: 'http://127.0.0.1:1', HTTPS_PROXY: proxy.url});
		expect(httpsEnv.code, httpsEnv.output).toBe(0);
		expect(proxy.tunnels - before.tunnels).toBe(1);

		// The flag beats a broken environment proxy.
		before = counts();
		const flag = await run(['--url', `${plain.url}/`, '-n', '5', '-c', '1', '--proxy', proxy.url], {HTTP_PROXY: 'http://127.0.0.1:1'});
		expect(flag.code, flag.output).toBe(0);
		expect(proxy.requests - before.proxyRequests).toBe(5);
	});

	it('"proxy" in the config beats the environment; --single-request goes through it (http and https)', async () => {
		const config = file('proxied.json');
		writeFileSync(config, JSON.stringify({url: `${plain.url}/config`, proxy: proxy.url}));
		let before = counts();
		const configured = await run(['--config', config, '-n', '7', '-c', '1'], {HTTP_PROXY: 'http://127.0.0.1:1'});
		expect(configured.code, configured.output).toBe(0);
		expect(proxy.requests - before.proxyRequests).toBe(7);

		before = counts();
		const single = await runCli(['--url', `${plain.url}/single`, '--single-request', '--proxy', proxy.url], {timeoutMs: 20_000});
		expect(single.code, single.stderr).toBe(0);
		expect(proxy.requests - before.proxyRequests).toBe(1);
		expect(proxy.targets.at(-1)).toBe(`${plain.url}/single`);

		before = counts();
		const singleTls = await runCli(['--url', `${secure.url}/single`, '--single-request', '--proxy', proxy.url, '--ca-file', file('server.pem')], {timeoutMs: 20_000});
		expect(singleTls.code, singleTls.stderr + singleTls.stdout).toBe(0);
		expect(proxy.tunnels - before.tunnels).toBe(1);
		expect(secure.requests - before.secure).toBe(1);
	});

	it('the OAuth2 token request goes through the proxy too', async () => {
		const config = file('oauth.json');
		writeFileSync(config, JSON.stringify({
			token_acquisition: {url: `${plain.url}/token`, method: 'POST', form: {grant_type: 'client_credentials', client_id: 'load', client_secret: 'x'}},
			stress_test: {url: `${plain.url}/protected`},
		}));
		const before = counts();
		const start = proxy.targets.length;
		const {code, output} = await run(['--config', config, '-n', '10', '-c', '1', '--proxy', proxy.url]);
		expect(code, output).toBe(0);
		expect(proxy.targets.slice(start).filter(target => target === `${plain.url}/token`)).toHaveLength(1);
		expect(proxy.requests - before.proxyRequests).toBe(11);
	});
});

describe('NO_PROXY and the environment (curl\'s rules)', () => {
	it('matches *, names and their subdomains, addresses, CIDR blocks and ports', () => {
		expect(bypassesProxy('*', 'anything', 80)).toBe(true);
		expect(bypassesProxy('example.com', 'api.example.com', 443)).toBe(true);
		expect(bypassesProxy('.example.com', 'example.com', 443)).toBe(true);
		expect(bypassesProxy('example.com', 'badexample.com', 443)).toBe(false);
		expect(bypassesProxy('10.0.0.0/8, ::1', '10.2.3.4', 80)).toBe(true);
		expect(bypassesProxy('10.0.0.0/8', '11.2.3.4', 80)).toBe(false);
		expect(bypassesProxy('::1', '::1', 80)).toBe(true);
		expect(bypassesProxy('localhost:8080', 'localhost', 8080)).toBe(true);
		expect(bypassesProxy('localhost:8080', 'localhost', 9090)).toBe(false);
		// Loopback is not exempt unless named (curl's rule).
		expect(bypassesProxy(undefined, '127.0.0.1', 80)).toBe(false);
	});

	it('lowercase before uppercase; all_proxy for both; a bad URL is one problem naming the variable', () => {
		const proxies = resolveProxy(undefined, {http_proxy: 'http://a:1', HTTP_PROXY: 'http://b:2', ALL_PROXY: 'http://c:3'}, () => undefined);
		expect(proxies?.http?.url).toBe('http://a:1');
		expect(proxies?.https?.url).toBe('http://c:3');
		const problems: string[] = [];
		resolveProxy(undefined, {HTTPS_PROXY: 'socks5://x:1'}, (at, message) => problems.push(`${at}: ${message}`));
		expect(problems).toEqual(['HTTPS_PROXY: "socks5://x:1": only http:// proxies are supported (https:// targets go through them with CONNECT)']);
	});
});
