import net from 'node:net';
import {performance} from 'node:perf_hooks';
import tls from 'node:tls';
import {Connection, type PreparedEndpoint} from './connection.js';
import type {NetworkOptions} from '../config/network.js';
import {clockFromAttempt, connectOptions} from './connect-options.js';
import {openTunnel} from './proxy-tunnel.js';
import {writeToHandle} from './handle-write.js';
import type {ConnectionEventKind} from './errors.js';
import type {SocketTarget} from './http-request.js';
import {ResponseParseError, ResponseParser, type ResponseSink} from './response-parser.js';

/** The server closed the connection before the response was complete. */
export class ConnectionClosedError extends Error {
	readonly code = 'ERR_CONNECTION_CLOSED';

	constructor(started: boolean) {
		super(started ? 'the server closed the connection in the middle of a response' : 'the server closed the connection before responding');
		this.name = 'ConnectionClosedError';
	}
}

/** Methods a client may send again when the connection failed before any response (RFC 9110 9.2.2). */
const idempotentMethods = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

/** Errors that mean the server closed the connection (a reused one: it had gone stale). */
const closedCodes = new Set(['ECONNRESET', 'EPIPE', 'ERR_CONNECTION_CLOSED']);

/**
 * Read buffers shared by every socket of the thread (`onread`): Node then calls back with the bytes
 * read instead of making a Buffer per read and pushing it through a Readable stream, about 1 µs
 * less CPU per response (test/bench/findings.md, "Where the CPU went, and what changed"). Sharing
 * is safe because the parser is done with a read before the next one lands: callbacks run one at a
 * time and keep nothing.
 *
 * 16 KiB; 64 KiB while a body with more than 1 MiB known to be still to come streams in (its last
 * read filled its buffer; known: the rest of a Content-Length body or of a chunk), or once more
 * than 1 MiB of a body that runs until the close has come, so Node's ~1 µs per read is paid per 64
 * KiB of a long body. With 10 MiB bodies from nginx (10 connections), 16
 * KiB reads fell behind: the receive window closed, nginx's sends then ran on the client's core (on
 * loopback the acknowledgement that opens a window transmits) and the client ran at 1,600-2,280
 * MiB/s against wrk's 2,250-2,500; with 64 KiB reads there, at 2,140-2,420, nginx's CPU per MiB at
 * wrk's. Shorter bodies keep 16 KiB: with 1 MiB bodies, 64 KiB reads ran at 2,090-2,490 MiB/s from
 * one run to the next, 16 KiB ones within 4%. See test/bench/findings.md, "Large bodies come at a
 * steady rate: 16 KiB reads" and "Long bodies: 64 KiB reads while more than 1 MiB is to come".
 */
const readBuffer = Buffer.allocUnsafe(16 * 1024);
const streamingBuffer = Buffer.allocUnsafe(64 * 1024);
/**
 * Body bytes known to be still to come (or, until the close, read so far) above which a full read
 * is followed by a 64 KiB one.
 */
const streamingAbove = 1024 * 1024;
/**
 * Whether the next read on the socket just read goes into `streamingBuffer`: Node asks
 * `nextReadBuffer` right after each read. Only the buffer's size hangs on it, so a value left by
 * another socket (a new socket's first read; a TLS socket inside a proxy tunnel, whose chunks come
 * as 'data' events) sizes one read and changes no byte.
 */
let streamingNext = false;
const nextReadBuffer = (): Buffer => (streamingNext ? streamingBuffer : readBuffer);

/** The request was cancelled when the run stopped. */
class CancelledError extends Error {
	readonly code = 'ERR_CANCELLED';
}

/**
 * One socket to one origin and its response parser. A connection keeps one per origin it has
 * sent to; only the one carrying the request in flight reports to it.
 */
