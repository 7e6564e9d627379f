/**
 * Data-driven requests: placeholders compiled against a naive reference (string replace,
 * JSON.stringify, the URL parser) on random inputs, and real runs of the built CLI against a
 * node:http server on loopback that counts what it receives (its own count is the oracle).
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import {ConfigError} from '../source/config/errors.js';
import {ProfileStore} from '../source/config/profiles.js';
import {RequestTemplate, templateContext} from '../source/engine/request-template.js';
import type {EndpointPlan, TestPlan} from '../source/config/types.js';
import {seededRandom} from '../source/stats/compare-bootstrap.js';
import {runCli} from './helpers/cli.js';

type Seen = {method: string; url: string; headers: http.IncomingHttpHeaders; body: string};

/** A node:http target that keeps every request it receives (parsed by llhttp). */
async function startCounter(): Promise<{url: string; seen: Seen[]; received(count: number): Promise<void>; close(): Promise<void>}> {
	const seen: Seen[] = [];
	const server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			seen.push({method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8')});
			response.writeHead(200, {'content-length': 2});
			response.end('ok');
		});
	});
	server.keepAliveTimeout = 60_000;
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		seen,
		/** Resolves once `count` requests have arrived (the test's own time limit bounds the wait). */
		async received(count: number) {
			while (seen.length < count) {
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => {
					setTimeout(resolve, 10);
				});
			}
		},
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}


const tricky = ['"', '\\', '/', '?', '&', '=', ' ', '%', '#', '+', 'é', '漢', '😀', '{', '}', '$', 'a', 'Z', '0', '\t', '\'', '<', ','];
function randomText(random: () => number, length: number, alphabet = tricky): string {
	let text = '';
	for (let index = 0; index < length; index++) text += alphabet[Math.floor(random() * alphabet.length)]!;
	return text;
}

function planOf(raw: Record<string, unknown>, directory: string): TestPlan {
	return resolveConfig(raw, {source: 'test.json', env: {}, baseDirectory: directory}).plan;
}

function render(plan: TestPlan, endpoint: EndpointPlan = plan.endpoints[0]!): RequestTemplate {
	return new RequestTemplate(endpoint, endpoint.template!, templateContext(plan.data), {});
}

