import {performance} from 'node:perf_hooks';
import {Client} from 'undici';
import type {EndpointPlan, RequestPolicy} from '../config/types.js';
import type {WorkerSnapshot} from '../stats/snapshot.js';
import {EndpointRecorder} from './recorder.js';

/** One endpoint ready to dispatch: a reused options object, so the hot path allocates nothing of ours. */
type PreparedEndpoint = {
	readonly index: number;
	readonly plan: EndpointPlan;
	readonly recorder: EndpointRecorder;
	options: {path: string; method: string; headers: string[]; body: Buffer | null};
};

/** One attempt as the request log sees it. */
export type AttemptRecord = {
	readonly endpoint: EndpointPlan;
	readonly status: number;
	readonly latencyMicros: number;
	readonly bytes: number;
	readonly errorKind: string | undefined;
	readonly retry: number;
};

export type LoopOptions = {
	readonly endpoints: readonly EndpointPlan[];
	readonly policy: RequestPolicy;
	readonly connections: number;
	readonly rate: number | undefined;
	readonly maxLateMs: number;
	/** Open model: grow up to this many connections when all are busy (default: `connections`). */
	readonly maxConnections?: number | undefined;
	readonly issued: Int32Array | undefined;
	readonly maxRequests: number | undefined;
	readonly extraHeaders: Readonly<Record<string, string>>;
	readonly paused: boolean;
};

export type LoopHooks = {
	/** Every attempt the shared request budget allowed has finished in this loop. */
	readonly onExhausted: () => void;
	/** A 401 arrived while extra (token) headers are in use. */
	readonly onUnauthorized: () => void;
	/** Optional per-attempt observer (the request log). */
	readonly onAttempt?: ((record: AttemptRecord) => void) | undefined;
};

/**
 * A worker's request loop: many keep-alive connections, each an undici Client dispatching with a
 * reused handler (the connection itself). One loop for both models: closed (a connection sends
 * again when its response ends) and open (a schedule at a fixed rate hands sends to free
 * connections, measuring corrected latency from the intended send time).
 */
export class LoadLoop {
	readonly endpoints: PreparedEndpoint[];
	readonly policy: RequestPolicy;
	private readonly hooks: LoopHooks;
	private readonly connections: Connection[] = [];
	private readonly cumulativeWeights: number[];
	private readonly totalWeight: number;
	private readonly issued: Int32Array | undefined;
	private readonly maxRequests: number;
	private readonly maxLateMs: number;
	/** Open model: the pool may grow to this many connections to hold the rate. */
	private maxConnections: number;
	private paused: boolean;
	private stopping = false;
	private exhausted = false;
	inFlight = 0;
	private cancelled = 0;
	private cancelling = false;
	private stopResolve: (() => void) | undefined;
	private rate: number | undefined;
	private intervalMs = 0;
	private nextIntended = 0;
	private timer: NodeJS.Timeout | undefined;
	private readonly free: Connection[] = [];
	/** Connections removed by setConnections that still have a request in flight. */
	private readonly retiring = new Set<Connection>();
	private backlog: number[] = [];
	private late = 0;
	private dropped = 0;
	private started = false;

	constructor(options: LoopOptions, hooks: LoopHooks) {
		this.policy = options.policy;
		this.hooks = hooks;
		this.issued = options.issued;
		this.maxRequests = options.maxRequests ?? Number.POSITIVE_INFINITY;
		this.maxLateMs = options.maxLateMs;
		this.maxConnections = options.maxConnections ?? options.connections;
		this.paused = options.paused;
		this.rate = options.rate;
		this.endpoints = options.endpoints.map((plan, index) => ({
			index,
			plan,
			recorder: new EndpointRecorder(),
			options: prepareOptions(plan, options.extraHeaders),
		}));
		let sum = 0;
		this.cumulativeWeights = options.endpoints.map(endpoint => (sum += endpoint.weight));
		this.totalWeight = sum;
		this.hasAuthorization = hasAuthorizationHeader(options.extraHeaders);
		for (let index = 0; index < options.connections; index++) {
			this.connections.push(new Connection(this));
		}
	}

