import {randomBytes} from 'node:crypto';
import {appendFileSync, closeSync, constants, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync} from 'node:fs';
import path from 'node:path';
import {getSystemErrorMap} from 'node:util';

/**
 * What a path to write points at, which decides how it is written:
 * - `new`: nothing there (also the missing target of a dangling link): created atomically, directories too;
 * - `file`: a regular file, through any symlinks: replaced atomically at its real path (links stay links);
 * - `stream`: a character or block device, a FIFO, a socket, or a descriptor link (/dev/stdout,
 *   /dev/stderr, /dev/fd/N, /proc/self/fd/N): opened and written straight through, never renamed
 *   over; `append` for a descriptor link to a regular file (a shell redirect is kept, not truncated);
 *   a `fifo` (named or a pipe) is opened once a reader has it open (see `openFifoForWriting`);
 * - `directory`: refused (EISDIR).
 */
export type WriteTarget =
	| {readonly kind: 'new'; readonly path: string}
	| {readonly kind: 'file'; readonly path: string; readonly mode: number}
	| {readonly kind: 'stream'; readonly path: string; readonly append: boolean; readonly fifo: boolean}
	| {readonly kind: 'directory'; readonly path: string};

const maxLinks = 40;
/** For synchronous sleeps while a FIFO or a socket is not ready. */
const waitCell = new Int32Array(new SharedArrayBuffer(4));

/** Follows `filePath` (symlink by symlink, stopping at descriptor links) to what a write would reach. */
export function resolveWriteTarget(filePath: string): WriteTarget {
	let current = path.resolve(filePath);
	for (let hop = 0; hop < maxLinks; hop++) {
		if (isDescriptorLink(current)) {
			// /proc/PID/fd/N reads as a link to "pipe:[123]" or a path: only the kernel can follow it.
			const stats = statSync(current);
			return stats.isDirectory() ? {kind: 'directory', path: current} : {kind: 'stream', path: current, append: stats.isFile(), fifo: stats.isFIFO()};
		}

		let stats;
		try {
			stats = lstatSync(current);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
				return {kind: 'new', path: current};
			}

			throw error;
		}

		if (stats.isSymbolicLink()) {
			current = path.resolve(path.dirname(current), readlinkSync(current));
			continue;
		}

		if (stats.isFile()) {
			return {kind: 'file', path: realpathSync(current), mode: stats.mode & 0o7777};
		}

		return stats.isDirectory() ? {kind: 'directory', path: current} : {kind: 'stream', path: current, append: false, fifo: stats.isFIFO()};
	}

	throw errnoError('ELOOP', `too many symbolic links at ${filePath}`);
}

/** /proc/PID/fd/N, /proc/PID/task/TID/fd/N (and so /dev/fd/N, /proc/self/fd/N, /dev/stdout). */
function isDescriptorLink(filePath: string): boolean {
	try {
		return /^\/proc\/\d+(\/task\/\d+)?\/fd$/.test(realpathSync(path.dirname(filePath)));
	} catch {
		return false;
	}
}

/**
 * Creates a directory and its parents. Refuses /proc and /sys up front: Node 20's recursive
 * mkdir never returns there (it loops on the kernel's answer).
 */
export function ensureDirectory(directory: string): void {
	const absolute = path.resolve(directory);
	try {
		if (statSync(absolute).isDirectory()) {
			return;
		}

		throw errnoError('ENOTDIR', `${absolute} is not a directory`);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
			throw error;
		}
	}

	if (/^\/(proc|sys)(\/|$)/.test(absolute)) {
		throw errnoError('EACCES', `cannot create files under ${absolute}`);
	}

	mkdirSync(absolute, {recursive: true});
}

/**
 * Writes a report file without ever destroying what the path points at (see `WriteTarget`): a new
 * path or a regular file gets a temporary file beside it, then a rename (no partial file on a
 * failure; an existing file keeps its permissions); a device, FIFO or descriptor link is written
 * straight through. Throws the system error (ENOSPC, EACCES, EISDIR...) on failure.
 */
export function writeFileAtomic(filePath: string, text: string): void {
	const target = resolveWriteTarget(filePath);
	switch (target.kind) {
		case 'new': {
			ensureDirectory(path.dirname(target.path));
			replaceAtomically(target.path, text, undefined);
			break;
		}

		case 'file': {
			replaceAtomically(target.path, text, target.mode);
			break;
		}

		case 'stream': {
			writeThrough(target, text);
			break;
		}

		case 'directory': {
			throw errnoError('EISDIR', `${filePath} is a directory`);
		}
	}
}

/**
 * Readies a path for appending lines (the request log): creates missing directories and an empty
 * file, empties a regular file, and leaves devices, FIFOs and descriptor links as they are. For a
 * FIFO it waits for a reader (see `openFifoForWriting`) and returns a function that closes the
 * write end it holds open meanwhile: call it when the writers are done, so the reader does not see
 * the end of the stream between this check and the writers' own opens.
 */
export function prepareAppendFile(filePath: string): (() => void) | undefined {
	const target = resolveWriteTarget(filePath);
	switch (target.kind) {
		case 'new': {
			ensureDirectory(path.dirname(target.path));
			writeFileSync(target.path, '');
			return undefined;
		}

		case 'file': {
			writeFileSync(target.path, '');
			return undefined;
		}

		case 'stream': {
			if (!target.fifo) return undefined;
			const fd = openFifoForWriting(target.path, 'a');
			return () => {
				closeSync(fd);
			};
		}

		case 'directory': {
			throw errnoError('EISDIR', `${filePath} is a directory`);
		}
	}
}