describe('the template compiler against a naive reference', () => {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-template-'));

	it('raw bodies, header values, JSON bodies and URL paths fill every row as string replace, JSON.stringify and the URL parser do', () => {
		// Seeded, so a failure can be replayed.
		const random = seededRandom(14);
		for (let round = 0; round < 40; round++) {
			const columns = ['a', 'b', 'c'];
			// Column b goes into a header: Latin-1 only (others are refused there, see the validation test).
			const latin1 = tricky.filter(character => character.codePointAt(0)! <= 0xFF);
			const rows = Array.from({length: 5}, () => columns.map(column => randomText(random, 1 + Math.floor(random() * 6), column === 'b' ? latin1 : tricky)));
			// NDJSON keeps any value (CSV quoting is csv-parse's to test).
			writeFileSync(path.join(directory, `rows-${round}.ndjson`), rows.map(row => JSON.stringify(Object.fromEntries(columns.map((column, index) => [column, row[index]])))).join('\n'));
			const pieces = Array.from({length: 4}, () => random() < 0.5 ? `\${data.${columns[Math.floor(random() * 3)]!}}` : randomText(random, Math.floor(random() * 5), ['-', '$', '{', '}', '.', ' ', '1', '~']));
			const text = `x${pieces.join('')}\${data.a}`;
			const headerText = `h${pieces.filter(piece => !piece.includes('data.a') && !piece.includes('data.c')).join('').replaceAll(' ', '')}\${data.b}`;
			const pathText = `/p/${pieces.join('').replaceAll(' ', '').replaceAll('{', '').replaceAll('}', '').replaceAll('$', '')}/\${data.c}`;
			const json = {text, list: [text, 1], [`k\${data.b}`]: {deep: `"\${data.c}"`}};
			const raw = {data: {file: `rows-${round}.ndjson`}, requests: [
				{name: 'raw', url: `http://127.0.0.1:1${pathText}?q=\${data.a}&r=1`, method: 'POST', body: text, headers: {'X-T': headerText}},
				{name: 'json', url: 'http://127.0.0.1:1/j', method: 'POST', json},
			]};
			const plan = planOf(raw, directory);
			const [rawTemplate, jsonTemplate] = [render(plan, plan.endpoints[0]), render(plan, plan.endpoints[1])];
			for (let row = 0; row < rows.length * 2; row++) {
				const values = rows[row % rows.length]!;
				const fill = (template: string, encode: (value: string) => string = value => value): string => columns.reduce((result, column, index) => result.replaceAll(`\${data.${column}}`, () => encode(values[index]!)), template);
				const rawRequest = rawTemplate.next()!;
				expect(rawRequest.body()).toBe(fill(text));
				const headers = rawRequest.headers();
				expect(headers[headers.indexOf('X-T') + 1]).toBe(fill(headerText));
				const reference = new URL(`http://127.0.0.1:1${fill(pathText, encodeURIComponent)}?q=${encodeURIComponent(values[0]!)}&r=1`);
				expect(rawRequest.path).toBe(`${reference.pathname}${reference.search}`);
				// The JSON reference: every string filled first, then serialized.
				const filled = JSON.parse(JSON.stringify(json), (_key, value: unknown) => typeof value === 'string' ? fill(value) : value) as Record<string, unknown>;
				const keyed = Object.fromEntries(Object.entries(filled).map(([key, value]) => [fill(key), value]));
				const body = jsonTemplate.next()!.body()!;
				expect(JSON.parse(body)).toEqual(keyed);
				expect(body).toBe(JSON.stringify(keyed));
			}
		}
	});

	it('the socket client\'s bytes parse as the request the parts describe (Content-Length of the filled body)', async () => {
		writeFileSync(path.join(directory, 'one.csv'), 'name\n"quote "" and é漢😀"\n');
		const server = await startCounter();
		try {
			const plan = planOf({data: {file: 'one.csv'}, url: `${server.url}/u/\${data.name}`, method: 'POST', json: {name: '${data.name}'}, headers: {'X-Seq': '${seq}'}}, directory);
			const template = render(plan);
			const {createConnection} = await import('node:net');
			const socket = createConnection({host: '127.0.0.1', port: Number(new URL(server.url).port)});
			socket.write(template.next()!.wire());
			socket.write(template.next()!.wire());
			await server.received(2);
			socket.destroy();
			expect(server.seen.map(seen => JSON.parse(seen.body) as unknown)).toEqual([{name: 'quote " and é漢😀'}, {name: 'quote " and é漢😀'}]);
			expect(server.seen.map(seen => seen.headers['x-seq'])).toEqual(['1', '2']);
			expect(server.seen[0]!.url).toBe(`/u/${encodeURIComponent('quote " and é漢😀')}`);
		} finally {
			await server.close();
		}
	});

	it('a templated header with a static body, ASCII rows (sent as a string) and Latin-1 rows (sent as bytes)', async () => {
		writeFileSync(path.join(directory, 'ascii.csv'), 'name\nplain\n');
		writeFileSync(path.join(directory, 'latin1.csv'), 'name\ncafé\n');
		const server = await startCounter();
		try {
			const {createConnection} = await import('node:net');
			const socket = createConnection({host: '127.0.0.1', port: Number(new URL(server.url).port)});
			for (const file of ['ascii.csv', 'latin1.csv']) {
				const plan = planOf({data: {file}, url: `${server.url}/s`, method: 'PUT', body: 'static é body', headers: {'X-Name': 'n=${data.name}'}}, directory);
				const wire = render(plan).next()!.wire();
				expect(typeof wire, file).toBe(file === 'ascii.csv' ? 'string' : 'object');
				socket.write(wire);
			}

			await server.received(2);
			socket.destroy();
			expect(server.seen.map(seen => [seen.method, seen.headers['x-name'], seen.body])).toEqual([['PUT', 'n=plain', 'static é body'], ['PUT', 'n=café', 'static é body']]);
		} finally {
			await server.close();
		}
	});

	it('env ${VAR} still works beside the reserved names; an unknown ${X.y} stays text', () => {
		const plan = resolveConfig({url: 'http://127.0.0.1:1/${HOSTPATH}/${seq}?a=${foo.bar}', headers: {A: '${TOKEN}'}}, {source: 't', env: {HOSTPATH: 'h', TOKEN: 't', seq: 'env-seq'}}).plan;
		const endpoint = plan.endpoints[0]!;
		expect(endpoint.headers['A']).toBe('t');
		const request = render(plan).next()!;
		expect(request.path).toBe('/h/1?a=${foo.bar}');
		expect(resolveConfig({url: 'http://127.0.0.1:1/${foo.bar}'}, {source: 't', env: {}}).plan.endpoints[0]!.template).toBeUndefined();
	});

	it('a profile keeps a data file\'s path absolute (it runs from any directory)', () => {
		const store = new ProfileStore({cwd: mkdtempSync(path.join(os.tmpdir(), 'pystress-profiles-'))});
		const source = path.join(directory, 'cfg.json');
		writeFileSync(source, '{}');
		const config = {data: {file: 'users.csv'}, requests: [{url: 'http://127.0.0.1:1/${data.id}', data: {file: 'sub/own.csv', mode: 'random'}}]};
		expect(store.saveProfile('p', {config, settings: {}, source}).ok).toBe(true);
		expect(store.getProfile('p')!.config).toEqual({data: {file: path.join(directory, 'users.csv')}, requests: [{url: 'http://127.0.0.1:1/${data.id}', data: {file: path.join(directory, 'sub/own.csv'), mode: 'random'}}]});
	});

	it('a plain endpoint gets no template (it keeps the prebuilt buffer)', () => {
		expect(planOf({url: 'http://127.0.0.1:1/a', json: {a: '$x {y}'}}, directory).endpoints[0]!.template).toBeUndefined();
	});

	it('validation lists every problem with its place', () => {
		writeFileSync(path.join(directory, 'users.csv'), 'id,name\n1,a\n');
		writeFileSync(path.join(directory, 'empty.csv'), 'id,name\n');
		let error: unknown;
		try {
			resolveConfig({data: {file: 'users.csv'}, requests: [
				{url: 'http://127.0.0.1:1/${data.id}'},
				{url: 'http://127.0.0.1:1/${randomInt(5,1)}'},
				{url: 'http://127.0.0.1:1/${data.user}'},
				{url: 'http://127.0.0.1:1/${uuid()}'},
				{url: 'http://127.0.0.1:1/x', data: {file: 'empty.csv'}},
				{url: 'http://127.0.0.1:1/y', data: {file: 'missing.csv'}},
			]}, {source: 'test.json', env: {}, baseDirectory: directory});
		} catch (caught) {
			error = caught;
		}

		expect(error).toBeInstanceOf(ConfigError);
		expect((error as ConfigError).issues.map(issue => `${issue.path}: ${issue.message}`)).toEqual([
			'requests[1].url: ${randomInt(5,1)} — randomInt takes two whole numbers, low then high (low ≤ high), e.g. ${randomInt(1,100)}',
			'requests[2].url: ${data.user} — column "user" not in users.csv (columns: id, name)',
			'requests[3].url: ${uuid()} is not a placeholder; use ${data.COLUMN}, ${seq}, ${uuid}, ${now} or ${randomInt(LOW,HIGH)}',
			'requests[4].data.file: empty.csv has no data rows (only a header, or nothing); add rows or point to another file',
			'requests[5].data.file: cannot read missing.csv (file not found; a relative path is relative to the config file)',
		]);
	});
});