	get connectionCount(): number {
		return this.connections.length;
	}

	start(): void {
		this.started = true;
		const sweepMs = Math.min(250, Math.max(5, Math.floor(this.policy.timeoutMs / 20)));
		this.sweepTimer = setInterval(this.sweepTimeouts, sweepMs);
		if (!this.paused) {
			this.run();
		}
	}

	private run(): void {
		if (this.rate === undefined) {
			for (const connection of this.connections) {
				if (!connection.busy) {
					this.sendNext(connection, -1);
				}
			}

			return;
		}

		this.free.length = 0;
		for (const connection of this.connections) {
			if (!connection.busy) {
				this.free.push(connection);
			}
		}

		if (this.rate <= 0) {
			return;
		}

		this.intervalMs = 1000 / this.rate;
		this.nextIntended = performance.now();
		this.tick();
	}

	private readonly tick = (): void => {
		this.timer = undefined;
		if (this.paused || this.stopping || this.rate === undefined || this.exhausted) {
			return;
		}

		const now = performance.now();
		this.dropExpired(now);
		while (this.nextIntended <= now) {
			const connection = this.free.pop() ?? this.grow();
			if (connection === undefined) {
				this.backlog.push(this.nextIntended);
			} else {
				this.sendNext(connection, this.nextIntended);
			}

			this.nextIntended += this.intervalMs;
		}

		this.timer = setTimeout(this.tick, Math.max(0, this.nextIntended - now));
	};

	/** Open model: a new connection when every connection is busy and the cap allows one more. */
	private grow(): Connection | undefined {
		if (this.connections.length >= this.maxConnections) {
			return undefined;
		}

		const connection = new Connection(this);
		this.connections.push(connection);
		return connection;
	}

	private dropExpired(now: number): void {
		let head = 0;
		while (head < this.backlog.length && now - this.backlog[head]! > this.maxLateMs) {
			head++;
		}

		if (head > 0) {
			this.dropped += head;
			this.backlog = this.backlog.slice(head);
		}
	}

	private pickEndpoint(): PreparedEndpoint {
		if (this.endpoints.length === 1) {
			return this.endpoints[0]!;
		}

		const target = Math.random() * this.totalWeight;
		const weights = this.cumulativeWeights;
		for (let index = 0; index < weights.length; index++) {
			if (target < weights[index]!) {
				return this.endpoints[index]!;
			}
		}

		return this.endpoints.at(-1)!;
	}

	/** Starts the next attempt on a free connection, if the budget allows. */
	private sendNext(connection: Connection, intendedAt: number): void {
		if (!this.claim()) {
			return;
		}

		connection.send(this.pickEndpoint(), 0, intendedAt);
	}

	private claim(): boolean {
		if (this.issued !== undefined && Atomics.add(this.issued, 0, 1) >= this.maxRequests) {
			this.exhausted = true;
			if (this.inFlight === 0) {
				this.hooks.onExhausted();
			}

			return false;
		}

		return true;
	}

