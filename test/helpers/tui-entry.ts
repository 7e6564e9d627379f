/**
 * Dev entry for the TUI before/without cli.tsx: `npx tsx test/helpers/tui-entry.ts --url URL -d 10`.
 * Runs the compiled interactive entry (dist/, so worker threads start from compiled code).
 */
import process from 'node:process';
import {parseArgs} from 'node:util';
import {detectHardware} from '../../dist/engine/hardware.js';
import {runInteractive} from '../../dist/interactive.js';

const {values} = parseArgs({
	options: {
		url: {type: 'string', short: 'u'},
		config: {type: 'string'},
		duration: {type: 'string', short: 'd'},
		requests: {type: 'string', short: 'n'},
		threads: {type: 'string', short: 't'},
		connections: {type: 'string', short: 'c'},
		rate: {type: 'string', short: 'R'},
		profile: {type: 'string'},
		'save-profile': {type: 'string'},
		'no-baseline': {type: 'boolean', default: false},
		json: {type: 'string'},
		output: {type: 'string', short: 'o'},
		'no-report': {type: 'boolean', default: false},
	},
});

process.exitCode = await runInteractive({
	hardware: detectHardware(),
	flags: {url: values.url, config: values.config, duration: values.duration, requests: values.requests, threads: values.threads, connections: values.connections, rate: values.rate},
	env: process.env,
	quickBaselineCount: values['no-baseline'] ? 0 : 5,
	extendedBaselineMs: undefined,
	jsonPath: values.json,
	htmlPath: values.output,
	noReport: values['no-report'],
	profile: values.profile,
	saveProfile: values['save-profile'],
});