class Wire implements ResponseSink {
	readonly origin: string;
	/** The socket to the target (through a proxy: to the proxy; an https:// one's TLS socket once the tunnel is up). */
	socket: net.Socket;
	readonly parser: ResponseParser;
	/** False while a CONNECT tunnel is being opened: the request waits in `pending`. */
	private ready = true;
	private pending: Buffer | string | undefined;
	private readonly connection: SocketConnection;
	private dropped = false;
	/** It already carried a complete response: the request on it now is not its first. */
	private reused = false;
	/** Keep-alive off: one response, then the socket closes. */
	private readonly once: boolean;
	/** When connecting began, then when the TCP connection was made (performance.now() ms). */
	private connectingAt: number;
	/** A plain socket (no TLS): requests go straight to its handle once it is connected (handle-write.ts). */
	private readonly plain: boolean;

	constructor(connection: SocketConnection, target: SocketTarget, verifyTls: boolean, session: Buffer | undefined, network: NetworkOptions | undefined) {
		this.connection = connection;
		this.origin = target.origin;
		this.parser = new ResponseParser(this);
		this.once = network?.keepalive === false;
		this.plain = !target.tls;
		this.connectingAt = performance.now();
		const onread: net.OnReadOpts = {buffer: nextReadBuffer, callback: this.onRead};
		// TLS files, SNI, the trust and a unix socket (connect-options.ts); none of it when no option is set.
		const extra = connectOptions(network, verifyTls, target.tls);
		const tlsOptions = {
			servername: target.servername,
			rejectUnauthorized: verifyTls,
			ALPNProtocols: ['http/1.1'],
			session,
			// Node's TLSSocket takes `onread` like net.Socket does (its types leave it out).
			onread,
			...extra,
		} as tls.ConnectionOptions;
		const {proxy} = target;
		if (proxy !== undefined && target.tls) {
			// Through a proxy: a CONNECT tunnel first, then TLS inside it (see `tunnelled`).
			this.ready = false;
			this.socket = openTunnel(proxy, target.host, target.port, error => {
				this.tunnelled(error, target, tlsOptions);
			});
		} else {
			this.socket = target.tls
				? tls.connect({host: target.host, port: target.port, ...tlsOptions})
				: (proxy === undefined
					? (extra.path === undefined ? net.connect({host: target.host, port: target.port, noDelay: true, onread}) : net.connect({path: extra.path, onread}))
					// http:// through a proxy: to the proxy, the requests in absolute form (http-request.ts).
					: net.connect({host: proxy.host, port: proxy.port, noDelay: true, onread}));
			this.socket.once('connect', this.onConnect);
			clockFromAttempt(this.socket, proxy?.host ?? target.host, this.restartClock);
			this.listen(target);
		}

		if (this.once) {
			connection.event('connection-opened');
		}
	}

	private listen(target: SocketTarget): void {
		if (target.tls) {
			this.socket.once('secureConnect', this.onSecureConnect);
			this.socket.setNoDelay(true);
			this.socket.on('session', (ticket: Buffer) => {
				this.connection.tlsSessions.set(target.origin, ticket);
			});
		}

		this.socket.on('end', this.onEnd);
		this.socket.on('error', this.onError);
		this.socket.on('close', this.onClose);
	}

	/** The CONNECT tunnel is up (TLS starts inside it, and the waiting request goes out), or failed. */
	private tunnelled(error: Error | undefined, target: SocketTarget, tlsOptions: tls.ConnectionOptions): void {
		if (error !== undefined || this.dropped) {
			if (error !== undefined) this.closed(error);
			return;
		}

		this.onConnect();
		const raw = this.socket;
		// `host`: the name the certificate is checked against (else "localhost" on a given socket).
		this.socket = tls.connect({...tlsOptions, socket: raw, host: target.host});
		// A TLS socket on a given socket leaves `onread` aside: its reads come as 'data' events.
		this.socket.on('data', (chunk: Buffer) => this.onRead(chunk.length, chunk));
		this.listen(target);
		this.ready = true;
		if (this.pending !== undefined) {
			this.socket.write(this.pending);
			this.pending = undefined;
		}
	}

