import {isIP, type Socket} from 'node:net';
import {performance} from 'node:perf_hooks';
import tls from 'node:tls';
import {buildConnector, Client} from 'undici';
import type {ProxyServer} from '../config/proxy.js';
import {authorityOf, openTunnel} from './proxy-tunnel.js';
import {Connection, type PreparedEndpoint} from './connection.js';
import {clockFromAttempt, undiciConnectOptions} from './connect-options.js';

/** A response undici refused for its framing (counted as `protocol`); `cause` is undici's error. */
class InvalidResponseError extends Error {
	readonly code = 'ERR_INVALID_RESPONSE';

	constructor(cause: Error) {
		super(`invalid response: ${cause.message}`, {cause});
		this.name = 'InvalidResponseError';
	}
}

/** Methods whose request may be sent again when a reused connection turns out closed (RFC 9110 §9.2.2). */
const idempotentMethods = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

/** One origin's undici Client and how many responses completed on its current socket. */
type Origin = {
	readonly client: Client;
	responsesOnSocket: number;
};

type ErrorLike = Error & {code?: unknown};

/**
 * A connection through undici: a Client per origin, dispatching with the connection itself as the
 * reused handler (undici's legacy handler interface, which it calls without wrapping).
 *
 * Where undici's view of a response differs from the socket client's (and RFC 9112's), this
 * class evens it out: a 204 or 304 carrying Content-Length is complete (undici checks the length
 * anyway), framing errors count as `protocol`, a reused connection the server closed before
 * answering gets the request once more (`stale-connection`), and bytes after a complete response
 * count as `unsolicited-bytes`. test/http-differential.test.ts holds both clients to node:http.
 */
export class UndiciConnection extends Connection {
	private abortRequest: ((error?: Error) => void) | undefined;
	private readonly origins = new Map<string, Origin>();
	/** The origin of the request in flight. */
	private current: Origin | undefined;
	/** Any byte of the awaited response (a 1xx included) arrived. */
	private responseStarted = false;
	/** This request was already sent again after a stale connection. */
	private staleRetried = false;
	/** The reused connection the request went out on had completed responses before. */
	private reused = false;
	private retryTimer: NodeJS.Immediate | undefined;
	/** The last error undici gave a request of ours (a disconnect with another one hit no request). */
	private lastError: Error | undefined;

	close(): void {
		for (const {client} of this.origins.values()) {
			client.close().catch(() => undefined);
		}

		this.origins.clear();
	}

	destroy(): void {
		for (const {client} of this.origins.values()) {
			client.destroy().catch(() => undefined);
		}
	}

	abort(error: Error): void {
		if (!this.inRequest) {
			return;
		}

		if (this.abortRequest) {
			this.abortRequest(error);
		} else if (this.retryTimer !== undefined) {
			clearImmediate(this.retryTimer);
			this.retryTimer = undefined;
			this.fail(error);
		}
	}

	protected transmit(endpoint: PreparedEndpoint): void {
		this.staleRetried = false;
		this.dispatch(endpoint);
	}

	private dispatch(endpoint: PreparedEndpoint): void {
		const origin = this.originFor(endpoint.plan.origin, endpoint.plan.proxy);
		this.current = origin;
		this.responseStarted = false;
		this.reused = false;
		origin.client.dispatch(this.rendered === undefined ? endpoint.options : this.rendered.undiciOptions(), this);
	}

