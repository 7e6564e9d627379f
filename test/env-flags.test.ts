import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {givenFlagKeys} from '../source/commands/argv.js';
import {applyEnvFlags, envVariable} from '../source/commands/env-flags.js';
import {flagDefinitions} from '../source/commands/flags.js';
import {runCli} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';

const target = useTargets(afterEach);
const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-env-'));

type Report = {settings: {threads: number; connections: number; maxRequests: number | null}; summary: {requests: number}; config: Record<string, unknown>};

/** A bounded headless run's JSON report (and how it exited). */
async function run(args: readonly string[], env: Record<string, string>): Promise<{code: number | null; report: Report; stderr: string}> {
	const result = await runCli([...args, '--headless', '--no-report', '-q', '--json', '-'], {env, timeoutMs: 30_000});
	expect(result.code, result.stderr).toBe(0);
	return {code: result.code, report: JSON.parse(result.stdout) as Report, stderr: result.stderr};
}

describe('PYSTRESS_* variables: defaults < config file < environment < flags', () => {
	it('the environment beats the config file, a flag beats the environment (read back from the JSON report\'s settings)', async () => {
		const server = await target();
		const config = path.join(directory, 'config.json');
		writeFileSync(config, JSON.stringify({url: `${server.url}/`, threads: 1, connections: 2, total_requests: 7}));
		// Config alone.
		const fromConfig = await run(['--config', config, '--no-baseline'], {});
		expect(fromConfig.report.settings).toMatchObject({threads: 1, connections: 2, maxRequests: 7});
		// The environment over the config (connections, requests), the config where it is silent (threads).
		const fromEnv = await run(['--config', config, '--no-baseline'], {PYSTRESS_CONNECTIONS: '3', PYSTRESS_REQUESTS: '11'});
		expect(fromEnv.report.settings).toMatchObject({threads: 1, connections: 3, maxRequests: 11});
		expect(fromEnv.report.summary.requests).toBe(11);
		// A flag over the environment.
		const fromFlag = await run(['--config', config, '--no-baseline', '-c', '4', '--requests', '13'], {PYSTRESS_CONNECTIONS: '3', PYSTRESS_REQUESTS: '11', PYSTRESS_THREADS: '2'});
		expect(fromFlag.report.settings).toMatchObject({threads: 2, connections: 4, maxRequests: 13});
		expect(fromFlag.report.summary.requests).toBe(13);
		// The server's own count: 7 + 11 + 13 requests (no baseline: PYSTRESS_BASELINE is not set, --no-baseline is).
		expect(server.count).toBe(31);
	});

	it('the whole run from the environment: URL, repeated headers one per line, booleans as true/false/1/0', async () => {
		const server = await target();
		const env = {
			PYSTRESS_URL: `${server.url}/from-env`,
			PYSTRESS_METHOD: 'PUT',
			PYSTRESS_HEADER: 'X-One: 1\nX-Two: two words\n',
			PYSTRESS_REQUESTS: '3',
			PYSTRESS_THREADS: '1',
			PYSTRESS_BASELINE: 'false',
			PYSTRESS_KEEPALIVE: '0',
		};
		const {report} = await run([], env);
		expect(report.summary.requests).toBe(3);
		// No baseline requests (PYSTRESS_BASELINE=false): the server saw the run's 3 alone, each as the variables said.
		expect(server.count).toBe(3);
		for (const seen of server.seen) {
			expect(seen).toMatchObject({method: 'PUT', url: '/from-env', headers: {'x-one': '1', 'x-two': 'two words', connection: 'close'}});
		}

		// --baseline on the command line beats PYSTRESS_BASELINE=false: the quick baseline's 5 requests too.
		server.count = 0;
		await run(['--baseline'], env);
		expect(server.count).toBe(3 + 5);
	});

	it('a bad value exits 2 with one line naming the variable', async () => {
		for (const [env, pattern] of [
			[{PYSTRESS_THREADS: 'many'}, /PYSTRESS_THREADS \(--threads\): "many" is not valid/],
			[{PYSTRESS_DURATION: 'soon'}, /PYSTRESS_DURATION \(--duration\): "soon" is not a duration/],
			[{PYSTRESS_ABORT_ON_FAIL: 'yes please'}, /environment: PYSTRESS_ABORT_ON_FAIL: "yes please" is not a boolean; write true, false, 1 or 0/],
			[{PYSTRESS_HTTP_CLIENT: 'curl'}, /PYSTRESS_HTTP_CLIENT \(--http-client\): "curl" is not a client/],
		] as const) {
			// eslint-disable-next-line no-await-in-loop
			const result = await runCli(['--url', 'http://127.0.0.1:9/', '--headless', '--no-baseline', '-n', '1'], {env});
			expect(result.code, JSON.stringify(env)).toBe(2);
			expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
			expect(result.stderr).toMatch(pattern);
		}
	});

	it('a variable for every flag; the reader takes what argv did not give, an empty value counts as unset', () => {
		const keys = Object.keys(flagDefinitions);
		const variables = keys.map(key => envVariable(key));
		expect(new Set(variables).size).toBe(keys.length);
		expect(envVariable('maxConnections')).toBe('PYSTRESS_MAX_CONNECTIONS');
		const env = {PYSTRESS_URL: 'http://env/', PYSTRESS_CONNECTIONS: '9', PYSTRESS_QUIET: 'TRUE', PYSTRESS_STAGE: '10s:5\n20s:0', PYSTRESS_DURATION: ''};
		const argv = ['-c', '4', '--no-quiet'];
		const {flags, sources} = applyEnvFlags({connections: '4', quiet: false, stage: [] as string[]}, givenFlagKeys(argv, flagDefinitions), env, flagDefinitions);
		expect(flags).toStrictEqual({connections: '4', quiet: false, stage: ['10s:5', '20s:0'], url: 'http://env/'});
		expect([...sources]).toStrictEqual([['--url', 'PYSTRESS_URL'], ['--stage', 'PYSTRESS_STAGE']]);
	});
});
