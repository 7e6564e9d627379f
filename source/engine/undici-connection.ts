import {Client} from 'undici';
import {Connection, type PreparedEndpoint} from './connection.js';

/**
 * A connection through undici: a Client per origin, dispatching with the connection itself as the
 * reused handler (undici's legacy handler interface, which it calls without wrapping).
 */
export class UndiciConnection extends Connection {
	private abortRequest: ((error?: Error) => void) | undefined;
	private readonly clients = new Map<string, Client>();

	close(): void {
		for (const client of this.clients.values()) {
			client.close().catch(() => undefined);
		}

		this.clients.clear();
	}

	destroy(): void {
		for (const client of this.clients.values()) {
			client.destroy().catch(() => undefined);
		}
	}

	abort(error: Error): void {
		if (this.inRequest && this.abortRequest) {
			this.abortRequest(error);
		}
	}

	protected transmit(endpoint: PreparedEndpoint): void {
		this.clientFor(endpoint.plan.origin).dispatch(endpoint.options, this);
	}

	private clientFor(origin: string): Client {
		let client = this.clients.get(origin);
		if (client === undefined) {
			const {policy} = this.owner;
			client = new Client(origin, {
				pipelining: 1,
				keepAliveTimeout: 30_000,
				headersTimeout: policy.timeoutMs,
				bodyTimeout: policy.timeoutMs,
				connectTimeout: Math.min(policy.timeoutMs, 10_000),
				connect: {rejectUnauthorized: policy.verifyTls},
			});
			this.clients.set(origin, client);
		}

		return client;
	}

	// Undici dispatch handler.
	onConnect(abort: (error?: Error) => void): void {
		// The send time was taken just before dispatch; keep abort for the timeout sweep.
		this.abortRequest = abort;
	}

	onHeaders(statusCode: number): boolean {
		this.status = statusCode;
		return true;
	}

	onData(chunk: Buffer): boolean {
		this.bytes += chunk.length;
		return true;
	}

	onComplete(): void {
		this.abortRequest = undefined;
		this.complete();
	}

	onError(error: Error): void {
		if (!this.inRequest) {
			return;
		}

		this.abortRequest = undefined;
		this.fail(error);
	}
}
