import {ConfigError} from '../config/errors.js';
import type {ConfigIssue} from '../config/interpolate.js';
import {kebab, type FlagShape} from './argv.js';

/** The prefix of the variables that stand for flags. */
export const envPrefix = 'PYSTRESS_';

/** `threads` -> PYSTRESS_THREADS, `maxConnections` -> PYSTRESS_MAX_CONNECTIONS. */
export function envVariable(key: string): string {
	return envPrefix + kebab(key).replaceAll('-', '_').toUpperCase();
}

/** The flags that came from the environment: `--threads` -> PYSTRESS_THREADS. */
export type EnvSources = ReadonlyMap<string, string>;

/**
 * The environment layer (defaults < config file < environment < flags, k6's order): every flag not
 * given on the command line takes its PYSTRESS_* variable when that is set and not empty. Booleans
 * read true/false/1/0; a repeatable flag takes one value per line. A value that is not a boolean is
 * a ConfigError naming the variable; other values are checked where the flag's are, and `named`
 * puts the variable's name on those messages. Returns the flags and where each came from.
 */
export function applyEnvFlags<Flags extends Record<string, unknown>>(
	flags: Flags,
	given: ReadonlySet<string>,
	env: Readonly<Record<string, string | undefined>>,
	definitions: Readonly<Record<string, FlagShape>>,
): {flags: Flags; sources: EnvSources} {
	const result: Record<string, unknown> = {...flags};
	const sources = new Map<string, string>();
	const issues: ConfigIssue[] = [];
	for (const [key, shape] of Object.entries(definitions)) {
		const name = envVariable(key);
		const value = env[name];
		if (value === undefined || value === '' || given.has(key)) continue;
		if (shape.type === 'boolean') {
			const bool = /^(true|1)$/i.test(value.trim()) ? true : (/^(false|0)$/i.test(value.trim()) ? false : undefined);
			if (bool === undefined) {
				issues.push({path: name, message: `"${value}" is not a boolean; write true, false, 1 or 0 (or unset it)`});
				continue;
			}

			result[key] = bool;
		} else if (shape.isMultiple === true) {
			result[key] = value.split(/\r?\n/).filter(line => line.trim() !== '');
		} else {
			result[key] = value;
		}

		sources.set(`--${kebab(key)}`, name);
	}

	if (issues.length > 0) throw new ConfigError('environment', issues);
	return {flags: result as Flags, sources};
}

/**
 * A ConfigError about flags that came from the environment, told with the variable's name:
 * `--threads: "abc" is not valid` -> `PYSTRESS_THREADS (--threads): "abc" is not valid`.
 */
export function named(error: ConfigError, sources: EnvSources): ConfigError {
	if (!error.issues.some(issue => sources.has(issue.path))) return error;
	return new ConfigError(error.source, error.issues.map(issue => {
		const variable = sources.get(issue.path);
		return variable === undefined ? issue : {...issue, path: `${variable} (${issue.path})`};
	}));
}