	/** `proxy`: an http:// origin's Client is the proxy's (absolute-form requests); an https:// one's connects through a tunnel. */
	private originFor(url: string, proxy: ProxyServer | undefined): Origin {
		let origin = this.origins.get(url);
		if (origin === undefined) {
			const {policy} = this.owner;
			const https = url.startsWith('https:');
			const {connect, socketPath} = undiciConnectOptions(policy.network, policy.verifyTls, https);
			const client = new Client(proxy !== undefined && !https ? `http://${authorityOf(proxy.host, proxy.port)}` : url, {
				pipelining: 1,
				keepAliveTimeout: 30_000,
				headersTimeout: policy.timeoutMs,
				bodyTimeout: policy.timeoutMs,
				connect: proxy !== undefined && https
					? this.tunnelConnector(proxy, connect)
					: this.timedConnector(buildConnector({...connect, timeout: Math.min(policy.timeoutMs, 10_000), ...(socketPath === undefined ? {} : {socketPath})})),
			});
			const created: Origin = {client, responsesOnSocket: 0};
			client.on('connect', () => {
				created.responsesOnSocket = 0;
			});
			if (policy.network?.keepalive === false) {
				client.on('connect', () => {
					this.owner.connectionEvent(this, 'connection-opened');
				});
			}

			client.on('disconnect', (_origin, _targets, error: Error) => {
				this.disconnected(error);
			});
			origin = created;
			this.origins.set(url, origin);
		}

		return origin;
	}

	/** The connection is up and undici writes the waiting request: see `Connection.writesNow`. */
	private connectionUp(): void {
		// A request sent once more after a stale connection keeps its first send time.
		if (!this.staleRetried) this.writesNow();
	}

	/**
	 * undici's connector, timed: the TCP connect (DNS included) and the TLS handshake after it go to
	 * the endpoint whose request opened the connection. Once per connection, never per request.
	 */
	private timedConnector(connector: buildConnector.connector): buildConnector.connector {
		return (options, callback) => {
			let connectingAt = performance.now();
			const https = options.protocol === 'https:';
			// undici's connector returns its socket (its type says void).
			const socket = connector(options, (...result) => {
				if (result[0] === null) {
					const micros = Math.round((performance.now() - connectingAt) * 1000);
					if (https) this.endpoint?.recorder.tlsHandshake(micros);
					else this.endpoint?.recorder.connected(micros);
					// undici writes the waiting request as soon as it has the socket.
					this.connectionUp();
				}

				callback(...result);
			}) as unknown as Socket;
			clockFromAttempt(socket, options.hostname, at => {
				connectingAt = at;
			});
			if (https) {
				socket.once('connect', () => {
					const now = performance.now();
					this.endpoint?.recorder.connected(Math.round((now - connectingAt) * 1000));
					connectingAt = now;
				});
			}

			return socket;
		};
	}

	/**
	 * An https:// origin through a proxy: a CONNECT tunnel, then TLS inside it. Connect time runs to
	 * the tunnel being up (TCP to the proxy and its answer), the TLS handshake from there.
	 */
	private tunnelConnector(proxy: ProxyServer, tlsOptions: Record<string, unknown>): buildConnector.connector {
		return (options, callback) => {
			const startedAt = performance.now();
			const port = options.port === '' ? 443 : Number(options.port);
			const raw = openTunnel(proxy, options.hostname, port, error => {
				if (error !== undefined) {
					raw.destroy();
					callback(error, null);
					return;
				}

				const tunnelledAt = performance.now();
				this.endpoint?.recorder.connected(Math.round((tunnelledAt - startedAt) * 1000));
				const servername = options.servername ?? (isIP(options.hostname) === 0 ? options.hostname : undefined);
				// `host`: the name the certificate is checked against (else "localhost" on a given socket).
				const socket = tls.connect({socket: raw, host: options.hostname, ALPNProtocols: ['http/1.1'], ...(servername ? {servername} : {}), ...tlsOptions});
				let settled = false;
				socket.once('secureConnect', () => {
					if (settled) return;
					settled = true;
					this.endpoint?.recorder.tlsHandshake(Math.round((performance.now() - tunnelledAt) * 1000));
					this.connectionUp();
					callback(null, socket);
				});
				socket.once('error', (tlsError: Error) => {
					if (settled) return;
					settled = true;
					callback(tlsError, null);
				});
			});
		};
	}

	/**
	 * undici dropped a socket. Bytes after a complete response make its parser fail with no
	 * request running ('bad response' at the start of a message nobody asked for, or a parse
	 * error): the response counted, the next request goes on a fresh connection.
	 */
	private disconnected(error: ErrorLike): void {
		if (error === this.lastError) {
			return;
		}

		if (error.name === 'HTTPParserError' || (error.code === 'UND_ERR_SOCKET' && error.message === 'bad response')) {
			this.owner.connectionEvent(this, 'unsolicited-bytes');
		}
	}

