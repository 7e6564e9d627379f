import type net from 'node:net';
import process from 'node:process';
import {getSystemErrorName} from 'node:util';

/**
 * Writes a request straight to a connected socket's stream handle, as `socket.write` ends up doing,
 * without the Writable stream's bookkeeping around it (its state checks, a write request object, the
 * callback deferred with process.nextTick): about 0.45 µs less CPU per request at 1000
 * connections, 8% of a bare Node load loop (readme: Performance). The same libuv write: it tries
 * the kernel at once and queues what did not fit, in order with any other write on the handle.
 *
 * It rests on Node's internals (`process.binding('stream_wrap').WriteWrap`, the socket's
 * `_handle.writeBuffer`), which Node 20 to 24 have; where they are missing, or
 * `PYSTRESS_SOCKET_WRITE=stream` is set, `writeToHandle` declines and the caller uses
 * `socket.write`. Tests run both ways against llhttp's reading of the same requests.
 */

/** What Node's handle write takes: the request object it completes (when the write went async). */
type WriteRequest = {
	handle: StreamHandle;
	oncomplete: (this: WriteRequest, status: number) => void;
	async: boolean;
	/** Kept alive (and unchanged) until an async write is done. */
	buffer: Buffer;
	socket: net.Socket;
};

type StreamHandle = {
	writeBuffer(request: WriteRequest, data: Buffer): number;
};

const WriteWrap = loadWriteWrap();

function loadWriteWrap(): (new () => WriteRequest) | undefined {
	if (process.env['PYSTRESS_SOCKET_WRITE'] === 'stream') return undefined;
	const {binding} = process as unknown as {binding?: (name: string) => {WriteWrap?: unknown}};
	if (typeof binding !== 'function') return undefined;
	// process.binding is deprecated (DEP0111, a warning only under --pending-deprecation): this one
	// read is ours, not the user's code, so it does not warn.
	const noDeprecation = process.noDeprecation;
	process.noDeprecation = true;
	try {
		const {WriteWrap: constructor} = binding('stream_wrap');
		return typeof constructor === 'function' ? constructor as new () => WriteRequest : undefined;
	} catch {
		return undefined;
	} finally {
		process.noDeprecation = noDeprecation;
	}
}

/** Whether requests go straight to the handle in this process (else through `socket.write`). */
export const handleWritesAvailable = WriteWrap !== undefined;

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
	if (WriteWrap === undefined || handle === null || socket.connecting || socket.destroyed || socket.writableLength > 0) return false;
	const request = new WriteWrap();
	request.handle = handle;
	request.oncomplete = onWriteComplete;
	request.async = false;
	request.buffer = bytes;
	request.socket = socket;
	const status = handle.writeBuffer(request, bytes);
	if (status !== 0) socket.destroy(writeError(status));
	return true;
}
