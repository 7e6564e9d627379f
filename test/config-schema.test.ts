import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {Ajv, type ValidateFunction} from 'ajv';
import formatsPlugin from 'ajv-formats';
import {beforeAll, describe, expect, it} from 'vitest';
import configJsonSchema, {configJsonSchemaText} from '../source/config/json-schema.js';
import {ConfigError} from '../source/config/errors.js';
import {resolveConfig} from '../source/config/load.js';
import {rootDir} from './helpers/cli.js';

const committedPath = path.join(rootDir, 'source/config/config.schema.json');
const builtPath = path.join(rootDir, 'dist/config/config.schema.json');
const examples = path.join(rootDir, 'config-examples');
const pystressFixtures = path.join(rootDir, 'test/fixtures/pystress');

function compileSchema(): ValidateFunction {
	// Strict mode rejects unknown keywords and misplaced type-specific keywords in the schema itself.
	// Union types (`"type": ["string", "number"]`) are plain draft-07, which strict mode asks to allow.
	const ajv = new Ajv({allErrors: true, strict: true, allowUnionTypes: true});
	type FormatsPlugin = (ajv: Ajv) => Ajv;
	const addFormats = ((formatsPlugin as unknown as {default?: FormatsPlugin}).default ?? formatsPlugin) as unknown as FormatsPlugin;
	addFormats(ajv);
	return ajv.compile(JSON.parse(readFileSync(committedPath, 'utf8')) as object);
}

function jsonFiles(directory: string): string[] {
	return readdirSync(directory).filter(file => file.endsWith('.json')).sort();
}

