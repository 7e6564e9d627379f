import type http from 'node:http';
import {afterEach, describe, expect, it} from 'vitest';
import {ConfigError} from '../source/config/errors.js';
import {resolveConfig} from '../source/config/load.js';
import {evaluateJsonPath, parseJsonPath} from '../source/config/json-path.js';
import type {RunSettings} from '../source/config/types.js';
import {Engine} from '../source/engine/engine.js';
import {evaluateThresholds} from '../source/stats/aggregate.js';
import {parseThreshold} from '../source/stats/thresholds.js';
import {useTargets, type SeenRequest} from './helpers/target-server.js';

const target = useTargets(afterEach);

function problems(raw: Record<string, unknown>): string[] {
	try {
		resolveConfig(raw, {source: 'test', env: {}});
	} catch (error) {
		if (error instanceof ConfigError) return error.issues.map(issue => `${issue.path}: ${issue.message}`);
		throw error;
	}

	return [];
}

describe('response checks: config', () => {
	it('parses and evaluates the small JSON path language', () => {
		expect(parseJsonPath('$.a.b[0]')).toEqual(['a', 'b', 0]);
		expect(parseJsonPath('$["a key"].length')).toEqual(['a key', 'length']);
		expect(parseJsonPath('$')).toEqual([]);
		expect(typeof parseJsonPath('$.items[')).toBe('string');
		expect(typeof parseJsonPath('items')).toBe('string');
		const document = {a: {b: [7, 8]}, s: 'abc', o: {length: 3}};
		expect(evaluateJsonPath(document, ['a', 'b', 1])).toBe(8);
		expect(evaluateJsonPath(document, ['a', 'b', 'length'])).toBe(2);
		expect(evaluateJsonPath(document, ['s', 'length'])).toBe(3);
		expect(evaluateJsonPath(document, ['o', 'length'])).toBe(3);
		expect(evaluateJsonPath(document, ['a', 'missing', 0])).toBeUndefined();
		expect(evaluateJsonPath(document, ['s', 0])).toBeUndefined();
	});

	it('names the place of every bad check, all at once', () => {
		const url = 'http://127.0.0.1:1/';
		expect(problems({requests: [{url}, {url, checks: {json: {'$.items[': true}}}]})).toEqual([
			'requests[1].checks.json: "$.items[" is not a JSON path: unexpected "[" at character 8; use .name, [0] or ["key"]',
		]);
		const found = problems({url, checks: {stauts: [200], status: ['200'], json: {'$.n': {'=>': 1}, '$.m': {'>': 'x'}, '$.e': {exists: 1}, '$.l': [1]}, header: {'bad name': 'x'}, max_body_bytes: 0}});
		expect(found).toEqual(expect.arrayContaining([
			'checks.stauts: unknown key; did you mean "status"?',
			'checks.status[0]: expected number, received string',
			'checks.json: "$.n": unknown operator "=>"; use ==, !=, >, >=, <, <=, exists',
			'checks.json: "$.m": ">" takes a number',
			'checks.json: "$.e": "exists" takes true or false',
			expect.stringMatching(/^checks\.json: "\$\.l": expected a string, number, boolean or null/),
			'checks.header: header name "bad name" is not a valid HTTP token',
			expect.stringMatching(/^checks\.max_body_bytes: expected a whole number of bytes/),
		]));
		expect(found).toHaveLength(8);
	});

	it('merges top-level checks into every endpoint, the endpoint\'s own winning', () => {
		const {plan} = resolveConfig({
			checks: {status: [200], json: {'$.ok': true}, header: {'Content-Type': 'JSON'}},
			requests: [
				{name: 'a', url: 'http://127.0.0.1:1/a'},
				{name: 'b', url: 'http://127.0.0.1:1/b', checks: {status: [201], json: {'$.n': {'>': 0, '<=': 5}}}},
			],
		}, {source: 'test', env: {}});
		expect(plan.endpoints[0]!.checks).toEqual({status: [200], json: [{path: '$.ok', segments: ['ok'], tests: [{operator: '==', value: true}]}], header: [{name: 'content-type', contains: 'json'}]});
		expect(plan.endpoints[1]!.checks).toMatchObject({status: [201], json: [{path: '$.ok'}, {path: '$.n', tests: [{operator: '>', value: 0}, {operator: '<=', value: 5}]}]});
		expect(resolveConfig({url: 'http://127.0.0.1:1/'}, {source: 'test', env: {}}).plan.endpoints[0]!.checks).toBeUndefined();
	});
});

/** What the server sent, counted by the server: every 7th body says ok:false, every 5th has the wrong header, every 4th is too big; every 3rd is chunked. */
type Sent = {api: number; badJson: number; badHeader: number; anyBad: number; big: number; plain: number};

