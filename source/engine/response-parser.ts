/**
 * HTTP/1.x responses for the socket client: a small byte-level parser that reads the status and
 * the framing headers (Content-Length, Transfer-Encoding, Connection) and counts body bytes without
 * turning anything into strings. Everything a load test needs and nothing more: headers are not
 * kept, bodies are counted and dropped.
 *
 * It frames responses exactly as strictly as Node's own parser (llhttp 9, `node:http` and undici),
 * checked by running the same bytes through `http.request` (the cases are in
 * test/socket-client.test.ts, test/http-differential.test.ts, and llhttp's own response cases in
 * test/llhttp-corpus.test.ts). Rule by rule (RFC 9112 sections unless said; "= llhttp" where
 * llhttp does the same; the numbered notes give the reason for each difference):
 *
 * | Rule (RFC 9112)                                  | We do                                                         | llhttp          |
 * |--------------------------------------------------|---------------------------------------------------------------|-----------------|
 * | Line ends (2.2)                                  | CRLF only: a bare LF or a bare CR anywhere is an error (*1)   | = llhttp, but   |
 * |                                                  |                                                               | see (*9)        |
 * | Empty lines before the status line (2.2)         | skipped (CR and LF in any order)                              | = llhttp        |
 * | Bytes after a complete response, same read       | the response counts; the rest is never parsed; the sink hears | response, then  |
 * | (2.2, 9.3: no pipelining)                        | `unsolicited` before it can send again: the connection closes | a socket error  |
 * | ... in a later read, on a reused connection      | socket-connection.ts: a response that cannot begin "HTTP/"    | parse error     |
 * |                                                  | means the connection is out of step (*2)                      |                 |
 * | Version (2.3)                                    | HTTP/1.1, HTTP/1.0, and HTTP/0.9 and HTTP/2.0 with 1.0 rules; | = llhttp, but   |
 * |                                                  | HTTP/1.2-1.9 are errors (2.3 would process them as 1.1);      | RTSP/x.y and    |
 * |                                                  | a name other than "HTTP" is an error (*10)                    | ICE/x.y too     |
 * | Status line (4)                                  | "HTTP/x.y" SP 3DIGIT [SP reason] CRLF; the reason may hold    | = llhttp        |
 * |                                                  | any byte but CR and LF; no reason and no SP is fine           |                 |
 * | Status code (4; RFC 9110 15)                     | 100-999; 600-999 are final responses; 000-099 errors (*3)     | 000-999         |
 * | Field names (5.1)                                | tokens only: a space, an obs-fold, a CTL or a separator in a  | = llhttp        |
 * |                                                  | name (so "Content-Length :" too) is an error                  |                 |
 * | obs-fold (5.2)                                   | an error, in any field (*4)                                   | = llhttp        |
 * | Field values (RFC 9110 5.5)                      | HTAB, SP, VCHAR, obs-text; NUL, other CTLs and DEL are errors | = llhttp        |
 * | Content-Length (6.3; RFC 9110 8.6)               | OWS, 1*DIGIT (leading zeros fine), trailing SP; a list, a     | = llhttp        |
 * |                                                  | sign, a trailing HTAB, a second Content-Length field (even    |                 |
 * |                                                  | equal) are errors                                             |                 |
 * | Content-Length or chunk size above 2^53-1        | an error (*5)                                                 | up to 2^64-1    |
 * | Transfer-Encoding + Content-Length (6.3 item 3)  | an error, in any order, whatever the status or method, even   | = llhttp, but   |
 * |                                                  | with an empty Transfer-Encoding (*8)                          | see (*8)        |
 * | Transfer-Encoding with an empty value            | says nothing: framing as without it                           | = llhttp        |
 * | Transfer-Encoding, chunked final (6.1, 6.3)      | chunked framing; otherwise the body runs until close          | = llhttp        |
 * | "chunked, chunked" (6.1)                         | chunked framing (the outer coding is chunked)                 | = llhttp        |
 * | "chunked<HTAB>", "chunked,", a field "," after   | an error (*6)                                                 | until close     |
 * | chunked (RFC 9110 5.6.1)                         |                                                               |                 |
 * | Transfer-Encoding on HTTP/1.0 (6.1)              | framed by it; the connection is closed after the response     | framed, reused  |
 * | Chunk size line (7.1)                            | 1*HEXDIG (leading zeros fine) then ";" or CRLF; whitespace is | = llhttp        |
 * |                                                  | an error (7.1.1 allows BWS around ";")                        |                 |
 * | Chunk extensions (7.1.1)                         | ";" token ["=" (token / quoted-string)], repeated; ";;" and    | = llhttp        |
 * |                                                  | "name=" (empty value) accepted, ";" then CRLF refused         |                 |
 * | Chunk data end (7.1)                             | CRLF exactly                                                  | = llhttp        |
 * | Trailer section (7.1.2)                          | parsed as fields (same rules); Content-Length there is an     | = llhttp        |
 * |                                                  | error                                                         |                 |
 * | 1xx (RFC 9110 15.2)                              | skipped, any number, with fields; their framing fields are    | = llhttp        |
 * |                                                  | checked, not used; one that closes the connection (HTTP/1.0   |                 |
 * |                                                  | without keep-alive, "Connection: close") is an error          |                 |
 * | 101 (RFC 9110 15.2.2)                            | an error (*7)                                                 | see (*7)        |
 * | HEAD, 204, 304 (6.3 items 1-2)                   | no body, whatever the framing fields say (still checked)      | = llhttp        |
 * | No Content-Length, no Transfer-Encoding (6.3 i8) | the body runs until the server closes; not kept alive         | = llhttp        |
 * | Keep-alive (9.3)                                 | HTTP/1.1 unless "Connection: close"; other versions only with | = llhttp        |
 * |                                                  | "Connection: keep-alive"                                      |                 |
 * | Head size                                        | 16 KiB for the status line and fields (and for a trailer      | = Node default  |
 * |                                                  | section)                                                      |                 |
 *
 * (*1) RFC 9112 2.2 lets a recipient accept a bare LF; llhttp (so both Node clients) refuses it,
 *      and the socket and undici clients must count the same server the same way.
 * (*2) A late response that does begin with "HTTP/" (a second response written apart from the
 *      first, after the next request went out) cannot be told from the next response: no client
 *      can, without pipelining's ordering or a timer.
 * (*3) 000-099 have no class (RFC 9110 15: the first digit is the class), so it is not known
 *      whether they are interim or final.
 * (*4) RFC 9112 5.2 asks a user agent to replace obs-fold with SP; Node's clients refuse it, and a
 *      load test must not count a success where every Node client fails.
 * (*5) JavaScript counts exactly up to 2^53-1 (8 PiB); RFC 9110 8.6 asks recipients to guard
 *      against overflow.
 * (*6) The RFC reads chunked as the final coding (OWS includes HTAB; empty list elements are
 *      ignored), llhttp reads a close-delimited body: framing two readers disagree on is refused.
 * (*7) A load test cannot follow a protocol switch. With "Connection: upgrade" Node emits
 *      'upgrade' (a request without a listener fails); without it Node counts a final 101 with no
 *      body, although the bytes after it belong to the new protocol.
 * (*8) llhttp refuses an empty Transfer-Encoding field after Content-Length but accepts one
 *      before it; RFC 9112 6.3 speaks of both fields being present, whatever their values.
 * (*9) Node 20's llhttp (9.3.1) and undici's accept a CR followed by a bare CR after the status
 *      line ("HTTP/1.1 200 OK\r\rContent-Length: 4..."); llhttp 9.4's own test case expects
 *      "Expected LF after CR", as RFC 9112 2.2 asks.
 * (*10) llhttp reads RTSP and ICE status lines for its other users; an HTTP load test answered in
 *      another protocol has not been answered (RFC 9112 2.3: HTTP-name is "HTTP", case-sensitive).
 */

