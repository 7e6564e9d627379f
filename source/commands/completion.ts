import {ConfigError} from '../config/errors.js';
import {kebab} from './argv.js';
import type {Command} from './context.js';
import {commandHelp, flagHelp, flagName, type CommandHelp, type Completion, type FlagHelp} from './flag-help.js';
import {flagDefinitions} from './flags.js';

/** The shells a script is written for. */
export const shells = ['bash', 'zsh', 'fish'] as const;
export type Shell = typeof shells[number];

type Flag = {
	readonly key: string;
	/** Every way to write it: `--no-baseline`, `--baseline`; `-u`, `--url`. */
	readonly long: readonly string[];
	readonly short: string | undefined;
	readonly takesValue: boolean;
	readonly help: FlagHelp;
};

/** The flag table (flags.ts with flag-help.ts), as the scripts need it. */
function flags(): Flag[] {
	return (Object.entries(flagHelp) as Array<[keyof typeof flagDefinitions, FlagHelp]>).map(([key, help]) => {
		const shape: {type: string; shortFlag?: string; default?: unknown} = flagDefinitions[key];
		const shown = flagName(key, shape);
		return {key, long: shown === `--${kebab(key)}` ? [shown] : [shown, `--${kebab(key)}`], short: shape.shortFlag, takesValue: shape.type !== 'boolean', help};
	});
}

/** The first line of a flag's help, for the shells that show one. */
const summary = (help: FlagHelp): string => help.text.split('\n')[0]!;

/** A completion script for the shell, generated from the flag and command tables. */
export function completionScript(shell: Shell): string {
	switch (shell) {
		case 'bash': {
			return bashScript();
		}

		case 'zsh': {
			return zshScript();
		}

		case 'fish': {
			return fishScript();
		}
	}
}

const singleQuote = (text: string): string => `'${text.replaceAll('\'', '\'\\\'\'')}'`;

function bashCompletion(completion: Completion): string {
	if ('files' in completion) return `_pystress_tui_files ${singleQuote(completion.files)} "$cur"`;
	if ('directories' in completion) return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur"))';
	return `COMPREPLY=($(compgen -W ${singleQuote(completion.choices.join(' '))} -- "$cur"))`;
}

/** The completion of one sub-command's arguments; `count` arguments are before the cursor, `first` the first. */
function bashArguments(command: CommandHelp): string {
	const branches: string[] = [];
	if (command.first) branches.push(`((count == 0)); then ${bashCompletion(command.first)}`);
	for (const [first, completion] of Object.entries(command.after ?? {})) branches.push(`((count == 1)) && [[ $first == ${first} ]]; then ${bashCompletion(completion)}`);
	if (command.rest) branches.push(`((count >= 1)); then ${bashCompletion(command.rest)}`);
	return branches.length === 0 ? ':' : `if ${branches.join('\n\t\t\telif ')}\n\t\t\tfi`;
}

function bashScript(): string {
	const all = flags();
	const valueFlags = all.filter(flag => flag.takesValue).flatMap(flag => [...flag.long, ...(flag.short ? [`-${flag.short}`] : [])]);
	const words = all.flatMap(flag => [...flag.long, ...(flag.short ? [`-${flag.short}`] : [])]);
	const valueCases = all.filter(flag => flag.takesValue).map(flag => {
		const names = [...flag.long, ...(flag.short ? [`-${flag.short}`] : [])].join('|');
		return `\t\t${names}) ${flag.help.complete ? bashCompletion(flag.help.complete) : ':'}; return ;;`;
	});
	return `# pystress-tui completion for bash, generated from its flag table by \`pystress-tui completion bash\`.
# Load it now: source <(pystress-tui completion bash)
# For good: pystress-tui completion bash > ~/.local/share/bash-completion/completions/pystress-tui

# Files ending in .$1 (any file when $1 is empty) and directories to walk into.
_pystress_tui_files() {
	compopt -o filenames 2>/dev/null
	local IFS=$'\\n'
	if [[ -z $1 ]]; then
		COMPREPLY=($(compgen -f -- "$2"))
	else
		COMPREPLY=($(compgen -d -- "$2") $(compgen -f -X "!*.$1" -- "$2"))
	fi
}

_pystress_tui() {
	local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
	COMPREPLY=()
	# The value of a flag that takes one.
	case $prev in
${valueCases.join('\n')}
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W ${singleQuote(words.join(' '))} -- "$cur"))
		return
	fi

	# The sub-command and its arguments so far (flags and their values skipped).
	local command='' first='' word count=0 i
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=\${COMP_WORDS[i]}
		case $word in
			${valueFlags.join('|')}) ((i++)) ;;
			-*) ;;
			*)
				if [[ -z $command ]]; then
					command=$word
				else
					((count == 0)) && first=$word
					((count++))
				fi
				;;
		esac
	done

	case $command in
		'') COMPREPLY=($(compgen -W ${singleQuote(commandHelp.map(command => command.name).join(' '))} -- "$cur")) ;;
${commandHelp.map(command => `\t\t${command.name})\n\t\t\t${bashArguments(command)}\n\t\t\t;;`).join('\n')}
	esac
}

complete -F _pystress_tui pystress-tui
`;
}

/** Text inside a zsh `_arguments` spec: no brackets, colons or quotes of its own. */
const zshText = (text: string): string => text.replaceAll('[', '(').replaceAll(']', ')').replaceAll(':', ' ').replaceAll('\'', '');

function zshCompletion(completion: Completion | undefined): string {
	if (completion === undefined) return ' ';
	if ('files' in completion) return completion.files === '' ? '_files' : `_files -g "*.${completion.files}(-.)"`;
	if ('directories' in completion) return '_files -/';
	return `(${completion.choices.join(' ')})`;
}

