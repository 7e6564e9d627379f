import http2, {type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders} from 'node:http2';
import net from 'node:net';
import {performance} from 'node:perf_hooks';
import tls from 'node:tls';
import type {EndpointPlan, RequestPolicy} from '../config/types.js';
import type {ConnectionFactory} from './clients.js';
import {Connection, type ConnectionOwner, type PreparedEndpoint} from './connection.js';
import {clockFromAttempt, connectOptions} from './connect-options.js';
import type {SocketTarget} from './http-request.js';
import type {EndpointRecorder} from './recorder.js';

const {NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM} = http2.constants;

/** The stream closed before its response was complete (no error code from the server: a plain close). */
class StreamClosedError extends Error {
	readonly code = 'ERR_CONNECTION_CLOSED';

	constructor(started: boolean) {
		super(started ? 'the server closed the stream in the middle of a response' : 'the server closed the stream before responding');
		this.name = 'StreamClosedError';
	}
}

/** The request was cancelled when the run stopped. */
class CancelledError extends Error {
	readonly code = 'ERR_CANCELLED';
}

type ErrorLike = Error & {code?: unknown; cause?: unknown};

/** The connection a stream belongs to, so that one set of listeners serves every stream. */
const ownerKey = Symbol('http2 connection');
type OwnedStream = ClientHttp2Stream & {[ownerKey]?: Http2Connection};

function onResponse(this: OwnedStream, headers: IncomingHttpHeaders): void {
	this[ownerKey]?.response(this, headers);
}

function onData(this: OwnedStream, chunk: Buffer): void {
	this[ownerKey]?.data(this, chunk);
}

function onEnd(this: OwnedStream): void {
	this[ownerKey]?.end(this);
}

function onError(this: OwnedStream, error: Error): void {
	this[ownerKey]?.error(this, error);
}

function onClose(this: OwnedStream): void {
	this[ownerKey]?.closed(this);
}

/** Fields a request of HTTP/2 never carries (RFC 9113 §8.2.2), and the length we state ourselves. */
const droppedFields = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'content-length']);
const noBodyMethods = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** A plain request's header block, made once per prepared request (PreparedEndpoint.options changes with the token). */
const headerBlocks = new WeakMap<PreparedEndpoint['options'], OutgoingHttpHeaders>();

function plainHeaderBlock(endpoint: PreparedEndpoint): OutgoingHttpHeaders {
	const {options} = endpoint;
	let block = headerBlocks.get(options);
	if (block === undefined) {
		block = requestHeaderBlock(endpoint.plan, endpoint.target.tls, options.path, options.headers, options.body?.length);
		headerBlocks.set(options, block);
	}

	return block;
}

/**
 * A request's header block: the pseudo-header fields, then the fields (flat names and values) as
 * HTTP/2 carries them (lower case, Host as :authority, no connection-specific ones); `bodyBytes`
 * undefined: no body. Also --single-request's (session/single-request-h2.ts).
 */
export function requestHeaderBlock(plan: Pick<EndpointPlan, 'method' | 'url'>, tls: boolean, path: string, headers: readonly string[], bodyBytes: number | undefined): OutgoingHttpHeaders {
	const {method} = plan;
	const block: OutgoingHttpHeaders = {
		':method': method,
		':scheme': tls ? 'https' : 'http',
		':authority': new URL(plan.url).host,
		':path': path === '' ? '/' : path,
	};
	for (let index = 0; index + 1 < headers.length; index += 2) {
		const name = headers[index]!.toLowerCase();
		const value = headers[index + 1]!;
		if (name === 'host') {
			block[':authority'] = value;
		} else if (!droppedFields.has(name) && (name !== 'te' || value.toLowerCase() === 'trailers')) {
			const previous = block[name];
			block[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [String(previous)]), value];
		}
	}

	if (bodyBytes !== undefined || !noBodyMethods.has(method)) {
		block['content-length'] = bodyBytes ?? 0;
	}

	return block;
}

const endStream = {endStream: true};
const openStream = {endStream: false};

/**
 * The sessions of one load loop (or baseline): connection `group` g holds one session per origin,
 * shared by the `streams` slots of that group. A session that failed, closed or got a GOAWAY is
 * forgotten, and the next request opens a fresh one.
 */
class SessionPool {
	private readonly policy: RequestPolicy;
	private readonly groups = new Map<number, {users: number; sessions: Map<string, ClientHttp2Session>}>();
	/** The slots whose stream waits for a session still connecting (one 'connect' listener per session). */
	private readonly waiting = new Map<ClientHttp2Session, Set<Http2Connection>>();