	/** Called by a connection when an attempt ended (error undefined for a response). */
	finished(connection: Connection, error: Error | undefined): void {
		this.inFlight--;
		const endpoint = connection.endpoint!;
		const now = performance.now();
		const latencyMicros = Math.round((now - connection.sentAt) * 1000);
		const correctedMicros = connection.intendedAt < 0 ? -1 : Math.round((now - connection.intendedAt) * 1000);
		let retry = false;
		if (error === undefined) {
			const status = connection.status;
			endpoint.recorder.recordResponse(status, latencyMicros, connection.bytes, correctedMicros);
			this.hooks.onAttempt?.({endpoint: endpoint.plan, status, latencyMicros, bytes: connection.bytes, errorKind: undefined, retry: connection.attempt});
			retry = this.policy.retryOnStatuses.length > 0 && this.policy.retryOnStatuses.includes(status);
			if (status === 401 && this.hasAuthorization && !connection.authRetried && !this.stopping && !connection.retired) {
				this.awaitToken(connection, endpoint);
				this.checkIdle();
				return;
			}
		} else if (this.cancelling) {
			this.cancelled++;
		} else {
			const kind = endpoint.recorder.recordError(error, latencyMicros, correctedMicros);
			this.hooks.onAttempt?.({endpoint: endpoint.plan, status: 0, latencyMicros, bytes: connection.bytes, errorKind: kind, retry: connection.attempt});
			retry = true;
		}

		if (connection.retired) {
			this.retiring.delete(connection);
			connection.close();
		} else if (retry && connection.attempt < this.policy.retries && !this.stopping) {
			this.scheduleRetry(connection, endpoint);
		} else if (error === undefined) {
			this.connectionFree(connection);
		} else {
			// Undici is still unwinding the failed request: send the next one on a later turn.
			connection.busy = true;
			this.inFlight++;
			setImmediate(() => {
				this.inFlight--;
				connection.busy = false;
				this.connectionFree(connection);
				this.checkIdle();
			});
		}

		this.checkIdle();
	}

	/** Connections whose request got a 401, waiting for a refreshed token to retry once. */
	private readonly awaitingToken = new Map<Connection, {endpoint: PreparedEndpoint; timer: NodeJS.Timeout}>();

	/** A 401 with a token in use: ask for a refresh, and retry this request once with the new token. */
	private awaitToken(connection: Connection, endpoint: PreparedEndpoint): void {
		connection.busy = true;
		this.inFlight++;
		const timer = setTimeout(() => {
			// No new token came: give the connection back without the retry.
			this.releaseAwaiting(connection, false);
		}, Math.min(this.policy.timeoutMs, 10_000));
		this.awaitingToken.set(connection, {endpoint, timer});
		this.hooks.onUnauthorized();
	}

	private releaseAwaiting(connection: Connection, retry: boolean): void {
		const waiting = this.awaitingToken.get(connection);
		if (!waiting) {
			return;
		}

		clearTimeout(waiting.timer);
		this.awaitingToken.delete(connection);
		this.inFlight--;
		connection.busy = false;
		if (retry && !this.stopping && !this.paused && !connection.retired && this.claim()) {
			connection.authRetried = true;
			connection.send(waiting.endpoint, connection.attempt + 1, -1);
		} else if (connection.retired) {
			this.retiring.delete(connection);
			connection.close();
		} else {
			this.connectionFree(connection);
		}

		this.checkIdle();
	}

	private scheduleRetry(connection: Connection, endpoint: PreparedEndpoint): void {
		const attempt = connection.attempt + 1;
		const exponential = this.policy.backoffMs * 2 ** (attempt - 1);
		const delay = Math.min(exponential, this.policy.backoffMaxMs) + (this.policy.jitterMs > 0 ? Math.random() * this.policy.jitterMs : 0);
		connection.busy = true;
		this.inFlight++;
		setTimeout(() => {
			this.inFlight--;
			connection.busy = false;
			if (this.stopping || this.paused || connection.retired || !this.claim()) {
				if (connection.retired) {
					this.retiring.delete(connection);
					connection.close();
				} else {
					this.connectionFree(connection);
				}
				this.checkIdle();
				return;
			}

			connection.send(endpoint, attempt, -1);
		}, delay);
	}

	private connectionFree(connection: Connection): void {
		if (this.stopping || this.paused || this.exhausted) {
			return;
		}

		if (this.rate === undefined) {
			this.sendNext(connection, -1);
			return;
		}

		const now = performance.now();
		this.dropExpired(now);
		if (this.backlog.length > 0) {
			this.late++;
			const intended = this.backlog.shift()!;
			this.sendNext(connection, intended);
		} else {
			this.free.push(connection);
		}
	}

	private checkIdle(): void {
		if (this.inFlight > 0) {
			return;
		}

		if (this.stopResolve) {
			if (this.graceTimer) {
				clearTimeout(this.graceTimer);
				this.graceTimer = undefined;
			}

			const resolve = this.stopResolve;
			this.stopResolve = undefined;
			resolve();
		} else if (this.exhausted) {
			this.hooks.onExhausted();
		}
	}

