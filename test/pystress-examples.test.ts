import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import {rootDir, runCli} from './helpers/cli.js';

/*
 * Every JSON example of PyStress's own readme, copied into test/fixtures/pystress/ exactly as
 * written there (its "Configuration" section):
 *   01-basic-config.json  from "### Basic Config"
 *   02-with-oauth2.json   from "### With OAuth2"
 *   03-all-options.json   from "### All Options" ("json": {} and "form": {} together)
 * Each one validates unchanged, and runs with ONE change: the host and port of its URLs
 * (`url`, and the OAuth2 `token_acquisition.url` / `stress_test.url`) point at a local HTTPS
 * server on 127.0.0.1 (the scheme and paths stay, and verify_tls stays true: the server's
 * self-signed certificate is trusted through NODE_EXTRA_CA_CERTS). The server records what
 * arrives, and the test checks it is what PyStress sends: method, Content-Type, body encoding,
 * basic auth, and the OAuth2 token as a Bearer header.
 */

const fixtures = path.join(rootDir, 'test/fixtures/pystress');
const certPath = path.join(rootDir, 'test/fixtures/self-signed-cert.pem');
const keyPath = path.join(rootDir, 'test/fixtures/self-signed-key.pem');
const accessToken = 'pystress-example-token';

type Received = {method: string; path: string; rawHeaders: string[]; body: string};

/** Header values by lower-case name, every occurrence (to catch a duplicated Content-Type). */
function headersOf(request: Received, name: string): string[] {
	const values: string[] = [];
	for (let index = 0; index < request.rawHeaders.length; index += 2) {
		if (request.rawHeaders[index]!.toLowerCase() === name) values.push(request.rawHeaders[index + 1]!);
	}

	return values;
}

/** Points the URL at the local server: host and port change, scheme and path stay. */
function rewrite(url: unknown, port: number): string {
	const parsed = new URL(String(url));
	parsed.host = `127.0.0.1:${port}`;
	return parsed.href;
}

/** The fixture with its URLs rewritten: the only change made to it. */
function localCopy(config: Record<string, any>, port: number): Record<string, any> {
	const copy = structuredClone(config);
	if (copy['url'] !== undefined) copy['url'] = rewrite(copy['url'], port);
	if (copy['token_acquisition']?.url !== undefined) copy['token_acquisition'].url = rewrite(copy['token_acquisition'].url, port);
	if (copy['stress_test']?.url !== undefined) copy['stress_test'].url = rewrite(copy['stress_test'].url, port);
	return copy;
}

/** The config with its URL fields removed, to show nothing else differs. */
function withoutUrls(config: Record<string, any>): Record<string, any> {
	const copy = structuredClone(config);
	delete copy['url'];
	delete copy['token_acquisition']?.url;
	delete copy['stress_test']?.url;
	return copy;
}

describe('every config example in PyStress\'s readme runs unchanged', () => {
	const files = readdirSync(fixtures).filter(file => file.endsWith('.json')).sort();
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-examples-'));
	const received: Received[] = [];
	let server: https.Server;
	let port: number;

	beforeAll(async () => {
		server = https.createServer({key: readFileSync(keyPath), cert: readFileSync(certPath)}, (request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				const seen = {method: request.method ?? '', path: request.url ?? '', rawHeaders: request.rawHeaders, body: Buffer.concat(chunks).toString()};
				received.push(seen);
				// PyStress's OAuth2 example asks https://auth.example.com/token for a token.
				const body = seen.path === '/token' ? JSON.stringify({access_token: accessToken, token_type: 'Bearer', expires_in: 3600}) : '{"ok":true}';
				response.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
				response.end(body);
			});
		});
		await new Promise<void>(resolve => {
			server.listen(0, '127.0.0.1', resolve);
		});
		port = (server.address() as AddressInfo).port;
	});

	afterAll(async () => {
		server?.closeAllConnections();
		await new Promise<void>(resolve => {
			server?.close(() => {
				resolve();
			});
		});
		rmSync(directory, {recursive: true, force: true});
	});

	/** Runs one fixture (URLs rewritten) headless and returns what the server received. */
	async function run(file: string): Promise<Received[]> {
		const original = JSON.parse(readFileSync(path.join(fixtures, file), 'utf8')) as Record<string, any>;
		const local = localCopy(original, port);
		expect(withoutUrls(local)).toEqual(withoutUrls(original));
		const configPath = path.join(directory, file);
		writeFileSync(configPath, JSON.stringify(local, undefined, 2));
		received.length = 0;
		const result = await runCli(['--config', configPath, '--headless', '-n', '5', '-c', '1', '--no-baseline', '--no-report'], {cwd: directory, env: {NODE_EXTRA_CA_CERTS: certPath}, timeoutMs: 30_000});
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toMatch(/5 requests, .* 0 errors/);
		return [...received];
	}

	it('holds the three examples of the readme\'s Configuration section', () => {
		expect(files).toEqual(['01-basic-config.json', '02-with-oauth2.json', '03-all-options.json']);
	});

	for (const file of files) {
		it(`${file} validates as written`, () => {
			const raw = JSON.parse(readFileSync(path.join(fixtures, file), 'utf8')) as Record<string, unknown>;
			const loaded = resolveConfig(raw, {source: file, env: {}});
			expect(loaded.plan.endpoints).toHaveLength(1);
			expect(loaded.plan.policy.verifyTls).toBe(true);
		});
	}

	it('Basic Config: POST with the JSON body, one Content-Type (the one the file sets)', async () => {
		const requests = await run('01-basic-config.json');
		expect(requests).toHaveLength(5);
		for (const request of requests) {
			expect(request).toMatchObject({method: 'POST', path: '/endpoint', body: '{"key":"value"}'});
			expect(headersOf(request, 'content-type')).toEqual(['application/json']);
			expect(headersOf(request, 'authorization')).toEqual([]);
		}
	});

	it('With OAuth2: one form-encoded token request, then the JSON body with the Bearer token', async () => {
		const requests = await run('02-with-oauth2.json');
		const token = requests.filter(request => request.path === '/token');
		const stress = requests.filter(request => request.path !== '/token');
		expect(token).toHaveLength(1);
		expect(token[0]!.method).toBe('POST');
		expect(headersOf(token[0]!, 'content-type')).toEqual(['application/x-www-form-urlencoded']);
		expect(Object.fromEntries(new URLSearchParams(token[0]!.body))).toEqual({grant_type: 'client_credentials', client_id: 'your-client-id', client_secret: 'your-secret'});
		expect(stress).toHaveLength(5);
		for (const request of stress) {
			expect(request).toMatchObject({method: 'POST', path: '/protected', body: '{"data":"value"}'});
			expect(headersOf(request, 'content-type')).toEqual(['application/json']);
			expect(headersOf(request, 'authorization')).toEqual([`Bearer ${accessToken}`]);
		}
	});

	it('All Options: "json": {} and "form": {} together send the JSON body, with basic auth', async () => {
		const requests = await run('03-all-options.json');
		expect(requests).toHaveLength(5);
		for (const request of requests) {
			expect(request).toMatchObject({method: 'POST', path: '/endpoint', body: '{}'});
			expect(headersOf(request, 'content-type')).toEqual(['application/json']);
			expect(headersOf(request, 'authorization')).toEqual([`Basic ${Buffer.from('user:pass').toString('base64')}`]);
		}
	});
});