function readJson(file: string): Record<string, unknown> {
	return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** The loader's verdict: '' when the config loads, else its problems. */
function loaderIssues(config: Record<string, unknown>, env: Record<string, string> = {}): string {
	try {
		resolveConfig(config, {source: 'test.json', env});
		return '';
	} catch (error) {
		if (error instanceof ConfigError) return error.message;
		throw error;
	}
}

const url = 'http://127.0.0.1:9/';

describe('config.schema.json', () => {
	let validate: ValidateFunction;
	const schemaErrors = (value: unknown): string => (validate(value) ? '' : JSON.stringify(validate.errors));

	beforeAll(() => {
		validate = compileSchema();
	});

	it('the committed copy is what the generator writes now (refresh it with `npx tsx source/config/write-schema.ts source/config/config.schema.json`)', () => {
		expect(readFileSync(committedPath, 'utf8')).toBe(configJsonSchemaText());
	});

	it('npm run build writes the same schema to dist/config/', () => {
		expect(existsSync(builtPath)).toBe(true);
		expect(readFileSync(builtPath, 'utf8')).toBe(readFileSync(committedPath, 'utf8'));
	});

	it('is draft-07, strict where zod is strict, and describes every field', () => {
		const schema = configJsonSchema() as {$schema: string; anyOf: Array<{properties: Record<string, {description?: string}>; additionalProperties: unknown}>};
		expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
		const [flat, oauth] = schema.anyOf;
		for (const branch of [flat!, oauth!]) {
			expect(branch.additionalProperties).toBe(false);
			for (const [key, property] of Object.entries(branch.properties)) {
				expect(property.description, key).toMatch(/\w/);
			}
		}

		expect(Object.keys(flat!.properties)).toEqual(expect.arrayContaining(['$schema', 'url', 'requests', 'json', 'form', 'basic_auth', 'timeout_ms', 'duration']));
		expect(Object.keys(oauth!.properties)).toEqual(expect.arrayContaining(['$schema', 'token_acquisition', 'stress_test']));
		expect(JSON.stringify(schema)).toContain('"enum":["socket","undici"]');
	});

	describe('accepts every file a user starts from', () => {
		for (const file of jsonFiles(examples)) {
			it(`config-examples/${file}`, () => {
				expect(schemaErrors(readJson(path.join(examples, file)))).toBe('');
			});
		}

		for (const file of jsonFiles(pystressFixtures)) {
			it(`PyStress readme example ${file}`, () => {
				expect(schemaErrors(readJson(path.join(pystressFixtures, file)))).toBe('');
			});
		}
	});

	it('every file in config-examples/ links the schema by a path that resolves from a clone', () => {
		const files = jsonFiles(examples);
		expect(files.length).toBeGreaterThan(0);
		for (const file of files) {
			const link = readJson(path.join(examples, file))['$schema'];
			expect(link, file).toBe('../source/config/config.schema.json');
			// VS Code resolves a `$schema` without a scheme against the file's own folder.
			expect(path.resolve(examples, link as string)).toBe(committedPath);
		}
	});

	// Each is refused by the schema AND by the loader.
	const invalid: Array<{name: string; config: Record<string, unknown>}> = [
		{name: 'unknown key', config: {url, timout_ms: 5}},
		{name: 'unknown key in an endpoint', config: {requests: [{url, wieght: 2}]}},
		{name: 'unknown key in basic_auth', config: {url, basic_auth: {user: 'a', password: 'b'}}},
		{name: 'unknown key in checks', config: {url, checks: {stauts: [200]}}},
		{name: 'check status as a string', config: {requests: [{url, checks: {status: ['200']}}]}},
		{name: 'zero max_body_bytes', config: {url, checks: {max_body_bytes: 0}}},
		{name: 'unknown key in stress_test', config: {token_acquisition: {url}, stress_test: {url, $schema: 'x'}}},
		{name: 'url not a string', config: {url: 42}},
		{name: 'url not http', config: {url: 'ftp://127.0.0.1/'}},
		{name: 'timeout_ms a string', config: {url, timeout_ms: '5000'}},
		{name: 'negative timeout_ms', config: {url, timeout_ms: -5}},
		{name: 'fractional retries', config: {url, retries: 1.5}},
		{name: 'verify_tls a string', config: {url, verify_tls: 'no'}},
		{name: 'status as a string', config: {url, retry_on_statuses: ['503']}},
		{name: 'status out of range', config: {url, retry_on_statuses: [42]}},
		{name: 'unknown http_client', config: {url, http_client: 'curl'}},
		{name: 'method with a space', config: {url, method: 'GET /'}},
		{name: 'headers a list', config: {url, headers: ['A: b']}},
		{name: 'header name with a space', config: {url, headers: {'X A': 'b'}}},
		{name: 'header value with a line break', config: {url, headers: {'X-A': 'b\r\nX-Injected: 1'}}},
		{name: 'form value an object', config: {url, form: {a: {b: 1}}}},
		{name: 'basic_auth without password', config: {url, basic_auth: {username: 'a'}}},
		{name: 'bad duration', config: {url, duration: 'soon'}},
		{name: 'negative duration', config: {url, duration: -1}},
		{name: 'zero weight', config: {requests: [{url, weight: 0}]}},
		{name: 'empty requests', config: {requests: []}},
		{name: 'empty stages', config: {url, stages: []}},
		{name: '$schema not a string', config: {url, $schema: 7}},
		{name: 'non-empty json and form', config: {url, json: {a: 1}, form: {b: 2}}},
		{name: 'non-empty json and body', config: {url, json: [1], body: 'x'}},
		{name: 'non-empty form and body in an endpoint', config: {requests: [{url, form: {a: 1}, body: ''}]}},
		{name: 'two bodies in token_acquisition', config: {token_acquisition: {url, json: {a: 1}, form: {b: 1}}, stress_test: {url}}},
		{name: 'url and requests', config: {url, requests: [{url}]}},
		{name: 'stress_test without token_acquisition', config: {stress_test: {url}}},
		{name: 'token_acquisition without url', config: {token_acquisition: {method: 'POST'}, stress_test: {url}}},
	];

	describe('refuses bad configs, as the loader does', () => {
		for (const testCase of invalid) {
			it(testCase.name, () => {
				expect(loaderIssues(testCase.config)).not.toBe('');
				expect(validate(testCase.config)).toBe(false);
			});
		}
	});

	// Each is accepted by the schema AND by the loader.
	const valid: Array<{name: string; config: Record<string, unknown>}> = [
		{name: '$schema, any string', config: {$schema: 'https://example.invalid/whatever.json', url}},
		{name: 'empty json and form together (PyStress "All Options")', config: {url, method: 'POST', json: {}, form: {}}},
		{name: 'empty json beside a form', config: {url, json: {}, form: {a: 1}}},
		{name: 'empty form beside a raw body', config: {url, form: {}, body: 'x'}},
		{name: '${VAR} in a method, a URL, a duration and http_client', config: {url: '${BASE:-http://127.0.0.1:9}/x', method: '${METHOD:-post}', duration: '${DURATION:-2s}', http_client: '${CLIENT:-undici}'}},
		{name: 'durations as numbers and unit strings', config: {url, duration: 1.5, ramp_up: '1m30s', stages: [{duration: '500ms', target: 2}]}},
		{name: 'no url (--url stands in)', config: {method: 'POST', json: {a: 1}}},
	];

	describe('accepts what the loader accepts', () => {
		for (const testCase of valid) {
			it(testCase.name, () => {
				expect(schemaErrors(testCase.config)).toBe('');
				// A config without url needs --url: the loader asks for it and nothing else.
				const issues = loaderIssues(testCase.config);
				expect(issues === '' || /^test\.json: url: missing/.test(issues), issues).toBe(true);
			});
		}
	});

	/*
	 * What JSON Schema cannot express, so only the loader enforces it (the schema accepts these):
	 * 1. a URL parses as an absolute http(s) URL: the schema checks the http:// or https:// prefix;
	 * 2. endpoint names are unique within `requests` (no uniqueness by property in JSON Schema);
	 * 3. `backoff_max_ms` is not below `backoff_ms` (comparing two fields needs $data, not standard);
	 * 4. `${VAR}` references: the variable is set (or has a default), and the value it brings passes
	 *    the field's rule (the schema sees the file as written, so it lets any `${...}` string through);
	 * 5. `url` or `requests` is present: a file may lack both when `--url` stands in, so the loader
	 *    asks for it only when no flag gave one.
	 * 6. no non-empty body (`json`, `form`, `body`) at the top level next to `requests`, where no
	 *    endpoint would send it (the zod schema generates no cross-field condition).
	 */
	const loaderOnly: Array<{rule: string; config: Record<string, unknown>; issue: RegExp}> = [
		{rule: 'URL parses', config: {url: 'http://[bad/'}, issue: /url: expected an absolute http/},
		{rule: 'no top-level body next to requests', config: {form: {a: 1}, requests: [{url}]}, issue: /form: a request body at the top level is sent by no endpoint/},
		{rule: 'unique endpoint names', config: {requests: [{name: 'a', url}, {name: 'a', url}]}, issue: /requests\[1\]\.name: "a" is also the name/},
		{rule: 'backoff_max_ms >= backoff_ms', config: {url, backoff_ms: 500, backoff_max_ms: 100}, issue: /backoff_max_ms: is 100, below backoff_ms/},
		{rule: '${VAR} is set', config: {url, headers: {Authorization: 'Bearer ${PYSTRESS_SCHEMA_UNSET}'}}, issue: /environment variable PYSTRESS_SCHEMA_UNSET is not set/},
		{rule: '${VAR} value passes the rule', config: {url, method: '${METHOD:-GET /}'}, issue: /method: expected an HTTP method/},
		{rule: 'url or requests', config: {method: 'GET'}, issue: /url: missing/},
	];

	describe('rules only the loader enforces (JSON Schema cannot express them)', () => {
		for (const testCase of loaderOnly) {
			it(testCase.rule, () => {
				expect(schemaErrors(testCase.config)).toBe('');
				expect(loaderIssues(testCase.config)).toMatch(testCase.issue);
			});
		}
	});
});
