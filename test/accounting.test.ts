import {mkdtempSync, readFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {evaluateThreshold, parseThreshold, type ThresholdFigures} from '../source/stats/thresholds.js';
import {runCli} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';

const target = useTargets(afterEach);
const temporary = mkdtempSync(path.join(os.tmpdir(), 'pystress-accounting-'));
const servers: net.Server[] = [];

afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => new Promise(resolve => {
		server.close(resolve);
	})));
});

/** A raw server that accepts connections, reads every request and never answers one. */
async function hungTarget(): Promise<{url: string; connections: () => number}> {
	const sockets = new Set<net.Socket>();
	let accepted = 0;
	const server = net.createServer(socket => {
		accepted++;
		sockets.add(socket);
		socket.on('data', () => undefined);
		socket.on('error', () => undefined);
		socket.on('close', () => sockets.delete(socket));
	});
	server.on('close', () => {
		for (const socket of sockets) socket.destroy();
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	servers.push(server);
	// Close hung sockets when the test ends, or server.close() would wait for them.
	const close = server.close.bind(server);
	server.close = ((callback?: (error?: Error) => void) => {
		for (const socket of sockets) socket.destroy();
		return close(callback);
	}) as typeof server.close;
	return {url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`, connections: () => accepted};
}

/** A port nothing listens on. */
async function deadUrl(): Promise<string> {
	const probe = net.createServer();
	await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
	const {port} = probe.address() as net.AddressInfo;
	await new Promise<void>(resolve => probe.close(() => resolve()));
	return `http://127.0.0.1:${port}/`;
}

function readReport(file: string): JsonReport {
	return JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
}

describe('a dead or stalled target never passes', () => {
	it('counts requests that hung through the end as incomplete, fails every threshold and exits 1', async () => {
		const hung = await hungTarget();
		const jsonPath = path.join(temporary, 'hung.json');
		// timeout_ms (30 s by default) is far longer than the run: nothing ends by itself.
		const logPath = path.join(temporary, 'hung.ndjson');
		const result = await runCli(['--url', hung.url, '-d', '1', '-c', '4', '-t', '1', '--grace', '500ms', '--no-baseline', '--threshold', 'p99<300ms', '--threshold', 'errors<1%', '--threshold', 'pass>99', '--json', jsonPath, '--no-report', '--log', logPath]);
		expect(result.code).toBe(1);
		// The request log has a line for each of them too.
		const lines = readFileSync(logPath, 'utf8').trim().split('\n').map(line => JSON.parse(line) as {status: number | null; error: string; latencyUs: number});
		expect(lines.map(line => [line.status, line.error])).toEqual(Array.from({length: 4}, () => [null, 'incomplete']));
		expect(Math.min(...lines.map(line => line.latencyUs))).toBeGreaterThanOrEqual(1_400_000);
		expect(hung.connections()).toBe(4);
		const {summary, thresholds} = readReport(jsonPath);
		expect(summary).toMatchObject({requests: 0, responses: 0, errors: 0, incomplete: 4, passRate: 0, errorRate: 1});
		// Each was in flight from the start through the second of load and the 500 ms grace period.
		expect(summary.incompleteAgeMs!.min).toBeGreaterThanOrEqual(1400);
		expect(summary.latencyMs.count).toBe(0);
		expect(thresholds).toEqual([
			{expression: 'p99<300ms', unit: 'ms', actual: summary.incompleteAgeMs!.p99, passed: false, note: 'includes 4 incomplete'},
			{expression: 'errors<1%', unit: '%', actual: 100, passed: false, note: 'includes 4 incomplete'},
			{expression: 'pass>99', unit: '%', actual: 0, passed: false, note: 'includes 4 incomplete'},
		]);
		expect(result.stdout).toMatch(/Pass rate +0\.0%/);
		expect(result.stdout).toMatch(/Incomplete +4 still in flight when the run ended, oldest [\d,.]+ (ms|s)/);
		expect(result.stdout).toMatch(/LATENCY \(responses\)\n {2}n\/a: no response/);
		expect(result.stdout).toMatch(/FAIL +p99<300ms +actual [\d.]+ ms, includes 4 incomplete/);
		expect(result.stderr).toMatch(/error: no request got a response \(4 incomplete: still in flight when the run ended\)/);
	});

	it('keeps refused connections out of the latency figures and fails a latency threshold for want of data', async () => {
		const jsonPath = path.join(temporary, 'refused.json');
		const result = await runCli(['--url', await deadUrl(), '-n', '50', '-c', '2', '-t', '1', '--no-baseline', '--threshold', 'p50<1s', '--threshold', 'rps>0', '--json', jsonPath, '--no-report']);
		expect(result.code).toBe(1);
		const {summary, thresholds, percentiles} = readReport(jsonPath);
		expect(summary).toMatchObject({requests: 50, responses: 0, errors: 50, incomplete: 0, passRate: 0, errorRate: 1, errorKinds: {refused: 50}});
		expect(summary.latencyMs).toMatchObject({count: 0, p50: 0, max: 0});
		expect(summary.failureLatencyMs!.count).toBe(50);
		expect(percentiles).toEqual([]);
		expect(thresholds![0]).toEqual({expression: 'p50<1s', unit: 'ms', actual: null, passed: false, note: 'no data'});
		expect(result.stdout).toMatch(/FAIL +p50<1s +actual no data/);
		expect(result.stdout).toMatch(/errors \(time to fail\) +[\d.]+ ms/);
	});

	it('exits 1 when nothing answered even with no finished request at all', async () => {
		const hung = await hungTarget();
		const result = await runCli(['--url', hung.url, '-d', '500ms', '-c', '1', '-t', '1', '--grace', '200ms', '--no-baseline', '--no-report']);
		expect(result.code).toBe(1);
		expect(result.stdout).toMatch(/Total requests +0 \(0 responses, 0 errors\)/);
	});
});

describe('rates in thresholds', () => {
	it('reads pass and error_rate as percentages with or without %, and a 100% run passes pass>99', async () => {
		const server = await target();
		const jsonPath = path.join(temporary, 'pass.json');
		const result = await runCli(['--url', `${server.url}/`, '-n', '200', '-c', '2', '-t', '1', '--no-baseline', '--threshold', 'pass>99', '--threshold', 'pass>99%', '--threshold', 'error_rate<1', '--threshold', 'errors<1%', '--json', jsonPath, '--no-report']);
		expect(result.code).toBe(0);
		expect(server.count).toBe(200);
		const report = readReport(jsonPath);
		expect(report.summary).toMatchObject({requests: 200, responses: 200, incomplete: 0, passRate: 1, errorRate: 0});
		expect(report.thresholds!.map(threshold => [threshold.expression, threshold.actual, threshold.unit, threshold.passed])).toEqual([
			['pass>99', 100, '%', true],
			['pass>99%', 100, '%', true],
			['error_rate<1', 0, '%', true],
			['errors<1%', 0, '%', true],
		]);
	});

	it('gives a rate of nothing no value, and no-data thresholds fail', () => {
		const none: ThresholdFigures = {requests: 0, errors: 0, incomplete: 0, rps: 0, passRate: null, latencyMs: undefined};
		for (const expression of ['pass>99', 'errors<1%', 'error_rate<5', 'p99<1s', 'mean<=10ms']) {
			expect(evaluateThreshold(parseThreshold(expression), none), expression).toMatchObject({actual: null, passed: false, note: 'no data'});
		}

		expect(() => parseThreshold('pass>120')).toThrow(/percentage from 0 to 100/);
		expect(evaluateThreshold(parseThreshold('errors<3'), {...none, requests: 10, errors: 1, incomplete: 2, passRate: 0.7})).toMatchObject({actual: 3, passed: false});
	});
});
