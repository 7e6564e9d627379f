import {describe, expect, it} from 'vitest';
import type {EndpointPlan} from '../source/config/types.js';
import {buildRequest, socketTarget} from '../source/engine/http-request.js';
import {maxHeadBytes, ResponseParseError, ResponseParser} from '../source/engine/response-parser.js';

type Seen = {status: number; bodyBytes: number; keepAlive: boolean; unsolicited: boolean};

/** A parser whose sink records each response and, like a connection, expects the next one when asked. */
function parserFor(expectBody = true, next = 0): {parser: ResponseParser; seen: Seen[]} {
	const seen: Seen[] = [];
	let remaining = next;
	const parser: ResponseParser = new ResponseParser({
		onResponse(status, bodyBytes, keepAlive, unsolicited) {
			seen.push({status, bodyBytes, keepAlive, unsolicited});
			if (remaining > 0) {
				remaining--;
				parser.expect(expectBody);
			}
		},
	});
	parser.expect(expectBody);
	return {parser, seen};
}

/**
 * Feeds `text` in pieces cut at `cuts`, as the socket client does: each piece is read into one
 * reused buffer (longer than the piece), which is overwritten after every call, so a parser that
 * kept a view of an earlier read would see garbage.
 */
function feed(parser: ResponseParser, text: string | Buffer, cuts: number[] = []): void {
	const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1');
	const readBuffer = Buffer.alloc(bytes.length + 16, 'X');
	let start = 0;
	for (const cut of [...cuts, bytes.length]) {
		if (cut > start) {
			bytes.copy(readBuffer, 0, start, cut);
			parser.execute(readBuffer, cut - start);
			readBuffer.fill('X');
			start = cut;
		}
	}
}

/** Every way to cut `response` once, and every seventh way to cut it twice, as lists of cut points. */
function cutsOf(response: string): number[][] {
	const length = Buffer.byteLength(response, 'latin1');
	const all: number[][] = [[]];
	for (let first = 0; first <= length; first++) {
		for (let second = first; second <= length; second += 7) {
			all.push([first, second]);
		}
	}

	return all;
}

const lengthResponse = 'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nhello world\n';
const chunkedResponse = 'HTTP/1.1 201 Created\r\ntransfer-encoding: gzip, Chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n';
const ok = 'HTTP/1.1 200 OK\r\n';
const te = 'Transfer-Encoding: chunked\r\n';
const hello = 'Content-Length: 5\r\n\r\nhello';
const chunkedHello = `${te}\r\n5\r\nhello\r\n0\r\n\r\n`;

type Accepted = {
	readonly response: string;
	readonly status?: number;
	readonly bodyBytes?: number;
	readonly keepAlive?: boolean;
	readonly method?: 'HEAD';
	/** The body runs until the server closes. */
	readonly untilClose?: boolean;
};

