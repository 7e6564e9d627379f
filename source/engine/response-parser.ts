/**
 * HTTP/1.x responses for the socket client: a small byte-level parser that reads the status and
 * the framing headers (Content-Length, Transfer-Encoding, Connection) and counts body bytes without
 * turning anything into strings. Everything a load test needs and nothing more: headers are not
 * kept, bodies are counted and dropped.
 */

/** A response the parser could not frame: the connection is closed, the attempt is an error. */
export class ResponseParseError extends Error {
	readonly code = 'ERR_INVALID_RESPONSE';

	constructor(message: string) {
		super(message);
		this.name = 'ResponseParseError';
	}
}

/** Receives each complete response. */
export type ResponseSink = {
	onResponse(status: number, bodyBytes: number, keepAlive: boolean): void;
};

/** The most a response head (status line and headers) may take, as in Node's own parser. */
export const maxHeadBytes = 16 * 1024;

// Parser states.
const idle = 0;
const head = 1;
const lengthBody = 2;
const untilClose = 3;
const chunkSize = 4;
const chunkExtension = 5;
const chunkSizeLf = 6;
const chunkData = 7;
const chunkDataCr = 8;
const chunkDataLf = 9;
const trailerStart = 10;
const trailerLine = 11;
const trailerEndLf = 12;

const contentLengthName = Buffer.from('content-length');
const transferEncodingName = Buffer.from('transfer-encoding');
const connectionName = Buffer.from('connection');

/** Largest chunk size accepted (2^48 bytes): a larger one is a broken response, not a big one. */
const maxChunkSize = 2 ** 48;

function hexValue(byte: number): number {
	if (byte >= 48 && byte <= 57) return byte - 48;
	const lower = byte | 0x20;
	if (lower >= 97 && lower <= 102) return lower - 87;
	return -1;
}

/** Compares `buffer[start, start+length)` with a lower-case name, ignoring the case of ASCII letters only. */
function nameIs(buffer: Buffer, start: number, length: number, name: Buffer): boolean {
	if (length !== name.length) return false;
	for (let index = 0; index < length; index++) {
		const byte = buffer[start + index]!;
		if ((byte >= 65 && byte <= 90 ? byte | 0x20 : byte) !== name[index]) return false;
	}

	return true;
}

const closeToken = Buffer.from('close');
const keepAliveToken = Buffer.from('keep-alive');

/**
 * Whether the comma-separated header value in `buffer[start, end)` holds `token` (lower case),
 * ignoring ASCII case and optional whitespace, without making a string: this runs for the
 * Connection header of every response.
 */
function valueHasToken(buffer: Buffer, start: number, end: number, token: Buffer): boolean {
	let position = start;
	while (position < end) {
		while (position < end && (buffer[position] === 32 || buffer[position] === 9 || buffer[position] === 44)) {
			position++;
		}

		let tokenEnd = position;
		while (tokenEnd < end && buffer[tokenEnd] !== 44) {
			tokenEnd++;
		}

		let last = tokenEnd;
		while (last > position && (buffer[last - 1] === 32 || buffer[last - 1] === 9 || buffer[last - 1] === 13)) {
			last--;
		}

		if (nameIs(buffer, position, last - position, token)) {
			return true;
		}

		position = tokenEnd;
	}

	return false;
}

/** A decimal Content-Length in `buffer[start, end)` (whitespace around it allowed), or -1 when it is not one. */
function decimalValue(buffer: Buffer, start: number, end: number): number {
	let position = start;
	let last = end;
	while (position < last && (buffer[position] === 32 || buffer[position] === 9)) position++;
	while (last > position && (buffer[last - 1] === 32 || buffer[last - 1] === 9 || buffer[last - 1] === 13)) last--;
	if (position === last || last - position > 15) {
		return -1;
	}

	let value = 0;
	for (; position < last; position++) {
		const digit = buffer[position]! - 48;
		if (digit < 0 || digit > 9) {
			return -1;
		}

		value = (value * 10) + digit;
	}

	return value;
}

/**
 * A streaming HTTP/1.x response parser for one connection, one response at a time (no
 * pipelining). `expect()` arms it for the response to the request just written; `execute()` takes
 * each chunk as it arrives and calls the sink when a response is complete; `end()` tells it the
 * server closed the connection. Malformed input throws a ResponseParseError.
 */
export class ResponseParser {
	private state = idle;
	private status = 0;
	private bodyBytes = 0;
	private keepAlive = true;
	private remaining = 0;
	private sizeDigits = 0;
	private expectBody = true;
	private pending: Buffer | undefined;
	private readonly sink: ResponseSink;

	constructor(sink: ResponseSink) {
		this.sink = sink;
	}

	/** A request was written: its response comes next. HEAD responses have no body. */
	expect(expectBody: boolean): void {
		this.state = head;
		this.expectBody = expectBody;
		this.status = 0;
		this.bodyBytes = 0;
		this.keepAlive = true;
		this.pending = undefined;
	}

