import {suggest} from '../config/errors.js';

/** The part of a meow flag definition that decides how argv is read. */
export type FlagShape = {
	readonly type: 'string' | 'boolean' | 'number';
	readonly shortFlag?: string;
	readonly isMultiple?: boolean;
};

/** A command-line problem, one line: the flag and the fix. */
export class ArgvError extends Error {
	readonly flag: string;

	constructor(flag: string, message: string) {
		super(`${flag}: ${message}`);
		this.name = 'ArgvError';
		this.flag = flag;
	}
}

/** A flag's key as written on the command line: `maxConnections` -> `max-connections`. */
export const kebab = (name: string): string => name.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);

/** Flags meow answers itself. */
const builtIn = new Set(['help', 'version']);

type Known = {readonly key: string; readonly shape: FlagShape};

/** One flag given on the command line: its key and the argv indexes it spans (the flag, its value). */
type Occurrence = {key: string; multiple: boolean; indexes: number[]};

/**
 * Reads argv before meow does: a single-value flag given more than once keeps its last value (as
 * most Unix tools do: `-d 1 -d 2` runs 2 s), repeatable flags keep every value, and an unknown
 * flag is an ArgvError naming the closest known one. Returns argv with the earlier values of
 * repeated single-value flags taken out. Everything after `--` is left alone.
 */
export function normalizeArgv(argv: readonly string[], flags: Readonly<Record<string, FlagShape>>): string[] {
	const occurrences = flagOccurrences(argv, flags);
	const drop = new Set<number>();
	const lastOf = new Map<string, number>();
	for (const [position, occurrence] of occurrences.entries()) {
		if (!occurrence.multiple) lastOf.set(occurrence.key, position);
	}

	for (const [position, occurrence] of occurrences.entries()) {
		if (!occurrence.multiple && lastOf.get(occurrence.key) !== position) {
			for (const index of occurrence.indexes) drop.add(index);
		}
	}

	return argv.filter((_, index) => !drop.has(index));
}

/** The keys of the flags given on the command line (`--no-baseline` gives `baseline`). */
export function givenFlagKeys(argv: readonly string[], flags: Readonly<Record<string, FlagShape>>): Set<string> {
	return new Set(flagOccurrences(argv, flags).map(occurrence => occurrence.key));
}

/** Each flag in argv, in order, up to `--`; an unknown flag or a missing value is an ArgvError. */
function flagOccurrences(argv: readonly string[], flags: Readonly<Record<string, FlagShape>>): Occurrence[] {
	const long = new Map<string, Known>();
	const short = new Map<string, Known>();
	for (const [key, shape] of Object.entries(flags)) {
		long.set(kebab(key), {key, shape});
		if (shape.shortFlag !== undefined) short.set(shape.shortFlag, {key, shape});
	}

	const occurrences: Occurrence[] = [];
	for (let index = 0; index < argv.length; index++) {
		const token = argv[index]!;
		if (token === '--') break;
		if (!token.startsWith('-') || token === '-' || /^-\d/.test(token)) continue;
		const [name, inline] = splitInline(token);
		let known: Known | undefined;
		if (name.startsWith('--')) {
			const bare = name.slice(2);
			known = long.get(bare);
			if (known === undefined && bare.startsWith('no-') && long.get(bare.slice(3))?.shape.type === 'boolean') {
				known = long.get(bare.slice(3));
			}

			if (known === undefined && builtIn.has(bare)) continue;
		} else {
			known = name.length === 2 ? short.get(name.slice(1)) : undefined;
			if (known === undefined && name === '-h') continue;
		}

		if (known === undefined) {
			throw new ArgvError(name, `unknown flag; ${suggestFlag(name, [...long.keys()])} (see --help)`);
		}

		const indexes = [index];
		if (known.shape.type !== 'boolean' && inline === undefined) {
			if (index + 1 >= argv.length) {
				throw new ArgvError(name, `needs a value, e.g. ${name} ${known.shape.type === 'number' ? '10' : 'VALUE'}`);
			}

			indexes.push(++index);
		}

		occurrences.push({key: known.key, multiple: known.shape.isMultiple === true, indexes});
	}

	return occurrences;
}

function splitInline(token: string): [string, string | undefined] {
	const equals = token.indexOf('=');
	return equals < 0 ? [token, undefined] : [token.slice(0, equals), token.slice(equals + 1)];
}

function suggestFlag(name: string, candidates: readonly string[]): string {
	const best = suggest(name.replace(/^-+/, ''), candidates);
	return best === undefined ? 'not a pystress-tui flag' : `did you mean --${best}?`;
}

/**
 * `import curl WORDS...`: the words are curl's (its -H, -d and -u are not ours) and are not read as
 * flags; only `--out FILE` among them is ours, and a leading `--` is dropped. Returns the argv left
 * to read and the words; any other argv comes back whole.
 */
export function takeCurlWords(argv: readonly string[]): {argv: string[]; words: string[]} {
	if (argv[0] !== 'import' || argv[1] !== 'curl') return {argv: [...argv], words: []};
	const own = ['import', 'curl'];
	const words: string[] = [];
	for (let index = 2; index < argv.length; index++) {
		const word = argv[index]!;
		if (word === '--out' && index + 1 < argv.length) own.push(word, argv[++index]!);
		else if (word.startsWith('--out=')) own.push(word);
		else if (!(word === '--' && words.length === 0)) words.push(word);
	}

	return {argv: own, words};
}
