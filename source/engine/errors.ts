/**
 * Things that happen to a connection that are not the outcome of one attempt, counted in
 * `connectionEvents` (never as errors, never as responses):
 * - `unsolicited-bytes`: the server sent bytes beyond a complete response (a body on HEAD/204/304,
 *   bytes past Content-Length, a second response for one request). The response that completed
 *   counts; the connection is closed and the next request goes on a fresh one.
 * - `stale-connection`: the server closed a reused keep-alive connection before sending any byte
 *   of the response; the (idempotent) request was sent once more on a fresh connection.
 * - `connection-opened`: with keep-alive off only (config/network.ts), each connection made.
 * - `refused-stream`: HTTP/2 only, the server refused a stream before processing it (REFUSED_STREAM:
 *   more streams at once than it allows, or past a GOAWAY's last stream); the request was sent once
 *   more (RFC 9113 §8.7).
 */
export type ConnectionEventKind = 'unsolicited-bytes' | 'stale-connection' | 'connection-opened' | 'refused-stream';

/**
 * Kinds of failed attempts, as counted in `errorKinds`. `fd-limit`: the process ran out of file
 * descriptors (EMFILE) or the system did (ENFILE) opening a connection: see `ulimit -n`.
 */
export type ErrorKind = 'timeout' | 'refused' | 'reset' | 'tls' | 'dns' | 'closed' | 'protocol' | 'fd-limit' | 'proxy' | 'proxy-auth' | 'other';

const tlsCodes = new Set([
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_HAS_EXPIRED',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'ERR_SSL_WRONG_VERSION_NUMBER',
	'EPROTO',
]);

/** Classifies a request error from undici, node:net/tls or the socket client into a small set of kinds. */
export function classifyError(error: unknown): ErrorKind {
	const code = (error as {code?: unknown} | undefined)?.code;
	switch (code) {
		case 'UND_ERR_HEADERS_TIMEOUT':
		case 'UND_ERR_BODY_TIMEOUT':
		case 'UND_ERR_CONNECT_TIMEOUT':
		case 'ETIMEDOUT': {
			return 'timeout';
		}

		case 'ECONNREFUSED': {
			return 'refused';
		}

		case 'ECONNRESET':
		case 'EPIPE':
		case 'ERR_CONNECTION_CLOSED':
		case 'UND_ERR_SOCKET':
		// HTTP/2: the server reset the stream (RST_STREAM with an error code).
		case 'ERR_HTTP2_STREAM_ERROR': {
			return 'reset';
		}

		case 'ENOTFOUND':
		case 'EAI_AGAIN': {
			return 'dns';
		}

		case 'UND_ERR_CLOSED':
		case 'UND_ERR_DESTROYED':
		case 'ERR_CANCELLED':
		// HTTP/2: the session went away (GOAWAY, or closed) with the stream on it.
		case 'ERR_HTTP2_GOAWAY_SESSION':
		case 'ERR_HTTP2_INVALID_SESSION':
		case 'ERR_HTTP2_STREAM_CANCEL': {
			return 'closed';
		}

		case 'ERR_INVALID_RESPONSE':
		// HTTP/2: the session failed (GOAWAY with an error code, or nghttp2 refused what came).
		case 'ERR_HTTP2_SESSION_ERROR':
		case 'ERR_HTTP2_ERROR': {
			return 'protocol';
		}

		case 'EMFILE':
		case 'ENFILE': {
			return 'fd-limit';
		}

		// The HTTP proxy could not be reached, refused or broke the CONNECT tunnel (engine/proxy-tunnel.ts); 407: it wants credentials.
		case 'ERR_PROXY': {
			return (error as {status?: unknown}).status === 407 ? 'proxy-auth' : 'proxy';
		}

		default: {
			// undici's HTTPParserError carries a code only for some parser errors.
			if ((typeof code === 'string' && code.startsWith('HPE_')) || (error as {name?: unknown} | undefined)?.name === 'HTTPParserError') {
				return 'protocol';
			}

			return typeof code === 'string' && (tlsCodes.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) ? 'tls' : 'other';
		}
	}
}
