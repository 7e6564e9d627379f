#!/usr/bin/env node
import process from 'node:process';
import meow from 'meow';
import {ArgvError, normalizeArgv} from './commands/argv.js';
import {stdoutMarker, type Command} from './commands/context.js';
import {demoCommand, demoServerCommand} from './commands/demo.js';
import {flagDefinitions} from './commands/flags.js';
import {reportCommand} from './commands/report.js';
import {runCommand} from './commands/run.js';
import {ConfigError, suggest} from './config/errors.js';
import {detectHardware} from './engine/hardware.js';
import {exitCodes, type HeadlessIo} from './headless/run.js';
import {FdLimitError} from './session/fd-limit.js';
import {TokenError} from './session/token.js';

// `--json -` means stdout; meow would take a lone '-' for an argument.
let argv = process.argv.slice(2).map((arg, index, all) => (arg === '-' && all[index - 1] === '--json' ? stdoutMarker : arg));
try {
	// The last of a repeated single-value flag wins; an unknown flag is one line with a suggestion.
	argv = normalizeArgv(argv, flagDefinitions);
} catch (error) {
	if (!(error instanceof ArgvError)) throw error;
	process.stderr.write(`pystress-tui: ${error.message}\n`);
	process.exit(exitCodes.usage);
}

const cli = meow(
	`
	Usage
	  $ pystress-tui [--config FILE | --url URL] [options]
	  $ pystress-tui demo               run against the built-in demo target
	  $ pystress-tui demo-server        start the demo target alone
	  $ pystress-tui report RUN.json [-o RUN.html]   regenerate the HTML report
	  $ pystress-tui profiles [list | show NAME | rm NAME]

	In a terminal it opens the interactive TUI (config picker, settings, live dashboard);
	with --headless, or when stdout is not a terminal, it prints plain lines.

	Target
	  --config FILE          JSON config (PyStress format, or several weighted "requests")
	  -u, --url URL          quick target without a file
	  -m, --method METHOD    HTTP method (default GET)
	  -H, --header 'N: v'    request header, repeatable
	  --body STRING          raw request body
	  --json-body STRING     JSON request body (sets Content-Type)

	Profiles
	  --profile NAME         run a saved profile (flags given override it)
	  --save-profile NAME    save the config and the settings flags given as a profile

	Load
	  -t, --threads N        worker threads (default: CPUs available, cgroup quota respected)
	  -c, --connections N    concurrent connections across all threads (default 50)
	  -d, --duration TIME    how long: 30, 30s, 2m (default 60s)
	  -n, --requests N       stop after N requests instead
	  -R, --rate N           open model: N requests/s across all threads
	  --max-connections N    open model: let the pool grow to N connections to hold the rate
	  --max-late TIME        open model: drop (and count) sends later than this (default 1s)
	  --ramp-up TIME         rise linearly from 0 to the connections (or --rate) over TIME
	  --stage TIME:TARGET    ramp stage, repeatable: connections, or the rate with --rate
	  --grace TIME           how long a stop waits for in-flight requests (default 2s)
	  --http-client NAME     socket (default: prebuilt requests on plain sockets, fastest)
	                         or undici (undici's Client, to cross-check a result)

	Thresholds (exit 99 when one fails)
	  --threshold EXPR       repeatable: 'p99<300ms' 'p95<1s' 'errors<1%' 'rps>500',
	                         for one endpoint 'NAME:p99<300ms'
	  --abort-on-fail        stop as soon as a threshold fails

	Baselines (before the parallel run, one connection, sequential)
	  --no-baseline          skip the quick baseline (5 requests)
	  --baseline-duration T  also run an extended baseline for T (e.g. 30s)

	Debugging
	  --single-request       send one request (token, auth and body included) and print the
	                         request, the response and a timing breakdown; exit 0 for 2xx/3xx

	Output
	  --headless             plain progress lines and a summary (automatic when stdout is not a TTY)
	  -o, --output FILE      HTML report path (default reports/pystress-<time>.html)
	  --json FILE            JSON report path (default reports/pystress-<time>.json; - for stdout)
	  --no-report            write no report files but those named by --output/--json
	  --log FILE             NDJSON request log: one line per finished attempt
	  --log-sample RATE      keep this fraction of attempts in the log (0..1, default 1)
	  -q, --quiet            no progress lines

	A flag that takes one value keeps the last one when given twice (-d 1 -d 2 runs 2 s).

	Exit codes: 0 done, 1 runtime failure (no response at all, unwritable report),
	2 usage or config error, 99 a threshold failed, 130/143 stopped by SIGINT/SIGTERM
	(headless; the report of what was measured is still written).
`,
	{
		importMeta: import.meta,
		argv,
		allowUnknownFlags: false,
		flags: flagDefinitions,
	},
);

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
	demo: demoCommand,
	'demo-server': demoServerCommand,
	report: reportCommand,
	// Loaded when used: conf (and its schema validator) costs start-up time and memory a test does not need.
	profiles: {takesArguments: true, run: async context => (await import('./commands/profiles.js')).profilesCommand.run(context)},
};

async function main(): Promise<number> {
	const [name, ...args] = cli.input;
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

try {
	process.exitCode = await main();
} catch (error) {
	if (error instanceof ConfigError) {
		process.stderr.write(`${error.message}\n`);
		process.exitCode = exitCodes.usage;
	} else if (error instanceof FdLimitError) {
		process.stderr.write(`pystress-tui: ${error.message}\n`);
		process.exitCode = exitCodes.usage;
	} else if (error instanceof TokenError) {
		process.stderr.write(`pystress-tui: ${error.message}; the run did not start\n`);
		process.exitCode = exitCodes.runtime;
	} else {
		process.stderr.write(`pystress-tui: ${(error as Error).message}\n`);
		process.exitCode = exitCodes.runtime;
	}
}