import type {ResponseCapture} from './checks.js';
import {HeadCache} from './head-cache.js';

/** A response the parser could not frame: the connection is closed, the attempt is an error. */
export class ResponseParseError extends Error {
	readonly code = 'ERR_INVALID_RESPONSE';
	/**
	 * The bytes cannot be the start of a response at all (they do not begin with "HTTP/"): on a
	 * connection that carried a response before, a sign that it is out of step.
	 */
	readonly notAResponse: boolean;

	constructor(message: string, notAResponse = false) {
		super(message);
		this.name = 'ResponseParseError';
		this.notAResponse = notAResponse;
	}
}

/** Receives each complete response. */
export type ResponseSink = {
	/**
	 * `unsolicited`: more bytes came after the response in the same read. No request asked for
	 * them (one request at a time, no pipelining): they are not parsed, and the connection is out of
	 * step. Told before the sink can send the next request.
	 */
	onResponse(status: number, bodyBytes: number, keepAlive: boolean, unsolicited: boolean): void;
};

/** The most a response head (status line and headers) may take, as in Node's own parser. */
export const maxHeadBytes = 16 * 1024;

// Parser states.
const idle = 0;
const head = 1;
const lengthBody = 2;
const untilClose = 3;
const chunkSize = 4;
const chunkSizeLf = 5;
const chunkData = 6;
const chunkDataCr = 7;
const chunkDataLf = 8;
const trailers = 9;
const extensionName = 10;
const extensionValueStart = 11;
const extensionToken = 12;
const extensionQuoted = 13;
const extensionEscape = 14;
const extensionQuotedEnd = 15;
/** A response is complete; the sink is told at once. */
const complete = 16;