function zshScript(): string {
	const specs = flags().flatMap(flag => {
		const names = [...flag.long, ...(flag.short ? [`-${flag.short}`] : [])];
		const repeat = (flagDefinitions as Record<string, {isMultiple?: boolean}>)[flag.key]!.isMultiple === true ? '*' : `(${names.join(' ')})`;
		const value = flag.takesValue ? `:${zshText(flag.help.value ?? 'value')}:${zshCompletion(flag.help.complete)}` : '';
		return names.map(name => `\t\t${singleQuote(`${repeat}${name}[${zshText(summary(flag.help))}]${value}`)} \\`);
	});
	const commands = commandHelp.map(command => singleQuote(`${command.name}:${zshText(command.usage.split('\n')[0]!.replace(/^\S+\s*/, ''))}`));
	const argumentCases = commandHelp.map(command => {
		const branches: string[] = [];
		if (command.first) branches.push(`(( CURRENT == 2 )); then _alternative ${singleQuote(`arguments:argument:${zshCompletion(command.first)}`)}`);
		for (const [first, completion] of Object.entries(command.after ?? {})) branches.push(`(( CURRENT == 3 )) && [[ $words[2] == ${first} ]]; then _alternative ${singleQuote(`arguments:argument:${zshCompletion(completion)}`)}`);
		if (command.rest) branches.push(`(( CURRENT > 2 )); then _alternative ${singleQuote(`arguments:argument:${zshCompletion(command.rest)}`)}`);
		return `\t\t\t${command.name}) ${branches.length === 0 ? ':' : `if ${branches.join('; elif ')}; fi`} ;;`;
	});
	return `#compdef pystress-tui
# pystress-tui completion for zsh, generated from its flag table by \`pystress-tui completion zsh\`.
# Load it now: source <(pystress-tui completion zsh)   (after compinit)
# For good: pystress-tui completion zsh > "\${fpath[1]}/_pystress-tui"

_pystress_tui() {
	local state line
	local -a commands
	commands=(${commands.join(' ')})
	_arguments -s -S \\
${specs.join('\n')}
		'1: :->command' \\
		'*:: :->arguments'
	case $state in
		command) _describe -t commands 'pystress-tui command' commands ;;
		arguments)
			case $words[1] in
${argumentCases.join('\n')}
			esac
			;;
	esac
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
	_pystress_tui "$@"
else
	compdef _pystress_tui pystress-tui
fi
`;
}

function fishCompletion(completion: Completion): string {
	if ('files' in completion) return completion.files === '' ? '-F' : `-k -a ${singleQuote(`(__fish_complete_suffix .${completion.files})`)}`;
	if ('directories' in completion) return `-f -a ${singleQuote('(__fish_complete_directories)')}`;
	return `-f -a ${singleQuote(completion.choices.join(' '))}`;
}

function fishScript(): string {
	const lines = flags().flatMap(flag => flag.long.map((long, index) => {
		const short = index === 0 && flag.short ? ` -s ${flag.short}` : '';
		// -r: takes a value; -f: no file names for it unless its completion says files.
		const value = flag.takesValue ? ` -r ${flag.help.complete ? fishCompletion(flag.help.complete) : '-f'}` : '';
		return `complete -c pystress-tui${short} -l ${long.slice(2)}${value} -d ${singleQuote(summary(flag.help))}`;
	}));
	const names = commandHelp.map(command => command.name);
	const commandLines = commandHelp.map(command => `complete -c pystress-tui -n ${singleQuote(`not __fish_seen_subcommand_from ${names.join(' ')}`)} -a ${command.name} -d ${singleQuote(command.usage.split('\n')[0]!.replace(/^\S+\s*/, ''))}`);
	const argumentLines = commandHelp.flatMap(command => {
		const result: string[] = [];
		const firsts = command.first && 'choices' in command.first ? command.first.choices : [];
		const atFirst = firsts.length > 0 ? `; and not __fish_seen_subcommand_from ${firsts.join(' ')}` : '';
		if (command.first) result.push(`complete -c pystress-tui -n ${singleQuote(`__fish_seen_subcommand_from ${command.name}${atFirst}`)} ${fishCompletion(command.first)}`);
		for (const [first, completion] of Object.entries(command.after ?? {})) {
			result.push(`complete -c pystress-tui -n ${singleQuote(`__fish_seen_subcommand_from ${command.name}; and __fish_seen_subcommand_from ${first}`)} ${fishCompletion(completion)}`);
		}

		if (command.rest) result.push(`complete -c pystress-tui -n ${singleQuote(`__fish_seen_subcommand_from ${command.name}`)} ${fishCompletion(command.rest)}`);
		return result;
	});
	return `# pystress-tui completion for fish, generated from its flag table by \`pystress-tui completion fish\`.
# Load it now: pystress-tui completion fish | source
# For good: pystress-tui completion fish > ~/.config/fish/completions/pystress-tui.fish

complete -c pystress-tui -f
${commandLines.join('\n')}
${argumentLines.join('\n')}
${lines.join('\n')}
`;
}

/** `pystress-tui completion bash|zsh|fish`: the script on stdout. */
export const completionCommand: Command = {
	takesArguments: true,
	async run({args, io}) {
		const [shell, ...extra] = args;
		if (!(shells as readonly string[]).includes(shell ?? '') || extra.length > 0) {
			throw new ConfigError('command line', [{path: 'completion', message: `${shell === undefined ? 'name a shell' : `"${args.join(' ')}" is not a shell it writes for`}; write pystress-tui completion bash, zsh or fish`}]);
		}

		io.stdout(completionScript(shell as Shell));
		return 0;
	},
};
