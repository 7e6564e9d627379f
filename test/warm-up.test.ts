import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {runCli, workDir} from './helpers/cli.js';
import {startTarget, type TargetServer} from './helpers/target-server.js';
import {waitFor} from './helpers/wait.js';

const servers: TargetServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

type Report = {
	summary: {requests: number; responses: number; errors: number; latencyMs: {max: number; count: number}; statusCodes: Record<string, number>};
	warmUp?: {durationS: number; requests: number; errors: number};
	timeline: Array<{requests: number}>;
};

describe('--warm-up', () => {
	it('sends before the clock starts, counts it apart, and keeps its latencies out of every figure', async () => {
		// The first 10 requests take 100 ms each and fail with 500 (a cold, misbehaving target); all
		// of them fall in the 2 s warm-up.
		let slow = 0;
		const server = await startTarget({
			respond(_request, index, response) {
				const delayMs = index < 10 ? 100 : 0;
				if (delayMs > 0) slow++;
				setTimeout(() => {
					response.writeHead(index < 10 ? 500 : 200, {'content-length': 2});
					response.end('ok');
				}, delayMs);
			},
		});
		servers.push(server);
		const log = path.join(workDir, 'warm-up.ndjson');
		const result = await runCli(['--url', `${server.url}/`, '-t', '1', '-c', '2', '-n', '300', '--warm-up', '2s', '--no-baseline', '--json', '-', '--no-report', '--log', log]);
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout) as Report;
		// The request budget is the measured run's: exactly 300, whatever the warm-up sent.
		expect(report.summary.requests).toBe(300);
		expect(report.warmUp!.requests).toBeGreaterThan(10);
		expect(report.warmUp!.errors).toBe(0);
		expect(report.warmUp!.durationS).toBeGreaterThanOrEqual(2);
		// The server's own count: every request is either the warm-up's or the measured run's.
		expect(server.count).toBe(report.summary.requests + report.warmUp!.requests);
		// The slow 500s were the warm-up's: none of them reached the latency or status figures.
		expect(slow).toBe(10);
		expect(report.summary.latencyMs.max).toBeLessThan(100);
		expect(report.summary.statusCodes).toEqual({200: 300});
		// The request log and the timeline hold the measured run alone.
		expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(300);
		expect(report.timeline.reduce((sum, point) => sum + point.requests, 0)).toBe(300);
		expect(result.stderr).toMatch(/after a 2(\.0)?s warm-up \(not measured\)/);
		// A warm-up is not silent: its seconds are progress lines of their own, marked, before the run's.
		const lines = result.stderr.split('\n');
		const warmLine = lines.findIndex(line => /^\[warm-up 1(\.0)?s\/2(\.0)?s\] [\d,]+ requests, .* \(not measured\)$/.test(line));
		expect(warmLine).toBeGreaterThan(-1);
		// Its count is the warm-up's attempts so far (the server's count held it to the report's): some, not more than all.
		const warmCount = Number(/\] ([\d,]+) requests/.exec(lines[warmLine]!)![1]!.replaceAll(',', ''));
		expect(warmCount).toBeGreaterThan(0);
		expect(warmCount).toBeLessThanOrEqual(report.warmUp!.requests);
		expect(lines.findIndex(line => line.startsWith('[') && !line.startsWith('[warm-up'))).toBeGreaterThan(warmLine);
		// Both connections (the server's count) were opened during the warm-up: no connect time is a
		// figure, and the summary says why rather than leaving the row out unexplained.
		expect(server.connections).toBe(2);
		expect((report.summary as {connectMs?: unknown}).connectMs).toBeUndefined();
		expect(result.stderr).toContain('connect: none measured, every connection was opened during the warm-up (not measured)');
	});

	it('prints the warm-up in the summary and works in the open model', async () => {
		const server = await startTarget();
		servers.push(server);
		const jsonPath = path.join(workDir, 'warm-up-open.json');
		const result = await runCli(['--url', `${server.url}/`, '-t', '2', '-c', '4', '-R', '200', '-d', '1', '--warm-up', '1s', '--no-baseline', '--json', jsonPath, '--no-report']);
		expect(result.code).toBe(0);
		const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as Report;
		expect(server.count).toBe(report.summary.requests + report.warmUp!.requests);
		expect(report.warmUp!.requests).toBeGreaterThan(0);
		expect(result.stdout).toMatch(new RegExp(`Warm-up +1(\\.0)?s first: ${report.warmUp!.requests.toLocaleString('en-US')} requests \\(0 errors\\) before the clock started`));
	});

	it('writes what it has when stopped during the warm-up', async () => {
		const server = await startTarget();
		servers.push(server);
		const jsonPath = path.join(workDir, 'warm-up-stopped.json');
		const result = await runCli(['--url', `${server.url}/`, '-t', '1', '-c', '2', '-d', '5', '--warm-up', '60s', '--no-baseline', '--json', jsonPath, '--no-report'], {
			onStart(child) {
				void waitFor(() => server.count >= 20, 'warm-up requests').then(() => child.kill('SIGINT'));
			},
		});
		expect(result.code).toBe(130);
		const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as Report;
		expect(report.summary.requests).toBe(0);
		expect(report.warmUp!.requests).toBe(server.count);
	});

	it('refuses a warm-up with a ramp-up (the ramp starts from 0)', async () => {
		const result = await runCli(['--url', 'http://127.0.0.1:9/', '--warm-up', '5s', '--ramp-up', '10s', '--no-baseline']);
		expect(result.code).toBe(2);
		expect(result.stderr).toMatch(/--warm-up: a warm-up runs at the starting load, and a ramp-up starts from 0; drop one of the two/);
		expect(result.stderr).not.toMatch(/\n\s+at /);
	});
});
