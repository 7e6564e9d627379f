#!/usr/bin/env node
import path from 'node:path';
import process from 'node:process';
import meow from 'meow';
import {ArgvError, normalizeArgv} from './commands/argv.js';
import {ConfigError} from './config/errors.js';
import {detectHardware} from './engine/hardware.js';
import type {RequestLogOptions} from './engine/request-log.js';
import {exitCodes, runHeadless, type HeadlessIo, type HeadlessOptions} from './headless/run.js';
import {describeWriteError, ensureDirectory} from './report/write.js';
import {FdLimitError} from './session/fd-limit.js';
import {namesStdout} from './session/report-files.js';
import {runReportCommand} from './session/report-command.js';
import {runSingleRequest} from './session/single-request.js';
import {TokenError} from './session/token.js';
import type {InteractiveOptions} from './interactive.js';
import {demoConfigPath, serveDemo, startDemoChild} from './session/demo.js';
import {explicitSettings, prepareProfileRun, prepareRun, type PreparedRun, type RunFlags} from './session/prepare.js';
import {parseDurationMs} from './config/duration.js';

const flagDefinitions = {
	config: {type: 'string'},
	url: {type: 'string', shortFlag: 'u'},
	method: {type: 'string', shortFlag: 'm'},
	header: {type: 'string', shortFlag: 'H', isMultiple: true},
	body: {type: 'string'},
	jsonBody: {type: 'string'},
	threads: {type: 'string', shortFlag: 't'},
	connections: {type: 'string', shortFlag: 'c'},
	duration: {type: 'string', shortFlag: 'd'},
	requests: {type: 'string', shortFlag: 'n'},
	rate: {type: 'string', shortFlag: 'R'},
	grace: {type: 'string'},
	httpClient: {type: 'string'},
	maxConnections: {type: 'string'},
	maxLate: {type: 'string'},
	rampUp: {type: 'string'},
	stage: {type: 'string', isMultiple: true},
	threshold: {type: 'string', isMultiple: true},
	abortOnFail: {type: 'boolean', default: false},
	singleRequest: {type: 'boolean', default: false},
	headless: {type: 'boolean', default: false},
	json: {type: 'string'},
	output: {type: 'string', shortFlag: 'o'},
	report: {type: 'boolean', default: true},
	log: {type: 'string'},
	logSample: {type: 'string'},
	quiet: {type: 'boolean', shortFlag: 'q', default: false},
	port: {type: 'string'},
	baseline: {type: 'boolean', default: true},
	profile: {type: 'string'},
	saveProfile: {type: 'string'},
	baselineDuration: {type: 'string'},
} as const;

// `--json -` means stdout; meow would take a lone '-' for an argument.
let argv = process.argv.slice(2).map((arg, index, all) => (arg === '-' && all[index - 1] === '--json' ? '\u0000stdout' : arg));
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

/** The --json path, with '-' for stdout (also for /dev/stdout or any path that is where stdout goes). */
const jsonPath = cli.flags.json === '\u0000stdout' || namesStdout(cli.flags.json) ? '-' : cli.flags.json;

function runFlags(): RunFlags {
	const {flags} = cli;
	return {
		config: flags.config,
		url: flags.url,
		method: flags.method,
		headers: flags.header,
		body: flags.body,
		jsonBody: flags.jsonBody,
		httpClient: flags.httpClient,
		threads: flags.threads,
		connections: flags.connections,
		duration: flags.duration,
		requests: flags.requests,
		rate: flags.rate,
		grace: flags.grace,
		maxConnections: flags.maxConnections,
		maxLate: flags.maxLate,
		rampUp: flags.rampUp,
		stage: flags.stage,
		threshold: flags.threshold,
	};
}

/**
 * The TUI, loaded only when used: headless runs never load Ink and React, and React runs its
 * production build (the development build costs the dashboard several times more CPU).
 */
async function runInteractive(options: InteractiveOptions): Promise<number> {
	process.env['NODE_ENV'] ??= 'production';
	const {runInteractive: run} = await import('./interactive.js');
	return run(options);
}

/** The TUI runs when both ends are a terminal and --headless was not given. */
function interactive(): boolean {
	return !cli.flags.headless && process.stdout.isTTY === true && process.stdin.isTTY === true && process.env['CI'] !== 'true';
}

/** Baseline flags alone: --no-baseline, --baseline-duration. */
function baselineFlags(): {quickBaselineCount: number; extendedBaselineMs: number | undefined} {
	let extendedBaselineMs: number | undefined;
	if (cli.flags.baselineDuration !== undefined) {
		extendedBaselineMs = parseDurationMs(cli.flags.baselineDuration);
		if (extendedBaselineMs === undefined) {
			throw new ConfigError('command line', [{path: '--baseline-duration', message: `"${cli.flags.baselineDuration}" is not a duration; write seconds (30) or with a unit: 30s, 2m`}]);
		}
	}

	return {quickBaselineCount: cli.flags.baseline ? 5 : 0, extendedBaselineMs};
}

/** Baseline options for a prepared run: flags first, then the config's baseline_duration. */
function baselineOptions(prepared: PreparedRun): {quickBaselineCount: number; extendedBaselineMs: number | undefined} {
	const flags = baselineFlags();
	return {...flags, extendedBaselineMs: flags.extendedBaselineMs ?? prepared.config.settings.baselineDurationMs};
}