/** Responses llhttp accepts too (checked with node:http), and how we frame them (the table atop response-parser.ts). */
const accepted: Record<string, Accepted> = {
	'Content-Length': {response: lengthResponse, bodyBytes: 12},
	'chunked with an extension and a trailer': {response: chunkedResponse, status: 201, bodyBytes: 15},
	'interim 100 Continue before the final response': {response: `HTTP/1.1 100 Continue\r\n\r\n${lengthResponse}`, bodyBytes: 12},
	'two interim responses, 102 and 103 with fields and framing fields': {response: `HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nContent-Length: 9\r\n\r\n${ok}${hello}`},
	'leading empty lines (CRLF, LF, CR)': {response: `\r\n\n\r${ok}${hello}`},
	'no reason phrase, with and without the space': {response: `HTTP/1.1 200 \r\n${hello}`},
	'no reason phrase and no space': {response: `HTTP/1.1 204\r\n\r\n`, status: 204, bodyBytes: 0},
	'any byte but CR and LF in the reason phrase (as llhttp)': {response: `HTTP/1.1 200 O\0K\x01\x7F\xE9\t!\r\n${hello}`},
	'statuses 600-999 are final responses (as llhttp)': {response: `HTTP/1.1 999 Whatever\r\n${hello}`, status: 999},
	'status 600': {response: `HTTP/1.1 600 X\r\n${hello}`, status: 600},
	'HTTP/1.0 with keep-alive': {response: `HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n${hello}`},
	'HTTP/1.0 closes by default': {response: `HTTP/1.0 200 OK\r\n${hello}`, keepAlive: false},
	'HTTP/0.9 and HTTP/2.0 status lines (as llhttp: HTTP/1.0 rules)': {response: `HTTP/2.0 200 OK\r\n${hello}`, keepAlive: false},
	'HTTP/0.9 status line': {response: `HTTP/0.9 200 OK\r\nConnection: keep-alive\r\n${hello}`},
	'Connection: close among other tokens': {response: `${ok}connection: Keep-Alive, CLOSE\r\n${hello}`, keepAlive: false},
	'Connection: closed is not close': {response: `${ok}Connection: closed\r\n${hello}`},
	'Content-Length with leading zeros, OWS before and spaces after': {response: `${ok}Content-Length:\t 005  \r\n\r\nhello`},
	'Content-Length: 0': {response: `${ok}Content-Length: 0\r\n\r\n`, bodyBytes: 0},
	'an empty Transfer-Encoding field says nothing': {response: `${ok}Transfer-Encoding: \r\n\r\nsome bytes`, bodyBytes: 10, keepAlive: false, untilClose: true},
	'Transfer-Encoding: "," is a coding other than chunked: until the server closes': {response: `${ok}Transfer-Encoding: ,\r\n\r\nsome bytes`, bodyBytes: 10, keepAlive: false, untilClose: true},
	'an empty Transfer-Encoding field after chunked keeps chunked': {response: `${ok}${te}Transfer-Encoding:\r\n\r\n5\r\nhello\r\n0\r\n\r\n`},
	'Transfer-Encoding over two fields, chunked last': {response: `${ok}Transfer-Encoding: gzip\r\ntransfer-encoding: CHUNKED  \r\n\r\n5\r\nhello\r\n0\r\n\r\n`},
	'Transfer-Encoding: chunked, chunked is chunked (as llhttp)': {response: `${ok}Transfer-Encoding: ,chunked, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`},
	'chunked not last: the body runs until the server closes': {response: `${ok}Transfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, bodyBytes: 15, keepAlive: false, untilClose: true},
	'chunked on HTTP/1.0 is framed by it, and the connection closes after it': {response: `HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n${chunkedHello}`, keepAlive: false},
	'chunk sizes with leading zeros, upper-case hex': {response: `${ok}${te}\r\n0000000000000000005\r\nhello\r\nA\r\n0123456789\r\n00\r\n\r\n`, bodyBytes: 15},
	'chunk extensions: token and quoted values, escapes, ";;" and "name="': {response: `${ok}${te}\r\n5;a=b;c="d;\\"e\t\xE9\\\t";;f;g=\r\nhello\r\n0;last="x"\r\n\r\n`},
	'a CR inside chunk data is data': {response: `${ok}${te}\r\n5\r\nhe\rlo\r\n0\r\n\r\n`},
	'trailer fields, Transfer-Encoding among them': {response: `${ok}${te}\r\n5\r\nhello\r\n0\r\nX-A: 1\r\nTransfer-Encoding: gzip\r\n\r\n`},
	'obs-text, HTAB and an empty value in fields': {response: `${ok}X-A: a\xFFb\tc\r\nX-B:\r\n!#$%&'*+-.^_\`|~09AZaz: ok\r\n${hello}`},
	'HEAD: no body whatever Content-Length says': {response: `${ok}Content-Length: 500\r\n\r\n`, method: 'HEAD', bodyBytes: 0},
	'HEAD: no body with Transfer-Encoding': {response: `${ok}${te}\r\n`, method: 'HEAD', bodyBytes: 0},
	'204 with Content-Length has no body': {response: 'HTTP/1.1 204 No Content\r\nContent-Length: 500\r\n\r\n', status: 204, bodyBytes: 0},
	'304 with Transfer-Encoding has no body': {response: `HTTP/1.1 304 Not Modified\r\n${te}\r\n`, status: 304, bodyBytes: 0},
	'no framing fields: the body runs until the server closes': {response: `${ok}\r\nsome bytes`, bodyBytes: 10, keepAlive: false, untilClose: true},
	'a Transfer-Encoding other than chunked: until the server closes': {response: `${ok}Transfer-Encoding: gzip\r\n\r\nsome bytes`, bodyBytes: 10, keepAlive: false, untilClose: true},
};

/** Responses llhttp refuses too (checked with node:http), except the two marked as our own (see the table atop response-parser.ts). */
const rejected: Record<string, [string, RegExp, 'HEAD'?]> = {
	'not HTTP at all': ['SSH-2.0-OpenSSH_9.2\r\n\r\n', /not an HTTP response/],
	'lower-case http': ['http/1.1 200 OK\r\n\r\n', /not an HTTP response/],
	'a space before the status line': [` ${ok}${hello}`, /not an HTTP response/],
	'a short status line': ['HTTP/1.1\r\n\r\n', /invalid status line/],
	'HTTP/2 with no minor version': ['HTTP/2 200 OK\r\n\r\n', /invalid HTTP version/],
	'HTTP/1.2': [`HTTP/1.2 200 OK\r\n${hello}`, /invalid HTTP version/],
	'HTTP/3.0': [`HTTP/3.0 200 OK\r\n${hello}`, /invalid HTTP version/],
	'HTTP/1.x': [`HTTP/1.x 200 OK\r\n${hello}`, /invalid HTTP version/],
	'two digits of status': [`HTTP/1.1 20 OK\r\n${hello}`, /invalid status code/],
	'four digits of status': [`HTTP/1.1 2000 OK\r\n${hello}`, /invalid status code/],
	'status 099 (ours: no class)': [`HTTP/1.1 099 X\r\n${hello}`, /invalid status code/],
	'status 000 (ours: no class)': [`HTTP/1.1 000 X\r\n${hello}`, /invalid status code/],
	'a letter in the status': ['HTTP/1.1 2x0 OK\r\n\r\n', /invalid status code/],
	'two spaces before the status': [`HTTP/1.1  200 OK\r\n${hello}`, /invalid status code/],
	'no space after the status': [`HTTP/1.1 200OK\r\n${hello}`, /invalid status code/],
	'status line ending in a bare LF': [`HTTP/1.1 200 OK\n${hello}`, /bare LF/],
	'status line ending in a bare CR': [`HTTP/1.1 200 OK\r${hello}`, /bare CR/],
	'status line ending in CR CR LF': [`HTTP/1.1 200 OK\r\r\n${hello}`, /bare CR/],
	'a field line ending in a bare LF': [`${ok}Content-Length: 5\nX: y\r\n\r\nhello`, /invalid character/],
	'the head ending in a bare LF': [`${ok}Content-Length: 5\r\n\nhello`, /invalid header field name/],
	'the head ending in a bare CR': [`${ok}Content-Length: 5\r\n\rhello`, /invalid end of headers/],
	'a bare CR in a field value': [`${ok}X: a\rContent-Length: 5\r\n\r\nhello`, /bare CR/],
	'Content-Length twice, equal': [`${ok}Content-Length: 5\r\n${hello}`, /invalid Content-Length: "5" \(a second one\)/],
	'Content-Length twice, 0': [`${ok}Content-Length: 0\r\nContent-Length: 0\r\n\r\n`, /a second one/],
	'Content-Length twice, different': [`${ok}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`, /a second one/],
	'Content-Length as a list': [`${ok}Content-Length: 5, 5\r\n\r\nhello`, /invalid Content-Length: "5, 5"/],
	'Content-Length with a sign': [`${ok}Content-Length: +5\r\n\r\nhello`, /invalid Content-Length/],
	'Content-Length in hex': [`${ok}Content-Length: 0x5\r\n\r\nhello`, /invalid Content-Length/],
	'Content-Length empty': [`${ok}Content-Length: \r\n\r\nhello`, /invalid Content-Length/],
	'Content-Length with a trailing HTAB (as llhttp)': [`${ok}Content-Length: 5\t\r\n\r\nhello`, /invalid Content-Length/],
	'Content-Length with letters after': [`${ok}Content-Length: 12abc\r\n\r\n`, /invalid Content-Length/],
	'Content-Length above 2^53-1 (ours: cannot count it)': [`${ok}Content-Length: 9007199254740993\r\n\r\nhello`, /invalid Content-Length/],
	'Content-Length of 20 digits': [`${ok}Content-Length: 99999999999999999999\r\n\r\nhello`, /invalid Content-Length/],
	'Content-Length then Transfer-Encoding': [`${ok}Content-Length: 5\r\n${chunkedHello}`, /both Transfer-Encoding and Content-Length/],
	'Transfer-Encoding then Content-Length': [`${ok}${te}Content-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, /both Transfer-Encoding and Content-Length/],
	'Content-Length: 0 and Transfer-Encoding': [`${ok}Content-Length: 0\r\n${chunkedHello}`, /both/],
	'Transfer-Encoding gzip and Content-Length': [`${ok}Transfer-Encoding: gzip\r\n${hello}`, /both/],
	'Transfer-Encoding and Content-Length on a 204': [`HTTP/1.1 204 No\r\n${te}Content-Length: 5\r\n\r\nhello`, /both/],
	'Transfer-Encoding and Content-Length on HEAD': [`${ok}${te}Content-Length: 5\r\n\r\nhello`, /both/, 'HEAD'],
	'Content-Length then an empty Transfer-Encoding field': [`${ok}${hello.replace('\r\n\r\n', '\r\nTransfer-Encoding:\r\n\r\n')}`, /both/],
	'an empty Transfer-Encoding field then Content-Length (ours: llhttp refuses only the other order)': [`${ok}Transfer-Encoding:  \r\n${hello}`, /both/],
	'Transfer-Encoding: "," and Content-Length': [`${ok}Transfer-Encoding: ,\r\n${hello}`, /both/],
	'Transfer-Encoding and Content-Length on HTTP/1.0': [`HTTP/1.0 200 OK\r\n${te}Content-Length: 5\r\n\r\nhello`, /both/],
	'Transfer-Encoding folded over two lines': [`${ok}Transfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, /invalid header field name/],
	'Transfer-Encoding list folded': [`${ok}Transfer-Encoding: gzip,\r\n\tchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, /invalid header field name/],
	'Content-Length folded': [`${ok}Content-Length: 5\r\n 6\r\n\r\nhello`, /invalid header field name/],
	'obs-fold in an unrelated field (as llhttp)': [`${ok}X-Foo: a\r\n b\r\n${hello}`, /invalid header field name/],
	'a space before the colon of Content-Length': [`${ok}Content-Length : 5\r\n\r\nhello`, /invalid header field name/],
	'a tab before the colon of Content-Length': [`${ok}Content-Length\t: 5\r\n\r\nhello`, /invalid header field name/],
	'a space before the colon of Transfer-Encoding': [`${ok}Transfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, /invalid header field name/],
	'a space before the colon of any field': [`${ok}X-Foo : a\r\n${hello}`, /invalid header field name/],
	'a space inside a field name': [`${ok}X Foo: a\r\n${hello}`, /invalid header field name/],
	'a separator in a field name': [`${ok}X(: a\r\n${hello}`, /invalid header field name/],
	'a NUL in a field name': [`${ok}X\0: a\r\n${hello}`, /invalid header field name/],
	'an empty field name': [`${ok}: a\r\n${hello}`, /invalid header field name/],
	'a field line without a colon': [`${ok}garbage\r\n${hello}`, /invalid header field name/],
	'a NUL in a field value': [`${ok}X: a\0b\r\n${hello}`, /invalid character in a header field value/],
	'a control byte in a field value': [`${ok}X: a\x01b\r\n${hello}`, /invalid character/],
	'a DEL in a field value': [`${ok}X: a\x7Fb\r\n${hello}`, /invalid character/],
	'a NUL after Transfer-Encoding: chunked': [`${ok}Transfer-Encoding: chunked\0\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, /invalid character/],
	'Transfer-Encoding: chunked then a HTAB (ours: llhttp reads until close)': [`${ok}Transfer-Encoding: chunked\t\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, /ambiguous Transfer-Encoding/],
	'chunked, then a Transfer-Encoding field "," (ours: llhttp reads until close)': [`${ok}${te}Transfer-Encoding: ,\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, /ambiguous Transfer-Encoding/],
	'Transfer-Encoding: chunked, (ours: llhttp reads until close)': [`${ok}Transfer-Encoding: chunked,\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, /ambiguous Transfer-Encoding/],
	'a chunk size ending in CR CR LF': [`${ok}${te}\r\n5\r\r\nhello\r\n0\r\n\r\n`, /invalid chunk size line/],
	'a chunk size ending in a bare CR': [`${ok}${te}\r\n5\rhello\r\n0\r\n\r\n`, /invalid chunk size line/],
	'a chunk size ending in a bare LF': [`${ok}${te}\r\n5\nhello\r\n0\r\n\r\n`, /invalid chunk size/],
	'a space after a chunk size': [`${ok}${te}\r\n5 \r\nhello\r\n0\r\n\r\n`, /invalid chunk size/],
	'a tab after a chunk size': [`${ok}${te}\r\n5\t\r\nhello\r\n0\r\n\r\n`, /invalid chunk size/],
	'a space before a chunk extension': [`${ok}${te}\r\n5 ;a=b\r\nhello\r\n0\r\n\r\n`, /invalid chunk size/],
	'a space before a chunk size': [`${ok}${te}\r\n 5\r\nhello\r\n0\r\n\r\n`, /invalid chunk size/],
	'a chunk size in 0x hex': [`${ok}${te}\r\n0x5\r\nhello\r\n0\r\n\r\n`, /invalid chunk size/],
	'a signed chunk size': [`${ok}${te}\r\n+5\r\nhello\r\n0\r\n\r\n`, /invalid chunk size/],
	'an empty chunk size': [`${ok}${te}\r\n\r\nhello\r\n0\r\n\r\n`, /invalid chunk size/],
	'a chunk size of 17 hex digits': [`${ok}${te}\r\n10000000000000000\r\nhello\r\n0\r\n\r\n`, /chunk size too large/],
	'a chunk size above 2^53-1 (ours: cannot count it)': [`${ok}${te}\r\nffffffffffffffff\r\nhello\r\n0\r\n\r\n`, /chunk size too large/],
	'a chunk extension with nothing after ";"': [`${ok}${te}\r\n5;\r\nhello\r\n0\r\n\r\n`, /invalid chunk extension/],
	'spaces in a chunk extension': [`${ok}${te}\r\n5;a = b\r\nhello\r\n0\r\n\r\n`, /invalid chunk extension/],
	'a chunk extension value that is not a token': [`${ok}${te}\r\n5;a=@\r\nhello\r\n0\r\n\r\n`, /invalid chunk extension/],
	'obs-text in a chunk extension token': [`${ok}${te}\r\n5;a=\xE9\r\nhello\r\n0\r\n\r\n`, /invalid chunk extension/],
	'a NUL in a quoted chunk extension': [`${ok}${te}\r\n5;a="\0"\r\nhello\r\n0\r\n\r\n`, /invalid chunk extension/],
	'an escaped NUL in a quoted chunk extension': [`${ok}${te}\r\n5;a="\\\0"\r\nhello\r\n0\r\n\r\n`, /invalid chunk extension/],
	'a DEL in a quoted chunk extension': [`${ok}${te}\r\n5;a="\x7F"\r\nhello\r\n0\r\n\r\n`, /invalid chunk extension/],
	'an unterminated quoted chunk extension': [`${ok}${te}\r\n5;a="b\r\nhello\r\n0\r\n\r\n`, /invalid chunk extension/],
	'bytes after a quoted chunk extension': [`${ok}${te}\r\n5;a="b"c\r\nhello\r\n0\r\n\r\n`, /invalid chunk extension/],
	'"==" in a chunk extension': [`${ok}${te}\r\n5;a==b\r\nhello\r\n0\r\n\r\n`, /invalid chunk extension/],
	'a chunk extension ending in CR CR LF': [`${ok}${te}\r\n5;a=b\r\r\nhello\r\n0\r\n\r\n`, /invalid chunk size line/],
	'a chunk extension ending in a bare CR': [`${ok}${te}\r\n5;a\rhello\r\n0\r\n\r\n`, /invalid chunk size line/],
	'a chunk extension ending in a bare LF': [`${ok}${te}\r\n5;a=b\nhello\r\n0\r\n\r\n`, /invalid chunk extension/],
	'chunk data not followed by CRLF': [`${ok}${te}\r\n3\r\nabcX\r\n0\r\n\r\n`, /missing CRLF after chunk data/],
	'chunk data followed by a bare LF': [`${ok}${te}\r\n5\r\nhello\n0\r\n\r\n`, /missing CRLF after chunk data/],
	'chunk data followed by a bare CR': [`${ok}${te}\r\n5\r\nhello\r0\r\n\r\n`, /missing CRLF after chunk data/],
	'a trailer line ending in a bare LF': [`${ok}${te}\r\n5\r\nhello\r\n0\r\nX: 1\n\r\n`, /invalid character/],
	'a trailer section ending in a bare LF': [`${ok}${te}\r\n5\r\nhello\r\n0\r\n\nX`, /invalid header field name/],
	'a trailer section ending in a bare CR': [`${ok}${te}\r\n5\r\nhello\r\n0\r\n\rX`, /invalid end of headers/],
	'a trailer line without a colon': [`${ok}${te}\r\n5\r\nhello\r\n0\r\nXT\r\n\r\n`, /invalid header field name/],
	'a folded trailer line': [`${ok}${te}\r\n5\r\nhello\r\n0\r\nX: 1\r\n 2\r\n\r\n`, /invalid header field name/],
	'a NUL in a trailer value': [`${ok}${te}\r\n5\r\nhello\r\n0\r\nX: \0\r\n\r\n`, /invalid character/],
	'Content-Length in the trailer section': [`${ok}${te}\r\n5\r\nhello\r\n0\r\nContent-Length: 3\r\n\r\n`, /Content-Length in the trailer section/],
	'101 Switching Protocols with Connection: upgrade': ['HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n', /switched protocols/],
	'101 Switching Protocols without Connection: upgrade (ours: Node counts a final 101)': ['HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', /switched protocols/],
	'an interim response on HTTP/1.0 (it closes the connection)': [`HTTP/1.0 100 Continue\r\n\r\n${ok}${hello}`, /interim response \(100\) that closes the connection/],
	'an interim response with Connection: close': [`HTTP/1.1 103 Hints\r\nConnection: close\r\n\r\n${ok}${hello}`, /interim response \(103\)/],
	'an interim response with Transfer-Encoding and Content-Length': [`HTTP/1.1 100 Continue\r\n${te}Content-Length: 5\r\n\r\n${ok}${hello}`, /both/],
	'an interim response with an invalid Content-Length': [`HTTP/1.1 100 Continue\r\nContent-Length: x\r\n\r\n${ok}${hello}`, /invalid Content-Length/],
};

describe('ResponseParser frames what llhttp frames, however the bytes are split', () => {
	for (const [name, {response, status = 200, bodyBytes = 5, keepAlive = true, method, untilClose = false}] of Object.entries(accepted)) {
		it(`${name}: whole and cut at every byte`, () => {
			for (const cuts of cutsOf(response)) {
				const {parser, seen} = parserFor(method !== 'HEAD');
				feed(parser, response, cuts);
				if (untilClose) {
					expect(seen, `cut at ${cuts.join(', ')}`).toEqual([]);
					expect(parser.end()).toBe(true);
				}

				expect(seen, `cut at ${cuts.join(', ')}`).toEqual([{status, bodyBytes, keepAlive, unsolicited: false}]);
				expect(parser.busy).toBe(false);
			}
		});
	}

	it('counts a large body sent in many chunks', () => {
		const body = Buffer.alloc(1_000_000, 120);
		const {parser, seen} = parserFor();
		feed(parser, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]), [100, 65_536, 131_072, 999_000]);
		expect(seen).toEqual([{status: 200, bodyBytes: 1_000_000, keepAlive: true, unsolicited: false}]);
	});

	it('says whether a response was cut short when the server closes', () => {
		const waiting = parserFor();
		expect(waiting.parser.started).toBe(false);
		expect(waiting.parser.end()).toBe(false);
		const cut = parserFor();
		feed(cut.parser, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
		expect(cut.parser.started).toBe(true);
		expect(cut.parser.end()).toBe(false);
		expect(cut.seen).toEqual([]);
		const blank = parserFor();
		feed(blank.parser, '\r\n');
		expect(blank.parser.started).toBe(true);
	});

	it('matches header names by the case of letters only', () => {
		const {parser, seen} = parserFor();
		feed(parser, 'HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 2\r\nContent_Length: 99\r\nContent-Lengthx: 99\r\n\r\nok');
		expect(seen).toEqual([{status: 200, bodyBytes: 2, keepAlive: true, unsolicited: false}]);
	});

	it('agrees with the framing of random responses cut at random places, one request at a time', () => {
		let seed = 42;
		const random = (n: number): number => {
			seed = ((seed * 1_103_515_245) + 12_345) % 2_147_483_648;
			return seed % n;
		};

		for (let round = 0; round < 300; round++) {
			const count = 1 + random(4);
			const {parser, seen} = parserFor(true, count - 1);
			const expected: Seen[] = [];
			for (let index = 0; index < count; index++) {
				const status = [200, 201, 404, 500, 503, 999][random(6)]!;
				const size = random(3) === 0 ? 0 : random(5000);
				const body = Buffer.alloc(size, 97 + random(26));
				const parts: Buffer[] = [];
				if (random(2) === 0) {
					parts.push(Buffer.from(`HTTP/1.1 ${status} S\r\nX-Round: ${round}\r\nContent-Length: ${size}\r\n\r\n`), body);
				} else {
					parts.push(Buffer.from(`HTTP/1.1 ${status} S\r\nTransfer-Encoding: chunked\r\nX-Round: ${round}\r\n\r\n`));
					let left = size;
					while (left > 0) {
						const piece = Math.min(left, 1 + random(1500));
						parts.push(Buffer.from(`${piece.toString(16)}${random(4) === 0 ? ';x="y z"' : ''}\r\n`), body.subarray(0, piece), Buffer.from('\r\n'));
						left -= piece;
					}

					parts.push(Buffer.from('0\r\n\r\n'));
				}

				const response = Buffer.concat(parts);
				const cuts = Array.from({length: random(20)}, () => random(response.length)).sort((a, b) => a - b);
				feed(parser, response, cuts);
				expected.push({status, bodyBytes: size, keepAlive: true, unsolicited: false});
			}

			expect(seen, `round ${round}`).toEqual(expected);
		}
	});
});

