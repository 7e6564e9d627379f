#!/usr/bin/env node
import process from 'node:process';
import meow from 'meow';
import {ConfigError} from './config/load.js';
import {detectHardware} from './engine/hardware.js';
import type {RequestLogOptions} from './engine/request-log.js';
import {exitCodes, runHeadless, type HeadlessIo, type HeadlessOptions} from './headless/run.js';
import {runReportCommand} from './session/report-command.js';
import {runDemo, serveDemo} from './session/demo.js';
import {prepareRun, type PreparedRun, type RunFlags} from './session/prepare.js';
import {parseDurationMs} from './config/duration.js';

// `--json -` means stdout; meow would take a lone '-' for an argument.
const argv = process.argv.slice(2).map((arg, index, all) => (arg === '-' && all[index - 1] === '--json' ? '\u0000stdout' : arg));

const cli = meow(
	`
	Usage
	  $ pystress-tui [--config FILE | --url URL] [options]
	  $ pystress-tui demo               run against the built-in demo target
	  $ pystress-tui demo-server        start the demo target alone
	  $ pystress-tui report RUN.json [-o RUN.html]   regenerate the HTML report

	Target
	  --config FILE          JSON config (PyStress format, or several weighted "requests")
	  -u, --url URL          quick target without a file
	  -m, --method METHOD    HTTP method (default GET)
	  -H, --header 'N: v'    request header, repeatable
	  --body STRING          raw request body
	  --json-body STRING     JSON request body (sets Content-Type)

	Load
	  -t, --threads N        worker threads (default: CPUs available, cgroup quota respected)
	  -c, --connections N    concurrent connections across all threads (default 50)
	  -d, --duration TIME    how long: 30, 30s, 2m (default 60s)
	  -n, --requests N       stop after N requests instead
	  -R, --rate N           open model: N requests/s across all threads
	  --grace TIME           how long a stop waits for in-flight requests (default 2s)

	Baselines (before the parallel run, one connection, sequential)
	  --no-baseline          skip the quick baseline (5 requests)
	  --baseline-duration T  also run an extended baseline for T (e.g. 30s)

	Output
	  --headless             plain progress lines and a summary (automatic when stdout is not a TTY)
	  -o, --output FILE      HTML report path (default reports/pystress-<time>.html)
	  --json FILE            JSON report path (default reports/pystress-<time>.json; - for stdout)
	  --no-report            write no report files but those named by --output/--json
	  --log FILE             NDJSON request log: one line per finished attempt
	  --log-sample RATE      keep this fraction of attempts in the log (0..1, default 1)
	  -q, --quiet            no progress lines

	Exit codes: 0 done, 1 runtime failure (no response at all, unwritable report),
	2 usage or config error, 99 a threshold failed.
`,
	{
		importMeta: import.meta,
		argv,
		allowUnknownFlags: false,
		flags: {
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
			headless: {type: 'boolean', default: false},
			json: {type: 'string'},
			output: {type: 'string', shortFlag: 'o'},
			report: {type: 'boolean', default: true},
			log: {type: 'string'},
			logSample: {type: 'string'},
			quiet: {type: 'boolean', shortFlag: 'q', default: false},
			port: {type: 'string'},
			baseline: {type: 'boolean', default: true},
			baselineDuration: {type: 'string'},
		},
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

/** The --json path, with '-' for stdout. */
const jsonPath = cli.flags.json === '\u0000stdout' ? '-' : cli.flags.json;

function runFlags(): RunFlags {
	const {flags} = cli;
	return {
		config: flags.config,
		url: flags.url,
		method: flags.method,
		headers: flags.header,
		body: flags.body,
		jsonBody: flags.jsonBody,
		threads: flags.threads,
		connections: flags.connections,
		duration: flags.duration,
		requests: flags.requests,
		rate: flags.rate,
		grace: flags.grace,
	};
}

function baselineOptions(prepared: PreparedRun): {quickBaselineCount: number; extendedBaselineMs: number | undefined} {
	let extendedBaselineMs = prepared.config.settings.baselineDurationMs;
	if (cli.flags.baselineDuration !== undefined) {
		extendedBaselineMs = parseDurationMs(cli.flags.baselineDuration);
		if (extendedBaselineMs === undefined) {
			throw new ConfigError('command line', [{path: '--baseline-duration', message: `"${cli.flags.baselineDuration}" is not a duration; write seconds (30) or with a unit: 30s, 2m`}]);
		}
	}

	return {quickBaselineCount: cli.flags.baseline ? 5 : 0, extendedBaselineMs};
}

/** Output options shared by every command that runs a test. */
function outputOptions(): Pick<HeadlessOptions, 'jsonPath' | 'htmlPath' | 'noReport' | 'log' | 'quiet'> {
	let log: RequestLogOptions | undefined;
	if (cli.flags.log !== undefined) {
		const sampleRate = cli.flags.logSample === undefined ? 1 : Number(cli.flags.logSample);
		if (!Number.isFinite(sampleRate) || sampleRate <= 0 || sampleRate > 1) {
			throw new ConfigError('command line', [{path: '--log-sample', message: `"${cli.flags.logSample}" is not valid; expected a fraction between 0 and 1, e.g. --log-sample 0.1`}]);
		}

		log = {path: cli.flags.log, sampleRate};
	} else if (cli.flags.logSample !== undefined) {
		throw new ConfigError('command line', [{path: '--log-sample', message: 'goes with --log FILE; add --log requests.ndjson'}]);
	}

	return {jsonPath, htmlPath: cli.flags.output, noReport: !cli.flags.report, log, quiet: cli.flags.quiet};
}

async function main(): Promise<number> {
	const [command, ...rest] = cli.input;
	if (rest.length > 0 && command !== 'report') {
		throw new ConfigError('command line', [{path: 'arguments', message: `unexpected "${rest.join(' ')}"; see pystress-tui --help`}]);
	}

	const hardware = detectHardware();
	switch (command) {
		case undefined: {
			const prepared = prepareRun(runFlags(), hardware, process.env);
			return runHeadless({prepared, hardware, ...outputOptions(), ...baselineOptions(prepared)}, io);
		}

		case 'demo': {
			return runDemo({flags: runFlags(), hardware, output: outputOptions(), baseline: baselineOptions}, io);
		}

		case 'report': {
			return runReportCommand(rest, cli.flags.output, io);
		}

		case 'demo-server': {
			return serveDemo(cli.flags.port, io);
		}

		default: {
			throw new ConfigError('command line', [{path: 'command', message: `unknown command "${command}"; commands are demo, demo-server, report (see --help)`}]);
		}
	}
}

try {
	process.exitCode = await main();
} catch (error) {
	if (error instanceof ConfigError) {
		process.stderr.write(`${error.message}\n`);
		process.exitCode = exitCodes.usage;
	} else {
		process.stderr.write(`pystress-tui: ${(error as Error).message}\n`);
		process.exitCode = exitCodes.runtime;
	}
}
