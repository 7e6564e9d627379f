import type net from 'node:net';
import process from 'node:process';
import {getSystemErrorName} from 'node:util';

/**
 * Writes a request straight to a connected socket's stream handle, as `socket.write` ends up doing,
 * without the Writable stream's bookkeeping around it (its state checks, a write request object, the
 * callback deferred with process.nextTick): about 0.45 µs less CPU per request at 1000
 * connections, 8% of a bare Node load loop (test/bench/findings.md, "CPU at 1000 connections: what
 * closed the gap"). The same libuv write: it tries the kernel at once and queues what did not fit,
 * in order with any other write on the handle.
 *
 * It rests on Node's internals (`process.binding('stream_wrap')`: WriteWrap and where a write
 * says it went async; the socket's `_handle.writeBuffer`), which Node 20 has (a test fails where
 * they are gone); where they are missing, or `PYSTRESS_SOCKET_WRITE=stream` is set,
 * `writeToHandle` declines and the caller uses `socket.write`. Tests run both ways against
 * llhttp's reading of the same requests.
 */

/** What Node's handle write takes: the request object it completes (when the write went async). */
type WriteRequest = {
	handle: StreamHandle;
	oncomplete: (this: WriteRequest, status: number) => void;
	/** Kept alive (and unchanged) until an async write is done. */
	buffer: Buffer;
	socket: net.Socket;
};

type StreamHandle = {
	writeBuffer(request: WriteRequest, data: Buffer): number;
};

/** Node's stream binding: the write request's constructor, and where a write says whether it went async. */
type StreamBinding = {WriteWrap: new () => WriteRequest; streamBaseState: Int32Array; kLastWriteWasAsync: number};

const binding = loadBinding();

function loadBinding(): StreamBinding | undefined {
	if (process.env['PYSTRESS_SOCKET_WRITE'] === 'stream') return undefined;
	const {binding: load} = process as unknown as {binding?: (name: string) => Partial<StreamBinding>};
	if (typeof load !== 'function') return undefined;
	// process.binding is deprecated (DEP0111, a warning only under --pending-deprecation): this one
	// read is ours, not the user's code, so it does not warn.
	const noDeprecation = process.noDeprecation;
	process.noDeprecation = true;
	try {
		const {WriteWrap, streamBaseState, kLastWriteWasAsync} = load('stream_wrap');
		return typeof WriteWrap === 'function' && streamBaseState instanceof Int32Array && typeof kLastWriteWasAsync === 'number' ? {WriteWrap, streamBaseState, kLastWriteWasAsync} : undefined;
	} catch {
		return undefined;
	} finally {
		process.noDeprecation = noDeprecation;
	}
}

/**
 * The request object for the next write. A write the kernel takes whole at once (nearly all of
 * them) leaves it untouched, so one serves them all; one that goes async is Node's until it
 * completes, and the next write gets a new one. No allocation per request.
 */
let spare: WriteRequest | undefined;

/** Whether requests go straight to the handle in this process (else through `socket.write`). */
export const handleWritesAvailable = binding !== undefined;

/** An async write that failed: the socket fails as a failed `socket.write` makes it fail. */
function onWriteComplete(this: WriteRequest, status: number): void {
	if (status < 0) this.socket.destroy(writeError(status));
}

function writeError(status: number): Error {
	const code = getSystemErrorName(status);
	return Object.assign(new Error(`write ${code}`), {code, errno: status, syscall: 'write'});
}

/**
 * Writes `bytes` on `socket`'s handle. False when it cannot (no handle writer in this Node, the
 * socket still connecting or closed, or the stream itself still writing): then write with
 * `socket.write`. A write the kernel refuses destroys the socket with the error (EPIPE...), as
 * `socket.write` would.
 */
export function writeToHandle(socket: net.Socket, bytes: Buffer): boolean {
	const handle = (socket as unknown as {_handle: StreamHandle | null})._handle;
	// A destroyed socket has no handle; one still writing through its stream keeps its order.
	if (binding === undefined || handle === null || socket.connecting || socket.writableLength > 0) return false;
	const request = spare ?? new binding.WriteWrap();
	request.handle = handle;
	request.oncomplete = onWriteComplete;
	request.buffer = bytes;
	request.socket = socket;
	const status = handle.writeBuffer(request, bytes);
	// Taken whole at once: the request is untouched, and serves the next write. Queued by libuv (or
	// failed after a partial write): it is Node's (holding the socket and the bytes until oncomplete).
	spare = status === 0 && binding.streamBaseState[binding.kLastWriteWasAsync] === 0 ? request : undefined;
	if (status !== 0) socket.destroy(writeError(status));
	return true;
}
