import {mkdtempSync, readdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseDurationMs} from '../source/config/duration.js';
import {ConfigError, suggest} from '../source/config/errors.js';
import {applyOverrides, readConfigFile, resolveConfig} from '../source/config/load.js';
import {redactSecrets, redactUrl} from '../source/config/redact.js';
import {rootDir, runCli} from './helpers/cli.js';

const examples = path.join(rootDir, 'config-examples');

function resolve(raw: Record<string, unknown>, env: Record<string, string> = {}) {
	return resolveConfig(raw, {source: 'test.json', env});
}

function issuesOf(raw: Record<string, unknown>): string[] {
	try {
		resolve(raw);
	} catch (error) {
		if (error instanceof ConfigError) {
			return error.issues.map(issue => `${issue.path}: ${issue.message}`);
		}

		throw error;
	}

	return [];
}

describe('config examples', () => {
	const files = readdirSync(examples).filter(file => file.endsWith('.json'));
	it('ships the examples a user starts from', () => {
		expect(files).toEqual(expect.arrayContaining(['minimal-get.json', 'post-json.json', 'form.json', 'basic-auth.json', 'oauth2.json', 'all-options.json', 'weighted-endpoints.json', 'demo.json']));
	});

	for (const file of files) {
		it(`${file} validates and targets only loopback`, () => {
			// As the CLI reads it: a data file relative to the config file.
			const loaded = resolveConfig(readConfigFile(path.join(examples, file)), {source: file, env: {}, baseDirectory: examples});
			expect(loaded.plan.endpoints.length).toBeGreaterThan(0);
			for (const endpoint of [...loaded.plan.endpoints, ...(loaded.plan.token ? [loaded.plan.token.endpoint] : [])]) {
				expect(new URL(endpoint.url).hostname).toBe('127.0.0.1');
			}
		});
	}
});