	/** Whether a response is awaited or in progress. */
	get busy(): boolean {
		return this.state !== idle;
	}

	/** Whether any byte of the awaited response has arrived. */
	get started(): boolean {
		return this.state !== head || this.pending !== undefined;
	}

	execute(chunk: Buffer): void {
		const end = chunk.length;
		let offset = 0;
		while (offset < end) {
			switch (this.state) {
				case idle: {
					throw new ResponseParseError('the server sent data that answers no request');
				}

				case head: {
					offset = this.parseHead(chunk, offset);
					break;
				}

				case lengthBody: {
					const take = Math.min(this.remaining, end - offset);
					this.bodyBytes += take;
					this.remaining -= take;
					offset += take;
					if (this.remaining === 0) {
						this.finish();
					}

					break;
				}

				case untilClose: {
					this.bodyBytes += end - offset;
					offset = end;
					break;
				}

				case chunkData: {
					const take = Math.min(this.remaining, end - offset);
					this.bodyBytes += take;
					this.remaining -= take;
					offset += take;
					if (this.remaining === 0) {
						this.state = chunkDataCr;
					}

					break;
				}

				default: {
					this.chunkFraming(chunk[offset++]!);
				}
			}
		}
	}

	/**
	 * The server closed the connection. Completes a response whose body runs until the close;
	 * returns false when a response was awaited or cut short.
	 */
	end(): boolean {
		if (this.state === untilClose) {
			this.keepAlive = false;
			this.finish();
			return true;
		}

		return this.state === idle;
	}

	/** Forgets any response in progress (the connection was dropped). */
	reset(): void {
		this.state = idle;
		this.pending = undefined;
	}

	private finish(): void {
		this.state = idle;
		this.pending = undefined;
		this.sink.onResponse(this.status, this.bodyBytes, this.keepAlive);
	}

	/** One byte of chunked framing: sizes, extensions, the CRLF after data, trailers. */
	private chunkFraming(byte: number): void {
		switch (this.state) {
			case chunkSize: {
				const value = hexValue(byte);
				if (value >= 0) {
					this.remaining = (this.remaining * 16) + value;
					this.sizeDigits++;
					if (this.remaining > maxChunkSize) {
						throw new ResponseParseError('chunk size too large');
					}
				} else if (this.sizeDigits > 0 && (byte === 59 || byte === 32 || byte === 9)) {
					this.state = chunkExtension;
				} else if (this.sizeDigits > 0 && byte === 13) {
					this.state = chunkSizeLf;
				} else if (this.sizeDigits > 0 && byte === 10) {
					this.chunkSizeDone();
				} else {
					throw new ResponseParseError('invalid chunk size');
				}

				return;
			}

			case chunkExtension: {
				if (byte === 10) {
					this.chunkSizeDone();
				}

				return;
			}

			case chunkSizeLf: {
				if (byte !== 10) {
					throw new ResponseParseError('invalid chunk size line');
				}

				this.chunkSizeDone();
				return;
			}

			case chunkDataCr: {
				if (byte === 13) {
					this.state = chunkDataLf;
				} else if (byte === 10) {
					this.startChunk();
				} else {
					throw new ResponseParseError('missing CRLF after chunk data');
				}

				return;
			}

			case chunkDataLf: {
				if (byte !== 10) {
					throw new ResponseParseError('missing CRLF after chunk data');
				}

				this.startChunk();
				return;
			}

			case trailerStart: {
				if (byte === 13) {
					this.state = trailerEndLf;
				} else if (byte === 10) {
					this.finish();
				} else {
					this.state = trailerLine;
				}

				return;
			}

			case trailerLine: {
				if (byte === 10) {
					this.state = trailerStart;
				}

				return;
			}

			case trailerEndLf: {
				if (byte !== 10) {
					throw new ResponseParseError('invalid trailer section');
				}

				this.finish();
				return;
			}

			default: {
				throw new ResponseParseError(`parser in state ${this.state}`);
			}
		}
	}

	private startChunk(): void {
		this.state = chunkSize;
		this.remaining = 0;
		this.sizeDigits = 0;
	}

	private chunkSizeDone(): void {
		this.state = this.remaining === 0 ? trailerStart : chunkData;
	}

	/**
	 * Reads a response head from `chunk` at `offset`, joining it to bytes kept from earlier chunks.
	 * Returns the offset in `chunk` where the body starts, or the chunk's length when the head is
	 * not complete yet (the bytes are kept for the next chunk).
	 */
	private parseHead(chunk: Buffer, offset: number): number {
		let buffer = chunk;
		let start = offset;
		let kept = 0;
		if (this.pending === undefined) {
			// Tolerate empty lines before a status line (RFC 9112 section 2.2).
			while (start < chunk.length && (chunk[start] === 13 || chunk[start] === 10)) {
				start++;
			}

			if (start === chunk.length) {
				return start;
			}
		} else {
			kept = this.pending.length;
			buffer = Buffer.concat([this.pending, chunk.subarray(offset)]);
			start = 0;
			this.pending = undefined;
		}

		const bodyStart = this.readHead(buffer, start);
		if (bodyStart < 0) {
			if (buffer.length - start > maxHeadBytes) {
				throw new ResponseParseError(`response head larger than ${maxHeadBytes} bytes`);
			}

			this.pending = buffer.subarray(start);
			return chunk.length;
		}

		return kept === 0 ? bodyStart : offset + bodyStart - kept;
	}

