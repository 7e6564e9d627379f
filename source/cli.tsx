#!/usr/bin/env node
import process from 'node:process';
import {ArgvError, givenFlagKeys, normalizeArgv, takeCurlWords} from './commands/argv.js';
import type {Command} from './commands/context.js';
import {applyEnvFlags, named, type EnvSources} from './commands/env-flags.js';
import {flagDefinitions, stdoutMarker, type CliFlags} from './commands/flags.js';
import {parseFlags} from './commands/parse-flags.js';
import {ConfigError, suggest} from './config/errors.js';
import {detectHardware} from './engine/hardware.js';
import {checkDeferredCa} from './engine/tls-trust.js';
import type {HeadlessIo} from './headless/run.js';

// Start-up loads only what the command uses: each sub-command, meow (--help, --version), the
// engine, histograms, reports, Ink and conf are imported where they are needed
// (test/bench/findings.md, "Start-up").

/** Exit codes, as documented (session/outcome.ts holds them; loaded here only on the error paths). */
const exitCodes = async () => (await import('./session/outcome.js')).exitCodes;

// The launcher (finish-build.ts) deferred NODE_EXTRA_CA_CERTS: a file that cannot be read is said now, as Node would.
checkDeferredCa();

// `--json -` means stdout; meow would take a lone '-' for an argument.
let argv = process.argv.slice(2).map((arg, index, all) => (arg === '-' && all[index - 1] === '--json' ? stdoutMarker : arg));
// `import curl WORDS...`: curl's words pass through unread (its -H, -d and -u are not ours).
const {argv: ownArgv, words: curlWords} = takeCurlWords(argv);
try {
	// The last of a repeated single-value flag wins; an unknown flag is one line with a suggestion.
	argv = normalizeArgv(ownArgv, flagDefinitions);
} catch (error) {
	if (!(error instanceof ArgvError)) throw error;
	process.stderr.write(`pystress-tui: ${error.message}\n`);
	process.exit((await exitCodes()).usage);
}

// Plain argv is read here as meow reads it; --help, --version and anything unusual go to meow.
const fast = parseFlags<CliFlags>(argv, flagDefinitions);
if (fast) process.title = 'pystress-tui';
const parsed = fast ?? (await import('./commands/help.js')).parseWithMeow(argv);

// The environment layer, once for every command and both front ends: PYSTRESS_* stands for each
// flag not given (defaults < config file < environment < flags).
let cli: {input: string[]; flags: CliFlags};
let envSources: EnvSources = new Map();
try {
	const layered = applyEnvFlags(parsed.flags, givenFlagKeys(argv, flagDefinitions), process.env, flagDefinitions);
	cli = {input: parsed.input, flags: layered.flags};
	envSources = layered.sources;
} catch (error) {
	if (!(error instanceof ConfigError)) throw error;
	process.stderr.write(`${error.message}\n`);
	process.exit((await exitCodes()).usage);
}

const io: HeadlessIo = {
	stdout(text) {
		process.stdout.write(text);
	},
	stderr(text) {
		process.stderr.write(text);
	},
	onSignal(handler) {
		const onInt = (): void => {
			handler('SIGINT');
		};

		const onTerm = (): void => {
			handler('SIGTERM');
		};

		process.on('SIGINT', onInt);
		process.on('SIGTERM', onTerm);
		return () => {
			process.off('SIGINT', onInt);
			process.off('SIGTERM', onTerm);
		};
	},
};

/** The sub-commands, by name; no name runs a test. Each is one file in source/commands/. */
const commands: Readonly<Record<string, Command>> = {
	demo: {takesArguments: false, run: async context => (await import('./commands/demo.js')).demoCommand.run(context)},
	'demo-server': {takesArguments: false, run: async context => (await import('./commands/demo.js')).demoServerCommand.run(context)},
	report: {takesArguments: true, run: async context => (await import('./commands/report.js')).reportCommand.run(context)},
	// conf (and its schema validator) costs start-up time and memory a test does not need.
	profiles: {takesArguments: true, run: async context => (await import('./commands/profiles.js')).profilesCommand.run(context)},
	merge: {takesArguments: true, run: async context => (await import('./commands/merge.js')).mergeCommand.run(context)},
	compare: {takesArguments: true, run: async context => (await import('./commands/compare.js')).compareCommand.run(context)},
	import: {takesArguments: true, run: async context => (await import('./commands/import.js')).importCommand.run(context)},
	completion: {takesArguments: true, run: async context => (await import('./commands/completion.js')).completionCommand.run(context)},
};

/** No sub-command: a test (TUI or headless) or --single-request. */
const runCommand: Command = {takesArguments: false, run: async context => (await import('./commands/run.js')).runCommand.run(context)};

async function main(): Promise<number> {
	const [name, ...args] = [...cli.input, ...curlWords];
	const command = name === undefined ? runCommand : commands[name];
	if (command === undefined) {
		const suggestion = suggest(name!, Object.keys(commands));
		throw new ConfigError('command line', [{path: 'command', message: `unknown command "${name}"; ${suggestion ? `did you mean "${suggestion}"? ` : ''}commands are ${Object.keys(commands).join(', ')} (see --help)`}]);
	}

	if (args.length > 0 && !command.takesArguments) {
		throw new ConfigError('command line', [{path: 'arguments', message: `unexpected "${args.join(' ')}"; see pystress-tui --help`}]);
	}

	// The TUI runs when both ends are a terminal and --headless was not given.
	const interactive = !cli.flags.headless && process.stdout.isTTY === true && process.stdin.isTTY === true && process.env['CI'] !== 'true';
	return command.run({args, flags: cli.flags, io, hardware: detectHardware(), env: process.env, interactive});
}

let stopCpuProfile: (() => Promise<string>) | undefined;
try {
	// --cpu-prof DIR: profiles of the main thread (from here on) and of every worker thread.
	if (cli.flags.cpuProf !== undefined) stopCpuProfile = await (await import('./commands/cpu-prof.js')).startCpuProfiles(cli.flags.cpuProf);
	process.exitCode = await main();
} catch (error) {
	const [exit, {FdLimitError}, {TokenError}] = await Promise.all([exitCodes(), import('./session/fd-limit.js'), import('./session/token.js')]);
	if (error instanceof ConfigError) {
		// A bad value from PYSTRESS_* is told with the variable's name.
		process.stderr.write(`${named(error, envSources).message}\n`);
		process.exitCode = exit.usage;
	} else if (error instanceof FdLimitError) {
		process.stderr.write(`pystress-tui: ${error.message}\n`);
		process.exitCode = exit.usage;
	} else if (error instanceof TokenError) {
		process.stderr.write(`pystress-tui: ${error.message}; the run did not start\n`);
		process.exitCode = exit.runtime;
	} else {
		process.stderr.write(`pystress-tui: ${(error as Error).message}\n`);
		process.exitCode = exit.runtime;
	}
} finally {
	if (stopCpuProfile) process.stderr.write(`CPU profile: ${await stopCpuProfile()} (and the workers' beside it)\n`);
}
