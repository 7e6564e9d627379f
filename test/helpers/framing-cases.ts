/**
 * Canned HTTP/1.1 responses for the differential tests (test/http-differential.test.ts): every
 * framing rule of RFC 9112, and the ways servers get them wrong. A case says what the server
 * sends; what a client should make of it comes from the oracle (node:http), never from here.
 */
import type {Method} from './differential.js';
import type {CannedResponse} from './replay-server.js';

export type FramingCase = {
	readonly name: string;
	/** The rule the case exercises. */
	readonly rfc: string;
	readonly method: Method;
	/** Requests sent one after another (on one keep-alive connection while the server keeps it). */
	readonly requests: number;
	/** The server's answer to each request it receives, in order. */
	readonly responses: readonly CannedResponse[];
	/**
	 * The server sends bytes beyond a complete response. Our clients count the response, close the
	 * connection (a `unsolicited-bytes` event) and send the next request on a fresh one, so they
	 * are held to node:http sending each request on a connection of its own.
	 */
	readonly unsolicited?: boolean;
};

/** The answer to the second request: 202, so that a response read for the wrong request shows. */
export const followUp = 'HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok';
/** The follow-up to a HEAD request. */
export const headFollowUp = 'HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n';

type Options = {
	readonly method?: Method;
	readonly then?: CannedResponse['then'];
	readonly requests?: number;
	/** Answers to the later requests (default: the follow-up). */
	readonly more?: ReadonlyArray<string | CannedResponse>;
	readonly unsolicited?: boolean;
	/** Write the first response in pieces ending at these offsets, 30 ms apart. */
	readonly cuts?: readonly number[];
};

function response(bytes: string | CannedResponse): CannedResponse {
	return typeof bytes === 'string' ? {bytes: Buffer.from(bytes, 'latin1')} : bytes;
}

function c(name: string, rfc: string, first: string, options: Options = {}): FramingCase {
	const more = options.more ?? [options.method === 'HEAD' ? headFollowUp : followUp];
	return {
		name,
		rfc,
		method: options.method ?? 'GET',
		requests: options.requests ?? 2,
		responses: [{bytes: Buffer.from(first, 'latin1'), then: options.then ?? 'keep', ...(options.cuts ? {cuts: options.cuts, pauseMs: 30} : {})}, ...more.map(bytes => response(bytes))],
		...(options.unsolicited ? {unsolicited: true} : {}),
	};
}

const ok = (headers: string, bodyBytes = ''): string => `HTTP/1.1 200 OK\r\n${headers}\r\n${bodyBytes}`;
const chunked = (bodyBytes: string, headers = ''): string => ok(`Transfer-Encoding: chunked\r\n${headers}`, bodyBytes);
const nothing: CannedResponse = {bytes: Buffer.alloc(0), then: 'end'};

