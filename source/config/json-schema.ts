import {configSchema, headerValuePattern} from './schema.js';
import {toJSONSchema} from './zod.js';

/** A string holding a `${VAR}` or `${VAR:-default}` reference, resolved only when the config loads. */
const reference = String.raw`\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}`;

/**
 * The published JSON Schema (draft-07, what editors such as VS Code read best) of a config file,
 * generated from the zod schema in schema.ts. It describes the file as written: a string that
 * holds a `${VAR}` reference passes the string patterns and enums, since only its value is checked
 * (after interpolation, by the loader).
 *
 * Rules the loader enforces that this schema cannot express (see test/config-schema.test.ts):
 * - a URL parses as an absolute http(s) URL (the schema checks the `http://`/`https://` prefix),
 * - endpoint names are unique within `requests`,
 * - `backoff_max_ms` is not below `backoff_ms`,
 * - `${VAR}` values: the variable is set (or has a default) and its value passes the rule,
 * - `url` or `requests` is present (`--url` may stand in for both, so a file may lack them),
 * - `checks.json`: each key is a JSON path (`$.a[0]`) and each value a scalar or an operator object
 *   (config/checks.ts), and `checks.header` names are tokens.
 */
export default function configJsonSchema(): Record<string, unknown> {
	return toJSONSchema(configSchema, {
		target: 'draft-07',
		// The input side: what a file holds, before any transform.
		io: 'input',
		// Refinements have no JSON Schema equivalent; the meta hints in schema.ts stand in for them.
		unrepresentable: 'any',
		override({jsonSchema}) {
			if (typeof jsonSchema.pattern === 'string' && jsonSchema.pattern !== headerValuePattern && !jsonSchema.pattern.startsWith(reference)) {
				jsonSchema.pattern = `${reference}|(?:${jsonSchema.pattern})`;
			}

			if (jsonSchema.type === 'string' && Array.isArray(jsonSchema.enum)) {
				jsonSchema.anyOf = [{type: 'string', enum: jsonSchema.enum}, {type: 'string', pattern: reference}];
				delete jsonSchema.type;
				delete jsonSchema.enum;
			}
		},
	}) as Record<string, unknown>;
}

/** The schema as the file `config.schema.json` holds it. */
export function configJsonSchemaText(): string {
	return `${JSON.stringify(configJsonSchema(), undefined, '\t')}\n`;
}
