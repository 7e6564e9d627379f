import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {chmodSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {JsonReport} from '../source/report/types.js';
import {describeWriteError, openFifoForWriting, prepareAppendFile, resolveWriteTarget, writeFileAtomic} from '../source/report/write.js';
import {namesStdout, saveReports} from '../source/session/report-files.js';
import {rootDir, runCli} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';

const target = useTargets(afterEach);
// The built module (an entry of the build's bundle, so it stands on its own in a plain node process).
const distWrite = path.join(rootDir, 'dist/report/write.js');

function temporaryDirectory(): string {
	return mkdtempSync(path.join(os.tmpdir(), 'pystress-write-'));
}

/** Leftover temporary files of an atomic write in `directory`. */
function leftovers(directory: string): string[] {
	return readdirSync(directory).filter(name => name.endsWith('.tmp'));
}

/**
 * Starts `cat FIFO > file` and resolves with what it read once the writer closes. The reader writes
 * to a file, not to a pipe back to us: a synchronous write to the FIFO blocks this process, which
 * then could not drain a pipe from the reader.
 */
async function readFifo(fifo: string): Promise<string> {
	const output = `${fifo}.read`;
	const fd = openSync(output, 'w');
	const reader = spawn('cat', [fifo], {stdio: ['ignore', fd, 'inherit']});
	closeSync(fd);
	const timer = setTimeout(() => reader.kill('SIGKILL'), 30_000);
	await new Promise(resolve => {
		reader.on('close', resolve);
	});
	clearTimeout(timer);
	return readFileSync(output, 'utf8');
}

function makeFifo(directory: string, name = 'report.fifo'): string {
	const fifo = path.join(directory, name);
	execFileSync('mkfifo', [fifo]);
	return fifo;
}

/** A report bigger than a pipe's or a socket's buffer (built the same way in child processes). */
const bigJsonSource = "`${JSON.stringify({rows: Array.from({length: 8000}, (_, index) => ({index, text: 'x'.repeat(20)}))}, null, 2)}\\n`";
const bigJson = `${JSON.stringify({rows: Array.from({length: 8000}, (_, index) => ({index, text: 'x'.repeat(20)}))}, null, 2)}\n`;

describe('writeFileAtomic: never destroys what a path points at', () => {
	it('replaces a regular file by a rename, keeping its permissions and leaving no temporary file', () => {
		const directory = temporaryDirectory();
		const file = path.join(directory, 'run.json');
		writeFileSync(file, 'old');
		chmodSync(file, 0o640);
		const before = statSync(file);
		writeFileAtomic(file, '{"new":true}\n');
		const after = statSync(file);
		expect(readFileSync(file, 'utf8')).toBe('{"new":true}\n');
		expect(after.ino).not.toBe(before.ino);
		expect(after.mode & 0o777).toBe(0o640);
		expect(leftovers(directory)).toEqual([]);
	});

	it('leaves the old file whole and no partial file when the write fails (EFBIG under prlimit --fsize)', () => {
		const directory = temporaryDirectory();
		const file = path.join(directory, 'run.json');
		writeFileSync(file, 'original');
		const script = `process.on('SIGXFSZ', () => {}); const {writeFileAtomic} = await import(${JSON.stringify(distWrite)});
try { writeFileAtomic(${JSON.stringify(file)}, 'x'.repeat(100000)); console.log('written'); } catch (error) { console.log(error.code); }`;
		const output = execFileSync('prlimit', ['--fsize=4096', process.execPath, '--input-type=module', '-e', script], {encoding: 'utf8', timeout: 30_000});
		expect(output.trim()).toBe('EFBIG');
		expect(readFileSync(file, 'utf8')).toBe('original');
		expect(leftovers(directory)).toEqual([]);
	});

	it('creates a new path with its missing directories', () => {
		const directory = temporaryDirectory();
		const file = path.join(directory, 'a/b/c/run.json');
		writeFileAtomic(file, 'fresh');
		expect(readFileSync(file, 'utf8')).toBe('fresh');
		expect(resolveWriteTarget(path.join(directory, 'a/b/none.json')).kind).toBe('new');
	});

	it('writes through a symlink to a regular file to its real target, and the link stays a link', () => {
		const directory = temporaryDirectory();
		mkdirSync(path.join(directory, 'real'));
		const real = path.join(directory, 'real/run.json');
		writeFileSync(real, 'old');
		const link = path.join(directory, 'latest.json');
		symlinkSync('real/run.json', link);
		const chained = path.join(directory, 'chained.json');
		symlinkSync('latest.json', chained);
		writeFileAtomic(chained, 'new');
		expect(lstatSync(link).isSymbolicLink()).toBe(true);
		expect(lstatSync(chained).isSymbolicLink()).toBe(true);
		expect(readlinkSync(link)).toBe('real/run.json');
		expect(readFileSync(real, 'utf8')).toBe('new');
		expect(leftovers(directory)).toEqual([]);
	});

	it('creates the missing target of a dangling symlink', () => {
		const directory = temporaryDirectory();
		const link = path.join(directory, 'latest.json');
		symlinkSync('later/run.json', link);
		writeFileAtomic(link, 'made');
		expect(lstatSync(link).isSymbolicLink()).toBe(true);
		expect(readFileSync(path.join(directory, 'later/run.json'), 'utf8')).toBe('made');
	});

	it('writes /dev/null straight through: it stays a character device', () => {
		expect(resolveWriteTarget('/dev/null')).toEqual({kind: 'stream', path: '/dev/null', append: false, fifo: false});
		writeFileAtomic('/dev/null', bigJson);
		expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
	});

	it('throws ENOSPC for /dev/full, which stays a character device', () => {
		let error: unknown;
		try {
			writeFileAtomic('/dev/full', bigJson);
		} catch (error_) {
			error = error_;
		}

		expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
		expect(describeWriteError(error)).toBe('ENOSPC: no space left on device');
		expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
	});

	it('hands the whole report to a FIFO reader, and the FIFO stays a FIFO', async () => {
		const fifo = makeFifo(temporaryDirectory());
		const read = readFifo(fifo);
		writeFileAtomic(fifo, bigJson);
		expect(await read).toBe(bigJson);
		expect(lstatSync(fifo).isFIFO()).toBe(true);
	});

	it('waits for a FIFO reader that comes late, and gives up with ENXIO when none comes', async () => {
		const directory = temporaryDirectory();
		const fifo = makeFifo(directory);
		const output = path.join(directory, 'late.read');
		const fd = openSync(output, 'w');
		const reader = spawn('sh', ['-c', `sleep 0.3; exec cat '${fifo}'`], {stdio: ['ignore', fd, 'inherit']});
		closeSync(fd);
		const closed = new Promise(resolve => {
			reader.on('close', resolve);
		});
		writeFileAtomic(fifo, bigJson);
		await closed;
		expect(readFileSync(output, 'utf8')).toBe(bigJson);

		const started = Date.now();
		let error: unknown;
		try {
			openFifoForWriting(fifo, 'w', 300);
		} catch (error_) {
			error = error_;
		}

		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
		expect(describeWriteError(error)).toBe('ENXIO: no process opened it for reading within 300 ms');
	});

	it('appends through a descriptor link (/dev/stdout redirected to a file) instead of replacing the file', () => {
		const directory = temporaryDirectory();
		const file = path.join(directory, 'out.txt');
		writeFileSync(file, 'before\n');
		const ino = statSync(file).ino;
		const fd = openSync(file, 'a');
		try {
			execFileSync(process.execPath, ['--input-type=module', '-e', `const {writeFileAtomic} = await import(${JSON.stringify(distWrite)}); writeFileAtomic('/dev/stdout', 'report\\n');`], {stdio: ['ignore', fd, 'inherit'], timeout: 30_000});
		} finally {
			closeSync(fd);
		}

		expect(readFileSync(file, 'utf8')).toBe('before\nreport\n');
		expect(statSync(file).ino).toBe(ino);
	});

	it('writes /dev/stdout when stdout is a socket (which cannot be opened by path) to the descriptor itself', () => {
		const script = `const {writeFileAtomic} = await import(${JSON.stringify(distWrite)}); writeFileAtomic('/dev/stdout', ${bigJsonSource});`;
		const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8', timeout: 30_000, maxBuffer: 10_000_000});
		expect(child.stderr).toBe('');
		expect(child.stdout).toBe(bigJson);
	});

	it('refuses a directory (EISDIR) and leaves it alone', () => {
		const directory = temporaryDirectory();
		expect(() => {
			writeFileAtomic(directory, 'x');
		}).toThrow(expect.objectContaining({code: 'EISDIR'}) as Error);
		expect(statSync(directory).isDirectory()).toBe(true);
	});

	it('fails with ENOTDIR under a regular file', () => {
		const directory = temporaryDirectory();
		writeFileSync(path.join(directory, 'somefile'), 'x');
		expect(() => {
			writeFileAtomic(path.join(directory, 'somefile/report.json'), 'x');
		}).toThrow(expect.objectContaining({code: 'ENOTDIR'}) as Error);
	});
});

describe('prepareAppendFile (the request log)', () => {
	it('empties a regular file, creates a new one with its directories, and leaves devices and FIFOs alone', () => {
		const directory = temporaryDirectory();
		const file = path.join(directory, 'old.ndjson');
		writeFileSync(file, 'old line\n');
		prepareAppendFile(file);
		expect(readFileSync(file, 'utf8')).toBe('');
		const fresh = path.join(directory, 'logs/new.ndjson');
		prepareAppendFile(fresh);
		expect(readFileSync(fresh, 'utf8')).toBe('');
		expect(prepareAppendFile('/dev/null')).toBeUndefined();
		expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
	});

	it('holds a FIFO open for the writers, so its reader sees one stream from the first line to the release', async () => {
		const fifo = makeFifo(temporaryDirectory());
		const read = readFifo(fifo);
		const release = prepareAppendFile(fifo);
		expect(release).toBeTypeOf('function');
		for (const line of ['{"n":1}\n', '{"n":2}\n']) {
			// Each writer opens and closes on its own, as the workers do.
			const fd = openSync(fifo, 'a');
			writeFileSync(fd, line);
			closeSync(fd);
		}

		release!();
		expect(await read).toBe('{"n":1}\n{"n":2}\n');
		expect(lstatSync(fifo).isFIFO()).toBe(true);
	});
});

describe('saveReports', () => {
	const report = {schemaVersion: 2, endedAt: '2026-11-28T10:00:00.000Z', summary: {requests: 1}} as unknown as JsonReport;

	it('reports a device that cannot take the JSON report, with no fallback file', () => {
		const saved = saveReports(report, {json: '/dev/full', html: undefined});
		expect(saved.written).toEqual([]);
		expect(saved.errors).toEqual(['cannot write /dev/full (ENOSPC: no space left on device)']);
	});

	it('keeps the temp-directory fallback for an ordinary failure, named in the error', () => {
		const directory = temporaryDirectory();
		writeFileSync(path.join(directory, 'somefile'), 'x');
		const saved = saveReports(report, {json: path.join(directory, 'somefile/report.json'), html: undefined});
		expect(saved.errors).toHaveLength(1);
		expect(saved.errors[0]).toMatch(/cannot write .*somefile\/report\.json \(ENOTDIR: not a directory\); the JSON report was written to .* instead/);
		expect(existsSync(saved.written[0]!)).toBe(true);
		expect(JSON.parse(readFileSync(saved.written[0]!, 'utf8'))).toEqual(report);
	});

	it('still writes the HTML report when the JSON report fails', () => {
		const directory = temporaryDirectory();
		const html = path.join(directory, 'run.html');
		const saved = saveReports(report, {json: '/dev/full', html}, () => '<html></html>');
		expect(saved.written).toEqual([html]);
		expect(saved.errors).toHaveLength(1);
	});

	it('knows "-" and paths that are not stdout', () => {
		expect(namesStdout('-')).toBe(true);
		expect(namesStdout(undefined)).toBe(false);
		expect(namesStdout(path.join(temporaryDirectory(), 'run.json'))).toBe(false);
	});
});

describe('report targets through the CLI', () => {
	it('--json /dev/stdout delivers the JSON report alone on stdout (the summary goes to stderr)', async () => {
		const server = await target();
		const result = await runCli(['--url', `${server.url}/`, '-n', '20', '-c', '2', '--headless', '--json', '/dev/stdout']);
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout) as JsonReport;
		expect(report.summary.requests).toBe(20);
		expect(result.stderr).toMatch(/PYSTRESS-TUI SUMMARY/);
	});

	it('--json /dev/full exits 1 with one line naming /dev/full and the reason; the summary and the HTML report still come', async () => {
		const server = await target();
		const directory = temporaryDirectory();
		const html = path.join(directory, 'run.html');
		const result = await runCli(['--url', `${server.url}/`, '-n', '20', '-c', '2', '--headless', '--json', '/dev/full', '--output', html]);
		expect(result.code).toBe(1);
		const lines = result.stderr.split('\n').filter(line => line.includes('/dev/full'));
		expect(lines).toEqual(['error: cannot write /dev/full (ENOSPC: no space left on device)']);
		expect(lines[0]).toMatch(/no space/i);
		expect(result.stdout).toMatch(/PYSTRESS-TUI SUMMARY/);
		expect(readFileSync(html, 'utf8')).toMatch(/<html/i);
		expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
	});

	it('a path under a regular file exits 1 (ENOTDIR), with the JSON report in the fallback file', async () => {
		const server = await target();
		const directory = temporaryDirectory();
		writeFileSync(path.join(directory, 'somefile'), 'x');
		const result = await runCli(['--url', `${server.url}/`, '-n', '20', '-c', '2', '--headless', '--no-report', '--json', 'somefile/report.json'], {cwd: directory});
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/^error: cannot write somefile\/report\.json \(ENOTDIR: not a directory\); the JSON report was written to \S+ instead$/m);
		expect(result.stdout).toMatch(/PYSTRESS-TUI SUMMARY/);
	});

	it('--json /proc/version exits 1 and leaves it alone', async () => {
		const server = await target();
		const before = readFileSync('/proc/version', 'utf8');
		const result = await runCli(['--url', `${server.url}/`, '-n', '20', '-c', '2', '--headless', '--no-report', '--json', '/proc/version']);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/^error: cannot write \/proc\/version \(/m);
		expect(readFileSync('/proc/version', 'utf8')).toBe(before);
	});

	it('--log to a FIFO: a reader gets every attempt, one whole line each', async () => {
		const server = await target();
		const fifo = makeFifo(temporaryDirectory(), 'requests.fifo');
		const read = readFifo(fifo);
		const result = await runCli(['--url', `${server.url}/`, '-n', '3000', '-c', '8', '-t', '2', '--no-baseline', '--headless', '--no-report', '--json', '-', '--log', fifo]);
		expect(result.code).toBe(0);
		const report = JSON.parse(result.stdout) as JsonReport;
		const lines = (await read).trim().split('\n');
		expect(lines).toHaveLength(report.summary.requests);
		for (const line of lines) expect(JSON.parse(line)).toHaveProperty('status', 200);
		expect(lstatSync(fifo).isFIFO()).toBe(true);
	});

	it('--log /dev/stdout with stdout on a socket: every attempt, one whole line each, beside the summary', async () => {
		const server = await target();
		const jsonPath = path.join(temporaryDirectory(), 'run.json');
		const result = await runCli(['--url', `${server.url}/`, '-n', '3000', '-c', '8', '-t', '2', '--no-baseline', '--headless', '--no-report', '--json', jsonPath, '--log', '/dev/stdout']);
		expect(result.code).toBe(0);
		const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as JsonReport;
		const lines = result.stdout.split('\n').filter(line => line.startsWith('{"ts"'));
		expect(lines).toHaveLength(report.summary.requests);
		for (const line of lines) expect(JSON.parse(line)).toHaveProperty('status', 200);
		expect(result.stdout).toMatch(/PYSTRESS-TUI SUMMARY/);
	});

	it('--log /dev/full goes on with the run, says once that the log stopped, and exits 1', async () => {
		const server = await target();
		const result = await runCli(['--url', `${server.url}/`, '-n', '2000', '-c', '4', '-t', '2', '--no-baseline', '--headless', '--no-report', '--json', '-', '--log', '/dev/full']);
		expect(result.code).toBe(1);
		expect((JSON.parse(result.stdout) as JsonReport).summary.requests).toBe(2000);
		expect(result.stderr.split('\n').filter(line => line.includes('/dev/full'))).toEqual(['error: request log: cannot write /dev/full (ENOSPC: no space left on device, write); the log stops here']);
		expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
	});

	it('the report command: -o /dev/stdout prints the HTML, -o /dev/full exits 1 with one line', async () => {
		const server = await target();
		const directory = temporaryDirectory();
		const jsonPath = path.join(directory, 'run.json');
		const run = await runCli(['--url', `${server.url}/`, '-n', '20', '-c', '2', '--headless', '--no-report', '--json', jsonPath]);
		expect(run.code).toBe(0);
		const html = await runCli(['report', jsonPath, '-o', '/dev/stdout']);
		expect(html.code).toBe(0);
		expect(html.stdout).toMatch(/^<!doctype html>/i);
		expect(html.stderr).toBe('HTML report: /dev/stdout\n');
		const full = await runCli(['report', jsonPath, '-o', '/dev/full']);
		expect(full.code).toBe(1);
		expect(full.stderr).toBe('pystress-tui: cannot write /dev/full (ENOSPC: no space left on device)\n');
	});
});