/** Headless run of a saved profile (--profile), or saving one (--save-profile) and running it. */
async function runHeadlessProfile(hardware: ReturnType<typeof detectHardware>): Promise<number> {
	// Loaded here, not at start-up: conf (and its schema validator) costs memory a plain run does not need.
	const {openProfileStore} = await import('./config/profiles.js');
	const store = openProfileStore();
	const flags = runFlags();
	let prepared: PreparedRun;
	if (cli.flags.profile === undefined) {
		prepared = prepareRun(flags, hardware, process.env);
	} else {
		const profile = store.getProfile(cli.flags.profile);
		if (!profile) {
			throw new ConfigError('command line', [{path: '--profile', message: `no profile named "${cli.flags.profile}"; see pystress-tui profiles list`}]);
		}

		prepared = prepareProfileRun(profile, flags, hardware, process.env);
	}

	if (cli.flags.saveProfile !== undefined) {
		const saved = store.saveProfile(cli.flags.saveProfile, {config: prepared.config.raw, settings: explicitSettings(flags, prepared, baselineFlags().extendedBaselineMs), source: prepared.config.source});
		io.stderr(saved.ok ? `profile "${cli.flags.saveProfile}" saved\n` : `profile "${cli.flags.saveProfile}" not saved: ${saved.message}\n`);
	}

	return runHeadless({prepared, hardware, ...outputOptions(), ...baselineOptions(prepared)}, io);
}

/** Output options shared by every command that runs a test. */
function outputOptions(): Pick<HeadlessOptions, 'jsonPath' | 'htmlPath' | 'noReport' | 'log' | 'quiet' | 'abortOnFail'> {
	let log: RequestLogOptions | undefined;
	if (cli.flags.log !== undefined) {
		const sampleRate = cli.flags.logSample === undefined ? 1 : Number(cli.flags.logSample);
		if (!Number.isFinite(sampleRate) || sampleRate <= 0 || sampleRate > 1) {
			throw new ConfigError('command line', [{path: '--log-sample', message: `"${cli.flags.logSample}" is not valid; expected a fraction between 0 and 1, e.g. --log-sample 0.1`}]);
		}

		try {
			ensureDirectory(path.dirname(cli.flags.log));
		} catch (error) {
			throw new ConfigError('command line', [{path: '--log', message: `cannot write ${cli.flags.log} (${describeWriteError(error)}); pick a writable path`}]);
		}

		log = {path: cli.flags.log, sampleRate};
	} else if (cli.flags.logSample !== undefined) {
		throw new ConfigError('command line', [{path: '--log-sample', message: 'goes with --log FILE; add --log requests.ndjson'}]);
	}

	return {jsonPath, htmlPath: cli.flags.output, noReport: !cli.flags.report, log, quiet: cli.flags.quiet, abortOnFail: cli.flags.abortOnFail};
}

async function main(): Promise<number> {
	const [command, ...rest] = cli.input;
	if (rest.length > 0 && command !== 'report' && command !== 'profiles') {
		throw new ConfigError('command line', [{path: 'arguments', message: `unexpected "${rest.join(' ')}"; see pystress-tui --help`}]);
	}

	const hardware = detectHardware();
	switch (command) {
		case undefined: {
			if (cli.flags.singleRequest) {
				const prepared = prepareRun(runFlags(), hardware, process.env);
				return runSingleRequest(prepared.config.plan, io, cli.flags.log);
			}

			if (interactive()) {
				return runInteractive({
					hardware,
					flags: runFlags(),
					env: process.env,
					...baselineFlags(),
					...outputOptions(),
					profile: cli.flags.profile,
					saveProfile: cli.flags.saveProfile,
				});
			}

			if (cli.flags.profile !== undefined || cli.flags.saveProfile !== undefined) {
				return runHeadlessProfile(hardware);
			}

			const prepared = prepareRun(runFlags(), hardware, process.env);
			return runHeadless({prepared, hardware, ...outputOptions(), ...baselineOptions(prepared)}, io);
		}

		case 'demo': {
			// The demo target runs in a child process, so it does not share our event loop.
			const demo = await startDemoChild();
			try {
				// A demo starts at once (the TUI skips its settings screen when a duration is given).
				const flags = {...runFlags(), config: cli.flags.config ?? demoConfigPath, duration: cli.flags.duration ?? '10s'};
				const env = {...process.env, DEMO_URL: demo.url};
				if (interactive()) {
					return await runInteractive({hardware, flags, env, ...baselineFlags(), ...outputOptions(), profile: undefined, saveProfile: undefined});
				}

				const prepared = prepareRun(flags, hardware, env);
				return await runHeadless({prepared, hardware, ...outputOptions(), ...baselineOptions(prepared)}, io);
			} finally {
				demo.stop();
			}
		}

		case 'profiles': {
			const {runProfilesCommand} = await import('./session/profiles-command.js');
			return runProfilesCommand(rest, io);
		}

		case 'report': {
			return runReportCommand(rest, cli.flags.output, io);
		}

		case 'demo-server': {
			return serveDemo(cli.flags.port, io);
		}

		default: {
			throw new ConfigError('command line', [{path: 'command', message: `unknown command "${command}"; commands are demo, demo-server, report, profiles (see --help)`}]);
		}
	}
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