const contentLengthName = Buffer.from('content-length');
const transferEncodingName = Buffer.from('transfer-encoding');
const connectionName = Buffer.from('connection');
const chunkedToken = Buffer.from('chunked');
const closeToken = Buffer.from('close');
const keepAliveToken = Buffer.from('keep-alive');
const httpPrefix = Buffer.from('HTTP/');

/** Sizes beyond this cannot be counted exactly. */
const maxSize = Number.MAX_SAFE_INTEGER;
const maxSizeBeforeHexDigit = Math.floor(maxSize / 16);
const maxSizeBeforeDecimalDigit = Math.floor(maxSize / 10);

/** RFC 9110 5.6.2 tchar: 1 for the bytes a token (a field name, a chunk extension) may hold. */
const tokenBytes = new Uint8Array(256);
for (const byte of Buffer.from('!#$%&\'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')) {
	tokenBytes[byte] = 1;
}

/** RFC 9110 5.5: 1 for the bytes a field value may hold (HTAB, SP, VCHAR, obs-text). */
const valueBytes = new Uint8Array(256).fill(1, 32, 256);
valueBytes[127] = 0;
valueBytes[9] = 1;

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

function isWhitespace(byte: number | undefined): boolean {
	return byte === 32 || byte === 9;
}

/**
 * Whether the comma-separated header value in `buffer[start, end)` holds `token` (lower case),
 * ignoring ASCII case and optional whitespace, without making a string: this runs for the
 * Connection header of every response.
 */
function valueHasToken(buffer: Buffer, start: number, end: number, token: Buffer): boolean {
	let position = start;
	while (position < end) {
		while (position < end && (isWhitespace(buffer[position]) || buffer[position] === 44)) {
			position++;
		}

		let tokenEnd = position;
		while (tokenEnd < end && buffer[tokenEnd] !== 44) {
			tokenEnd++;
		}

		let last = tokenEnd;
		while (last > position && isWhitespace(buffer[last - 1])) {
			last--;
		}

		if (nameIs(buffer, position, last - position, token)) {
			return true;
		}

		position = tokenEnd;
	}

	return false;
}

/** A Content-Length value in `buffer[start, end)`: OWS, digits, then spaces only (as llhttp); -1 when it is not one. */
function decimalValue(buffer: Buffer, start: number, end: number): number {
	let position = start;
	while (position < end && isWhitespace(buffer[position])) position++;
	let value = 0;
	const first = position;
	for (; position < end; position++) {
		const digit = buffer[position]! - 48;
		if (digit < 0 || digit > 9) {
			break;
		}

		if (value > maxSizeBeforeDecimalDigit) {
			return -1;
		}

		value = (value * 10) + digit;
	}

	if (position === first || value > maxSize) {
		return -1;
	}

	while (position < end && buffer[position] === 32) position++;
	return position === end ? value : -1;
}

