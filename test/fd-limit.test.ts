import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {RunSettings} from '../source/config/types.js';
import {classifyError} from '../source/engine/errors.js';
import {errorHints} from '../source/report/error-hints.js';
import type {JsonReport} from '../source/report/types.js';
import {ensureFdLimit, FdLimitError, fdsNeeded, parseFdLimits, peakConnections, suggestedLimit, type FdLimits, type FdProbe} from '../source/session/fd-limit.js';
import {cliPath, rootDir, runProgram, tsxLoader, type CliResult} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';

const target = useTargets(afterEach);

/** Runs a command (the CLI under prlimit) to completion with a hard time limit. */
async function run(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
	return runProgram(command, args, {env});
}

/** A --import preload that lowers this process's soft limit after Node raised it at start-up (main thread only). */
const lowerSoftLimit = (soft: number, hard: number): string => `data:text/javascript,import {execFileSync} from "node:child_process"; import {isMainThread} from "node:worker_threads"; if (isMainThread) execFileSync("/usr/bin/prlimit", ["--pid", String(process.pid), "--nofile=${soft}:${hard}"]);`;

const settings = (overrides: Partial<RunSettings> = {}): RunSettings => ({threads: 2, connections: 100, durationMs: 1000, maxRequests: undefined, rate: undefined, graceMs: 1000, ...overrides});

function probe(limits: FdLimits | undefined, raise: (soft: number) => boolean = () => false): FdProbe & {raised: number[]} {
	const raised: number[] = [];
	return {
		raised,
		limits: () => limits,
		openCount: () => 20,
		raise(soft) {
			raised.push(soft);
			return raise(soft);
		},
	};
}

describe('the file-descriptor check before a run', () => {
	it('counts the peak connections: the pool, its open-model growth, a stage target', () => {
		expect(peakConnections(settings())).toBe(100);
		expect(peakConnections(settings({rate: 500, maxConnections: 400}))).toBe(400);
		expect(peakConnections(settings({stages: [{durationMs: 1000, target: 50}, {durationMs: 1000, target: 700}]}))).toBe(700);
		// With a rate, stage targets are rates, not connections.
		expect(peakConnections(settings({rate: 100, stages: [{durationMs: 1000, target: 5000}]}))).toBe(100);
		expect(fdsNeeded(settings(), 20)).toBe(100 + 20 + (2 * 8) + 32);
	});

	it('passes when the soft limit fits, raises it to the hard limit when only that fits, and refuses beyond', () => {
		const fits = probe({soft: 1024, hard: 1024});
		expect(ensureFdLimit(settings(), fits)).toEqual({needed: 168, limits: {soft: 1024, hard: 1024}});
		expect(fits.raised).toEqual([]);

		const raisable = probe({soft: 128, hard: 4096}, () => true);
		expect(ensureFdLimit(settings(), raisable)).toMatchObject({raisedTo: 4096});
		expect(raisable.raised).toEqual([4096]);

		expect(() => ensureFdLimit(settings({connections: 5000}), probe({soft: 1024, hard: 1024}))).toThrow(new FdLimitError('5000 connections need about 5068 file descriptors but the limit is 1024 (hard 1024); raise it with "ulimit -n 8192" or use fewer connections'));
		expect(() => ensureFdLimit(settings(), probe({soft: 128, hard: 4096}, () => false))).toThrow(/the limit is 128 \(hard 4096\) and it could not be raised \(prlimit failed or is missing\)/);
	});

	it('skips the check where the limits cannot be read', () => {
		expect(ensureFdLimit(settings({connections: 1_000_000}), probe(undefined))).toBeUndefined();
	});

	it('reads /proc/self/limits', () => {
		expect(parseFdLimits('Max processes             63704                63704                processes\nMax open files            1024                 524288               files     \n')).toEqual({soft: 1024, hard: 524_288});
		expect(parseFdLimits('Max open files            unlimited            unlimited            files\n')).toEqual({soft: Number.POSITIVE_INFINITY, hard: Number.POSITIVE_INFINITY});
		expect(parseFdLimits('nothing here')).toBeUndefined();
		expect(suggestedLimit(300)).toBe(1024);
		expect(suggestedLimit(5068)).toBe(8192);
	});
});

