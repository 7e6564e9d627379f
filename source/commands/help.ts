import meow from 'meow';
import {envVariable} from './env-flags.js';
import {commandHelp, flagHelp, flagName, helpGroups, type FlagHelp} from './flag-help.js';
import {flagDefinitions, type CliFlags} from './flags.js';

/** Flag names end before this column; descriptions start at it (two spaces of indent included). */
const descriptionColumn = 25;

/** `--help`: the usage of each sub-command, every flag (flag-help.ts), the variables, exit codes. */
export const helpText = renderHelp();

function renderHelp(): string {
	const usage = ['$ pystress-tui [--config FILE | --url URL | --urls-file FILE] [options]', ...commandHelp.map(command => `$ pystress-tui ${command.usage}`)]
		.flatMap(line => line.split('\n'))
		.map(line => `  ${line}`);
	const sections = Object.entries(helpGroups).map(([group, section]) => {
		const lines: string[] = [section.title];
		for (const [key, help] of Object.entries(flagHelp) as Array<[keyof typeof flagDefinitions, FlagHelp]>) {
			if (help.group !== group) continue;
			const shape: {type: string; shortFlag?: string; default?: unknown} = flagDefinitions[key];
			const name = `  ${shape.shortFlag === undefined ? '' : `-${shape.shortFlag}, `}${flagName(key, shape)}${help.value === undefined ? '' : ` ${help.value}`}`;
			const [first, ...more] = help.text.split('\n');
			lines.push(`${name.length > descriptionColumn - 2 ? `${name}  ` : name.padEnd(descriptionColumn)}${first}`, ...more.map(line => ' '.repeat(descriptionColumn) + line));
		}

		const note = 'note' in section ? section.note.split('\n').map(line => ' '.repeat(descriptionColumn) + line) : [];
		return [...lines, ...note].join('\n');
	});
	return [
		'',
		'Usage',
		...usage,
		'',
		'In a terminal it opens the interactive TUI (config picker, settings, live dashboard);',
		'with --headless, when stdout or stdin is not a terminal, or with CI=true, it prints plain lines.',
		'',
		sections.join('\n\n'),
		'',
		'A flag that takes one value keeps the last one when given twice (-d 1 -d 2 runs 2 s).',
		'',
		environmentHelp(),
		'',
		'Exit codes: 0 done, 1 runtime failure (no response at all, unwritable report),',
		'2 usage or config error, 3 later than --start-late-max for --start-at (nothing sent),',
		'99 a threshold failed (never an agent: merge judges), 130/143 stopped by SIGINT/SIGTERM',
		'(headless; the report of what was measured is still written).',
		'',
	].join('\n');
}

/** The PYSTRESS_* variables: the rule, then every name (env-flags.ts makes them from the flags). */
function environmentHelp(): string {
	const names = Object.keys(flagDefinitions).map(key => envVariable(key));
	const rows: string[] = [];
	for (const name of names) {
		if (rows.length > 0 && `${rows.at(-1)!} ${name}`.length <= 86) rows[rows.length - 1] += ` ${name}`;
		else rows.push(`  ${name}`);
	}

	return [
		'Environment variables (defaults < config file < environment < flags)',
		'  Each flag has one: PYSTRESS_ and the flag\'s name in capitals, - as _ (--max-late:',
		'  PYSTRESS_MAX_LATE). Booleans take true, false, 1 or 0 (PYSTRESS_BASELINE=false is',
		'  --no-baseline); a repeatable flag takes one value per line; an empty one is unset.',
		...rows,
	].join('\n');
}

/**
 * Reads argv with meow: `--help` and `--version` (which meow answers and exits), and any argv the
 * fast reader (`parse-flags.ts`) leaves to it. Loaded only then: meow costs start-up time.
 */
export function parseWithMeow(argv: readonly string[]): {input: string[]; flags: CliFlags} {
	const cli = meow(helpText, {importMeta: import.meta, argv: [...argv], allowUnknownFlags: false, flags: flagDefinitions});
	return {input: cli.input, flags: cli.flags};
}
