import net from 'node:net';
import tls from 'node:tls';
import {Connection, type PreparedEndpoint} from './connection.js';
import type {SocketTarget} from './http-request.js';
import {ResponseParser, type ResponseSink} from './response-parser.js';

/** The server closed the connection before the response was complete. */
export class ConnectionClosedError extends Error {
	readonly code = 'ERR_CONNECTION_CLOSED';

	constructor(started: boolean) {
		super(started ? 'the server closed the connection in the middle of a response' : 'the server closed the connection before responding');
		this.name = 'ConnectionClosedError';
	}
}

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
	readonly socket: net.Socket;
	readonly parser: ResponseParser;
	private readonly connection: SocketConnection;
	private dropped = false;

	constructor(connection: SocketConnection, target: SocketTarget, verifyTls: boolean, session: Buffer | undefined) {
		this.connection = connection;
		this.origin = target.origin;
		this.parser = new ResponseParser(this);
		this.socket = target.tls
			? tls.connect({
				host: target.host,
				port: target.port,
				servername: target.servername,
				rejectUnauthorized: verifyTls,
				ALPNProtocols: ['http/1.1'],
				session,
			})
			: net.connect({host: target.host, port: target.port, noDelay: true});
		if (target.tls) {
			this.socket.setNoDelay(true);
			this.socket.on('session', (ticket: Buffer) => {
				connection.tlsSessions.set(target.origin, ticket);
			});
		}

		this.socket.on('data', this.onData);
		this.socket.on('end', this.onEnd);
		this.socket.on('error', this.onError);
		this.socket.on('close', this.onClose);
	}

	write(request: Buffer, expectBody: boolean): void {
		this.parser.expect(expectBody);
		this.socket.write(request);
	}

	onResponse(status: number, bodyBytes: number, keepAlive: boolean): void {
		if (!keepAlive) {
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

	private readonly onData = (chunk: Buffer): void => {
		try {
			this.parser.execute(chunk);
		} catch (error) {
			this.failWith(error as Error);
		}
	};

	private readonly onEnd = (): void => {
		const started = this.parser.started;
		let complete = true;
		try {
			complete = this.parser.end();
		} catch (error) {
			this.failWith(error as Error);
			return;
		}

		if (!complete) {
			this.failWith(new ConnectionClosedError(started));
		} else {
			this.drop();
		}
	};

	private readonly onError = (error: Error): void => {
		this.failWith(error);
	};

	private readonly onClose = (): void => {
		if (!this.dropped) {
			this.failWith(new ConnectionClosedError(this.parser.started));
		}
	};

	private failWith(error: Error): void {
		if (this.dropped) {
			return;
		}

		if (this.drop()) {
			this.connection.failed(this, error);
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

	protected transmit(endpoint: PreparedEndpoint): void {
		const {target} = endpoint;
		let wire = this.wires.get(target.origin);
		if (wire === undefined) {
			wire = new Wire(this, target, this.owner.policy.verifyTls, this.tlsSessions.get(target.origin));
			this.wires.set(target.origin, wire);
		}

		this.active = wire;
		wire.write(endpoint.wire, endpoint.expectBody);
	}

	/** Called by a wire with a complete response. */
	responded(wire: Wire, status: number, bodyBytes: number): void {
		if (wire !== this.active || !this.inRequest) {
			return;
		}

		this.status = status;
		this.bytes = bodyBytes;
		this.complete();
	}

	/** Called by a wire whose socket failed while a response was awaited. */
	failed(wire: Wire, error: Error): void {
		if (wire === this.active) {
			this.fail(error);
		}
	}

	forget(wire: Wire): void {
		if (this.wires.get(wire.origin) === wire) {
			this.wires.delete(wire.origin);
		}
	}
}