/**
 * Appends text to a file (GitHub's step summary, which other steps append to as well): creates it
 * and its directories when missing, never truncates it; a device, FIFO or descriptor link is
 * written straight through. Throws the system error on failure.
 */
export function appendText(filePath: string, text: string): void {
	const target = resolveWriteTarget(filePath);
	if (target.kind === 'directory') throw errnoError('EISDIR', `${filePath} is a directory`);
	if (target.kind === 'new') ensureDirectory(path.dirname(target.path));
	if (target.kind === 'stream' && target.fifo) {
		const fd = openFifoForWriting(target.path, 'a');
		try {
			writeSync(fd, text);
		} finally {
			closeSync(fd);
		}

		return;
	}

	appendFileSync(target.path, text);
}

/** How long a write to a FIFO waits for a process to open it for reading. */
export const fifoReaderWaitMs = 30_000;

/**
 * Opens a FIFO for writing once some process has it open for reading: a plain open would block
 * for ever without one. Polls every 50 ms; throws ENXIO after `waitMs`. The descriptor returned
 * blocks as usual (a full pipe waits for the reader).
 */
export function openFifoForWriting(fifoPath: string, flags: 'w' | 'a' = 'w', waitMs = fifoReaderWaitMs): number {
	const deadline = Date.now() + waitMs;
	for (;;) {
		let probe: number;
		try {
			// eslint-disable-next-line no-bitwise
			probe = openSync(fifoPath, constants.O_WRONLY | constants.O_NONBLOCK);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
			if (Date.now() >= deadline) throw errnoError('ENXIO', `no process opened it for reading within ${waitMs % 1000 === 0 ? `${waitMs / 1000} s` : `${waitMs} ms`}`);
			Atomics.wait(waitCell, 0, 0, 50);
			continue;
		}

		try {
			// A reader has it open: this open does not block.
			return openSync(fifoPath, flags);
		} finally {
			closeSync(probe);
		}
	}
}

/** True when `filePath` is a device, FIFO, socket or descriptor link (written straight through). */
export function isStreamTarget(filePath: string): boolean {
	try {
		return resolveWriteTarget(filePath).kind === 'stream';
	} catch {
		return false;
	}
}

/** `ENOSPC: no space left on device`: the code and the system's words for it. */
export function describeWriteError(error: unknown): string {
	const {code, errno, message} = error as NodeJS.ErrnoException;
	if (code === undefined) {
		return message;
	}

	// A system error gets the system's words; one of ours (no errno) says more in its message.
	const words = errno === undefined ? undefined : systemMessages().get(code);
	return `${code}: ${words ?? message}`;
}

let messagesByCode: Map<string, string> | undefined;
function systemMessages(): Map<string, string> {
	messagesByCode ??= new Map([...getSystemErrorMap().values()]);
	return messagesByCode;
}

function writeThrough(target: WriteTarget & {kind: 'stream'}, text: string): void {
	let fd: number;
	try {
		fd = target.fifo ? openFifoForWriting(target.path, target.append ? 'a' : 'w') : openSync(target.path, target.append ? 'a' : 'w');
	} catch (error) {
		// A socket cannot be opened by path; one of our own descriptors (/dev/stdout when stdout is a
		// socket) can still be written to as it is.
		const own = ownDescriptor(target.path);
		if ((error as NodeJS.ErrnoException).code !== 'ENXIO' || own === undefined) {
			throw error;
		}

		writeDescriptor(own, Buffer.from(text));
		return;
	}

	try {
		writeFileSync(fd, text);
	} finally {
		closeSync(fd);
	}
}

/** N for /proc/<this process>/fd/N (and /proc/self/fd/N). */
function ownDescriptor(filePath: string): number | undefined {
	const match = /^(\/proc\/\d+)(?:\/task\/\d+)?\/fd\/(\d+)$/.exec(path.join(realpathSync(path.dirname(filePath)), path.basename(filePath)));
	return match && match[1] === realpathSync('/proc/self') ? Number(match[2]) : undefined;
}

const descriptorWriteMs = 30_000;

/** Writes all of `bytes` to an open descriptor, waiting out EAGAIN (a non-blocking socket) up to 30 s. */
function writeDescriptor(fd: number, bytes: Uint8Array): void {
	const deadline = Date.now() + descriptorWriteMs;
	let offset = 0;
	while (offset < bytes.length) {
		try {
			offset += writeSync(fd, bytes, offset);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) {
				throw error;
			}

			Atomics.wait(waitCell, 0, 0, 5);
		}
	}
}

function replaceAtomically(filePath: string, text: string, mode: number | undefined): void {
	const temporary = path.join(path.dirname(filePath), `.${path.basename(filePath)}.${randomBytes(4).toString('hex')}.tmp`);
	let fd: number | undefined;
	try {
		fd = openSync(temporary, 'wx');
		writeFileSync(fd, text);
		if (mode !== undefined) {
			fchmodSync(fd, mode);
		}

		fsyncSync(fd);
		closeSync(fd);
		fd = undefined;
		renameSync(temporary, filePath);
	} catch (error) {
		if (fd !== undefined) {
			closeSync(fd);
		}

		rmSync(temporary, {force: true});
		throw error;
	}
}

function errnoError(code: string, message: string): NodeJS.ErrnoException {
	return Object.assign(new Error(message), {code});
}