	write(endpoint: PreparedEndpoint): void {
		this.parser.expect(endpoint.expectBody, endpoint.headCache, this.connection.capture);
		const bytes = this.connection.rendered === undefined ? endpoint.wire : this.connection.rendered.wire();
		if (!this.ready) {
			this.pending = bytes;
		} else if (!this.plain || typeof bytes === 'string' || !writeToHandle(this.socket, bytes)) {
			this.socket.write(bytes);
		}
	}

	onResponse(status: number, bodyBytes: number, keepAlive: boolean, unsolicited: boolean): void {
		// Before the response is reported: reporting it sends the next request, which must not go
		// on a connection that is out of step.
		if (unsolicited) {
			this.drop();
			this.connection.event('unsolicited-bytes');
		} else if (keepAlive && !this.once) {
			this.reused = true;
		} else {
			this.drop();
		}

		this.connection.responded(this, status, bodyBytes);
	}

	/** Destroys the socket; the connection forgets it. Returns whether a response was in progress. */
	drop(): boolean {
		const busy = this.parser.busy;
		if (!this.dropped) {
			this.dropped = true;
			this.parser.reset();
			this.connection.forget(this);
			this.socket.destroy();
		}

		return busy;
	}

	private readonly restartClock = (at: number): void => {
		this.connectingAt = at;
	};

	/** Connect and TLS handshake times go to the endpoint whose request opened the connection. */
	private readonly onConnect = (): void => {
		const now = performance.now();
		this.connection.endpoint?.recorder.connected(Math.round((now - this.connectingAt) * 1000));
		this.connectingAt = now;
		// A plain socket writes what waited for it now (a TLS one once its handshake is done).
		if (this.plain && this.ready) this.connection.wireUp(this);
	};

	private readonly onSecureConnect = (): void => {
		this.connection.endpoint?.recorder.tlsHandshake(Math.round((performance.now() - this.connectingAt) * 1000));
		this.connection.wireUp(this);
	};

	private readonly onRead = (length: number, buffer: Uint8Array): boolean => {
		streamingNext = false;
		if (!this.parser.busy) {
			// Between a response and the next request: bytes no request asked for.
			if (!this.dropped) {
				this.drop();
				this.connection.event('unsolicited-bytes');
			}

			return true;
		}

		// One clock read per response, at its first bytes: the time to first byte, and the end of a
		// response that came whole in this read (most do). A later read's end: the owner's clock.
		if (this.parser.started) {
			this.connection.readAt = -1;
		} else {
			this.connection.readAt = this.connection.firstByteAt = performance.now();
		}

		try {
			this.parser.execute(buffer as Buffer, length);
			streamingNext = length === buffer.length && (this.parser.knownBodyLeft > streamingAbove || this.parser.closeDelimitedRead > streamingAbove);
		} catch (error) {
			// On a reused connection, an awaited response that cannot even begin like one means the
			// bytes answer an earlier request (say a body sent after a HEAD response, in a later read).
			const outOfStep = this.reused && error instanceof ResponseParseError && error.notAResponse;
			this.failWith(outOfStep ? new ResponseParseError(`the connection was out of step: bytes that answer no request came before the response (${error.message})`) : error as Error, outOfStep ? 'unsolicited-bytes' : undefined);
		}

		// Keep reading (false would pause the socket).
		return true;
	};

	private readonly onEnd = (): void => {
		this.connection.readAt = -1;
		const started = this.parser.started;
		let complete = true;
		try {
			complete = this.parser.end();
		} catch (error) {
			this.failWith(error as Error, undefined);
			return;
		}

		if (complete) {
			this.drop();
		} else {
			this.closed(new ConnectionClosedError(started));
		}
	};

	private readonly onError = (error: Error): void => {
		this.closed(error);
	};

	private readonly onClose = (): void => {
		if (!this.dropped) {
			this.closed(new ConnectionClosedError(this.parser.started));
		}
	};

	/** The socket ended or failed: on a reused connection before any byte of the response, it had gone stale. */
	private closed(error: Error): void {
		const stale = this.reused && !this.parser.started && closedCodes.has((error as {code?: string}).code ?? '');
		this.failWith(error, stale ? 'stale-connection' : undefined);
	}

