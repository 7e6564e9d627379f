import type {EndpointConfig} from './schema.js';

/** The three ways to give a request body. */
export type BodyKind = 'json' | 'form' | 'body';

/**
 * Which body an endpoint sends. An empty `{}` json or form counts as not set (PyStress's own
 * "All Options" example sets `"json": {}` and `"form": {}` together), so it yields to a non-empty
 * body; when only empty ones are given, json wins as in PyStress (and sends `{}`). Two non-empty
 * bodies are a conflict.
 */
export function chooseBody(config: Pick<EndpointConfig, BodyKind>): {kind: BodyKind | undefined; conflict?: readonly [BodyKind, BodyKind]} {
	const given = (['json', 'form', 'body'] as const).filter(key => config[key] !== undefined);
	const set = given.filter(key => !isEmptyObject(config[key]));
	if (set.length > 1) {
		return {kind: undefined, conflict: [set[0]!, set[1]!]};
	}

	return {kind: set[0] ?? given[0]};
}

/** An empty `{}` json or form: "not set". */
export function isEmptyBody(value: unknown): boolean {
	return isEmptyObject(value);
}

function isEmptyObject(value: unknown): boolean {
	return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}
