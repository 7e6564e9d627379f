import {describe, expect, it} from 'vitest';
import type {EndpointPlan} from '../source/config/types.js';
import {buildRequest, socketTarget} from '../source/engine/http-request.js';
import {maxHeadBytes, ResponseParseError, ResponseParser} from '../source/engine/response-parser.js';

type Seen = {status: number; bodyBytes: number; keepAlive: boolean};

/** A parser whose sink records each response and, like a connection, expects the next one when asked. */
function parserFor(expectBody = true, next = 0): {parser: ResponseParser; seen: Seen[]} {
	const seen: Seen[] = [];
	let remaining = next;
	const parser: ResponseParser = new ResponseParser({
		onResponse(status, bodyBytes, keepAlive) {
			seen.push({status, bodyBytes, keepAlive});
			if (remaining > 0) {
				remaining--;
				parser.expect(expectBody);
			}
		},
	});
	parser.expect(expectBody);
	return {parser, seen};
}

/** Feeds `text` in pieces cut at `cuts`. */
function feed(parser: ResponseParser, text: string | Buffer, cuts: number[] = []): void {
	const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1');
	let start = 0;
	for (const cut of [...cuts, bytes.length]) {
		if (cut > start) {
			parser.execute(bytes.subarray(start, cut));
			start = cut;
		}
	}
}

const lengthResponse = 'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nhello world\n';
const chunkedResponse = 'HTTP/1.1 201 Created\r\ntransfer-encoding: gzip, Chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n';

