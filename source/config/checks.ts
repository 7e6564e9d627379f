import {array, gte, int, lte, meta, minLength, number, optional, positive, record, string, strictObject, superRefine, unknown, type Infer} from './zod.js';
import {jsonOperators, type CheckPlan, type JsonCheck, type JsonOperator, type JsonTest} from './check-plan.js';
import {invalidHeader} from './header-check.js';
import {parseJsonPath} from './json-path.js';

/*
 * `"checks"` of a config (top level, for every endpoint, and per endpoint): what a response must
 * be to pass, besides being a response. Validated here (every problem with its place); resolved to
 * a CheckPlan per endpoint by `resolveChecks`.
 */

const operatorList = jsonOperators.join(', ');

/** The tests of one `"json"` entry's expected value, or what is wrong with it. */
export function jsonTests(path: string, expected: unknown): JsonTest[] | string {
	if (expected === null || typeof expected !== 'object') {
		return [{operator: '==', value: expected}];
	}

	if (Array.isArray(expected)) {
		return `${JSON.stringify(path)}: expected a string, number, boolean or null to equal, or an operator object such as {">": 0}, not a list`;
	}

	const entries = Object.entries(expected);
	if (entries.length === 0) {
		return `${JSON.stringify(path)}: an empty operator object; write e.g. {">": 0} or {"exists": true}`;
	}

	const tests: JsonTest[] = [];
	for (const [operator, value] of entries) {
		if (!(jsonOperators as readonly string[]).includes(operator)) {
			return `${JSON.stringify(path)}: unknown operator ${JSON.stringify(operator)}; use ${operatorList}`;
		}

		if (operator === 'exists' && typeof value !== 'boolean') {
			return `${JSON.stringify(path)}: "exists" takes true or false`;
		}

		if (['>', '>=', '<', '<='].includes(operator) && typeof value !== 'number') {
			return `${JSON.stringify(path)}: ${JSON.stringify(operator)} takes a number`;
		}

		if ((operator === '==' || operator === '!=') && value !== null && typeof value === 'object') {
			return `${JSON.stringify(path)}: ${JSON.stringify(operator)} takes a string, number, boolean or null`;
		}

		tests.push({operator: operator as JsonOperator, value});
	}

	return tests;
}

const jsonSchema = record(string(), unknown(), {error: 'expected an object of JSON paths to values, e.g. {"$.ok": true, "$.items.length": {">": 0}}'}).check(
	superRefine((entries, context) => {
		for (const [path, expected] of Object.entries(entries)) {
			const segments = parseJsonPath(path);
			if (typeof segments === 'string') {
				context.addIssue({code: 'custom', message: `${JSON.stringify(path)} is not a JSON path: ${segments}`});
				continue;
			}

			const tests = jsonTests(path, expected);
			if (typeof tests === 'string') {
				context.addIssue({code: 'custom', message: tests});
			}
		}
	}),
	meta({description: `JSON body checks: {"$.path": value} for equality, or {"$.path": {OPERATOR: value}} with ${operatorList} (e.g. {"$.items.length": {">": 0}}, {"$.id": {"exists": true}}). Paths: $.a.b, $.a[0], $["a key"], .length of a list or string.`}),
);

const headerSchema = record(string(), string({error: 'expected a string the header value must contain'}), {error: 'expected an object of header names to text their value contains, e.g. {"content-type": "json"}'}).check(
	superRefine((headers, context) => {
		for (const name of Object.keys(headers)) {
			const problem = invalidHeader(name, '');
			if (problem !== undefined) {
				context.addIssue({code: 'custom', message: problem});
			}
		}
	}),
	meta({description: 'Header checks: {"name": "text"}: the response has the header and its value contains the text (any case).'}),
);

export const checksSchema = strictObject({
	status: optional(array(number().check(int(), gte(100), lte(999)), {error: 'expected a list of status codes such as [200, 201]'})
		.check(minLength(1, {error: 'expected at least one status code'}), meta({description: 'The status is one of these, e.g. [200, 201].'}))),
	body_contains: optional(string({error: 'expected a string the body must contain'}).check(minLength(1, {error: 'expected a non-empty string'}), meta({description: 'The body contains this text (bytes as sent, no decoding).'}))),
	json: optional(jsonSchema),
	header: optional(headerSchema),
	max_body_bytes: optional(number({error: 'expected a whole number of bytes, 1 or more'}).check(int({error: 'expected a whole number of bytes, 1 or more'}), positive({error: 'expected a whole number of bytes, 1 or more'}), meta({description: 'The body is at most this many bytes. Body checks keep at most this much of a body (1 MiB without it).'}))),
}, {error: 'expected an object of checks such as {"status": [200], "json": {"$.ok": true}}'}).check(meta({
	description: 'Response checks: a response that fails one counts as a response and a failed check (by check name and endpoint). Threshold: "checks>99.9%".',
}));

export type ChecksConfig = Infer<typeof checksSchema>;

/** The check keys, for did-you-mean suggestions. */
export const checkKeys = Object.keys(checksSchema.shape);

/**
 * An endpoint's checks: its own keys over the top-level ones (json and header entries merge, the
 * endpoint's winning). Undefined without checks. Expects validated input (see `checksSchema`).
 */
export function resolveChecks(top: ChecksConfig | undefined, own: ChecksConfig | undefined): CheckPlan | undefined {
	if (top === undefined && own === undefined) {
		return undefined;
	}

	const status = own?.status ?? top?.status;
	const bodyContains = own?.body_contains ?? top?.body_contains;
	const maxBodyBytes = own?.max_body_bytes ?? top?.max_body_bytes;
	const jsonEntries = {...top?.json, ...own?.json};
	const headerEntries = {...top?.header, ...own?.header};
	const json: JsonCheck[] = Object.entries(jsonEntries).map(([path, expected]) => ({path, segments: parseJsonPath(path) as JsonCheck['segments'], tests: jsonTests(path, expected) as JsonTest[]}));
	const header = Object.entries(headerEntries).map(([name, contains]) => ({name: name.toLowerCase(), contains: contains.toLowerCase()}));
	const plan: CheckPlan = {
		...(status ? {status} : {}),
		...(bodyContains === undefined ? {} : {bodyContains}),
		...(json.length > 0 ? {json} : {}),
		...(header.length > 0 ? {header} : {}),
		...(maxBodyBytes === undefined ? {} : {maxBodyBytes}),
	};
	return Object.keys(plan).length === 0 ? undefined : plan;
}