describe('ResponseParser refuses what llhttp refuses, whole and cut at every byte, before counting anything', () => {
	for (const [name, [response, message, method]] of Object.entries(rejected)) {
		it(name, () => {
			for (const cuts of cutsOf(response)) {
				const {parser, seen} = parserFor(method !== 'HEAD');
				expect(() => {
					feed(parser, response, cuts);
				}, `cut at ${cuts.join(', ')}`).toThrow(message);
				expect(seen).toEqual([]);
			}
		});
	}

	it('refuses an oversized head before acting on it: no response is counted', () => {
		const {parser, seen} = parserFor();
		expect(() => {
			feed(parser, `${ok}X-Big: ${'a'.repeat(maxHeadBytes)}\r\nContent-Length: 0\r\n\r\n`);
		}).toThrow(/response head larger than/);
		expect(seen).toEqual([]);
	});

	it('refuses an oversized head that arrives in small pieces, before it is complete', () => {
		const {parser} = parserFor();
		const head = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(maxHeadBytes * 2)}`;
		expect(() => {
			feed(parser, head, Array.from({length: 40}, (_, index) => index * 1000));
		}).toThrow(ResponseParseError);
	});

	it('says when the bytes cannot be the start of a response at all, but not after an interim response', () => {
		for (const [response, notAResponse] of [['hello', true], ['H', false], ['HTTP/1.1 200 OK\r\nX', false], ['xHTTP/1.1 200 OK\r\n', true], ['\r\nHTTX', true], ['HTTP/1.1 100 Continue\r\n\r\nhello', false], ['HTTP/1.1 2x0 OK\r\n\r\n', false]] as const) {
			const {parser} = parserFor();
			let thrown: unknown;
			try {
				feed(parser, response);
			} catch (error) {
				thrown = error;
			}

			expect(thrown === undefined ? false : (thrown as ResponseParseError).notAResponse, response).toBe(notAResponse);
		}
	});
});

describe('ResponseParser never parses bytes that come after a complete response', () => {
	const extras: Array<[string, string, 'HEAD' | undefined, Omit<Seen, 'unsolicited'>, string]> = [
		['a body after a HEAD response', `${ok}${hello}`, 'HEAD', {status: 200, bodyBytes: 0, keepAlive: true}, 'hello'],
		['a body after a 204', `HTTP/1.1 204 No Content\r\n${hello}`, undefined, {status: 204, bodyBytes: 0, keepAlive: true}, 'hello'],
		['a body after a 304', `HTTP/1.1 304 Not Modified\r\n${hello}`, undefined, {status: 304, bodyBytes: 0, keepAlive: true}, 'hello'],
		['bytes past Content-Length', `${ok}Content-Length: 3\r\n\r\nhello`, undefined, {status: 200, bodyBytes: 3, keepAlive: true}, 'lo'],
		['a second response for one request', `${ok}${hello}HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n`, undefined, {status: 200, bodyBytes: 5, keepAlive: true}, 'HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n'],
		['garbage after a chunked response', `${ok}${chunkedHello}garbage`, undefined, {status: 200, bodyBytes: 5, keepAlive: true}, 'garbage'],
		['bytes after a response that closes the connection', `${ok}Connection: close\r\n${hello}\r\n`, undefined, {status: 200, bodyBytes: 5, keepAlive: false}, '\r\n'],
	];
	for (const [name, response, method, outcome, extra] of extras) {
		it(`${name}: the response counts, the sink is told before it can send again, the rest is left alone`, () => {
			// Cut anywhere before the response's end (whole: cut at 0), so that the response ends in
			// the middle of a read. (A read that ends where the response ends is the connection's
			// business: test/socket-faults.test.ts.)
			for (let cut = 0; cut < response.length - extra.length; cut++) {
				// The sink arms the parser for a next response, as a connection would.
				const {parser, seen} = parserFor(method !== 'HEAD', 1);
				feed(parser, response, [cut]);
				expect(seen, `cut at ${cut}`).toEqual([{...outcome, unsolicited: true}]);
			}
		});
	}

	it('refuses bytes that arrive when no request is outstanding', () => {
		const {parser, seen} = parserFor();
		feed(parser, lengthResponse);
		expect(() => {
			feed(parser, 'HTTP/1.1 200 OK\r\n');
		}).toThrow(/answers no request/);
		expect(seen).toHaveLength(1);
	});
});

describe('ResponseParser\'s head cache: a head seen before frames exactly as parsing it would', () => {
	const head = (length: number, extra = ''): string => `HTTP/1.1 200 OK\r\nServer: test\r\n${extra}Content-Length: ${length}\r\n\r\n`;
	/** Parses `responses` one after another on one parser (one request each), whole or cut at `cut`. */
	function run(responses: Array<[string, boolean]>, cut?: number): Seen[] {
		const seen: Seen[] = [];
		const parser = new ResponseParser({
			onResponse(status, bodyBytes, keepAlive, unsolicited) {
				seen.push({status, bodyBytes, keepAlive, unsolicited});
			},
		});
		for (const [response, expectBody] of responses) {
			parser.expect(expectBody);
			feed(parser, response, cut === undefined ? [] : [Math.min(cut, response.length)]);
		}

		return seen;
	}

	const sequence: Array<[string, boolean]> = [
		[`${head(2)}ok`, true],
		[`${head(2)}ok`, true],
		// The same head to a HEAD request: no body, although the cached head had one.
		[head(2), false],
		[`${head(2)}ok`, true],
		// Only the length differs, by a digit the cached head ends before.
		[`${head(25)}${'x'.repeat(25)}`, true],
		[`${head(2)}ok`, true],
		// One more header: differs in the middle.
		[`${head(2, 'Connection: close\r\n')}ok`, true],
		// A chunked head, then the same chunked head with other chunks.
		['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', true],
		['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n', true],
		// A 1xx before a head seen before.
		[`HTTP/1.1 100 Continue\r\n\r\n${head(2)}ok`, true],
		[`${head(2)}ok`, true],
	];
	const expected: Seen[] = [
		{status: 200, bodyBytes: 2, keepAlive: true, unsolicited: false},
		{status: 200, bodyBytes: 2, keepAlive: true, unsolicited: false},
		{status: 200, bodyBytes: 0, keepAlive: true, unsolicited: false},
		{status: 200, bodyBytes: 2, keepAlive: true, unsolicited: false},
		{status: 200, bodyBytes: 25, keepAlive: true, unsolicited: false},
		{status: 200, bodyBytes: 2, keepAlive: true, unsolicited: false},
		{status: 200, bodyBytes: 2, keepAlive: false, unsolicited: false},
		{status: 200, bodyBytes: 5, keepAlive: true, unsolicited: false},
		{status: 200, bodyBytes: 5, keepAlive: true, unsolicited: false},
		{status: 200, bodyBytes: 2, keepAlive: true, unsolicited: false},
		{status: 200, bodyBytes: 2, keepAlive: true, unsolicited: false},
	];

	it('frames a sequence of repeated and changed heads as llhttp would, whole and cut at every byte', () => {
		expect(run(sequence)).toEqual(expected);
		for (let cut = 0; cut < 80; cut++) {
			expect(run(sequence, cut), `cut at ${cut}`).toEqual(expected);
		}
	});

	it('a head that is a cached one with bytes past it (a longer Content-Length) is parsed, not matched', () => {
		const seen = run([[`${head(2)}ok`, true], [`${head(2)}ok`, true], [`${head(21)}${'y'.repeat(21)}`, true]]);
		expect(seen.map(response => response.bodyBytes)).toEqual([2, 2, 21]);
		// The cached head but for its last empty line, then one more field that changes the framing.
		const longer = `${head(2).slice(0, -2)}Connection: close\r\n\r\nok`;
		expect(run([[`${head(2)}ok`, true], [`${head(2)}ok`, true], [longer, true]]).at(-1)).toEqual({status: 200, bodyBytes: 2, keepAlive: false, unsolicited: false});
	});

	it('still refuses a malformed head after many good ones, and keeps framing when heads always differ', () => {
		const good = Array.from({length: 300}, (_, index): [string, boolean] => [`${head(2, `X-Id: ${index}\r\n`)}ok`, true]);
		expect(run(good)).toHaveLength(300);
		expect(() => run([...good.slice(0, 5), [`${head(2)}ok`.replace('Server: test', 'Server: te\u0001st'), true]])).toThrow(/invalid character/);
	});
});

function plan(overrides: Partial<EndpointPlan>): EndpointPlan {
	return {name: 'test', method: 'GET', url: 'http://127.0.0.1:8080/a?b=1', origin: 'http://127.0.0.1:8080', path: '/a?b=1', headers: {}, body: undefined, weight: 1, ...overrides};
}

describe('buildRequest writes the request once, as bytes', () => {
	it('a GET: request line, Host with the port, headers, no length', () => {
		expect(buildRequest(plan({headers: {Accept: 'text/plain'}}), {}).toString()).toBe('GET /a?b=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nAccept: text/plain\r\n\r\n');
	});

	it('a POST: the body with its length; a given Content-Length or Transfer-Encoding is replaced', () => {
		const request = buildRequest(plan({method: 'POST', body: 'héllo', headers: {'Content-Type': 'text/plain', 'Content-Length': '99', 'Transfer-Encoding': 'chunked'}}), {});
		expect(request.toString()).toBe('POST /a?b=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nContent-Type: text/plain\r\ncontent-length: 6\r\n\r\nhéllo');
	});

	it('a POST without a body says length 0; extra headers override the plan case-insensitively', () => {
		const request = buildRequest(plan({method: 'POST', headers: {authorization: 'Basic old', Host: 'example.test'}}), {Authorization: 'Bearer new'});
		expect(request.toString()).toBe('POST /a?b=1 HTTP/1.1\r\nHost: example.test\r\nAuthorization: Bearer new\r\ncontent-length: 0\r\n\r\n');
	});

	it('leaves out default ports and brackets IPv6 hosts in Host, but not in the connect address', () => {
		expect(buildRequest(plan({url: 'http://[::1]:80/', path: '/'}), {}).toString()).toContain('host: [::1]\r\n');
		expect(socketTarget(plan({url: 'https://[::1]/x'}))).toEqual({origin: 'https://[::1]', tls: true, host: '::1', port: 443, servername: undefined});
		expect(socketTarget(plan({url: 'https://localhost:8443/x'}))).toEqual({origin: 'https://localhost:8443', tls: true, host: 'localhost', port: 8443, servername: 'localhost'});
	});

	it('refuses a header that would split the request', () => {
		expect(() => buildRequest(plan({}), {Authorization: 'Bearer x\r\nX-Injected: 1'})).toThrow(/line break/);
		expect(() => buildRequest(plan({headers: {'Bad Name': 'x'}}), {})).toThrow(/not a valid HTTP token/);
	});
});
