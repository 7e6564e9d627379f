/** A problem found in a config, with the JSON path of the field it concerns. */
export type ConfigIssue = {
	readonly path: string;
	readonly message: string;
};

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Placeholder names filled per request (config/template.ts), never read from the environment. */
const reservedNames = new Set(['seq', 'uuid', 'now']);

/**
 * Replaces `${VAR}` (and `${VAR:-default}`) in every string of a JSON value with the environment's
 * value. Unset variables without a default are reported as issues and left in place.
 */
export function interpolateEnv(
	value: unknown,
	env: Readonly<Record<string, string | undefined>>,
	issues: ConfigIssue[],
	path = '',
): unknown {
	if (typeof value === 'string') {
		return value.replaceAll(reference, (whole, name: string, fallback: string | undefined) => {
			if (reservedNames.has(name) && fallback === undefined) {
				return whole;
			}

			const found = env[name];
			if (found !== undefined) {
				return found;
			}

			if (fallback !== undefined) {
				return fallback;
			}

			issues.push({path: path || '(root)', message: `environment variable ${name} is not set (export ${name}=... or write \${${name}:-default})`});
			return whole;
		});
	}

	if (Array.isArray(value)) {
		return value.map((item, index) => interpolateEnv(item, env, issues, `${path}[${index}]`));
	}

	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, issues, joinPath(path, key))]));
	}

	return value;
}

/** Joins a JSON path: `a.b`, or `a["odd key"]` for keys that are not identifiers. */
export function joinPath(path: string, key: string | number): string {
	if (typeof key === 'number') {
		return `${path}[${key}]`;
	}

	const part = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
	if (path === '') {
		return part;
	}

	return part.startsWith('"') ? `${path}[${part}]` : `${path}.${part}`;
}