	/** Called by a connection right before it dispatches. */
	dispatched(): void {
		this.inFlight++;
	}

	private hasAuthorization = false;

	pause(): void {
		this.paused = true;
		this.clearSchedule();
	}

	resume(): void {
		if (!this.paused) {
			return;
		}

		this.paused = false;
		if (this.started && !this.stopping) {
			this.run();
		}
	}

	/**
	 * Changes this worker's rate (undefined: closed model). A change within the open model keeps
	 * the schedule and its backlog of late sends; only the interval changes.
	 */
	setRate(rate: number | undefined): void {
		const wasScheduling = this.rate !== undefined && this.rate > 0 && this.timer !== undefined;
		this.rate = rate;
		if (!this.started || this.paused || this.stopping) {
			return;
		}

		if (rate === undefined || rate <= 0 || !wasScheduling) {
			this.clearSchedule();
			this.run();
			return;
		}

		this.intervalMs = 1000 / rate;
		this.nextIntended = Math.min(this.nextIntended, performance.now() + this.intervalMs);
		clearTimeout(this.timer);
		this.tick();
	}

	setExtraHeaders(extraHeaders: Readonly<Record<string, string>>): void {
		this.hasAuthorization = hasAuthorizationHeader(extraHeaders);
		for (const endpoint of this.endpoints) {
			endpoint.options = prepareOptions(endpoint.plan, extraHeaders);
		}

		for (const connection of [...this.awaitingToken.keys()]) {
			this.releaseAwaiting(connection, true);
		}
	}

	setConnections(count: number, maxConnections = count): void {
		const target = Math.max(0, Math.floor(count));
		this.maxConnections = Math.max(target, maxConnections);
		while (this.connections.length < target) {
			const connection = new Connection(this);
			this.connections.push(connection);
			if (this.started) {
				this.connectionFree(connection);
			}
		}

		while (this.connections.length > target) {
			const connection = this.connections.pop()!;
			connection.retired = true;
			const freeIndex = this.free.indexOf(connection);
			if (freeIndex >= 0) {
				this.free.splice(freeIndex, 1);
			}

			if (connection.busy) {
				this.retiring.add(connection);
			} else {
				connection.close();
			}
		}
	}

	/** Stops sending; waits up to `graceMs` for in-flight requests, then cancels them. Resolves with the number cancelled. */
	async stop(graceMs: number): Promise<number> {
		this.stopping = true;
		this.clearSchedule();
		for (const connection of [...this.awaitingToken.keys()]) {
			this.releaseAwaiting(connection, false);
		}

		if (this.inFlight > 0) {
			await new Promise<void>(resolve => {
				this.stopResolve = resolve;
				this.graceTimer = setTimeout(() => {
					this.cancelNow();
				}, graceMs);
			});
		}

		if (this.sweepTimer) {
			clearInterval(this.sweepTimer);
			this.sweepTimer = undefined;
		}

		await Promise.all(this.connections.map(async connection => connection.close()));
		return this.cancelled;
	}

	private graceTimer: NodeJS.Timeout | undefined;
	private sweepTimer: NodeJS.Timeout | undefined;

	/**
	 * Enforces timeout_ms as a limit on the whole attempt (connect, send, headers and body), like
	 * PyStress. One sweep timer per worker, not a timer per request: undici's own timers have a
	 * resolution of about a second and apply to headers and body separately.
	 */
	private readonly sweepTimeouts = (): void => {
		const deadline = performance.now() - this.policy.timeoutMs;
		for (const connection of this.connections) {
			if (connection.inRequest && connection.sentAt <= deadline) {
				connection.abort(new RequestTimeoutError(this.policy.timeoutMs));
			}
		}

		for (const connection of this.retiring) {
			if (connection.inRequest && connection.sentAt <= deadline) {
				connection.abort(new RequestTimeoutError(this.policy.timeoutMs));
			}
		}
	};