	/** `event`: the request may go once more on a fresh connection, counted as this event. */
	private failWith(error: Error, event: ConnectionEventKind | undefined): void {
		if (this.dropped) {
			return;
		}

		if (this.drop()) {
			this.connection.failed(this, error, event);
		}
	}
}

/**
 * A connection on plain sockets (node:net, node:tls): each request is one prebuilt buffer written
 * as is, each response framed by ResponseParser. This is the load loop's default client: it takes
 * about a third less CPU per request than undici's dispatch (see the readme's performance section).
 */
export class SocketConnection extends Connection {
	/** TLS session tickets by origin, so a reconnect resumes instead of a full handshake. */
	readonly tlsSessions = new Map<string, Buffer>();
	private readonly wires = new Map<string, Wire>();
	private active: Wire | undefined;
	/** The wire `put` used last, while it is in `wires` (`forget` clears it). */
	private last: Wire | undefined;
	/** The request in flight was already sent once more on a fresh connection. */
	private resent = false;
	/** The clock at the start of the current read when it held a response's first bytes; -1 otherwise. */
	readAt = -1;

	close(): void {
		for (const wire of [...this.wires.values()]) {
			wire.drop();
		}
	}

	destroy(): void {
		const active = this.inRequest ? this.active : undefined;
		this.close();
		if (active !== undefined) {
			this.fail(new CancelledError('cancelled when the run stopped'));
		}
	}

	abort(error: Error): void {
		if (this.inRequest && this.active !== undefined) {
			this.active.drop();
			this.fail(error);
		}
	}

	/** A wire's connection is up and what waited for it goes out: see `Connection.writesNow`. */
	wireUp(wire: Wire): void {
		// A request sent once more after a stale connection keeps its first send time.
		if (wire === this.active && !this.resent) this.writesNow();
	}

	protected transmit(endpoint: PreparedEndpoint): void {
		this.resent = false;
		this.put(endpoint);
	}

	private put(endpoint: PreparedEndpoint): void {
		const {target} = endpoint;
		// The last wire again (one origin: every request): no map lookup per request (about 1% of a
		// worker's time at 1000 connections, by a CPU profile).
		let wire = this.last;
		if (wire === undefined || wire.origin !== target.origin) {
			wire = this.wires.get(target.origin);
			if (wire === undefined) {
				wire = new Wire(this, target, this.owner.policy.verifyTls, this.tlsSessions.get(target.origin), this.owner.policy.network);
				this.wires.set(target.origin, wire);
			}

			this.last = wire;
		}

		this.active = wire;
		wire.write(endpoint);
	}

	/** Called by a wire with a complete response. */
	responded(wire: Wire, status: number, bodyBytes: number): void {
		if (wire !== this.active || !this.inRequest) {
			return;
		}

		this.status = status;
		this.bytes = bodyBytes;
		this.complete(this.readAt);
	}

	/**
	 * Called by a wire whose socket failed while a response was awaited. With an `event` (the
	 * connection had gone stale, or was out of step), an idempotent request is sent once more on a
	 * fresh connection: the same attempt, still timed from its first write.
	 */
	failed(wire: Wire, error: Error, event: ConnectionEventKind | undefined): void {
		if (wire !== this.active || !this.inRequest) {
			return;
		}

		const endpoint = this.endpoint!;
		const again = event !== undefined && !this.resent && idempotentMethods.has(endpoint.plan.method.toUpperCase());
		if (event === 'unsolicited-bytes' || again) {
			this.owner.connectionEvent(this, event!);
		}

		if (again) {
			this.resent = true;
			this.put(endpoint);
		} else {
			this.fail(error);
		}
	}

	/** Counts something that happened to a wire that is not an attempt's outcome. */
	event(kind: ConnectionEventKind): void {
		this.owner.connectionEvent(this, kind);
	}

	forget(wire: Wire): void {
		if (this.wires.get(wire.origin) === wire) {
			this.wires.delete(wire.origin);
		}

		if (this.last === wire) this.last = undefined;
	}
}
