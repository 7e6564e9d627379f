import {readFileSync} from 'node:fs';
import {parse} from 'shell-quote';
import {ConfigError} from '../config/errors.js';
import {importCurl} from '../config/import-curl.js';
import {importHar} from '../config/import-har.js';
import type {ImportResult} from '../config/import-request.js';
import {describeWriteError, writeFileAtomic} from '../report/write.js';
import type {Command} from './context.js';

type Io = {stdout(text: string): void; stderr(text: string): void};

const usage = 'pystress-tui import curl \'curl https://host/path ...\' [--out FILE] | import har FILE.har [--filter HOST] [--out FILE]';

/**
 * `pystress-tui import curl WORDS...` and `import har FILE [--filter HOST]`: the config on stdout (or
 * in --out FILE), notes and the variables to export on stderr. The converters are pure
 * (config/import-curl.ts, config/import-har.ts); this reads the input and writes the output.
 */
export function runImportCommand(args: readonly string[], options: {out?: string | undefined; filter?: string | undefined}, io: Io): number {
	const [kind, ...rest] = args;
	let result: ImportResult;
	if (kind === 'curl') {
		if (rest.length === 0) throw new ConfigError('command line', [{path: 'import curl', message: `expected a curl command: ${usage}`}]);
		if (options.filter !== undefined) throw new ConfigError('command line', [{path: '--filter', message: 'goes with import har; a curl command is one request'}]);
		result = importCurl(curlWords(rest, io), readData);
	} else if (kind === 'har') {
		const [file, ...extra] = rest;
		if (file === undefined || extra.length > 0) throw new ConfigError('command line', [{path: 'import har', message: `expected one HAR file: ${usage}`}]);
		result = importHar(readInput(file, 'import har'), file, options.filter);
	} else {
		throw new ConfigError('command line', [{path: 'import', message: `${kind === undefined ? 'expected' : `"${kind}" is not an import; expected`} curl or har: ${usage}`}]);
	}

	const text = `${JSON.stringify(result.config, undefined, 2)}\n`;
	if (options.out === undefined) {
		io.stdout(text);
	} else {
		try {
			writeFileAtomic(options.out, text);
		} catch (error) {
			io.stderr(`pystress-tui: cannot write ${options.out} (${describeWriteError(error)})\n`);
			return 1;
		}
	}

	io.stderr(describeImport(result, options.out));
	return 0;
}

/**
 * curl's words: one argument is a whole command line, split as a POSIX shell would (`$VAR` kept
 * as `${VAR}`, which the config reads from the environment); several are words the shell split.
 */
export function curlWords(args: readonly string[], io: Io): string[] {
	if (args.length > 1) return [...args];
	const words: string[] = [];
	const entries = parse(args[0]!.replaceAll(/\\\r?\n/g, ''), name => `\${${name}}`);
	for (const [index, entry] of entries.entries()) {
		if (typeof entry === 'string') {
			words.push(entry);
		} else if ('op' in entry && entry.op === 'glob') {
			words.push(entry.pattern);
		} else {
			const shown = 'comment' in entry ? '#' : entry.op;
			if (index < entries.length - 1 || !('comment' in entry)) io.stderr(`note: the command line is read up to "${shown}"; the rest is not curl's\n`);
			break;
		}
	}

	return words;
}

function readInput(file: string, what: string): string {
	try {
		return readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new ConfigError('command line', [{path: what, message: `cannot read ${file} (${code === 'ENOENT' ? 'file not found' : (error as Error).message}); pass an existing file`}]);
	}
}

/** `-d @file`: the file, relative to the current directory as curl reads it. */
function readData(file: string): string {
	return readInput(file, 'curl -d @FILE');
}

/** Stderr after an import: where the config went, the variables to export, the notes. */
export function describeImport(result: ImportResult, out: string | undefined): string {
	const lines: string[] = [];
	const requests = result.config['requests'];
	const count = Array.isArray(requests) ? requests.length : 1;
	if (out !== undefined) lines.push(`config: ${out} (${count} endpoint${count === 1 ? '' : 's'}); run it: pystress-tui --config ${out}`);
	if (result.variables.length > 0) {
		const width = Math.max(...result.variables.map(variable => variable.name.length));
		lines.push('secrets became ${VAR} placeholders; export them before running:');
		for (const {name, what} of result.variables) lines.push(`  export ${name}=...${' '.repeat(width - name.length)}  # ${what}`);
	}

	for (const note of result.notes) lines.push(`note: ${note}`);
	return lines.map(line => `${line}\n`).join('');
}

/** The `import` sub-command. */
export const importCommand: Command = {
	takesArguments: true,
	async run({args, flags, io}) {
		return runImportCommand(args, {out: flags.out, filter: flags.filter}, io);
	},
};