describe('config resolution', () => {
	it('accepts a PyStress config as is', () => {
		const loaded = resolve({
			url: 'http://127.0.0.1:9/api?x=1',
			method: 'post',
			headers: {'X-Id': 7},
			json: {key: 'value'},
			timeout_ms: 1500,
			retries: 2,
			backoff_ms: 100,
			backoff_max_ms: 400,
			jitter_ms: 10,
			retry_on_statuses: [503],
			verify_tls: false,
			basic_auth: {username: 'u', password: 'p'},
		});
		const [endpoint] = loaded.plan.endpoints;
		expect(endpoint).toMatchObject({method: 'POST', path: '/api?x=1', origin: 'http://127.0.0.1:9', body: '{"key":"value"}'});
		expect(endpoint!.headers).toEqual({'X-Id': '7', 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`});
		expect(loaded.plan.policy).toEqual({timeoutMs: 1500, retries: 2, backoffMs: 100, backoffMaxMs: 400, jitterMs: 10, retryOnStatuses: [503], verifyTls: false, httpClient: 'socket'});
	});

	it('encodes forms and keeps a Content-Type the user set', () => {
		const form = resolve({url: 'http://127.0.0.1:9/', method: 'POST', form: {a: 'x y', n: 2, ok: true}}).plan.endpoints[0]!;
		expect(form.body).toBe('a=x+y&n=2&ok=true');
		expect(form.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
		const raw = resolve({url: 'http://127.0.0.1:9/', body: '<x/>', headers: {'content-type': 'application/xml'}}).plan.endpoints[0]!;
		expect(raw.headers).toEqual({'content-type': 'application/xml'});
	});

	it('treats an empty {} json or form as not set (PyStress\'s "All Options" sets both)', () => {
		const bodyOf = (config: Record<string, unknown>) => {
			const [endpoint] = resolve({url: 'http://127.0.0.1:9/', method: 'POST', ...config}).plan.endpoints;
			return [endpoint!.body, endpoint!.headers['Content-Type']];
		};

		// Only empty ones: json wins and sends {}, as PyStress does.
		expect(bodyOf({json: {}, form: {}})).toEqual(['{}', 'application/json']);
		expect(bodyOf({form: {}, json: {}})).toEqual(['{}', 'application/json']);
		// An empty one yields to a non-empty one.
		expect(bodyOf({json: {}, form: {a: 1}})).toEqual(['a=1', 'application/x-www-form-urlencoded']);
		expect(bodyOf({json: {a: 1}, form: {}})).toEqual(['{"a":1}', 'application/json']);
		expect(bodyOf({json: {}, form: {}, body: 'raw'})).toEqual(['raw', 'text/plain; charset=utf-8']);
		// Alone, they send what they are.
		expect(bodyOf({json: {}})).toEqual(['{}', 'application/json']);
		expect(bodyOf({form: {}})).toEqual(['', 'application/x-www-form-urlencoded']);
		// Non-empty values of other types count as set.
		expect(issuesOf({url: 'http://127.0.0.1:9/', json: [], form: {a: 1}})).toEqual(['form: give one body: "json" and "form" are both set; remove one of them (an empty {} counts as not set)']);
		expect(issuesOf({requests: [{url: 'http://127.0.0.1:9/', form: {a: 1}, body: ''}]})).toEqual(['requests[0].body: give one body: "form" and "body" are both set; remove one of them (an empty {} counts as not set)']);
	});

	it('accepts "$schema" (any string) at the top level only', () => {
		expect(issuesOf({$schema: '../source/config/config.schema.json', url: 'http://127.0.0.1:9/'})).toEqual([]);
		expect(issuesOf({$schema: 'x', token_acquisition: {url: 'http://127.0.0.1:9/t'}, stress_test: {url: 'http://127.0.0.1:9/'}})).toEqual([]);
		expect(issuesOf({token_acquisition: {url: 'http://127.0.0.1:9/t'}, stress_test: {url: 'http://127.0.0.1:9/', $schema: 'x'}})).toEqual([expect.stringMatching(/^stress_test\.\$schema: unknown key; known keys: method, url/)]);
		expect(issuesOf({url: 'http://127.0.0.1:9/', $shema: 'x'})).toEqual(['$shema: unknown key; did you mean "$schema"?']);
	});

	it('resolves weighted endpoints with shared headers and auth', () => {
		const loaded = resolve({
			headers: {Accept: 'application/json'},
			basic_auth: {username: 'a', password: 'b'},
			requests: [
				{name: 'one', url: 'http://127.0.0.1:9/1', weight: 3},
				{url: 'http://127.0.0.1:9/2', method: 'DELETE', headers: {Accept: 'text/plain'}},
			],
		});
		expect(loaded.plan.endpoints.map(endpoint => [endpoint.name, endpoint.weight, endpoint.headers['Accept']])).toEqual([['one', 3, 'application/json'], ['DELETE /2', 1, 'text/plain']]);
		expect(loaded.plan.endpoints[1]!.headers['Authorization']).toMatch(/^Basic /);
	});

	it('interpolates ${VAR} and ${VAR:-default}, keeping the raw config', () => {
		const raw = {url: '${BASE}/x', headers: {Authorization: 'Bearer ${TOKEN}', 'X-Env': '${ENV_NAME:-dev}'}};
		const loaded = resolve(raw, {BASE: 'http://127.0.0.1:9', TOKEN: 's3cr3t'});
		expect(loaded.plan.endpoints[0]!.url).toBe('http://127.0.0.1:9/x');
		expect(loaded.plan.endpoints[0]!.headers).toMatchObject({Authorization: 'Bearer s3cr3t', 'X-Env': 'dev'});
		expect(loaded.raw).toEqual(raw);
		expect(issuesOf({url: 'http://127.0.0.1:9/', headers: {Authorization: 'Bearer ${MISSING_TOKEN}'}})).toEqual(['headers.Authorization: environment variable MISSING_TOKEN is not set (export MISSING_TOKEN=... or write ${MISSING_TOKEN:-default})']);
	});

	it('reports every problem at once, each with its path', () => {
		const issues = issuesOf({url: 'ftp://x', timeout_ms: -1, retries: 1.5, requests: [{weight: 0}], verfy_tls: true});
		expect(issues).toEqual(expect.arrayContaining([
			expect.stringMatching(/^url: expected an absolute http/),
			expect.stringMatching(/^timeout_ms: /),
			expect.stringMatching(/^retries: /),
			expect.stringMatching(/^requests\[0\]\.weight: /),
			'verfy_tls: unknown key; did you mean "verify_tls"?',
		]));
		expect(issues.length).toBeGreaterThanOrEqual(5);
	});

	it('suggests close keys only', () => {
		expect(suggest('timout_ms', ['timeout_ms', 'url'])).toBe('timeout_ms');
		expect(suggest('zzzzzz', ['timeout_ms', 'url'])).toBeUndefined();
	});

	it('applies flag overrides over the file', () => {
		const issues: never[] = [];
		const raw = applyOverrides({requests: [{url: 'http://127.0.0.1:9/a'}], headers: {A: '1'}}, {url: 'http://127.0.0.1:9/b', method: 'PUT', header: ['B: 2', 'A: 3'], jsonBody: '{"k":1}'}, issues);
		const loaded = resolve(raw);
		expect(issues).toEqual([]);
		expect(loaded.plan.endpoints).toHaveLength(1);
		expect(loaded.plan.endpoints[0]).toMatchObject({url: 'http://127.0.0.1:9/b', method: 'PUT', body: '{"k":1}'});
		expect(loaded.plan.endpoints[0]!.headers).toMatchObject({A: '3', B: '2'});
	});

	it('parses durations', () => {
		expect(parseDurationMs('30')).toBe(30_000);
		expect(parseDurationMs('1m30s')).toBe(90_000);
		expect(parseDurationMs('250ms')).toBe(250);
		expect(parseDurationMs(1.5)).toBe(1500);
		expect(parseDurationMs('soon')).toBeUndefined();
		expect(parseDurationMs('10x')).toBeUndefined();
	});

	it('redacts secrets but keeps ${VAR} references', () => {
		const redacted = redactSecrets({
			headers: {Authorization: 'Bearer abc', 'X-Api-Key': 'k', Accept: 'json'},
			basic_auth: {username: 'u', password: 'p'},
			token_acquisition: {form: {client_secret: '${SECRET}', client_id: 'id', password: '${PASS:-hunter2}'}},
			url: 'http://user:pw@127.0.0.1/?token=t&q=1',
		}) as Record<string, any>;
		expect(redacted['headers']).toEqual({Authorization: 'Bearer [redacted]', 'X-Api-Key': '[redacted]', Accept: 'json'});
		expect(redacted['basic_auth']).toEqual({username: 'u', password: '[redacted]'});
		expect(redacted['token_acquisition'].form).toEqual({client_secret: '${SECRET}', client_id: 'id', password: '${PASS:-[redacted]}'});
		expect(redacted['url']).not.toContain('pw');
		expect(redacted['url']).not.toContain('token=t');
		expect(redactUrl('http://127.0.0.1/a?q=1')).toBe('http://127.0.0.1/a?q=1');
	});
});

describe('bad input on the command line', () => {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-bad-'));
	const cases: Array<{name: string; config?: unknown; text?: string; args?: string[]; field: RegExp}> = [
		{name: 'missing url', config: {method: 'GET'}, field: /url: missing/},
		{name: 'url not http', config: {url: 'ftp://127.0.0.1/'}, field: /url: expected an absolute http/},
		{name: 'url not a string', config: {url: 42}, field: /url: expected a URL string/},
		{name: 'bad method', config: {url: 'http://127.0.0.1:9/', method: 'GET /'}, field: /method: expected an HTTP method/},
		{name: 'negative timeout', config: {url: 'http://127.0.0.1:9/', timeout_ms: -5}, field: /timeout_ms: expected a positive whole number/},
		{name: 'fractional retries', config: {url: 'http://127.0.0.1:9/', retries: 1.5}, field: /retries: expected a whole number/},
		{name: 'status list', config: {url: 'http://127.0.0.1:9/', retry_on_statuses: ['503']}, field: /retry_on_statuses\[0\]: /},
		{name: 'verify_tls string', config: {url: 'http://127.0.0.1:9/', verify_tls: 'no'}, field: /verify_tls: expected true or false/},
		{name: 'typo key', config: {url: 'http://127.0.0.1:9/', timout_ms: 5}, field: /timout_ms: unknown key; did you mean "timeout_ms"\?/},
		{name: 'header value with a line break', config: {url: 'http://127.0.0.1:9/', headers: {'X-A': 'b\r\nX-Injected: 1'}}, field: /headers\.X-A: header X-A has a line break or NUL in its value/},
		{name: 'header name with a space', config: {url: 'http://127.0.0.1:9/', headers: {'X A': 'b'}}, field: /headers\["X A"\]: header name "X A" is not a valid HTTP token/},
		{name: 'unknown http_client', config: {url: 'http://127.0.0.1:9/', http_client: 'curl'}, field: /http_client: expected "socket" \(the default, fastest\) or "undici"/},
		{name: 'bad http-client flag', args: ['--url', 'http://127.0.0.1:9/', '--http-client', 'curl'], field: /--http-client: "curl" is not a client; use socket/},
		{name: 'headers not object', config: {url: 'http://127.0.0.1:9/', headers: ['A: b']}, field: /headers: expected an object of header names/},
		{name: 'two bodies', config: {url: 'http://127.0.0.1:9/', json: {a: 1}, body: 'x'}, field: /body: give one body: "json" and "body" are both set; remove one of them/},
		{name: 'json and form both non-empty', config: {url: 'http://127.0.0.1:9/', json: {a: 1}, form: {b: 2}}, field: /^test|form: give one body: "json" and "form" are both set; remove one of them \(an empty \{\} counts as not set\)/m},
		{name: '$schema not a string', config: {url: 'http://127.0.0.1:9/', $schema: 7}, field: /\$schema: expected a string/},
		{name: 'a top-level body with requests', config: {json: {a: 1}, requests: [{url: 'http://127.0.0.1:9/'}]}, field: /json: a request body at the top level is sent by no endpoint when there is a "requests" list/},
		{name: 'url and requests', config: {url: 'http://127.0.0.1:9/', requests: [{url: 'http://127.0.0.1:9/'}]}, field: /requests: give either "url"/},
		{name: 'empty requests', config: {requests: []}, field: /requests: expected at least one endpoint/},
		{name: 'endpoint without url', config: {requests: [{name: 'a'}]}, field: /requests\[0\]\.url: missing/},
		{name: 'zero weight', config: {requests: [{url: 'http://127.0.0.1:9/', weight: 0}]}, field: /requests\[0\]\.weight: expected a number > 0/},
		{name: 'duplicate names', config: {requests: [{name: 'a', url: 'http://127.0.0.1:9/'}, {name: 'a', url: 'http://127.0.0.1:9/'}]}, field: /requests\[1\]\.name: "a" is also the name/},
		{name: 'endpoint typo', config: {requests: [{url: 'http://127.0.0.1:9/', wieght: 2}]}, field: /requests\[0\]\.wieght: unknown key; did you mean "weight"\?/},
		{name: 'basic auth typo', config: {url: 'http://127.0.0.1:9/', basic_auth: {user: 'a', password: 'b'}}, field: /basic_auth\.user: unknown key; did you mean "username"\?|basic_auth\.username: /},
		{name: 'backoff cap', config: {url: 'http://127.0.0.1:9/', backoff_ms: 500, backoff_max_ms: 100}, field: /backoff_max_ms: is 100, below backoff_ms/},
		{name: 'bad duration', config: {url: 'http://127.0.0.1:9/', duration: 'soon'}, field: /duration: expected a duration/},
		{name: 'oauth without url', config: {token_acquisition: {method: 'POST'}, stress_test: {url: 'http://127.0.0.1:9/'}}, field: /token_acquisition\.url: missing/},
		{name: 'missing env var', config: {url: 'http://127.0.0.1:9/', headers: {Authorization: 'Bearer ${PYSTRESS_TEST_UNSET}'}}, field: /headers\.Authorization: environment variable PYSTRESS_TEST_UNSET is not set/},
		{name: 'invalid json', text: '{"url": "http://127.0.0.1:9/",}', field: /\(file\): not valid JSON/},
		{name: 'not an object', text: '[1, 2]', field: /\(root\): expected a JSON object/},
		{name: 'missing file', args: ['--config', '/nonexistent/pystress.json'], field: /\(file\): file not found/},
		{name: 'bad threads flag', args: ['--url', 'http://127.0.0.1:9/', '--threads', 'many'], field: /--threads: "many" is not valid/},
		{name: 'bad duration flag', args: ['--url', 'http://127.0.0.1:9/', '-d', 'later'], field: /--duration: "later" is not a duration/},
		{name: 'bad header flag', args: ['--url', 'http://127.0.0.1:9/', '-H', 'nocolon'], field: /--header: "nocolon" is not a header/},
		{name: 'bad json-body', args: ['--url', 'http://127.0.0.1:9/', '--json-body', '{x'], field: /--json-body: not valid JSON/},
		{name: 'nothing to test', args: [], field: /--url: nothing to test/},
		{name: 'unknown command', args: ['frobnicate'], field: /command: unknown command "frobnicate"/},
	];

	for (const [index, testCase] of cases.entries()) {
		it(`${testCase.name}: exit 2 with a message naming the field`, async () => {
			let args = testCase.args;
			if (!args) {
				const file = path.join(directory, `bad-${index}.json`);
				writeFileSync(file, testCase.text ?? JSON.stringify(testCase.config));
				args = ['--config', file];
			}

			const result = await runCli([...args, '--headless', ...(args.includes('-d') ? [] : ['-d', '1'])], {timeoutMs: 20_000});
			expect(result.code).toBe(2);
			expect(result.stderr).toMatch(testCase.field);
			expect(result.stderr).not.toMatch(/\n\s+at /);
			expect(result.stdout).toBe('');
			// Each problem is one line.
			for (const line of result.stderr.trim().split('\n')) {
				expect(line.length).toBeGreaterThan(10);
			}
		});
	}
});
