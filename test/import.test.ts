import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {quote} from 'shell-quote';
import {afterEach, describe, expect, it} from 'vitest';
import {importCurl} from '../source/config/import-curl.js';
import {resolveConfig} from '../source/config/load.js';
import {runCli, runProgram} from './helpers/cli.js';
import {useTargets, type Responder, type SeenRequest} from './helpers/target-server.js';

const target = useTargets(afterEach);
const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-import-'));
const fixture = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures/import/shop.har');
const hasCurl = spawnSync('curl', ['--version']).status === 0;
// The set-up installs curl (test/setup/system-deps.mjs); without it the comparisons with real curl are left out, and said so here.
if (!hasCurl) console.warn('curl is not installed: the import tests do not compare with real curl');
const tlsKey = readFileSync(new URL('fixtures/self-signed-key.pem', import.meta.url), 'utf8');
const tlsCert = readFileSync(new URL('fixtures/self-signed-cert.pem', import.meta.url), 'utf8');

/** An echo target: answers with the method, URL, headers and body it received, as JSON. */
const echo: Responder = (request, _index, response) => {
	const text = JSON.stringify({method: request.method, url: request.url, headers: request.headers, body: request.body});
	response.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
	response.end(text);
};

/**
 * Headers curl adds on its own and the imported config does not (curl's defaults, not the
 * user's request): its User-Agent and `Accept: *∕*`. Everything else the server saw must match.
 */
const curlDefaults = new Set(['user-agent', 'accept', 'connection']);

/**
 * What must match. Allowed differences: curl's own defaults above, headers a case names (curl's
 * --compressed Accept-Encoding, which the import leaves out on purpose), and the case of %XX in
 * the URL (curl 7.88 writes -G's query with lowercase hex; RFC 3986 2.1: the same URL).
 */
function comparable(seen: SeenRequest, keepAccept: boolean, curlOnly: readonly string[]): Record<string, unknown> {
	const headers = Object.fromEntries(Object.entries(seen.headers).filter(([name]) => (!curlDefaults.has(name) || (keepAccept && name === 'accept')) && !curlOnly.includes(name)));
	return {method: seen.method, url: seen.url.replaceAll(/%[\da-f]{2}/gi, escape => escape.toUpperCase()), headers, body: seen.body};
}

/** Imports a curl command line through the CLI (one string, split as a shell would) and writes the config. */
async function importToFile(commandLine: string, name: string): Promise<{file: string; stderr: string; config: Record<string, unknown>}> {
	const file = path.join(directory, `${name}.json`);
	const result = await runCli(['import', 'curl', commandLine, '--out', file]);
	expect(result.code, result.stderr).toBe(0);
	return {file, stderr: result.stderr, config: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>};
}

