import type {JsonPathSegment} from './json-path.js';

/** How a JSON check compares the value at its path: `exists` takes true or false, the rest a value. */
export type JsonOperator = '==' | '!=' | '>' | '>=' | '<' | '<=' | 'exists';

export const jsonOperators: readonly JsonOperator[] = ['==', '!=', '>', '>=', '<', '<=', 'exists'];

/** One comparison of a JSON check: `{">": 0}` is `{operator: '>', value: 0}`; a plain value is `==`. */
export type JsonTest = {readonly operator: JsonOperator; readonly value: unknown};

/** One `"json"` entry: the value at `path` passes every test. */
export type JsonCheck = {readonly path: string; readonly segments: readonly JsonPathSegment[]; readonly tests: readonly JsonTest[]};

/** One `"header"` entry: the response has the header (lower-case `name`) and its value contains `contains` (any case). */
export type HeaderCheck = {readonly name: string; readonly contains: string};

/**
 * The response checks of one endpoint, resolved (its own over the top-level ones). Plain data: it
 * goes to the workers with the plan. Each check counts under its name (see `checkNames`).
 */
export type CheckPlan = {
	/** The status is one of these (without it, any status passes the checks). */
	readonly status?: readonly number[];
	readonly bodyContains?: string;
	readonly json?: readonly JsonCheck[];
	readonly header?: readonly HeaderCheck[];
	readonly maxBodyBytes?: number;
};

/** Without max_body_bytes, body checks look at the first this many bytes of a body (a longer body fails them). */
export const defaultKeptBodyBytes = 1024 * 1024;

/** The names checks are counted under, in a fixed order: status, body_contains, json $.path, header name, max_body_bytes. */
export function checkNames(plan: CheckPlan): string[] {
	return [
		...(plan.status ? ['status'] : []),
		...(plan.bodyContains === undefined ? [] : ['body_contains']),
		...(plan.json ?? []).map(check => `json ${check.path}`),
		...(plan.header ?? []).map(check => `header ${check.name}`),
		...(plan.maxBodyBytes === undefined ? [] : ['max_body_bytes']),
	];
}

/** How many body bytes the checks need kept (0: none, the body is only counted). */
export function keptBodyBytes(plan: CheckPlan): number {
	if (plan.bodyContains === undefined && plan.json === undefined) {
		return 0;
	}

	// One byte more than allowed tells a body that is too long from one that just fits.
	return (plan.maxBodyBytes ?? defaultKeptBodyBytes) + 1;
}