describe('ResponseParser frames responses however the bytes are split', () => {
	for (const [name, response, status, body] of [
		['Content-Length', lengthResponse, 200, 12],
		['chunked with an extension and a trailer', chunkedResponse, 201, 15],
		['interim 100 Continue before the final response', `HTTP/1.1 100 Continue\r\n\r\n${lengthResponse}`, 200, 12],
		['leading empty lines and bare LF line ends', '\r\nHTTP/1.1 404 Not Found\nContent-Length: 3\n\nabc', 404, 3],
	] as const) {
		it(`${name}, cut at every byte and at every pair of bytes`, () => {
			const length = Buffer.byteLength(response, 'latin1');
			for (let first = 0; first <= length; first++) {
				for (let second = first; second <= length; second += 7) {
					const {parser, seen} = parserFor();
					feed(parser, response, [first, second]);
					expect(seen, `cut at ${first}, ${second}`).toEqual([{status, bodyBytes: body, keepAlive: true}]);
					expect(parser.busy).toBe(false);
				}
			}
		});
	}

	it('reads responses back to back on one connection, in one chunk or byte by byte', () => {
		const stream = lengthResponse + chunkedResponse + lengthResponse;
		const whole = parserFor(true, 2);
		feed(whole.parser, stream);
		expect(whole.seen.map(response => response.status)).toEqual([200, 201, 200]);
		const bytes = parserFor(true, 2);
		feed(bytes.parser, stream, Array.from({length: stream.length}, (_, index) => index));
		expect(bytes.seen).toEqual(whole.seen);
	});

	it('counts a large body sent in many chunks', () => {
		const body = Buffer.alloc(1_000_000, 120);
		const {parser, seen} = parserFor();
		feed(parser, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]), [100, 65_536, 131_072, 999_000]);
		expect(seen).toEqual([{status: 200, bodyBytes: 1_000_000, keepAlive: true}]);
	});

	it('gives HEAD, 204 and 304 responses no body even with a Content-Length', () => {
		const head = parserFor(false);
		feed(head.parser, 'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n');
		expect(head.seen).toEqual([{status: 200, bodyBytes: 0, keepAlive: true}]);
		for (const status of [204, 304]) {
			const {parser, seen} = parserFor();
			feed(parser, `HTTP/1.1 ${status} X\r\nContent-Length: 500\r\n\r\n`);
			expect(seen).toEqual([{status, bodyBytes: 0, keepAlive: true}]);
		}
	});

	it('reads a body without length until the server closes, and says the connection ends', () => {
		const {parser, seen} = parserFor();
		feed(parser, 'HTTP/1.1 200 OK\r\n\r\nsome bytes', [22]);
		expect(seen).toEqual([]);
		expect(parser.end()).toBe(true);
		expect(seen).toEqual([{status: 200, bodyBytes: 10, keepAlive: false}]);
	});

	it('follows Connection: close and HTTP/1.0 keep-alive rules', () => {
		const cases: Array<[string, boolean]> = [
			['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', false],
			['HTTP/1.1 200 OK\r\nconnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n', false],
			['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false],
			['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', true],
		];
		for (const [response, keepAlive] of cases) {
			const {parser, seen} = parserFor();
			feed(parser, response);
			expect(seen, response).toEqual([{status: 200, bodyBytes: 0, keepAlive}]);
		}
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
	});

	it('rejects what is not an HTTP/1.x response, each with its own message', () => {
		const bad: Array<[string, RegExp]> = [
			['SSH-2.0-OpenSSH_9.2\r\n', /not an HTTP\/1\.x response/],
			['HTTP/2 200\r\n\r\n', /not an HTTP\/1\.x response/],
			['HTTP/1.1 2x0 OK\r\n\r\n', /invalid status code/],
			['HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n', /invalid Content-Length/],
			['HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n', /invalid Content-Length/],
			['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /invalid chunk size/],
			['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX', /missing CRLF after chunk data/],
			['HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', /switched protocols/],
			[`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(maxHeadBytes)}\r\n\r\n`, /response head larger than/],
		];
		for (const [response, message] of bad) {
			const {parser} = parserFor();
			expect(() => {
				feed(parser, response);
			}, response.slice(0, 40)).toThrow(message);
		}
	});

	it('rejects an oversized head before acting on it: no response is counted', () => {
		const {parser, seen} = parserFor();
		expect(() => {
			feed(parser, `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(maxHeadBytes)}\r\nContent-Length: 0\r\n\r\n`);
		}).toThrow(/response head larger than/);
		expect(seen).toEqual([]);
	});

	it('matches header names and tokens by letter case only: a CR is not a hyphen', () => {
		const {parser, seen} = parserFor();
		feed(parser, 'HTTP/1.0 200 OK\r\nConnection: keep\ralive\r\nContent\rLength: 99\r\nContent-Length: 2\r\n\r\nok');
		expect(seen).toEqual([{status: 200, bodyBytes: 2, keepAlive: false}]);
	});

	it('rejects an oversized head that arrives in small pieces, before it is complete', () => {
		const {parser} = parserFor();
		const head = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(maxHeadBytes * 2)}`;
		expect(() => {
			feed(parser, head, Array.from({length: 40}, (_, index) => index * 1000));
		}).toThrow(ResponseParseError);
	});

	it('rejects bytes that arrive when no request is outstanding', () => {
		const {parser, seen} = parserFor();
		expect(() => {
			feed(parser, `${lengthResponse}HTTP/1.1 200 OK\r\n`);
		}).toThrow(/answers no request/);
		expect(seen).toHaveLength(1);
	});

	it('agrees with the framing of random responses cut at random places', () => {
		let seed = 42;
		const random = (n: number): number => {
			seed = ((seed * 1_103_515_245) + 12_345) % 2_147_483_648;
			return seed % n;
		};

		for (let round = 0; round < 300; round++) {
			const expected: Seen[] = [];
			const parts: Buffer[] = [];
			const count = 1 + random(4);
			for (let index = 0; index < count; index++) {
				const status = [200, 201, 404, 500, 503][random(5)]!;
				const size = random(3) === 0 ? 0 : random(5000);
				const body = Buffer.alloc(size, 97 + random(26));
				if (random(2) === 0) {
					parts.push(Buffer.from(`HTTP/1.1 ${status} S\r\nX-Round: ${round}\r\nContent-Length: ${size}\r\n\r\n`), body);
				} else {
					parts.push(Buffer.from(`HTTP/1.1 ${status} S\r\nTransfer-Encoding: chunked\r\nX-Round: ${round}\r\n\r\n`));
					let left = size;
					while (left > 0) {
						const piece = Math.min(left, 1 + random(1500));
						parts.push(Buffer.from(`${piece.toString(16)}\r\n`), body.subarray(0, piece), Buffer.from('\r\n'));
						left -= piece;
					}

					parts.push(Buffer.from('0\r\n\r\n'));
				}

				expected.push({status, bodyBytes: size, keepAlive: true});
			}

			const stream = Buffer.concat(parts);
			const cuts = Array.from({length: random(20)}, () => random(stream.length)).sort((a, b) => a - b);
			const {parser, seen} = parserFor(true, count - 1);
			feed(parser, stream, cuts);
			expect(seen, `round ${round}`).toEqual(expected);
		}
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