// What one Transfer-Encoding field value says (bits).
/** Something other than whitespace (llhttp then forgets what an earlier field said). */
const teNotBlank = 1;
/** A non-empty list element (RFC 9110 5.6.1: empty elements and OWS are ignored). */
const teElement = 2;
/** The last non-empty list element is "chunked". */
const teRfcChunked = 4;
/** llhttp's reading: the text after the last comma, less leading OWS, is "chunked" and then spaces only. */
const teLlhttpChunked = 8;

/**
 * Reads a Transfer-Encoding field value in `buffer[start, end)` both as RFC 9110 lists do and as
 * llhttp does, so that framing the two disagree on can be refused.
 */
function transferEncoding(buffer: Buffer, start: number, end: number): number {
	let lastStart = -1;
	let lastEnd = -1;
	let lastComma = -1;
	let notBlank = false;
	let afterComma = start;
	let position = start;
	while (position <= end) {
		if (position === end || buffer[position] === 44) {
			if (position < end) {
				lastComma = position;
				notBlank = true;
			}

			let elementStart = afterComma;
			let elementEnd = position;
			while (elementStart < elementEnd && isWhitespace(buffer[elementStart])) elementStart++;
			while (elementEnd > elementStart && isWhitespace(buffer[elementEnd - 1])) elementEnd--;
			if (elementEnd > elementStart) {
				lastStart = elementStart;
				lastEnd = elementEnd;
			}

			afterComma = position + 1;
		}

		position++;
	}

	if (lastStart < 0) {
		return notBlank ? teNotBlank : 0;
	}

	let flags = teNotBlank | teElement;
	if (nameIs(buffer, lastStart, lastEnd - lastStart, chunkedToken)) {
		flags |= teRfcChunked;
	}

	// llhttp's view: only the text after the last comma counts.
	let tail = lastComma < 0 ? start : lastComma + 1;
	while (tail < end && isWhitespace(buffer[tail])) tail++;
	if (end - tail >= 7 && nameIs(buffer, tail, 7, chunkedToken)) {
		let rest = tail + 7;
		while (rest < end && buffer[rest] === 32) rest++;
		if (rest === end) {
			flags |= teLlhttpChunked;
		}
	}

	return flags;
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
	private received = false;
	private interim = 0;
	private pending: Buffer | undefined;
	/** The cache of the endpoint the request went to (shared by the thread's connections), or this parser's own. */
	private headCache: HeadCache;
	private readonly ownHeadCache = new HeadCache();
	/** Headers and body bytes the response checks need; undefined (the usual case) keeps nothing. */
	private capture: ResponseCapture | undefined;
	// Set by readFields for the section it just read.
	private fieldLength = -1;
	/** A Transfer-Encoding field, even an empty one (RFC 9112 6.3: with Content-Length, an error). */
	private fieldTransferEncoding = false;
	/** A Transfer-Encoding field that is not blank: the body is framed by it. */
	private fieldEncoded = false;
	private fieldRfcChunked = false;
	private fieldLlhttpChunked = false;
	private fieldClose = false;
	private fieldKeepAlive = false;
	private readonly sink: ResponseSink;

	constructor(sink: ResponseSink) {
		this.sink = sink;
		this.headCache = this.ownHeadCache;
	}

	/** A request was written: its response comes next. HEAD responses have no body. `capture`: what its checks keep. */
	expect(expectBody: boolean, headCache?: HeadCache, capture?: ResponseCapture): void {
		this.headCache = headCache ?? this.ownHeadCache;
		this.capture = capture;
		this.state = head;
		this.expectBody = expectBody;
		this.status = 0;
		this.bodyBytes = 0;
		this.keepAlive = true;
		this.received = false;
		this.interim = 0;
		this.pending = undefined;
	}

	/** Whether a response is awaited or in progress. */
	get busy(): boolean {
		return this.state !== idle;
	}

	/**
	 * Body bytes known to be still to come: the rest of a Content-Length body, or of the chunk being
	 * read in a chunked one (0 between chunks, in a body that runs until the close, and otherwise).
	 */
	get knownBodyLeft(): number {
		return this.state === lengthBody || this.state === chunkData ? this.remaining : 0;
	}

	/** Body bytes read so far of a body that runs until the server closes (0 for any other framing). */
	get closeDelimitedRead(): number {
		return this.state === untilClose ? this.bodyBytes : 0;
	}

	/** Whether any byte of the awaited response has arrived. */
	get started(): boolean {
		return this.received;
	}

	/**
	 * Parses `chunk[0, end)`. The chunk may be a buffer the caller reuses for its next read: nothing
	 * of it is kept past this call (a head cut short is copied).
	 */
	execute(chunk: Buffer, end = chunk.length): void {
		if (this.state === idle) {
			throw new ResponseParseError('the server sent data that answers no request');
		}

		this.received = true;
		let offset = 0;
		while (offset < end) {
			switch (this.state) {
				case head:
				case trailers: {
					offset = this.parseSection(chunk, offset, end);
					break;
				}

				case lengthBody: {
					const take = Math.min(this.remaining, end - offset);
					if (this.capture !== undefined) this.capture.keep(chunk, offset, offset + take);
					this.bodyBytes += take;
					this.remaining -= take;
					offset += take;
					if (this.remaining === 0) {
						this.state = complete;
					}

					break;
				}

				case untilClose: {
					if (this.capture !== undefined) this.capture.keep(chunk, offset, end);
					this.bodyBytes += end - offset;
					offset = end;
					break;
				}

				case chunkData: {
					const take = Math.min(this.remaining, end - offset);
					if (this.capture !== undefined) this.capture.keep(chunk, offset, offset + take);
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

			if (this.state === complete) {
				this.state = idle;
				this.pending = undefined;
				this.sink.onResponse(this.status, this.bodyBytes, this.keepAlive, offset < end);
				return;
			}
		}
	}

	/**
	 * The server closed the connection. Completes a response whose body runs until the close;
	 * returns false when a response was awaited or cut short.
	 */
	end(): boolean {
		if (this.state === untilClose) {
			this.state = idle;
			this.sink.onResponse(this.status, this.bodyBytes, false, false);
			return true;
		}

		return this.state === idle;
	}

	/** Forgets any response in progress (the connection was dropped). */
	reset(): void {
		this.state = idle;
		this.pending = undefined;
	}

	/** One byte of chunked framing: sizes, extensions, the CRLF after data. */
	private chunkFraming(byte: number): void {
		switch (this.state) {
			case chunkSize: {
				const value = hexValue(byte);
				if (value >= 0) {
					if (this.remaining > maxSizeBeforeHexDigit) {
						throw new ResponseParseError('chunk size too large');
					}

					this.remaining = (this.remaining * 16) + value;
					this.sizeDigits++;
				} else if (this.sizeDigits > 0 && byte === 13) {
					this.state = chunkSizeLf;
				} else if (this.sizeDigits > 0 && byte === 59) {
					this.state = extensionName;
					this.sizeDigits = 0;
				} else {
					throw new ResponseParseError('invalid chunk size');
				}

				return;
			}

			case chunkSizeLf: {
				if (byte !== 10) {
					throw new ResponseParseError('invalid chunk size line');
				}

				if (this.remaining === 0) {
					this.state = trailers;
				} else {
					this.state = chunkData;
				}

				return;
			}

			case chunkDataCr: {
				if (byte !== 13) {
					throw new ResponseParseError('missing CRLF after chunk data');
				}

				this.state = chunkDataLf;
				return;
			}

			case chunkDataLf: {
				if (byte !== 10) {
					throw new ResponseParseError('missing CRLF after chunk data');
				}

				this.state = chunkSize;
				this.remaining = 0;
				this.sizeDigits = 0;
				return;
			}

			default: {
				this.chunkExtension(byte);
			}
		}
	}

	/** One byte of a chunk extension: `;name[=token|"quoted"]`, repeated. `sizeDigits` counts the name. */
	private chunkExtension(byte: number): void {
		switch (this.state) {
			case extensionName: {
				if (tokenBytes[byte] === 1) {
					this.sizeDigits++;
				} else if (byte === 61 && this.sizeDigits > 0) {
					this.state = extensionValueStart;
				} else if (byte === 59) {
					this.sizeDigits = 0;
				} else if (byte === 13 && this.sizeDigits > 0) {
					this.state = chunkSizeLf;
				} else {
					throw new ResponseParseError('invalid chunk extension');
				}

				return;
			}

			case extensionValueStart:
			case extensionToken: {
				if (tokenBytes[byte] === 1) {
					this.state = extensionToken;
				} else if (byte === 34 && this.state === extensionValueStart) {
					this.state = extensionQuoted;
				} else {
					this.extensionEnd(byte);
				}

				return;
			}

			case extensionQuoted: {
				if (byte === 34) {
					this.state = extensionQuotedEnd;
				} else if (byte === 92) {
					this.state = extensionEscape;
				} else if ((byte < 32 && byte !== 9) || byte === 127) {
					throw new ResponseParseError('invalid chunk extension');
				}

				return;
			}

			case extensionEscape: {
				if ((byte < 32 && byte !== 9) || byte === 127) {
					throw new ResponseParseError('invalid chunk extension');
				}

				this.state = extensionQuoted;
				return;
			}

			case extensionQuotedEnd: {
				this.extensionEnd(byte);
				return;
			}

			default: {
				throw new ResponseParseError(`parser in state ${this.state}`);
			}
		}
	}

	/** After an extension's value: another extension or the end of the size line. */
	private extensionEnd(byte: number): void {
		if (byte === 59) {
			this.state = extensionName;
			this.sizeDigits = 0;
		} else if (byte === 13) {
			this.state = chunkSizeLf;
		} else {
			throw new ResponseParseError('invalid chunk extension');
		}
	}

	/**
	 * Reads a response head (or a trailer section) from `chunk` at `offset`, joining it to bytes
	 * kept from earlier chunks. Returns the offset in `chunk` where what follows starts, or the
	 * chunk's length when the section is not complete yet (the bytes are kept for the next chunk).
	 */
	private parseSection(chunk: Buffer, offset: number, chunkEnd: number): number {
		let buffer = chunk;
		let end = chunkEnd;
		let start = offset;
		let kept = 0;
		if (this.pending === undefined) {
			if (this.state === head) {
				// Tolerate empty lines before a status line (RFC 9112 section 2.2), as llhttp does.
				while (start < end && (chunk[start] === 13 || chunk[start] === 10)) {
					start++;
				}

				if (start === end) {
					return start;
				}

				if (this.interim === 0) {
					const cached = this.headCache.match(chunk, start, end, this.expectBody);
					if (cached >= 0) {
						const cache = this.headCache;
						this.status = cache.status;
						this.keepAlive = cache.keepAlive;
						this.state = cache.state;
						this.remaining = cache.remaining;
						this.sizeDigits = 0;
						if (this.capture !== undefined) this.capture.head(chunk, start, start + cached);
						return start + cached;
					}
				}
			}
		} else {
			kept = this.pending.length;
			buffer = Buffer.concat([this.pending, chunk.subarray(offset, chunkEnd)]);
			end = buffer.length;
			start = 0;
			this.pending = undefined;
		}

		const wasHead = this.state === head;
		const next = wasHead ? this.readHead(buffer, start, end) : this.readTrailers(buffer, start, end);
		if (wasHead && next >= 0 && this.capture !== undefined && this.state !== head) {
			// A final response's head (a 1xx leaves the state at head).
			this.capture.head(buffer, start, next);
		}

		if (wasHead && next >= 0 && this.interim === 0) {
			// A final response's head (not one after a 1xx): the next may well be the same bytes.
			this.headCache.store(buffer, start, next, this.expectBody, this.status, this.keepAlive, this.state, this.remaining);
		}

		if (next < 0) {
			if (end - start > maxHeadBytes) {
				throw new ResponseParseError(`response head larger than ${maxHeadBytes} bytes`);
			}

			// A copy: the chunk may be the caller's read buffer, reused for the next read.
			this.pending = Buffer.from(buffer.subarray(start, end));
			return chunkEnd;
		}

		return kept === 0 ? next : offset + next - kept;
	}

	private readTrailers(buffer: Buffer, start: number, end: number): number {
		const next = this.readFields(buffer, start, end);
		if (next < 0) {
			return -1;
		}

		if (next - start > maxHeadBytes) {
			throw new ResponseParseError(`trailer section larger than ${maxHeadBytes} bytes`);
		}

		if (this.fieldLength >= 0) {
			throw new ResponseParseError('Content-Length in the trailer section of a chunked response');
		}

		this.state = complete;
		return next;
	}

	/** Parses a complete head in `buffer` from `start`; returns where the body starts, or -1 if incomplete. */
	private readHead(buffer: Buffer, start: number, end: number): number {
		const prefix = Math.min(end - start, 5);
		for (let index = 0; index < prefix; index++) {
			if (buffer[start + index] !== httpPrefix[index]) {
				throw new ResponseParseError('not an HTTP response', this.interim === 0);
			}
		}

		if (end - start < 13) {
			if (buffer.subarray(start, end).includes(10)) {
				throw new ResponseParseError('invalid status line');
			}

			return -1;
		}

		// "HTTP/x.y SSS" then SP or CR.
		const major = buffer[start + 5]! - 48;
		const minor = buffer[start + 7]! - 48;
		if (
			buffer[start + 6] !== 46
			|| !((major === 1 && (minor === 1 || minor === 0)) || (major === 0 && minor === 9) || (major === 2 && minor === 0))
		) {
			throw new ResponseParseError('invalid HTTP version');
		}

		const digit0 = buffer[start + 9]! - 48;
		const digit1 = buffer[start + 10]! - 48;
		const digit2 = buffer[start + 11]! - 48;
		const after = buffer[start + 12];
		if (
			buffer[start + 8] !== 32
			|| digit0 < 1 || digit0 > 9 || digit1 < 0 || digit1 > 9 || digit2 < 0 || digit2 > 9
			|| (after !== 32 && after !== 13)
		) {
			throw new ResponseParseError('invalid status code');
		}

		// The reason phrase: any byte but CR and LF (as llhttp).
		let position = start + 12;
		for (;;) {
			if (position >= end) {
				return -1;
			}

			const byte = buffer[position];
			if (byte === 13 || byte === 10) {
				break;
			}

			position++;
		}

		if (buffer[position] === 10) {
			throw new ResponseParseError('the status line ends in a bare LF');
		}

		if (position + 1 >= end) {
			return -1;
		}

		if (buffer[position + 1] !== 10) {
			throw new ResponseParseError('the status line ends in a bare CR');
		}

		position = this.readFields(buffer, position + 2, end);
		if (position < 0) {
			return -1;
		}

		// Checked before anything is acted on, so an oversized head never counts as a response.
		if (position - start > maxHeadBytes) {
			throw new ResponseParseError(`response head larger than ${maxHeadBytes} bytes`);
		}

		if (this.fieldTransferEncoding && this.fieldLength >= 0) {
			throw new ResponseParseError('both Transfer-Encoding and Content-Length');
		}

		const encoded = this.fieldEncoded;
		const chunked = this.fieldRfcChunked;
		if (chunked !== this.fieldLlhttpChunked) {
			throw new ResponseParseError('ambiguous Transfer-Encoding: chunked and then a tab or an empty list element');
		}

		const http11 = major === 1 && minor === 1;
		const keepAlive = http11 ? !this.fieldClose : this.fieldKeepAlive && !this.fieldClose;
		const status = (digit0 * 100) + (digit1 * 10) + digit2;
		if (status < 200) {
			if (status === 101) {
				throw new ResponseParseError('the server switched protocols (101), which a load test cannot follow');
			}

			if (!keepAlive) {
				throw new ResponseParseError(`an interim response (${status}) that closes the connection`);
			}

			// 1xx: an interim response; the final one follows on the same connection.
			this.interim++;
			return position;
		}

		this.status = status;
		// RFC 9112 6.1: Transfer-Encoding in a message older than HTTP/1.1 means faulty framing: close after it.
		this.keepAlive = keepAlive && (!encoded || http11);
		if (!this.expectBody || status === 204 || status === 304) {
			this.state = complete;
		} else if (chunked) {
			this.state = chunkSize;
			this.remaining = 0;
			this.sizeDigits = 0;
		} else if (encoded) {
			// A transfer coding other than chunked last: the body runs until the server closes.
			this.keepAlive = false;
			this.state = untilClose;
		} else if (this.fieldLength > 0) {
			this.remaining = this.fieldLength;
			this.state = lengthBody;
		} else if (this.fieldLength === 0) {
			this.state = complete;
		} else {
			this.keepAlive = false;
			this.state = untilClose;
		}

		return position;
	}

	/**
	 * Reads field lines from `position` up to and including the empty line, checking each and noting
	 * the framing fields in `field*`. Returns the position after the empty line, or -1 if incomplete.
	 */
	private readFields(buffer: Buffer, from: number, end: number): number {
		let position = from;
		this.fieldLength = -1;
		this.fieldTransferEncoding = false;
		this.fieldEncoded = false;
		this.fieldRfcChunked = false;
		this.fieldLlhttpChunked = false;
		this.fieldClose = false;
		this.fieldKeepAlive = false;
		for (;;) {
			if (position >= end) {
				return -1;
			}

			if (buffer[position] === 13) {
				if (position + 1 >= end) {
					return -1;
				}

				if (buffer[position + 1] !== 10) {
					throw new ResponseParseError('invalid end of headers');
				}

				position += 2;
				break;
			}

			const nameStart = position;
			while (position < end && tokenBytes[buffer[position]!] === 1) {
				position++;
			}

			if (position >= end) {
				return -1;
			}

			if (buffer[position] !== 58 || position === nameStart) {
				throw new ResponseParseError('invalid header field name (a space, a fold, a bare LF or a character outside a token)');
			}

			const nameLength = position - nameStart;
			const valueStart = ++position;
			let byte = 0;
			for (;;) {
				if (position >= end) {
					return -1;
				}

				byte = buffer[position]!;
				if (valueBytes[byte] === 0) {
					break;
				}

				position++;
			}

			if (byte !== 13) {
				throw new ResponseParseError('invalid character in a header field value');
			}

			if (position + 1 >= end) {
				return -1;
			}

			if (buffer[position + 1] !== 10) {
				throw new ResponseParseError('a header field line ends in a bare CR');
			}

			const valueEnd = position;
			position += 2;
			if (nameLength === 14 && nameIs(buffer, nameStart, 14, contentLengthName)) {
				const value = decimalValue(buffer, valueStart, valueEnd);
				if (value < 0 || this.fieldLength >= 0) {
					throw new ResponseParseError(`invalid Content-Length: ${JSON.stringify(buffer.toString('latin1', valueStart, valueEnd).trim().slice(0, 40))}${value >= 0 ? ' (a second one)' : ''}`);
				}

				this.fieldLength = value;
			} else if (nameLength === 17 && nameIs(buffer, nameStart, 17, transferEncodingName)) {
				// A later field adds to the list; a blank one says nothing (to llhttp, a "," resets it).
				const flags = transferEncoding(buffer, valueStart, valueEnd);
				this.fieldTransferEncoding = true;
				if ((flags & teNotBlank) !== 0) {
					this.fieldEncoded = true;
					this.fieldLlhttpChunked = (flags & teLlhttpChunked) !== 0;
				}

				if ((flags & teElement) !== 0) {
					this.fieldRfcChunked = (flags & teRfcChunked) !== 0;
				}
			} else if (nameLength === 10 && nameIs(buffer, nameStart, 10, connectionName)) {
				if (valueHasToken(buffer, valueStart, valueEnd, closeToken)) {
					this.fieldClose = true;
				} else if (valueHasToken(buffer, valueStart, valueEnd, keepAliveToken)) {
					this.fieldKeepAlive = true;
				}
			}
		}

		return position;
	}
}