	constructor(policy: RequestPolicy) {
		this.policy = policy;
	}

	join(group: number): void {
		const found = this.groups.get(group);
		if (found === undefined) {
			this.groups.set(group, {users: 1, sessions: new Map()});
		} else {
			found.users++;
		}
	}

	/** A slot left the group; the last one closes its sessions (`destroy`: at once, with what is in flight). */
	leave(group: number, destroy: boolean): void {
		const found = this.groups.get(group);
		if (found === undefined || --found.users > 0) return;
		this.groups.delete(group);
		for (const session of found.sessions.values()) {
			if (destroy) session.destroy();
			else session.close();
		}
	}

	/** The group's session to `target`; a new one records its connect (and TLS handshake) time on `recorder`. */
	session(group: number, target: SocketTarget, recorder: EndpointRecorder): ClientHttp2Session {
		const {sessions} = this.groups.get(group)!;
		let session = sessions.get(target.origin);
		if (session === undefined || session.closed || session.destroyed) {
			session = this.connect(target, recorder);
			const made = session;
			const forget = (): void => {
				this.waiting.delete(made);
				if (sessions.get(target.origin) === made) sessions.delete(target.origin);
			};

			const waiting = new Set<Http2Connection>();
			this.waiting.set(made, waiting);
			made.once('connect', () => {
				this.waiting.delete(made);
				for (const slot of waiting) slot.sessionUp(made);
			});

			// Errors reach the streams on it; the session's own 'error' needs a listener to not throw.
			made.on('error', forget);
			made.on('close', forget);
			made.on('goaway', forget);
			sessions.set(target.origin, made);
		}

		return session;
	}

	/** `slot`'s stream waits for `session` to connect: it is told when it has (`Http2Connection.sessionUp`). */
	waitFor(session: ClientHttp2Session, slot: Http2Connection): void {
		this.waiting.get(session)?.add(slot);
	}

	private connect(target: SocketTarget, recorder: EndpointRecorder): ClientHttp2Session {
		const {network, verifyTls} = this.policy;
		const {path, ...tlsOptions} = connectOptions(network, verifyTls, target.tls);
		const timed = <T extends net.Socket>(socket: T): T => {
			let startedAt = performance.now();
			clockFromAttempt(socket, target.host, at => {
				startedAt = at;
			});
			socket.once('connect', () => {
				const now = performance.now();
				recorder.connected(Math.round((now - startedAt) * 1000));
				startedAt = now;
			});
			if (target.tls) {
				socket.once('secureConnect', () => {
					recorder.tlsHandshake(Math.round((performance.now() - startedAt) * 1000));
				});
			}

			return socket;
		};

		const createConnection = target.tls
			? () => {
				const socket = timed(tls.connect({
					host: target.host,
					port: target.port,
					...(target.servername === undefined ? {} : {servername: target.servername}),
					rejectUnauthorized: verifyTls,
					ALPNProtocols: ['h2'],
					...tlsOptions,
					...(path === undefined ? {} : {path}),
				}));
				socket.setNoDelay(true);
				return socket;
			}
			: () => timed(path === undefined ? net.connect({host: target.host, port: target.port, noDelay: true}) : net.connect({path}));
		return http2.connect(target.origin, {settings: {enablePush: false}, createConnection});
	}
}

/**
 * One stream slot of an HTTP/2 connection (node:http2): the load loop's one-request-per-Connection
 * bookkeeping stays, and the `streams` slots of a group share one session per origin, so
 * connections x streams requests are in flight. A stream the server refused (REFUSED_STREAM, or
 * beyond a GOAWAY's last stream: never processed, RFC 9113 §8.7) goes once more (on a fresh
 * session when the old one is going away), counted as the connection event `refused-stream`.
 */
export class Http2Connection extends Connection {
	private readonly pool: SessionPool;
	private readonly group: number;
	private joined = true;
	private stream: OwnedStream | undefined;
	/** The final response head arrived. */
	private started = false;
	/** The request in flight was already sent once more after a refused stream. */
	private resent = false;

	constructor(owner: ConnectionOwner, pool: SessionPool, group: number) {
		super(owner);
		this.pool = pool;
		this.group = group;
		pool.join(group);
	}

	close(): void {
		if (this.joined) {
			this.joined = false;
			this.pool.leave(this.group, false);
		}
	}