function responder(sent: Sent) {
	let apiIndex = 0;
	let bigIndex = 0;
	return (request: SeenRequest, _index: number, response: http.ServerResponse): void => {
		if (request.url.startsWith('/api')) {
			const n = ++apiIndex;
			const badJson = n % 7 === 0;
			const badHeader = n % 5 === 0;
			sent.api++;
			if (badJson) sent.badJson++;
			if (badHeader) sent.badHeader++;
			if (badJson || badHeader) sent.anyBad++;
			const body = JSON.stringify(badJson ? {ok: false, items: []} : {ok: true, items: [1, 2, 3], pad: 'x'.repeat(n % 50)});
			response.setHeader('Content-Type', 'application/json');
			response.setHeader('X-Kind', badHeader ? 'bad' : 'Good one');
			if (n % 3 === 0) {
				// Chunked, in two writes: the body arrives in pieces.
				response.write(body.slice(0, 5));
				setImmediate(() => response.end(body.slice(5)));
			} else {
				response.setHeader('Content-Length', Buffer.byteLength(body));
				response.end(body);
			}
		} else if (request.url.startsWith('/big')) {
			const n = ++bigIndex;
			if (n % 4 === 0) sent.big++;
			response.end(n % 4 === 0 ? `${'y'.repeat(3000)}needle` : 'small needle');
		} else {
			sent.plain++;
			response.end('hello');
		}
	};
}

function settings(overrides: Partial<RunSettings>): RunSettings {
	return {threads: 2, connections: 6, durationMs: undefined, maxRequests: 1400, rate: undefined, graceMs: 2000, ...overrides};
}

describe.each(['socket', 'undici'] as const)('response checks against a real server (%s client)', client => {
	it('counts failed checks exactly as the server counts the bad answers it sent, by endpoint and check name', async () => {
		const sent: Sent = {api: 0, badJson: 0, badHeader: 0, anyBad: 0, big: 0, plain: 0};
		const server = await target({respond: responder(sent)});
		const {plan} = resolveConfig({
			http_client: client,
			requests: [
				{name: 'api', url: `${server.url}/api`, weight: 3, checks: {status: [200], body_contains: '"items"', json: {'$.ok': true, '$.items.length': {'>': 0}, '$.items[0]': {exists: true}}, header: {'x-kind': 'good', 'content-type': 'json'}}},
				{name: 'big', url: `${server.url}/big`, checks: {max_body_bytes: 1000, body_contains: 'needle'}},
				{name: 'plain', url: `${server.url}/plain`},
			],
		}, {source: 'test', env: {}});
		const engine = new Engine({plan, settings: settings({}), snapshotIntervalMs: 100});
		const result = await engine.start();
		const [api, big, plain] = result.totals.endpoints;
		expect(result.totals.overall.requests).toBe(1400);
		expect(result.totals.overall.errors).toBe(0);
		expect(sent.api).toBe(api!.responses);
		expect(sent.anyBad).toBeGreaterThan(10);
		// A failed check is still a response with its status.
		expect(api!.statusCodes).toEqual({200: sent.api});
		expect(api!.checks).toEqual({
			passed: sent.api - sent.anyBad,
			failed: sent.anyBad,
			byName: {status: 0, body_contains: 0, 'json $.ok': sent.badJson, 'json $.items.length': sent.badJson, 'json $.items[0]': sent.badJson, 'header x-kind': sent.badHeader, 'header content-type': 0},
		});
		expect(sent.big).toBeGreaterThan(5);
		// A body over max_body_bytes fails that check, and body_contains too: the checks keep no more than max_body_bytes.
		expect(big!.checks).toEqual({passed: big!.responses - sent.big, failed: sent.big, byName: {body_contains: sent.big, max_body_bytes: sent.big}});
		expect(plain!.checks).toBeUndefined();
		expect(plain!.responses).toBe(sent.plain);
		expect(result.totals.overall.checks).toEqual({
			passed: api!.checks!.passed + big!.checks!.passed,
			failed: sent.anyBad + sent.big,
			byName: {...api!.checks!.byName, ...big!.checks!.byName},
		});

		const thresholds = ['checks>99.9%', 'api:checks>60%', 'api:checks>=100', 'plain:checks>0', 'pass>99.9%'].map(text => parseThreshold(text));
		const outcomes = evaluateThresholds(thresholds, result.totals, plan.endpoints.map(endpoint => endpoint.name), 1);
		expect(outcomes.map(outcome => outcome.passed)).toEqual([false, true, false, false, true]);
		expect(outcomes[0]!.actual).toBeCloseTo(100 * result.totals.overall.checks!.passed / (1400 - sent.plain), 4);
		expect(outcomes[3]!.note).toBe('no data');
	}, 30_000);

	it('reads the headers of the final response only, not of a 1xx before it', async () => {
		const server = await target({
			respond(_request, _index, response) {
				response.writeEarlyHints({link: '</style.css>; rel=preload', 'x-hint': 'yes'}, () => {
					response.setHeader('X-Final', 'yes');
					response.end('{"ok":true}');
				});
			},
		});
		const {plan} = resolveConfig({http_client: client, url: `${server.url}/`, checks: {header: {'x-hint': 'yes', 'x-final': 'yes'}}}, {source: 'test', env: {}});
		const result = await new Engine({plan, settings: settings({maxRequests: 200}), snapshotIntervalMs: 100}).start();
		expect(result.totals.overall.statusCodes).toEqual({200: 200});
		expect(result.totals.overall.checks).toEqual({passed: 0, failed: 200, byName: {'header x-hint': 200, 'header x-final': 0}});
	});
});