	/** Cancels every in-flight request (they are counted as cancelled, not as requests). */
	cancelNow(): void {
		if (this.graceTimer) {
			clearTimeout(this.graceTimer);
			this.graceTimer = undefined;
		}

		this.cancelling = true;
		this.stopping = true;
		this.clearSchedule();
		for (const connection of [...this.connections, ...this.retiring]) {
			connection.destroy();
		}
	}

	private clearSchedule(): void {
		if (this.timer) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}

		this.backlog = [];
	}

	snapshot(workerId: number, eventLoopUtilization: number): WorkerSnapshot {
		const snapshot: WorkerSnapshot = {
			workerId,
			endpoints: this.endpoints.map(endpoint => endpoint.recorder.take()),
			inFlight: this.inFlight,
			connections: this.connections.length,
			late: this.late,
			dropped: this.dropped,
			eventLoopUtilization,
		};
		this.late = 0;
		this.dropped = 0;
		return snapshot;
	}
}

function hasAuthorizationHeader(headers: Readonly<Record<string, string>>): boolean {
	return Object.keys(headers).some(name => name.toLowerCase() === 'authorization');
}

function prepareOptions(plan: EndpointPlan, extraHeaders: Readonly<Record<string, string>>): PreparedEndpoint['options'] {
	const headers: string[] = [];
	const overridden = new Set(Object.keys(extraHeaders).map(name => name.toLowerCase()));
	for (const [name, value] of Object.entries(plan.headers)) {
		if (!overridden.has(name.toLowerCase())) {
			headers.push(name, value);
		}
	}

	for (const [name, value] of Object.entries(extraHeaders)) {
		headers.push(name, value);
	}

	return {path: plan.path, method: plan.method, headers, body: plan.body === undefined ? null : Buffer.from(plan.body)};
}

/**
 * One keep-alive connection (an undici Client per origin) and the reused dispatch handler for
 * its requests: undici's legacy handler interface, which it calls without wrapping.
 */
/** An attempt that took longer than timeout_ms in all. */
class RequestTimeoutError extends Error {
	readonly code = 'ETIMEDOUT';

	constructor(timeoutMs: number) {
		super(`no complete response within ${timeoutMs} ms`);
		this.name = 'RequestTimeoutError';
	}
}

class Connection {
	busy = false;
	/** An attempt is on the wire (not waiting for a retry's backoff). */
	inRequest = false;
	/** This request was already retried once after a 401 and a token refresh. */
	authRetried = false;
	private abortRequest: ((error?: Error) => void) | undefined;
	retired = false;
	endpoint: PreparedEndpoint | undefined;
	attempt = 0;
	sentAt = 0;
	intendedAt = -1;
	status = 0;
	bytes = 0;
	private readonly loop: LoadLoop;
	private readonly clients = new Map<string, Client>();

	constructor(loop: LoadLoop) {
		this.loop = loop;
	}

	send(endpoint: PreparedEndpoint, attempt: number, intendedAt: number): void {
		const client = this.clientFor(endpoint.plan.origin);
		if (attempt === 0) {
			this.authRetried = false;
		}

		this.endpoint = endpoint;
		this.attempt = attempt;
		this.status = 0;
		this.bytes = 0;
		this.busy = true;
		this.inRequest = true;
		this.loop.dispatched();
		this.sentAt = performance.now();
		this.intendedAt = intendedAt < 0 ? -1 : Math.min(intendedAt, this.sentAt);
		client.dispatch(endpoint.options, this);
	}

	private clientFor(origin: string): Client {
		let client = this.clients.get(origin);
		if (client === undefined) {
			const {policy} = this.loop;
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

	// Undici dispatch handler (legacy interface: called directly, no wrapper allocated).
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
		this.busy = false;
		this.inRequest = false;
		this.abortRequest = undefined;
		this.loop.finished(this, undefined);
	}

	onError(error: Error): void {
		if (!this.inRequest) {
			return;
		}

		this.busy = false;
		this.inRequest = false;
		this.abortRequest = undefined;
		this.loop.finished(this, error);
	}
}