	destroy(): void {
		this.abort(new CancelledError('cancelled when the run stopped'));
		if (this.joined) {
			this.joined = false;
			this.pool.leave(this.group, true);
		}
	}

	abort(error: Error): void {
		const {stream} = this;
		if (!this.inRequest || stream === undefined) return;
		this.stream = undefined;
		stream.close(NGHTTP2_CANCEL);
		this.fail(error);
	}

	/** `session` is up: the stream this slot has waiting on it goes out now (see `SessionPool.waitFor`). */
	sessionUp(session: ClientHttp2Session): void {
		if (this.stream?.session === session) this.writesNow();
	}

	protected transmit(endpoint: PreparedEndpoint): void {
		this.resent = false;
		this.put(endpoint);
	}

	private put(endpoint: PreparedEndpoint): void {
		if (!this.joined) {
			this.joined = true;
			this.pool.join(this.group);
		}

		this.started = false;
		const {rendered} = this;
		// A templated request (data-driven: connection.rendered) is built for this send; a plain one's block is reused.
		const body = rendered === undefined ? endpoint.options.body : (rendered.body() ?? null);
		const headers = rendered === undefined ? plainHeaderBlock(endpoint) : requestHeaderBlock(endpoint.plan, endpoint.target.tls, rendered.path, rendered.headers(), body === null ? undefined : Buffer.byteLength(body));
		let stream: OwnedStream;
		try {
			const session = this.pool.session(this.group, endpoint.target, endpoint.recorder);
			// A session still connecting holds the stream until it is up: the request is timed from
			// then, as on a session already open (see Connection.writesNow); a resent one from its first send.
			if (session.connecting && !this.resent) this.pool.waitFor(session, this);
			stream = session.request(headers, body === null ? endStream : openStream);
		} catch (error) {
			// A session that is closing refuses new streams at once: end the attempt on a later turn.
			setImmediate(() => {
				this.fail(error as Error);
			});
			return;
		}

		stream[ownerKey] = this;
		this.stream = stream;
		stream.on('response', onResponse);
		stream.on('data', onData);
		stream.on('end', onEnd);
		stream.on('error', onError);
		stream.on('close', onClose);
		if (body !== null) stream.end(body);
	}

	response(stream: OwnedStream, headers: IncomingHttpHeaders): void {
		if (stream !== this.stream) return;
		this.started = true;
		this.firstByteAt = performance.now();
		this.status = Number(headers[':status']);
		const {capture} = this;
		if (capture !== undefined && capture.headerNames.length > 0) {
			const fields: string[] = [];
			for (const name of Object.keys(headers)) {
				const value = headers[name];
				if (name.startsWith(':') || value === undefined) continue;
				for (const one of Array.isArray(value) ? value : [value]) fields.push(name, String(one));
			}

			capture.rawHeaders(fields);
		}
	}

	data(stream: OwnedStream, chunk: Buffer): void {
		if (stream !== this.stream) return;
		this.capture?.keep(chunk, 0, chunk.length);
		this.bytes += chunk.length;
	}

	end(stream: OwnedStream): void {
		if (stream !== this.stream) return;
		this.stream = undefined;
		if (this.started) {
			this.complete();
		} else {
			this.fail(new StreamClosedError(false));
		}
	}

	error(stream: OwnedStream, error: ErrorLike): void {
		if (stream !== this.stream) return;
		this.stream = undefined;
		const endpoint = this.endpoint!;
		if (!this.started && !this.resent && stream.rstCode === NGHTTP2_REFUSED_STREAM) {
			this.resent = true;
			this.owner.connectionEvent(this, 'refused-stream');
			setImmediate(() => {
				if (this.inRequest) this.put(endpoint);
			});
			return;
		}

		// A stream cancelled before it had an id (its session failed to connect): the session's error says why.
		this.fail(error.code === 'ERR_HTTP2_STREAM_CANCEL' && error.cause instanceof Error ? error.cause : error);
	}

	closed(stream: OwnedStream): void {
		if (stream !== this.stream) return;
		this.stream = undefined;
		this.fail(new StreamClosedError(this.started));
	}
}

/** The h2 client's factory (engine/clients.ts): slot s belongs to connection group floor(s / streams). */
export const http2Connections: ConnectionFactory = owner => {
	const pool = new SessionPool(owner.policy);
	const streams = owner.policy.http2?.streams ?? 1;
	return slot => new Http2Connection(owner, pool, Math.floor(slot / streams));
};