	/** Parses a complete head in `buffer` from `start`; returns where the body starts, or -1 if incomplete. */
	private readHead(buffer: Buffer, start: number): number {
		const end = buffer.length;
		let lineEnd = buffer.indexOf(10, start);
		if (lineEnd < 0) {
			return -1;
		}

		// "HTTP/1.x SSS"
		if (
			lineEnd - start < 12
			|| buffer[start] !== 72 || buffer[start + 1] !== 84 || buffer[start + 2] !== 84 || buffer[start + 3] !== 80
			|| buffer[start + 4] !== 47 || buffer[start + 5] !== 49 || buffer[start + 6] !== 46 || buffer[start + 8] !== 32
			|| (buffer[start + 12] !== 32 && buffer[start + 12] !== 13 && buffer[start + 12] !== 10)
		) {
			throw new ResponseParseError('not an HTTP/1.x response');
		}

		const digit0 = buffer[start + 9]! - 48;
		const digit1 = buffer[start + 10]! - 48;
		const digit2 = buffer[start + 11]! - 48;
		if (digit0 < 1 || digit0 > 5 || digit1 < 0 || digit1 > 9 || digit2 < 0 || digit2 > 9) {
			throw new ResponseParseError('invalid status code');
		}

		const status = (digit0 * 100) + (digit1 * 10) + digit2;
		const http10 = buffer[start + 7] === 48;
		let keepAlive = !http10;
		let contentLength = -1;
		let chunked = false;
		let hasTransferEncoding = false;
		let position = lineEnd + 1;
		for (;;) {
			if (position >= end) {
				return -1;
			}

			const first = buffer[position];
			if (first === 10) {
				position++;
				break;
			}

			if (first === 13) {
				if (position + 1 >= end) {
					return -1;
				}

				if (buffer[position + 1] !== 10) {
					throw new ResponseParseError('invalid end of headers');
				}

				position += 2;
				break;
			}

			lineEnd = buffer.indexOf(10, position);
			if (lineEnd < 0) {
				return -1;
			}

			let colon = position;
			while (colon < lineEnd && buffer[colon] !== 58) {
				colon++;
			}

			if (colon > position && colon < lineEnd) {
				const nameLength = colon - position;
				if (nameIs(buffer, position, nameLength, contentLengthName)) {
					const value = decimalValue(buffer, colon + 1, lineEnd);
					if (value < 0 || (contentLength >= 0 && value !== contentLength)) {
						throw new ResponseParseError(`invalid Content-Length: ${JSON.stringify(headerValue(buffer, colon + 1, lineEnd).slice(0, 40))}`);
					}

					contentLength = value;
				} else if (nameIs(buffer, position, nameLength, transferEncodingName)) {
					const value = headerValue(buffer, colon + 1, lineEnd).toLowerCase();
					hasTransferEncoding = true;
					chunked = value.split(',').at(-1)!.trim() === 'chunked';
				} else if (nameIs(buffer, position, nameLength, connectionName)) {
					if (valueHasToken(buffer, colon + 1, lineEnd, closeToken)) {
						keepAlive = false;
					} else if (http10 && valueHasToken(buffer, colon + 1, lineEnd, keepAliveToken)) {
						keepAlive = true;
					}
				}
			}

			position = lineEnd + 1;
		}

		// Checked before anything is acted on, so an oversized head never counts as a response.
		if (position - start > maxHeadBytes) {
			throw new ResponseParseError(`response head larger than ${maxHeadBytes} bytes`);
		}

		if (status < 200) {
			if (status === 101) {
				throw new ResponseParseError('the server switched protocols (101), which a load test cannot follow');
			}

			// 1xx: an interim response; the final one follows on the same connection.
			return position;
		}

		this.status = status;
		this.keepAlive = keepAlive;
		if (!this.expectBody || status === 204 || status === 304) {
			this.finish();
		} else if (chunked) {
			this.startChunk();
		} else if (hasTransferEncoding) {
			// A transfer coding other than chunked last: the body runs until the server closes.
			this.keepAlive = false;
			this.state = untilClose;
		} else if (contentLength > 0) {
			this.remaining = contentLength;
			this.state = lengthBody;
		} else if (contentLength === 0) {
			this.finish();
		} else {
			this.keepAlive = false;
			this.state = untilClose;
		}

		return position;
	}
}

function headerValue(buffer: Buffer, start: number, lineEnd: number): string {
	let end = lineEnd;
	if (end > start && buffer[end - 1] === 13) {
		end--;
	}

	return buffer.toString('latin1', start, end).trim();
}
