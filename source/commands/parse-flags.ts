import type {FlagShape} from './argv.js';

/** What meow gives back that the commands use: positional arguments and the flags by camelCase key. */
export type ParsedArgv<Flags> = {readonly input: string[]; readonly flags: Flags};

const kebab = (name: string): string => name.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);

/**
 * Reads the plain argv of nearly every run (`--url X -c 10 --no-baseline report.json`) the way meow
 * does, without loading meow (about a fifth of start-up). Takes argv after `normalizeArgv` (known
 * flags only, repeats resolved). Returns undefined for whatever it does not read exactly as meow
 * would, and the caller asks meow: `--help`, `--version`, `-h`, `--`, `--flag=value` on a boolean,
 * a value or argument that begins with `-` or reads as a number, `true` or `false` anywhere. `test/startup.test.ts` holds it to
 * meow on the same argv.
 */
export function parseFlags<Flags>(argv: readonly string[], definitions: Readonly<Record<string, FlagShape & {readonly default?: unknown}>>): ParsedArgv<Flags> | undefined {
	const long = new Map<string, string>();
	const short = new Map<string, string>();
	for (const [key, shape] of Object.entries(definitions)) {
		long.set(kebab(key), key);
		if (shape.shortFlag !== undefined) short.set(shape.shortFlag, key);
	}

	const flags: Record<string, unknown> = {};
	for (const [key, shape] of Object.entries(definitions)) {
		if (shape.isMultiple === true) flags[key] = [];
		else if (shape.default !== undefined) flags[key] = shape.default;
	}

	// yargs-parser reads `true` and `false` anywhere as booleans (`--headless false`, `--url true`).
	if (argv.some(token => token === 'true' || token === 'false')) return undefined;
	const input: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const token = argv[index]!;
		if (!token.startsWith('-')) {
			if (looksNumeric(token)) return undefined;
			input.push(token);
			continue;
		}

		const equals = token.indexOf('=');
		const name = equals < 0 ? token : token.slice(0, equals);
		let key: string | undefined;
		let negated = false;
		if (name.startsWith('--')) {
			key = long.get(name.slice(2));
			if (key === undefined && name.startsWith('--no-')) {
				key = long.get(name.slice(5));
				negated = true;
			}
		} else if (name.length === 2) {
			key = short.get(name.slice(1));
		}

		const shape = key === undefined ? undefined : definitions[key];
		if (key === undefined || shape === undefined) return undefined;
		if (shape.type === 'boolean') {
			if (equals >= 0 || shape.isMultiple === true) return undefined;
			flags[key] = !negated;
			continue;
		}

		if (negated) return undefined;
		let value: string;
		if (equals >= 0) {
			value = token.slice(equals + 1);
		} else {
			const next = argv[index + 1];
			if (next === undefined) return undefined;
			value = next;
			index++;
		}

		if (shape.type !== 'string' || value.startsWith('-')) return undefined;
		if (shape.isMultiple === true) (flags[key] as string[]).push(value);
		else flags[key] = value;
	}

	return {input, flags: flags as Flags};
}

/** A positional argument yargs-parser may turn into a number (string flag values stay strings). */
function looksNumeric(text: string): boolean {
	return /^\s*[-+]?(\d|\.\d)/.test(text) || /^0x/i.test(text);
}
