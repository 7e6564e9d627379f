import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {runCli} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';
import {waitFor} from './helpers/wait.js';

const target = useTargets(afterEach);

const temporary = mkdtempSync(path.join(os.tmpdir(), 'pystress-cli-'));

describe('headless CLI', () => {
	it('runs a test, prints progress and a summary, and writes the JSON report', async () => {
		const server = await target();
		const jsonPath = path.join(temporary, 'run.json');
		const result = await runCli(['--url', `${server.url}/hello`, '-t', '2', '-c', '8', '-d', '2', '--json', jsonPath, '-H', 'Authorization: Bearer top-secret-token']);
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/baseline 5\/5: GET \/hello 200 in /);
		expect(result.stderr).toMatch(/\[1\.\ds\/2\.0s\] [\d,]+ requests, [\d,.]+ req\/s, p50 /);
		expect(result.stdout).toMatch(/PYSTRESS-TUI SUMMARY/);
		expect(result.stdout).toMatch(/Settings {10}2 threads, 8 connections, 2s \(closed model\)/);
		expect(result.stdout).toMatch(/LATENCY \(responses\)\n.*min.*mean.*p50.*p90.*p99.*p99\.9.*max.*stdev/);
		expect(result.stdout).toMatch(/STATUS CODES\n {2}200/);
		expect(result.stdout).toMatch(/SPEEDUP \(vs quick baseline\)/);
		const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
		expect(report.schemaVersion).toBe(3);
		expect(report.target).toMatchObject({url: `${server.url}/hello`, method: 'GET'});
		expect(report.settings).toMatchObject({threads: 2, connections: 8, durationS: 2, httpClient: 'socket'});
		expect(Object.keys(report.hardware).sort()).toEqual(['cpuModel', 'cpuQuota', 'logicalProcessors', 'node', 'physicalCores', 'platform', 'totalMemoryBytes']);
		const {summary} = report;
		expect(summary.requests).toBeGreaterThan(100);
		expect(summary.responses).toBe(summary.requests);
		expect(summary.statusCodes['200']).toBe(summary.requests);
		expect(Object.keys(summary.latencyMs).sort()).toEqual(['count', 'max', 'mean', 'min', 'p50', 'p90', 'p95', 'p99', 'p999', 'stdev'].sort());
		expect(summary.rps).toBeGreaterThan(0);
		expect(report.timeline.length).toBeGreaterThanOrEqual(2);
		expect(report.timeline[0]).toMatchObject({threads: 2, connections: 8});
		expect(typeof report.histogram).toBe('string');
		expect(report.histogram.length).toBeGreaterThan(10);
		expect(report.baseline.quick.samplesMs).toHaveLength(5);
		// The quick baseline's rate counts the four warm requests (the first also opened the connection).
		const warmMs = report.baseline.quick.samplesMs.slice(1).reduce((sum: number, ms: number) => sum + ms, 0);
		expect(Math.abs(report.baseline.quick.rps - (4000 / warmMs)) / report.baseline.quick.rps).toBeLessThan(0.01);
		expect(report.speedup.throughput).toBeGreaterThan(0);
		// Baseline requests are not in the parallel figures: 5 more reached the server.
		expect(server.count - summary.requests).toBeGreaterThanOrEqual(5);
		expect(server.count - summary.requests).toBeLessThanOrEqual(5 + 8);
		// The secret header never appears in the outputs.
		expect(readFileSync(jsonPath, 'utf8')).not.toContain('top-secret-token');
		expect(result.stdout + result.stderr).not.toContain('top-secret-token');
	});

	it('writes pure JSON to stdout with --json - and the summary to stderr', async () => {
		const server = await target();
		const result = await runCli(['--url', `${server.url}/`, '-c', '2', '-n', '50', '--no-baseline', '--json', '-']);
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout);
		expect(report.summary.requests).toBe(50);
		expect(report.stopReason).toBe('requests');
		expect(report.baseline).toBeUndefined();
		expect(result.stderr).toMatch(/PYSTRESS-TUI SUMMARY/);
		expect(server.count).toBe(50);
	});

	it('sends with undici when asked (--http-client undici), baseline included, and says so', async () => {
		const server = await target();
		const result = await runCli(['--url', `${server.url}/`, '-c', '3', '-n', '200', '--http-client', 'undici', '--json', '-']);
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout);
		expect(report.settings.httpClient).toBe('undici');
		expect(report.summary.statusCodes).toEqual({200: 200});
		expect(report.baseline.quick.requests).toBe(5);
		expect(server.count).toBe(205);
		expect(result.stderr).toMatch(/Settings {10}.*requests \(closed model\), undici client\n/);
	});

	it('prints a per-endpoint table for several endpoints', async () => {
		const server = await target();
		const config = path.join(temporary, 'multi.json');
		writeFileSync(config, JSON.stringify({requests: [{name: 'alpha', url: `${server.url}/a`, weight: 2}, {name: 'beta', url: `${server.url}/b`}]}));
		const result = await runCli(['--config', config, '-n', '300', '-c', '3', '--no-baseline', '--json', path.join(temporary, 'multi-report.json')]);
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/ENDPOINTS\n.*name.*weight.*requests/);
		expect(result.stdout).toMatch(/alpha +2 +[\d,]+/);
		expect(result.stdout).toMatch(/beta +1 +[\d,]+/);
		const report = JSON.parse(readFileSync(path.join(temporary, 'multi-report.json'), 'utf8'));
		expect(report.endpoints.map((endpoint: {name: string}) => endpoint.name)).toEqual(['alpha', 'beta']);
		expect(report.endpoints[0].requests + report.endpoints[1].requests).toBe(300);
	});

	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		it(`on ${signal} stops, drains, prints the summary and writes what was measured`, async () => {
			const server = await target();
			const jsonPath = path.join(temporary, `${signal}.json`);
			const result = await runCli(['--url', `${server.url}/`, '-c', '4', '-d', '60', '--no-baseline', '--json', jsonPath], {
				onStart(child) {
					void waitFor(() => server.count > 500, 'traffic').then(() => child.kill(signal));
				},
			});
			// A stopped run must not look green in CI: 128 + the signal's number.
			expect(result.code).toBe(signal === 'SIGINT' ? 130 : 143);
			expect(result.stderr).toContain(`${signal}: stopping`);
			expect(result.stdout).toMatch(/stopped: signal/);
			const report = JSON.parse(readFileSync(jsonPath, 'utf8'));
			expect(report.stopReason).toBe('signal');
			expect(report.summary.requests).toBeGreaterThan(0);
			expect(server.count - report.summary.requests).toBeGreaterThanOrEqual(0);
			expect(server.count - report.summary.requests).toBeLessThanOrEqual(4);
		});
	}

	it('exits 1 with a clear message when nothing answers', async () => {
		const server = await target();
		const {url} = server;
		await server.close();
		const result = await runCli(['--url', `${url}/`, '-c', '2', '-n', '10', '--no-baseline']);
		expect(result.code).toBe(1);
		expect(result.stdout).toMatch(/ERRORS\n {2}refused +10 +Connection refused: is the target running/);
		expect(result.stderr).toMatch(/no request got a response \([\d,]+ refused\)/);
	});

	it('fails clearly on a self-signed certificate unless verify_tls is false', async () => {
		const tls = {key: readFileSync(new URL('fixtures/self-signed-key.pem', import.meta.url), 'utf8'), cert: readFileSync(new URL('fixtures/self-signed-cert.pem', import.meta.url), 'utf8')};
		const server = await target({tls});
		const strict = await runCli(['--url', `${server.url}/`, '-c', '1', '-n', '3', '--no-baseline']);
		expect(strict.code).toBe(1);
		expect(strict.stdout).toMatch(/Settings {10}\d+ threads?, 1 connection, 3 requests \(closed model\)/);
		expect(strict.stdout).toMatch(/tls +3 +The TLS handshake failed; for a self-signed certificate set "verify_tls": false/);
	});

	it('runs the demo (npm start) against the built-in target', async () => {
		const result = await runCli(['demo', '-d', '2', '--no-baseline', '--json', '-'], {timeoutMs: 30_000});
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout);
		expect(report.endpoints.map((endpoint: {name: string}) => endpoint.name)).toEqual(['home', 'catalog', 'echo', 'slow', 'flaky']);
		expect(report.summary.statusCodes['503']).toBeGreaterThan(0);
		expect(report.target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
	});
});