export const framingCases: readonly FramingCase[] = [
	// Content-Length (RFC 9110 §8.6, RFC 9112 §6.3).
	c('cl: zero', '9112 §6.3 rule 6', ok('Content-Length: 0\r\n')),
	c('cl: n', '9112 §6.3 rule 6', ok('Content-Length: 5\r\n', 'hello')),
	c('cl: leading zeros', '9110 §8.6 (1*DIGIT)', ok('Content-Length: 005\r\n', 'hello')),
	c('cl: duplicate equal', '9110 §8.6 (MAY accept identical values)', ok('Content-Length: 5\r\nContent-Length: 5\r\n', 'hello')),
	c('cl: duplicate different', '9112 §6.3 rule 5', ok('Content-Length: 5\r\nContent-Length: 6\r\n', 'hello!')),
	c('cl: comma list equal', '9110 §8.6 (MAY accept 42, 42)', ok('Content-Length: 5, 5\r\n', 'hello')),
	c('cl: comma list different', '9112 §6.3 rule 5', ok('Content-Length: 5, 6\r\n', 'hello!')),
	c('cl: non-digits', '9112 §6.3 rule 5', ok('Content-Length: 5x\r\n', 'hello')),
	c('cl: hex', '9112 §6.3 rule 5', ok('Content-Length: 0x5\r\n', 'hello')),
	c('cl: plus sign', '9112 §6.3 rule 5', ok('Content-Length: +5\r\n', 'hello')),
	c('cl: negative', '9112 §6.3 rule 5', ok('Content-Length: -1\r\n', 'hello')),
	c('cl: empty value', '9112 §6.3 rule 5', ok('Content-Length: \r\n', 'hello')),
	c('cl: huge', '9112 §6.3 rule 5 (overflow)', ok('Content-Length: 99999999999999999999999\r\n', 'hello')),
	c('cl: space before colon', '9112 §5.1 (MUST reject)', ok('Content-Length : 5\r\n', 'hello')),
	c('cl: trailing tab', '9110 §5.5 (OWS around a value)', ok('Content-Length: 5\t\r\n', 'hello')),
	c('cl: trailing space', '9110 §5.5 (OWS around a value)', ok('Content-Length: 5 \r\n', 'hello')),
	c('cl: body cut short by close', '9112 §8 (incomplete message)', ok('Content-Length: 10\r\n', 'hello'), {then: 'end'}),
	c('cl: bytes past Content-Length', '9112 §6.3 (excess data)', ok('Content-Length: 2\r\n', 'okEXTRA'), {unsolicited: true}),

	// Chunked (RFC 9112 §7.1).
	c('chunked: simple', '9112 §7.1', chunked('5\r\nhello\r\n0\r\n\r\n')),
	c('chunked: several chunks', '9112 §7.1', chunked('2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n')),
	c('chunked: extension', '9112 §7.1.1', chunked('5;name=value\r\nhello\r\n0;last\r\n\r\n')),
	c('chunked: quoted extension', '9112 §7.1.1 (quoted-string)', chunked('5;name="a;b\\"c"\r\nhello\r\n0\r\n\r\n')),
	c('chunked: BWS before extension', '9112 §7.1.1 (BWS)', chunked('5 ;name=value\r\nhello\r\n0\r\n\r\n')),
	c('chunked: trailers', '9112 §7.1.2', chunked('5\r\nhello\r\n0\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n')),
	c('chunked: uppercase hex', '9112 §7.1 (HEXDIG)', chunked('A\r\n0123456789\r\n0\r\n\r\n')),
	c('chunked: lowercase hex', '9112 §7.1 (HEXDIG)', chunked('a\r\n0123456789\r\n0\r\n\r\n')),
	c('chunked: leading zeros in size', '9112 §7.1 (1*HEXDIG)', chunked('0005\r\nhello\r\n0000\r\n\r\n')),
	c('chunked: empty extension', '9112 §7.1.1 (chunk-ext-name is a token)', chunked('5;\r\nhello\r\n0\r\n\r\n')),
	c('chunked: Content-Length in the trailers', '9110 §6.5.1 (MUST NOT frame by a trailer)', chunked('5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n')),
	c('chunked: size overflow', '9112 §7.1 (MUST anticipate overflow)', chunked('FFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n')),
	c('chunked: missing CRLF after data', '9112 §7.1', chunked('5\r\nhello0\r\n\r\n')),
	c('chunked: size swallows the CR', '9112 §7.1', chunked('6\r\nhello\r\n0\r\n\r\n')),
	c('chunked: bare LF line endings', '9112 §2.2 (MAY accept LF) / §7.1', chunked('5\nhello\n0\n\n')),
	c('chunked: empty size line', '9112 §7.1', chunked('\r\nhello\r\n0\r\n\r\n')),
	c('chunked: size not hex', '9112 §7.1', chunked('5g\r\nhello\r\n0\r\n\r\n')),
	c('chunked: pauses inside the framing', '9112 §7.1', chunked('5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n'), {cuts: [20, 40, 46, 52, 56, 58, 63]}),
	c('chunked: cut short in data', '9112 §8 (incomplete message)', chunked('5\r\nhel'), {then: 'end'}),
	c('chunked: no last chunk before close', '9112 §8 (incomplete message)', chunked('5\r\nhello\r\n'), {then: 'end'}),
	c('chunked: uppercase coding name', '9110 §10.1.4 (case-insensitive)', ok('Transfer-Encoding: CHUNKED\r\n', '5\r\nhello\r\n0\r\n\r\n')),

	// Transfer-Encoding together with Content-Length, and odd Transfer-Encoding headers (RFC 9112 §6.1, §6.3).
	c('te+cl: Content-Length first', '9112 §6.3 rule 3 (TE overrides; MAY reject)', ok('Content-Length: 100\r\nTransfer-Encoding: chunked\r\n', '5\r\nhello\r\n0\r\n\r\n')),
	c('te+cl: Transfer-Encoding first', '9112 §6.3 rule 3 (TE overrides; MAY reject)', ok('Transfer-Encoding: chunked\r\nContent-Length: 100\r\n', '5\r\nhello\r\n0\r\n\r\n')),
	c('te: folded over two lines', '9112 §5.2 (obs-fold)', ok('Transfer-Encoding: gzip,\r\n chunked\r\n', '5\r\nhello\r\n0\r\n\r\n')),
	c('te: space before colon', '9112 §5.1 (MUST reject)', ok('Transfer-Encoding : chunked\r\n', '5\r\nhello\r\n0\r\n\r\n')),
	c('te: chunked not last (close-delimited)', '9112 §6.3 rule 4', ok('Transfer-Encoding: chunked, gzip\r\n', 'hello'), {then: 'end'}),
	c('te: gzip only (close-delimited)', '9112 §6.3 rule 4', ok('Transfer-Encoding: gzip\r\n', 'hello'), {then: 'end'}),
	c('te: chunked twice', '9112 §6.1 (MUST NOT apply chunked twice)', ok('Transfer-Encoding: chunked, chunked\r\n', '5\r\nhello\r\n0\r\n\r\n')),
	c('te: chunked then a tab', '9110 §5.5 (OWS) / 9112 §6.3 rule 4', ok('Transfer-Encoding: chunked\t\r\n', '5\r\nhello\r\n0\r\n\r\n'), {then: 'end'}),
	c('te: chunked then a comma', '9110 §5.6.1 (empty list elements)', ok('Transfer-Encoding: chunked,\r\n', '5\r\nhello\r\n0\r\n\r\n'), {then: 'end'}),
	c('te: on HTTP/1.0 with keep-alive', '9112 §6.1 (close after faulty framing)', 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'),
	c('te: on HTTP/1.0', '9112 §6.1 (HTTP/1.0 TE: faulty framing)', 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', {then: 'end'}),
	c('other header: space before colon', '9112 §5.1 (MUST reject)', ok('X-Foo : bar\r\nContent-Length: 2\r\n', 'ok')),

	// Connection management (RFC 9112 §9.3, §9.6) and close-delimited bodies (§6.3 rule 8).
	c('http/1.0: keep-alive', '9112 §9.3 / RFC 2068 §19.7.1', 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok'),
	c('http/1.0: no keep-alive, server keeps the connection', '9112 §9.3 (1.0 closes)', 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'),
	c('http/1.0: close-delimited', '9112 §6.3 rule 8', 'HTTP/1.0 200 OK\r\n\r\nhello', {then: 'end'}),
	c('connection: close, server closes', '9112 §9.6', ok('Connection: close\r\nContent-Length: 2\r\n', 'ok'), {then: 'end'}),
	c('connection: close, server keeps the connection', '9112 §9.6 (client MUST NOT send more)', ok('Connection: close\r\nContent-Length: 2\r\n', 'ok')),
	c('connection: close among other tokens', '9110 §7.6.1 (token list)', ok('Connection: foo, CLOSE\r\nContent-Length: 2\r\n', 'ok')),
	c('close-delimited body', '9112 §6.3 rule 8', ok('', 'hello'), {then: 'end'}),
	c('close-delimited body in pieces', '9112 §6.3 rule 8', ok('', 'hello world'), {then: 'end', cuts: [19, 24]}),
	c('close-delimited empty body', '9112 §6.3 rule 8', ok(''), {then: 'end'}),

	// 1xx (RFC 9110 §15.2).
	c('1xx: unsolicited 100 Continue', '9110 §15.2 (MUST parse unexpected 1xx)', `HTTP/1.1 100 Continue\r\n\r\n${ok('Content-Length: 2\r\n', 'ok')}`),
	c('1xx: 102 Processing', '9110 §15.2', `HTTP/1.1 102 Processing\r\n\r\n${ok('Content-Length: 2\r\n', 'ok')}`),
	c('1xx: 103 with headers', '8297 / 9110 §15.2', `HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nLink: </b.js>; rel=preload\r\n\r\n${ok('Content-Length: 2\r\n', 'ok')}`),
	c('1xx: several', '9110 §15.2 (one or more 1xx)', `HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n${ok('Content-Length: 2\r\n', 'ok')}`),
	c('1xx: 100, a pause, then the response', '9110 §15.2', `HTTP/1.1 100 Continue\r\n\r\n${ok('Content-Length: 2\r\n', 'ok')}`, {cuts: [25]}),
	c('1xx: 103 with Connection: close', '9110 §15.2 / 9112 §9.6', `HTTP/1.1 103 Early Hints\r\nConnection: close\r\n\r\n${ok('Content-Length: 2\r\n', 'ok')}`),
	c('1xx: 101 unrequested', '9110 §15.2.2 (only on Upgrade request)', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),

	// Responses without a body (RFC 9112 §6.3 rules 1-2).
	c('head: Content-Length, no body', '9110 §8.6 / 9112 §6.3 rule 1', ok('Content-Length: 5\r\n'), {method: 'HEAD'}),
	c('head: chunked, no body', '9112 §6.3 rule 1', ok('Transfer-Encoding: chunked\r\n'), {method: 'HEAD'}),
	c('head: body sent anyway', '9112 §6.3 rule 1 (excess data)', ok('Content-Length: 5\r\n', 'hello'), {method: 'HEAD', unsolicited: true}),
	c('head: body sent anyway, keep-alive', '9112 §6.3 rule 1 (excess data)', ok('Connection: keep-alive\r\nContent-Length: 5\r\n', 'hello'), {method: 'HEAD', unsolicited: true}),
	c('204: no headers', '9112 §6.3 rule 1', 'HTTP/1.1 204 No Content\r\n\r\n'),
	c('204: Content-Length', '9110 §8.6 (MUST NOT send) / 9112 §6.3 rule 1', 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n'),
	c('204: body sent anyway', '9112 §6.3 rule 1 (excess data)', 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello', {unsolicited: true}),
	c('304: Content-Length', '9110 §8.6 (MAY send) / 9112 §6.3 rule 1', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n'),
	c('304: chunked', '9112 §6.3 rule 1', 'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n'),
	c('304: body sent anyway', '9112 §6.3 rule 1 (excess data)', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello', {unsolicited: true}),
	c('post: Content-Length', '9112 §6.3 rule 6', ok('Content-Length: 5\r\n', 'hello'), {method: 'POST'}),

	// Bytes beyond a response (RFC 9112 §6.3, §9.3.2).
	c('two responses for one request', '9112 §9.3.2 (no unrequested responses)', `${ok('Content-Length: 2\r\n', 'ok')}${ok('Content-Length: 2\r\n', 'ok')}`, {unsolicited: true}),
	c('garbage after a response', '9112 §6.3 (excess data)', `${ok('Content-Length: 2\r\n', 'ok')}garbage\r\n`, {unsolicited: true}),

	// Status lines (RFC 9112 §4).
	c('status: no reason, no space', '9112 §4 (SP required; tolerated widely)', 'HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok'),
	c('status: empty reason', '9112 §4 (reason-phrase optional)', 'HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok'),
	c('status: no space after version', '9112 §4', 'HTTP/1.1200 OK\r\nContent-Length: 2\r\n\r\nok'),
	c('status: lowercase http', '9112 §2.3 (HTTP-name is case-sensitive)', 'http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
	c('status: HTTP/2.0', '9112 §2.3 (major version)', 'HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok'),
	c('status: HTTP/1.2', '9112 §2.3 (higher minor: treat as 1.1)', 'HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\nok'),
	c('status: two digits', '9112 §4 (3DIGIT)', 'HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok'),
	c('status: four digits', '9112 §4 (3DIGIT)', 'HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok'),
	c('status: 600', '9110 §15 (100-599; 3DIGIT on the wire)', 'HTTP/1.1 600 Beyond\r\nContent-Length: 2\r\n\r\nok'),
	c('status: 999', '9110 §15 (100-599; 3DIGIT on the wire)', 'HTTP/1.1 999 Beyond\r\nContent-Length: 2\r\n\r\nok'),
	c('status: 099', '9110 §15 (100-599)', 'HTTP/1.1 099 Below\r\nContent-Length: 2\r\n\r\nok'),
	c('status: not digits', '9112 §4 (3DIGIT)', 'HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok'),

	// Header sections (RFC 9112 §5, RFC 9110 §5.5).
	c('headers: section too large', '9110 §5.4 (client MAY limit)', ok(`X-Big: ${'a'.repeat(20_000)}\r\nContent-Length: 2\r\n`, 'ok')),
	c('headers: NUL in a value', '9110 §5.5 (MUST reject or replace)', ok('X-Foo: a\0b\r\nContent-Length: 2\r\n', 'ok')),
	c('headers: CTL in a value', '9110 §5.5 (field-vchar)', ok('X-Foo: a\u0001b\r\nContent-Length: 2\r\n', 'ok')),
	c('headers: DEL in a value', '9110 §5.5 (field-vchar)', ok('X-Foo: a\u007Fb\r\nContent-Length: 2\r\n', 'ok')),
	c('headers: obs-text in a value', '9110 §5.5 (obs-text)', ok('X-Foo: caf\u00E9\r\nContent-Length: 2\r\n', 'ok')),
	c('headers: obs-fold in an unrelated header', '9112 §5.2 (MUST reject or replace with SP)', ok('X-Foo: a\r\n b\r\nContent-Length: 2\r\n', 'ok')),
	c('headers: line without colon', '9112 §5', ok('X-Foo bar\r\nContent-Length: 2\r\n', 'ok')),
	c('headers: space inside a name', '9110 §5.1 (token)', ok('X Foo: bar\r\nContent-Length: 2\r\n', 'ok')),
	c('headers: LF line endings', '9112 §2.2 (MAY accept LF)', 'HTTP/1.1 200 OK\nContent-Length: 2\n\nok'),
	c('headers: leading empty lines', '9112 §2.2 (SHOULD ignore one CRLF; about requests)', `\r\n\r\n${ok('Content-Length: 2\r\n', 'ok')}`),

	// The server closing (RFC 9112 §9.3.1, §8).
	c('close before any byte (new connection)', '9112 §8', '', {then: 'end'}),
	c('reset before any byte (new connection)', '9112 §8', '', {then: 'destroy'}),
	c('close in the status line', '9112 §8 (incomplete message)', 'HTTP/1.1 20', {then: 'end'}),
	c('close in the headers', '9112 §8 (incomplete message)', 'HTTP/1.1 200 OK\r\nContent-Len', {then: 'end'}),
	c('stale: GET on a reused connection', '9112 §9.3.1 (retry idempotent)', ok('Content-Length: 2\r\n', 'ok'), {requests: 2, more: [nothing, followUp]}),
	c('stale: HEAD on a reused connection', '9112 §9.3.1 (retry idempotent)', ok('Connection: keep-alive\r\nContent-Length: 2\r\n'), {method: 'HEAD', requests: 2, more: [nothing, headFollowUp]}),
	c('stale: POST on a reused connection', '9112 §9.3.1 (MUST NOT retry non-idempotent)', ok('Content-Length: 2\r\n', 'ok'), {method: 'POST', requests: 2, more: [nothing, followUp]}),
	c('stale: twice', '9112 §9.3.1 (one retry; then an error)', ok('Content-Length: 2\r\n', 'ok'), {requests: 2, more: [nothing, nothing, followUp]}),
];