	// Undici dispatch handler.
	onConnect(abort: (error?: Error) => void): void {
		// The send time was taken just before dispatch; keep abort for the timeout sweep.
		this.abortRequest = abort;
		// Called as the request goes on the socket: responses completed on it make it a reused one.
		this.reused = (this.current?.responsesOnSocket ?? 0) > 0;
	}

	onResponseStarted(): void {
		this.responseStarted = true;
		// The first byte of the response (a 1xx's, if one came first).
		if (this.firstByteAt < 0) this.firstByteAt = performance.now();
	}

	onHeaders(statusCode: number, headers?: Buffer[]): boolean {
		this.responseStarted = true;
		this.status = statusCode;
		// Only a final head's fields (as the socket client): a 1xx is followed by the real one.
		if (this.capture !== undefined && statusCode >= 200) this.capture.rawHeaders(headers);
		return true;
	}

	onData(chunk: Buffer): boolean {
		if (this.capture !== undefined) this.capture.keep(chunk, 0, chunk.length);
		this.bytes += chunk.length;
		return true;
	}

	onComplete(): void {
		this.abortRequest = undefined;
		if (this.current) {
			this.current.responsesOnSocket++;
		}

		this.complete();
	}

	onError(error: Error): void {
		this.lastError = error;
		if (!this.inRequest) {
			return;
		}

		this.abortRequest = undefined;
		if ((error as ErrorLike).code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
			// undici 7.30 rejects the request without taking it off its Client's queue, which then counts
			// it as running, and every later request on that Client waits forever (the altname path that
			// nodejs/undici#5373 reworks): start a fresh Client.
			this.dropOrigin();
		}

		if (this.isStale(error)) {
			this.staleRetried = true;
			this.owner.connectionEvent(this, 'stale-connection');
			// Undici is still unwinding the failed request: send again on a later turn.
			this.retryTimer = setImmediate(() => {
				this.retryTimer = undefined;
				if (this.inRequest && this.endpoint) {
					this.dispatch(this.endpoint);
				}
			});
			return;
		}

		const code = (error as ErrorLike).code;
		if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' && (this.status === 204 || this.status === 304) && this.bytes === 0) {
			// undici checks Content-Length even where the status says there is no body (RFC 9112
			// §6.3 rule 1): the response was complete; undici has closed the connection.
			this.complete();
			return;
		}

		this.fail(isFramingError(error) ? new InvalidResponseError(error) : error);
	}

	private dropOrigin(): void {
		const {current} = this;
		for (const [url, origin] of this.origins) {
			if (origin === current) {
				this.origins.delete(url);
				origin.client.destroy().catch(() => undefined);
			}
		}
	}

	/** The server closed a reused connection before any byte of the response: send once more (RFC 9112 §9.3.1). */
	private isStale(error: ErrorLike): boolean {
		if (this.staleRetried || !this.reused || this.responseStarted || !idempotentMethods.has(this.endpoint?.plan.method ?? '')) {
			return false;
		}

		return error.code === 'ECONNRESET' || error.code === 'EPIPE' || (error.code === 'UND_ERR_SOCKET' && (error.message === 'other side closed' || error.message === 'closed'));
	}
}

/**
 * undici errors that mean the server's bytes were not a valid response: a Content-Length that
 * does not match (undici also reports parse errors this way when the header is there), a head too
 * large, an interim or switching response it refuses ('bad response', 'bad upgrade'), and its
 * internal assertions on what the server sent (a status below 100).
 */
function isFramingError(error: ErrorLike): boolean {
	switch (error.code) {
		case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
		case 'UND_ERR_HEADERS_OVERFLOW':
		case 'ERR_ASSERTION': {
			return true;
		}

		case 'UND_ERR_SOCKET': {
			return error.message === 'bad response' || error.message === 'bad upgrade';
		}

		default: {
			return false;
		}
	}
}