describe('reports and request log', () => {
	it('writes default HTML and JSON reports, and regenerates the HTML from the JSON', async () => {
		const server = await target();
		const cwd = mkdtempSync(path.join(os.tmpdir(), 'pystress-default-'));
		const result = await runCli(['--url', `${server.url}/`, '-c', '2', '-n', '100', '--no-baseline'], {cwd});
		expect(result.code).toBe(0);
		const written = [...result.stderr.matchAll(/(HTML|JSON) report: (\S+)/g)].map(match => match[2]!);
		expect(written).toHaveLength(2);
		for (const file of written) {
			expect(file).toMatch(/^reports\/pystress-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.(json|html)$/);
		}

		const jsonFile = path.join(cwd, written.find(file => file.endsWith('.json'))!);
		expect(JSON.parse(readFileSync(jsonFile, 'utf8')).summary.requests).toBe(100);
		const html = readFileSync(path.join(cwd, written.find(file => file.endsWith('.html'))!), 'utf8');
		expect(html).toMatch(/^<!doctype html>/i);
		const regenerated = path.join(cwd, 'again.html');
		const again = await runCli(['report', jsonFile, '-o', regenerated], {cwd});
		expect(again.code).toBe(0);
		expect(readFileSync(regenerated, 'utf8')).toBe(html);
	});

	it('names the fallback when the JSON report path is unwritable, and still prints the summary', async () => {
		const server = await target();
		// A directory that cannot be made: its parent is a regular file.
		const blocker = path.join(temporary, 'blocker');
		writeFileSync(blocker, '');
		const result = await runCli(['--url', `${server.url}/`, '-c', '1', '-n', '20', '--no-baseline', '--json', path.join(blocker, 'run.json'), '--no-report']);
		expect(result.code).toBe(1);
		expect(result.stdout).toMatch(/PYSTRESS-TUI SUMMARY/);
		const fallback = /the JSON report was written to (\S+) instead/.exec(result.stderr)?.[1];
		expect(fallback).toBeDefined();
		expect(JSON.parse(readFileSync(fallback!, 'utf8')).summary.requests).toBe(20);
	});

	it('rejects a report command without a readable report', async () => {
		const result = await runCli(['report', '/nonexistent/run.json']);
		expect(result.code).toBe(2);
		expect(result.stderr).toMatch(/\/nonexistent\/run\.json: \(file\): file not found/);
	});

	it('logs one NDJSON line per attempt, equal to summary.requests', async () => {
		const server = await target({
			respond(_request, index, response) {
				response.writeHead(index % 5 === 0 ? 503 : 200, {'content-length': 2});
				response.end('ok');
			},
		});
		const logPath = path.join(temporary, 'requests.ndjson');
		const result = await runCli(['--url', `${server.url}/x?token=abc`, '-t', '2', '-c', '6', '-d', '2', '--no-baseline', '--no-report', '--json', '-', '--log', logPath]);
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout);
		const lines = readFileSync(logPath, 'utf8').trim().split('\n').map(line => JSON.parse(line));
		expect(lines.length).toBe(report.summary.requests);
		expect(lines[0]).toMatchObject({endpoint: 'GET /x', method: 'GET', bytes: 2, error: null, retry: 0});
		expect(lines[0].url).not.toContain('abc');
		expect(typeof lines[0].latencyUs).toBe('number');
		expect(new Date(lines[0].ts).getTime()).toBeGreaterThan(Date.now() - 60_000);
		expect(lines.filter(line => line.status === 503).length).toBe(report.summary.statusCodes['503']);
	});

	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		it(`keeps the log equal to summary.requests after ${signal}`, async () => {
			const server = await target();
			const logPath = path.join(temporary, `interrupted-${signal}.ndjson`);
			const result = await runCli(['--url', `${server.url}/`, '-t', '2', '-c', '6', '-d', '60', '--no-baseline', '--no-report', '--json', '-', '--log', logPath], {
				onStart(child) {
					void waitFor(() => server.count > 2000, 'traffic').then(() => child.kill(signal));
				},
			});
			expect(result.code).toBe(signal === 'SIGINT' ? 130 : 143);
			const report = JSON.parse(result.stdout);
			expect(report.stopReason).toBe('signal');
			expect(readFileSync(logPath, 'utf8').trim().split('\n').length).toBe(report.summary.requests);
		});
	}

	it('samples the log when asked', async () => {
		const server = await target();
		const sampledPath = path.join(temporary, 'sampled.ndjson');
		const sampled = await runCli(['--url', `${server.url}/`, '-c', '4', '-n', '4000', '--no-baseline', '--no-report', '--log', sampledPath, '--log-sample', '0.1']);
		expect(sampled.code).toBe(0);
		const count = readFileSync(sampledPath, 'utf8').trim().split('\n').length;
		// 10% of 4000: 400, binomial sd ~19.
		expect(count).toBeGreaterThan(300);
		expect(count).toBeLessThan(500);
	});

	it('keeps the last value of a repeated single-value flag: -d 1 -d 2 runs 2 s', async () => {
		const server = await target();
		const result = await runCli(['--url', `${server.url}/`, '-c', '2', '-c', '3', '-d', '1', '-d', '2', '--no-baseline', '--no-report', '--json', '-']);
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout);
		expect(report.settings).toMatchObject({durationS: 2, connections: 3});
		expect(report.summary.durationS).toBeGreaterThanOrEqual(1.9);
	});

	it('refuses an unknown flag in one line with exit 2 and a suggestion', async () => {
		const result = await runCli(['--url', 'http://127.0.0.1:9/', '--durtion', '2']);
		expect(result.code).toBe(2);
		expect(result.stderr).toBe('pystress-tui: --durtion: unknown flag; did you mean --duration? (see --help)\n');
		const missing = await runCli(['--url', 'http://127.0.0.1:9/', '-n']);
		expect(missing.code).toBe(2);
		expect(missing.stderr.trim().split('\n')).toHaveLength(1);
		expect(missing.stderr).toMatch(/-n: needs a value/);
	});
});