describe('fd-limit errors', () => {
	it('classifies EMFILE and ENFILE as fd-limit, with a hint naming ulimit -n', () => {
		expect(classifyError(Object.assign(new Error('too many open files'), {code: 'EMFILE'}))).toBe('fd-limit');
		expect(classifyError(Object.assign(new Error('file table overflow'), {code: 'ENFILE'}))).toBe('fd-limit');
		expect(errorHints['fd-limit']).toMatch(/ulimit -n/);
	});

	it('counts EMFILE during a run as fd-limit (an engine past the limit: more connections than descriptors)', async () => {
		const server = await target();
		// The engine alone, without the session's check, as when the TUI adds connections live.
		const script = `
			const source = ${JSON.stringify(path.join(rootDir, 'source'))};
			const {prepareRun} = await import(source + '/session/prepare.ts');
			const {detectHardware} = await import(source + '/engine/hardware.ts');
			const {Engine} = await import(source + '/engine/engine.ts');
			const prepared = prepareRun({url: ${JSON.stringify(`${server.url}/`)}, connections: '200', threads: '1', requests: '2000'}, detectHardware(), {});
			const result = await new Engine({plan: prepared.config.plan, settings: prepared.settings}).start();
			const {requests, errors, errorKinds} = result.totals.overall;
			console.log(JSON.stringify({requests, errors, errorKinds}));`;
		// A file, not -e: workers inherit execArgv, and do not start with --input-type there. The
		// TypeScript source, through tsx (the build is one bundle, with no engine module of its own).
		const scriptPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'pystress-fd-')), 'engine-past-limit.mjs');
		writeFileSync(scriptPath, script);
		const result = await run('prlimit', ['--nofile=128:128', process.execPath, '--import', tsxLoader, scriptPath]);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		const totals = JSON.parse(result.stdout) as {requests: number; errors: number; errorKinds: Record<string, number>};
		expect(totals.requests).toBe(2000);
		expect(totals.errors).toBeGreaterThan(0);
		expect(totals.errorKinds).toEqual({'fd-limit': totals.errors});
	});
});

describe('the CLI under a file-descriptor limit', () => {
	it('stops before the run with one line and exit 2 when the connections cannot fit', async () => {
		const server = await target();
		const result = await run('prlimit', ['--nofile=256:256', process.execPath, cliPath, '--url', `${server.url}/`, '-c', '1000', '-n', '2000', '--headless']);
		expect(result.code).toBe(2);
		expect(result.stderr).toMatch(/^pystress-tui: 1000 connections need about \d+ file descriptors but the limit is 256 \(hard 256\); raise it with "ulimit -n 2048" or use fewer connections\n$/);
		expect(result.stdout).toBe('');
		expect(server.count).toBe(0);
	});

	it('runs when the hard limit has room (Node raises the soft limit at start-up)', async () => {
		const server = await target();
		const result = await run('prlimit', ['--nofile=256:4096', process.execPath, cliPath, '--url', `${server.url}/`, '-c', '1000', '-n', '2000', '--headless', '--no-baseline', '--json', '-', '-q']);
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout) as JsonReport;
		expect(report.summary.errors).toBe(0);
		expect(report.summary.requests).toBe(2000);
		expect(server.count).toBe(2000);
	});

	it('raises a soft limit lowered after start-up to the hard limit with prlimit', async () => {
		const server = await target();
		const result = await run(process.execPath, ['--import', lowerSoftLimit(256, 4096), cliPath, '--url', `${server.url}/`, '-c', '1000', '-n', '2000', '--headless', '--no-baseline', '--json', '-', '-q']);
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout) as JsonReport;
		expect(report.summary.errors).toBe(0);
		expect(server.count).toBe(2000);
	});

	it('says so when prlimit is missing and the soft limit is too low', async () => {
		const server = await target();
		const result = await run(process.execPath, ['--import', lowerSoftLimit(256, 4096), cliPath, '--url', `${server.url}/`, '-c', '1000', '-n', '2000', '--headless'], {PATH: '/nonexistent'});
		expect(result.code).toBe(2);
		expect(result.stderr).toMatch(/^pystress-tui: 1000 connections need about \d+ file descriptors but the limit is 256 \(hard 4096\) and it could not be raised \(prlimit failed or is missing\); raise it with "ulimit -n 2048" or use fewer connections\n$/);
		expect(server.count).toBe(0);
	});
});