describe('import curl round-trips: the server sees from --single-request what it sees from curl itself', () => {
	const secrets = {API_PASSWORD: 's3cr3t:with-colon', API_TOKEN: 'tok-123', CLIENT_SECRET: 'cs-456', COOKIE: 'sid=abc; theme=dark'};
	const cases: Array<{name: string; words: (url: string) => string[]; tls?: boolean; variables: string[]; keepAccept?: boolean; curlOnly?: string[]}> = [
		{
			name: 'POST with headers, a JSON body and -u',
			words: url => ['curl', '-X', 'POST', `${url}/orders?x=1&y=two`, '-H', 'X-Trace: abc 123', '-H', 'Content-Type: application/json', '--data-raw', '{"order":42,"note":"a b","items":[1,2]}', '-u', `alice:${secrets.API_PASSWORD}`],
			variables: ['API_PASSWORD'],
		},
		{
			name: 'form fields from several -d (joined with &), a cookie, -A and -e',
			words: url => ['curl', `${url}/login`, '-d', 'user=demo', '-d', 'remember=yes', '--data-urlencode', 'q=a b&c', '-b', secrets.COOKIE, '-A', 'my-agent/1.0', '-e', 'http://example.test/from'],
			variables: ['COOKIE'],
		},
		{
			name: '--json with a bearer token and a client secret in the body',
			words: url => ['curl', '--json', '{"grant":"x","client_secret":"cs-456"}', '-H', `Authorization: Bearer ${secrets.API_TOKEN}`, `${url}/token`],
			variables: ['API_TOKEN', 'CLIENT_SECRET'],
			keepAccept: true,
		},
		{
			name: '-G puts the data in the query; clustered -sS and an attached -XDELETE',
			words: url => ['curl', '-sS', '-G', `${url}/search`, '-d', 'q=shoes', '--data-urlencode', 'size=4 ½', '-XDELETE'],
			variables: [],
		},
		{
			name: 'PUT over https with -k, --compressed noted, a raw body with a Content-Type of its own',
			words: url => ['curl', '-k', '--compressed', '-X', 'PUT', `${url}/raw`, '-H', 'Content-Type: text/csv', '--data-binary', 'a,b\n1,2\n'],
			tls: true,
			variables: [],
			curlOnly: ['accept-encoding'],
		},
		{
			name: 'user:password@ in the URL becomes basic_auth, out of the URL',
			words: url => ['curl', url.replace('http://', `http://carol:${encodeURIComponent(secrets.API_PASSWORD)}@`) + '/userinfo'],
			variables: ['API_PASSWORD'],
		},
		{
			name: '-I sends HEAD',
			words: url => ['curl', '-I', `${url}/head`],
			variables: [],
		},
	];

	it.each(cases)('$name', async ({name, words, tls, variables, keepAccept, curlOnly = []}) => {
		const server = await target({respond: echo, ...(tls ? {tls: {key: tlsKey, cert: tlsCert}} : {})});
		const argv = words(server.url);
		const {file, stderr, config} = await importToFile(quote(argv), name.replaceAll(/\W+/g, '-'));
		const written = JSON.stringify(config);
		// Secrets are placeholders: their values are in neither the config nor the notes.
		for (const variable of variables) {
			expect(stderr).toMatch(new RegExp(`export ${variable}=`));
			expect(written).toContain(`\${${variable}}`);
			expect(written + stderr).not.toContain(secrets[variable as keyof typeof secrets]);
			expect(written + stderr).not.toContain('s3cr3t');
		}

		const ours = await runCli(['--config', file, '--single-request'], {env: secrets});
		expect(ours.code, ours.stdout + ours.stderr).toBe(0);
		expect(server.seen).toHaveLength(1);
		if (!hasCurl) return;
		const curl = await runProgram('curl', ['-sS', '-o', '/dev/null', ...argv.slice(1)]);
		expect(curl.code, curl.stderr).toBe(0);
		expect(server.seen).toHaveLength(2);
		const [fromConfig, fromCurl] = server.seen;
		expect(comparable(fromConfig!, keepAccept === true, curlOnly)).toStrictEqual(comparable(fromCurl!, keepAccept === true, curlOnly));
		expect(fromCurl!.headers[curlOnly[0] ?? 'host']).toBeDefined();
	});

	it('takes curl\'s words as separate arguments too (its -H, -d and -u are not pystress-tui\'s flags)', async () => {
		const server = await target({respond: echo});
		const result = await runCli(['import', 'curl', '-X', 'PATCH', `${server.url}/items/7`, '-H', 'X-A: 1', '-d', 'n=1', '-u', 'bob:pw', '--out', path.join(directory, 'words.json')]);
		expect(result.code, result.stderr).toBe(0);
		const config = JSON.parse(readFileSync(path.join(directory, 'words.json'), 'utf8')) as Record<string, unknown>;
		expect(config).toMatchObject({method: 'PATCH', url: `${server.url}/items/7`, headers: {'X-A': '1'}, form: {n: '1'}, basic_auth: {username: 'bob', password: '${API_PASSWORD}'}});
		const stdout = await runCli(['import', 'curl', '--', 'curl', `${server.url}/x`]);
		expect(JSON.parse(stdout.stdout)).toStrictEqual({method: 'GET', url: `${server.url}/x`});
	});

	it('names the options it did not import on stderr (never their values), and what it ignored', async () => {
		const result = await runCli(['import', 'curl', 'curl -sS --frobnicate --aws-sigv4 "aws:amz:us-east-1:s3" -L --compressed -F file=@x.png http://127.0.0.1:9/ | jq .']);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toMatch(/not imported.*--frobnicate --aws-sigv4/);
		expect(result.stderr).not.toContain('us-east-1');
		expect(result.stderr).toMatch(/-L\/--location: redirects are not followed/);
		expect(result.stderr).toMatch(/--compressed: ignored/);
		expect(result.stderr).toMatch(/multipart forms are not supported/);
		expect(result.stderr).toMatch(/read up to "\|"/);
		expect(result.stderr).toMatch(/ignored, they change only curl's own output.*--silent --show-error/);
	});

	it('a shell variable in the command stays a variable: ${TOKEN} in the config', () => {
		const words = ['curl', 'http://127.0.0.1:9/', '-H', 'Authorization: Bearer ${TOKEN}'];
		const result = importCurl(words, () => '');
		expect(result.config['headers']).toStrictEqual({Authorization: 'Bearer ${TOKEN}'});
		expect(result.notes.join('\n')).toMatch(/reads \$\{TOKEN\}/);
	});

	it('bad input is one line naming the problem, exit 2', async () => {
		for (const [args, pattern] of [
			[['import', 'curl', 'curl -sS'], /curl: url: no URL in the curl command/],
			[['import', 'curl', 'curl ftp://127.0.0.1/x'], /is ftp; pystress-tui tests http/],
			[['import', 'curl', 'curl http://127.0.0.1/ -H'], /-H: needs a value/],
			[['import', 'har', path.join(directory, 'missing.har')], /cannot read .*missing\.har \(file not found\)/],
			[['import', 'wget', 'x'], /"wget" is not an import; expected curl or har/],
		] as const) {
			// eslint-disable-next-line no-await-in-loop
			const result = await runCli(args);
			expect(result.code, args.join(' ')).toBe(2);
			expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
			expect(result.stderr).toMatch(pattern);
		}
	});
});

type HarEntry = {request: {method: string; url: string; headers: Array<{name: string; value: string}>; postData?: {text: string}}};

describe('import har', () => {
	const har = JSON.parse(readFileSync(fixture, 'utf8')) as {log: {entries: HarEntry[]}};
	const env = {COOKIE: 'sid=1', API_TOKEN: 'tok', X_API_KEY: 'key', PASSWORD: 'hunter2'};

	/** The oracle: the HAR's own http(s) entries, counted by method, URL and body. */
	function expectedEndpoints(host?: string): Array<{method: string; url: string; body: string | undefined; weight: number}> {
		const counts = new Map<string, {method: string; url: string; body: string | undefined; weight: number}>();
		for (const {request} of har.log.entries) {
			const url = new URL(request.url);
			if (!/^https?:$/.test(url.protocol) || (host !== undefined && url.hostname !== host)) continue;
			const key = JSON.stringify([request.method, request.url, request.postData?.text]);
			const seen = counts.get(key) ?? {method: request.method, url: request.url, body: request.postData?.text, weight: 0};
			seen.weight++;
			counts.set(key, seen);
		}

		return [...counts.values()];
	}

	it('one endpoint per distinct request, weighted by count; it loads, and sends the HAR\'s bodies byte for byte', async () => {
		const out = path.join(directory, 'shop.json');
		const result = await runCli(['import', 'har', fixture, '--filter', 'shop.example.test', '--out', out]);
		expect(result.code, result.stderr).toBe(0);
		const config = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
		const loaded = resolveConfig(config, {source: out, env});
		const expected = expectedEndpoints('shop.example.test');
		expect(loaded.plan.endpoints.map(endpoint => ({method: endpoint.method, url: endpoint.url, body: endpoint.body, weight: endpoint.weight}))).toStrictEqual(expected);
		// Headers as the browser sent them (the secrets from the environment), pseudo-headers and Host left out.
		const cart = loaded.plan.endpoints.find(endpoint => endpoint.method === 'POST' && endpoint.url.endsWith('/api/cart'))!;
		const harCart = har.log.entries.find(entry => entry.request.url.endsWith('/api/cart'))!.request;
		const browserHeaders = Object.fromEntries(harCart.headers.filter(header => !header.name.startsWith(':')).map(header => [header.name.toLowerCase(), header.value]));
		expect(Object.fromEntries(Object.entries(cart.headers).map(([name, value]) => [name.toLowerCase(), value]))).toStrictEqual({
			...browserHeaders,
			cookie: env.COOKIE,
			authorization: `Bearer ${env.API_TOKEN}`,
			'x-api-key': env.X_API_KEY,
		});
		// No secret of the HAR file in the config or on stderr; each variable named once.
		const harText = readFileSync(fixture, 'utf8');
		for (const secret of ['hunter2', 'sid=8f14e45f', 'eyJhbGciOiJIUzI1NiJ9', 'k-1234567890']) {
			expect(harText).toContain(secret);
			expect(JSON.stringify(config) + result.stderr).not.toContain(secret);
		}

		for (const variable of Object.keys(env)) expect(result.stderr).toContain(`export ${variable}=`);
		expect(result.stderr).toMatch(/skipped 1 data: entry/);
		expect(result.stderr).toMatch(/skipped 1 wss: entry/);
		expect(result.stderr).toMatch(/--filter shop\.example\.test: left out 3 requests/);
		// Endpoint names are unique (the loader rejects duplicates; it loaded).
		expect(new Set(loaded.plan.endpoints.map(endpoint => endpoint.name)).size).toBe(expected.length);
	});

	it('without --filter every http(s) host is kept; a filter matching nothing lists the hosts', async () => {
		const all = await runCli(['import', 'har', fixture]);
		expect(all.code, all.stderr).toBe(0);
		const loaded = resolveConfig(JSON.parse(all.stdout) as Record<string, unknown>, {source: 'stdout', env});
		expect(loaded.plan.endpoints.map(endpoint => [endpoint.url, endpoint.weight])).toStrictEqual(expectedEndpoints().map(endpoint => [endpoint.url, endpoint.weight]));
		const none = await runCli(['import', 'har', fixture, '--filter', 'nowhere.test']);
		expect(none.code).toBe(2);
		expect(none.stderr).toMatch(/no request to nowhere\.test \(hosts in the file: shop\.example\.test, cdn\.example\.net\)/);
		const notHar = path.join(directory, 'not.har');
		writeFileSync(notHar, '{"entries": []}');
		const bad = await runCli(['import', 'har', notHar]);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toMatch(/log\.entries: missing; not a HAR file/);
	});

	it('an imported HAR runs: its requests reach a loopback server as the browser sent them', async () => {
		const server = await target({respond: echo});
		const file = path.join(directory, 'local.har');
		const entry = (method: string, url: string, text?: string): unknown => ({request: {method, url, headers: [{name: 'accept', value: 'application/json'}, {name: 'content-type', value: 'application/json'}], ...(text === undefined ? {} : {postData: {mimeType: 'application/json', text}})}});
		writeFileSync(file, JSON.stringify({log: {version: '1.2', entries: [entry('POST', `${server.url}/api/cart`, '{"sku":"A-1","qty":1}')]}}));
		const out = path.join(directory, 'local.json');
		expect((await runCli(['import', 'har', file, '--out', out])).code).toBe(0);
		const run = await runCli(['--config', out, '--single-request']);
		expect(run.code, run.stderr).toBe(0);
		expect(server.seen[0]).toMatchObject({method: 'POST', url: '/api/cart', body: '{"sku":"A-1","qty":1}', headers: {accept: 'application/json', 'content-type': 'application/json'}});
	});
});
