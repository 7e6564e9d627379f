import {closeSync, fstatSync, lstatSync, openSync, readlinkSync, realpathSync, writeSync} from 'node:fs';
import path from 'node:path';
import type {EndpointPlan} from '../config/types.js';
import type {AttemptRecord} from './load-loop.js';

/** Where the NDJSON request log goes and which fraction of attempts it keeps. */
export type RequestLogOptions = {
	readonly path: string;
	/** 0..1; 1 keeps every attempt. */
	readonly sampleRate: number;
};

const flushBytes = 64 * 1024;
/** Writes up to this size to a pipe are atomic (POSIX PIPE_BUF; 4096 on Linux). */
const pipeAtomicBytes = 4096;

/**
 * A worker's writer for the NDJSON request log: one line per finished attempt, buffered and
 * appended (O_APPEND, whole buffers) to the shared file, so workers never interleave within a line.
 * A FIFO or a pipe (/dev/stdout) gets whole lines in writes of at most PIPE_BUF, which the kernel
 * keeps whole as well. The first failure to open or write (ENOSPC, EPIPE...) is reported once
 * through `onFailure` and ends the log; the run goes on.
 */
export class RequestLog {
	private readonly fd: number | undefined;
	/** False for a descriptor of the process itself (/dev/stdout on a socket): not ours to close. */
	private readonly owned: boolean;
	private readonly path: string;
	private readonly pipe: boolean;
	private readonly onFailure: (message: string) => void;
	private failed = false;
	private readonly sampleRate: number;
	private readonly prefixes = new Map<EndpointPlan, string>();
	private readonly redactUrl: (url: string) => string;
	private buffer = '';
	private stampMs = 0;
	private stamp = '';

	constructor(options: RequestLogOptions, redactUrl: (url: string) => string, onFailure: (message: string) => void = () => undefined) {
		this.path = options.path;
		this.sampleRate = options.sampleRate;
		this.redactUrl = redactUrl;
		this.onFailure = onFailure;
		let fd: number | undefined;
		let owned = true;
		let pipe = false;
		try {
			try {
				fd = openSync(options.path, 'a');
			} catch (error) {
				// A socket cannot be opened by path: /dev/stdout on one is written to as it is.
				fd = (error as NodeJS.ErrnoException).code === 'ENXIO' ? ownDescriptor(options.path) : undefined;
				owned = false;
				if (fd === undefined) throw error;
			}

			const stats = fstatSync(fd);
			pipe = stats.isFIFO() || stats.isSocket();
		} catch (error) {
			this.fail(error);
		}

		this.fd = fd;
		this.owned = owned;
		this.pipe = pipe;
	}

	/** Records one attempt (an `onAttempt` hook of the load loop). */
	readonly record = (record: AttemptRecord): void => {
		if (this.failed || (this.sampleRate < 1 && Math.random() >= this.sampleRate)) {
			return;
		}

		let prefix = this.prefixes.get(record.endpoint);
		if (prefix === undefined) {
			const {endpoint} = record;
			// An endpoint with placeholders logs each request's own URL (record.url), after this.
			prefix = `,"endpoint":${JSON.stringify(endpoint.name)},"method":${JSON.stringify(endpoint.method)},"url":`;
			if (endpoint.template === undefined) prefix += JSON.stringify(this.redactUrl(endpoint.url));
			this.prefixes.set(record.endpoint, prefix);
		}

		if (record.endpoint.template !== undefined) {
			prefix += JSON.stringify(this.redactUrl(record.url ?? record.endpoint.url));
		}

		const nowMs = Date.now();
		if (nowMs !== this.stampMs) {
			// Many lines share a millisecond at load: format the timestamp once per millisecond.
			this.stampMs = nowMs;
			this.stamp = new Date(nowMs).toISOString();
		}

		this.buffer += `{"ts":"${this.stamp}"${prefix},"status":${record.status === 0 ? 'null' : record.status},"latencyUs":${record.latencyMicros},"bytes":${record.bytes},"error":${record.errorKind === undefined ? 'null' : `"${record.errorKind}"`},"retry":${record.retry}${record.failedChecks === undefined ? '' : `,"failedChecks":${JSON.stringify(record.failedChecks)}`}}\n`;
		if (this.buffer.length >= flushBytes) {
			this.flush();
		}
	};

	flush(): void {
		if (this.buffer.length === 0 || this.fd === undefined || this.failed) {
			this.buffer = '';
			return;
		}

		const text = this.buffer;
		this.buffer = '';
		try {
			if (this.pipe) {
				for (const chunk of lineChunks(text, pipeAtomicBytes)) writeAll(this.fd, chunk);
			} else {
				writeAll(this.fd, Buffer.from(text));
			}
		} catch (error) {
			this.fail(error);
		}
	}

	close(): void {
		this.flush();
		if (this.fd !== undefined && this.owned) {
			closeSync(this.fd);
		}
	}

	private fail(error: unknown): void {
		if (!this.failed) {
			this.failed = true;
			this.onFailure(`request log: cannot write ${this.path} (${(error as Error).message}); the log stops here`);
		}
	}
}

const waitCell = new Int32Array(new SharedArrayBuffer(4));
/** How long a write may find a non-blocking descriptor full before the log gives up. */
const stalledWriteMs = 30_000;

/** Writes every byte (a pipe or a device may take part of them; a non-blocking socket may say EAGAIN). */
function writeAll(fd: number, bytes: Uint8Array): void {
	let offset = 0;
	let deadline = Date.now() + stalledWriteMs;
	while (offset < bytes.length) {
		try {
			offset += writeSync(fd, bytes, offset);
			deadline = Date.now() + stalledWriteMs;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) throw error;
			Atomics.wait(waitCell, 0, 0, 5);
		}
	}
}

/** N when `logPath` leads (through symlinks: /dev/stdout, /dev/fd/N) to /proc/<this process>/fd/N. */
function ownDescriptor(logPath: string): number | undefined {
	try {
		let current = path.resolve(logPath);
		for (let hop = 0; hop < 40; hop++) {
			const match = /^(\/proc\/\d+)(?:\/task\/\d+)?\/fd\/(\d+)$/.exec(path.join(realpathSync(path.dirname(current)), path.basename(current)));
			if (match) return match[1] === realpathSync('/proc/self') ? Number(match[2]) : undefined;
			if (!lstatSync(current).isSymbolicLink()) return undefined;
			current = path.resolve(path.dirname(current), readlinkSync(current));
		}
	} catch {}

	return undefined;
}

/** Splits NDJSON text into buffers of whole lines, each at most `limit` bytes (a longer line alone). */
function* lineChunks(text: string, limit: number): Generator<Uint8Array> {
	const bytes = Buffer.from(text);
	let start = 0;
	while (start < bytes.length) {
		let end = Math.min(start + limit, bytes.length);
		if (end < bytes.length) {
			const newline = bytes.lastIndexOf(0x0A, end - 1);
			end = newline >= start ? newline + 1 : bytes.indexOf(0x0A, end) + 1 || bytes.length;
		}

		yield bytes.subarray(start, end);
		start = end;
	}
}