describe('data-driven runs through the CLI (a real server counts what it receives)', () => {
	let directory: string;
	let server: Awaited<ReturnType<typeof startCounter>>;
	const ids = Array.from({length: 100}, (_, index) => 1000 + index);
	/** A name per id, with what CSV and JSON must carry through: quotes, a comma, a backslash, non-ASCII. */
	const nameOf = (id: number): string => `user "${id}", back\\slash é`;

	beforeAll(async () => {
		directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-data-'));
		const csvField = (value: string): string => `"${value.replaceAll('"', '""')}"`;
		writeFileSync(path.join(directory, 'users.csv'), `id,name\n${ids.map(id => `${id},${csvField(nameOf(id))}`).join('\n')}\n`);
		writeFileSync(path.join(directory, 'users.ndjson'), ids.slice(0, 20).map(id => JSON.stringify({id, name: nameOf(id)})).join('\n'));
		server = await startCounter();
	});

	afterAll(async () => {
		await server.close();
	});

	beforeEach(() => {
		server.seen.length = 0;
	});

	const config = (name: string, body: Record<string, unknown>): string => {
		const file = path.join(directory, name);
		writeFileSync(file, JSON.stringify(body));
		return file;
	};

	const run = async (args: readonly string[]) => runCli([...args, '--headless', '--no-baseline', '--no-report', '-q'], {timeoutMs: 50_000});
	const countsByPath = (): Map<string, number> => {
		const counts = new Map<string, number>();
		for (const seen of server.seen) counts.set(seen.url, (counts.get(seen.url) ?? 0) + 1);
		return counts;
	};

	for (const client of ['socket', 'undici'] as const) {
		it(`${client}: sequential over 2 threads, -n 1000 with 100 rows: each /items/<id> exactly 10 times, its header and JSON body from the same row`, async () => {
			const file = config(`items-${client}.json`, {
				data: {file: 'users.csv'},
				url: `${server.url}/items/\${data.id}`,
				method: 'POST',
				http_client: client,
				headers: {'X-User': 'user-${data.id}'},
				json: {id: '${data.id}', name: '${data.name}', note: 'said "${data.name}"'},
			});
			const result = await run(['--config', file, '-n', '1000', '-t', '2', '-c', '8']);
			expect(result.code, result.stderr).toBe(0);
			expect(server.seen).toHaveLength(1000);
			const counts = countsByPath();
			expect(counts.size).toBe(100);
			expect(ids.filter(id => counts.get(`/items/${id}`) !== 10)).toEqual([]);
			for (const seen of server.seen) {
				const id = Number(seen.url.slice('/items/'.length));
				expect(seen.headers['x-user']).toBe(`user-${id}`);
				expect(JSON.parse(seen.body)).toEqual({id: String(id), name: nameOf(id), note: `said "${nameOf(id)}"`});
			}
		});
	}

	it('through an HTTP proxy (both clients): each templated request in absolute form, each row once', async () => {
		// The proxy answers itself: what it saw is what each client sent it.
		const proxy = await startCounter();
		try {
			for (const client of ['socket', 'undici']) {
				proxy.seen.length = 0;
				const file = config(`proxy-${client}.json`, {data: {file: 'users.csv'}, url: `${server.url}/items/\${data.id}`, http_client: client});
				// eslint-disable-next-line no-await-in-loop
				const result = await run(['--config', file, '-n', '100', '-t', '1', '-c', '4', '--proxy', proxy.url]);
				expect(result.code, result.stderr).toBe(0);
				expect(proxy.seen.map(seen => seen.url).sort(), client).toEqual(ids.map(id => `${server.url}/items/${id}`).sort());
				expect(proxy.seen.every(seen => seen.headers.host === new URL(server.url).host), client).toBe(true);
			}

			expect(server.seen).toHaveLength(0);
		} finally {
			await proxy.close();
		}
	});

	it('-n equal to the row count hits each row once', async () => {
		const file = config('once.json', {data: {file: 'users.csv'}, url: `${server.url}/items/\${data.id}`});
		const result = await run(['--config', file, '-n', '100', '-t', '2', '-c', '6']);
		expect(result.code, result.stderr).toBe(0);
		const counts = countsByPath();
		expect(server.seen).toHaveLength(100);
		expect(ids.filter(id => counts.get(`/items/${id}`) !== 1)).toEqual([]);
	});

	it('${uuid} in a body: 1000 requests, 1000 distinct bodies; ${seq} numbers them 1..1000 across threads', async () => {
		const file = config('uuid.json', {url: `${server.url}/u`, method: 'POST', body: 'id=${uuid}', headers: {'X-Seq': '${seq}'}});
		const result = await run(['--config', file, '-n', '1000', '-t', '2', '-c', '8']);
		expect(result.code, result.stderr).toBe(0);
		expect(server.seen).toHaveLength(1000);
		const bodies = new Set(server.seen.map(seen => seen.body));
		expect(bodies.size).toBe(1000);
		expect([...bodies].every(body => /^id=[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/.test(body))).toBe(true);
		expect(server.seen.map(seen => Number(seen.headers['x-seq'])).sort((a, b) => a - b)).toEqual(Array.from({length: 1000}, (_, index) => index + 1));
	});

	it('NDJSON rows, and on_end "stop": the run ends after one lap with exactly the row count, reported as stopped by data', async () => {
		const file = config('ndjson.json', {data: {file: 'users.ndjson', on_end: 'stop'}, url: `${server.url}/n/\${data.id}?name=\${data.name}`});
		const result = await runCli(['--config', file, '-d', '30s', '-t', '2', '-c', '4', '--headless', '--no-baseline', '--no-report', '-q', '--json', '-'], {timeoutMs: 50_000});
		expect(result.code, result.stderr).toBe(0);
		expect(server.seen).toHaveLength(20);
		const report = JSON.parse(result.stdout) as {stopReason: string; summary: {requests: number}};
		expect(report.stopReason).toBe('data');
		expect(report.summary.requests).toBe(20);
		const received = server.seen.map(seen => new URL(seen.url, 'http://x')).map(url => `${url.pathname} ${url.searchParams.get('name')}`).sort();
		expect(received).toEqual(ids.slice(0, 20).map(id => `/n/${id} ${nameOf(id)}`).sort());
	});

	it('the baseline sends from the first rows on counters of its own: the run still sends each row once', async () => {
		const file = config('baseline.json', {data: {file: 'users.csv'}, url: `${server.url}/items/\${data.id}`});
		const result = await runCli(['--config', file, '-n', '100', '-t', '2', '-c', '4', '--headless', '--no-report', '-q'], {timeoutMs: 50_000});
		expect(result.code, result.stderr).toBe(0);
		const counts = countsByPath();
		// The quick baseline: 5 requests, rows one to five.
		expect(server.seen).toHaveLength(105);
		expect(ids.filter(id => counts.get(`/items/${id}`) !== (id < 1005 ? 2 : 1))).toEqual([]);
	});

	it('the request log holds the URL each request was sent to', async () => {
		const file = config('log.json', {data: {file: 'users.csv'}, url: `${server.url}/items/\${data.id}`});
		const log = path.join(directory, 'requests.ndjson');
		const result = await run(['--config', file, '-n', '100', '-t', '1', '-c', '2', '--log', log]);
		expect(result.code, result.stderr).toBe(0);
		const urls = readFileSync(log, 'utf8').trim().split('\n').map(line => (JSON.parse(line) as {url: string}).url).sort();
		expect(urls).toEqual(server.seen.map(seen => `${server.url}${seen.url}`).sort());
		expect(new Set(urls).size).toBe(100);
	});

	it('--single-request sends the first row', async () => {
		const file = config('single.json', {data: {file: 'users.csv'}, url: `${server.url}/items/\${data.id}`, method: 'POST', json: {name: '${data.name}'}});
		const result = await runCli(['--config', file, '--single-request'], {timeoutMs: 30_000});
		expect(result.code, result.stderr).toBe(0);
		expect(server.seen.map(seen => [seen.url, JSON.parse(seen.body) as unknown])).toEqual([['/items/1000', {name: nameOf(1000)}]]);
		expect(result.stdout).toContain(`POST ${server.url}/items/1000`);
	});

	it('--urls-file: each URL is an endpoint of equal weight; -m, -H and --body go to every one', async () => {
		const list = path.join(directory, 'urls.txt');
		writeFileSync(list, `# targets\n${server.url}/a\n\n${server.url}/b?x=1\n   ${server.url}/c\n`);
		const result = await run(['--urls-file', list, '-n', '300', '-t', '1', '-c', '3', '-m', 'PUT', '-H', 'X-From: list', '--body', 'hello']);
		expect(result.code, result.stderr).toBe(0);
		const counts = countsByPath();
		expect([...counts.keys()].sort()).toEqual(['/a', '/b?x=1', '/c']);
		// Equal weights, random choice: each about a third (binomial: > 60 of 300 is beyond 5 sigma from 100).
		expect(Math.min(...counts.values())).toBeGreaterThan(60);
		expect(server.seen.every(seen => seen.method === 'PUT' && seen.headers['x-from'] === 'list' && seen.body === 'hello')).toBe(true);
	});

	it('--urls-file errors name the line', async () => {
		const list = path.join(directory, 'bad-urls.txt');
		writeFileSync(list, `${server.url}/a\nnot a url\nftp://127.0.0.1/x\n`);
		const result = await run(['--urls-file', list, '-n', '1']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(`--urls-file ${list} line 2: "not a url" is not a URL`);
		expect(result.stderr).toContain(`--urls-file ${list} line 3: "ftp://127.0.0.1/x" is not an http:// or https:// URL`);
		expect(server.seen).toHaveLength(0);
	});

	it('bad data configs exit 2 with one line per problem, and send nothing', async () => {
		writeFileSync(path.join(directory, 'empty.csv'), '');
		const file = config('bad.json', {data: {file: 'users.csv'}, requests: [
			{url: `${server.url}/\${data.user}`},
			{url: `${server.url}/\${randomInt(1)}`},
			{url: `${server.url}/x`, data: {file: 'nope.csv'}},
			{url: `${server.url}/\${data.id}`, data: {file: 'empty.csv'}},
			{url: `${server.url}/\${data.id}`, data: {file: 'users.csv', mode: 'random', on_end: 'stop'}},
		]});
		const result = await run(['--config', file, '-n', '1']);
		expect(result.code).toBe(2);
		const lines = result.stderr.trim().split('\n');
		expect(lines).toEqual(expect.arrayContaining([
			`${file}: requests[0].url: \${data.user} — column "user" not in users.csv (columns: id, name)`,
			expect.stringContaining('requests[1].url: ${randomInt(1)} — randomInt takes two whole numbers'),
			expect.stringContaining('requests[2].data.file: cannot read nope.csv (file not found'),
			expect.stringContaining('requests[3].data.file: empty.csv is empty'),
			expect.stringContaining('requests[4].data.on_end: "stop" needs mode "sequential" or "shuffle"'),
		]));
		expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
		expect(server.seen).toHaveLength(0);
	});
});
