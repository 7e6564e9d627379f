import {performance} from 'node:perf_hooks';
import type {DataSet, EndpointPlan, RequestPolicy} from '../config/types.js';
import type {WorkerSnapshot} from '../stats/snapshot.js';
import {connectionFactory, slotsPerConnection} from './clients.js';
import {prepareEndpoint, updateHeaders, type Connection, type ConnectionOwner, type PreparedEndpoint} from './connection.js';
import type {ConnectionEventKind} from './errors.js';
import {EndpointRecorder} from './recorder.js';
import {templateContext, type AgentShare} from './request-template.js';

/** Loads the client a policy asks for before a LoadLoop is made with it (engine/clients.ts). */
export {loadHttpClient} from './clients.js';

/** One attempt as the request log sees it. */
export type AttemptRecord = {
	readonly endpoint: EndpointPlan;
	readonly status: number;
	readonly latencyMicros: number;
	readonly bytes: number;
	readonly errorKind: string | undefined;
	readonly retry: number;
	/** For an endpoint with checks: the names of the checks the response failed (empty: passed). */
	readonly failedChecks?: readonly string[] | undefined;
	/** The URL sent, when the endpoint has placeholders (else the endpoint's own URL). */
	readonly url?: string | undefined;
};

export type LoopOptions = {
	readonly endpoints: readonly EndpointPlan[];
	readonly policy: RequestPolicy;
	readonly connections: number;
	readonly rate: number | undefined;
	readonly maxLateMs: number;
	/** Open model: the first send is due this long after `start()` (threads and agents interleave their sends). */
	readonly sendOffsetMs?: number | undefined;
	/** Open model: grow up to this many connections when all are busy (default: `connections`). */
	readonly maxConnections?: number | undefined;
	readonly issued: Int32Array | undefined;
	readonly maxRequests: number | undefined;
	readonly extraHeaders: Readonly<Record<string, string>>;
	/** How many times the owner had changed `extraHeaders` (a worker started after a refresh). */
	readonly headersVersion?: number | undefined;
	readonly paused: boolean;
	/** The run starts with a warm-up: attempts are counted apart until `measure()`. */
	readonly warmUp?: boolean | undefined;
	/** The plan's data sets, for endpoints with placeholders. */
	readonly data?: readonly DataSet[] | undefined;
	/** The run's template counters (`${seq}`, data rows), shared by all workers (request-template.ts). */
	readonly templateCounters?: SharedArrayBuffer | undefined;
	/** A distributed run: this agent's place, so the agents take data rows and `${seq}` in turn. */
	readonly dataShare?: AgentShare | undefined;
};

export type LoopHooks = {
	/** Every attempt the shared request budget allowed has finished in this loop. */
	/** `data`: the data file ran out (on_end "stop"), not the request budget. */
	readonly onExhausted: (reason: 'requests' | 'data') => void;
	/** A 401 arrived while extra (token) headers are in use. */
	readonly onUnauthorized: (headersVersion: number) => void;
	/** Optional per-attempt observer (the request log). */
	readonly onAttempt?: ((record: AttemptRecord) => void) | undefined;
};

/**
 * Open model: each timer turn also sends what falls due within this much after it, a little early,
 * rather than leave it to the next turn. setTimeout turns once a millisecond at best, on a clock of
 * whole milliseconds, and a halted core takes a while to wake, so a turn comes up to about a
 * millisecond and a little after the time it was set for. With half a millisecond here a send still
 * went up to half a millisecond late, and the corrected latency charged that to the server: against
 * an idle nginx at 200/s corrected p90 read 0.73 ms where the responses took 0.29 (2,000/s: 0.64
 * against 0.17). With 1.5 ms the corrected figures equal the measured ones while the generator keeps
 * up (0.33 against 0.33; 0.13 against 0.13), and a send that goes late is one the generator really
 * held up (a stall, which the probe reports). A send that goes early is timed from when it went out
 * (Connection.send takes the earlier of the two), so the correction never shortens a latency.
 */
const earlyWindowMs = 1.5;

/**
 * A worker's request loop: many keep-alive connections, one request at a time each, on the client
 * the policy names (engine/clients.ts). An HTTP/2 connection of `streams` streams is that many
 * slots here, each one request at a time: counts in and out of the loop are connections, its list
 * holds slots. One loop for both models: closed (a connection
 * sends again when its response ends) and open (a schedule at a fixed rate hands sends to free
 * connections, measuring corrected latency from the intended send time).
 */
export class LoadLoop implements ConnectionOwner {
	readonly endpoints: PreparedEndpoint[];
	readonly policy: RequestPolicy;
	private readonly hooks: LoopHooks;
	/** Request slots: `slots` per connection (HTTP/2 streams; 1 for HTTP/1.1). */
	private readonly connections: Connection[] = [];
	private readonly slots: number;
	private readonly create: (slot: number) => Connection;
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
	/** What ended the sending when `exhausted`. */
	private endedBy: 'requests' | 'data' = 'requests';
	inFlight = 0;
	private cancelled = 0;
	private cancelling = false;
	private stopResolve: (() => void) | undefined;
	private rate: number | undefined;
	private intervalMs = 0;
	private nextIntended = 0;
	/** Open model: the delay of the very first send (used once, by the first schedule). */
	private sendOffsetMs: number;
	private timer: NodeJS.Timeout | undefined;
	private readonly free: Connection[] = [];
	/** Connections removed by setConnections that still have a request in flight. */
	private readonly retiring = new Set<Connection>();
	private backlog: number[] = [];
	private late = 0;
	private dropped = 0;
	private started = false;
	/**
	 * `--warm-up`: attempts sent while this is not 0 are counted apart (see `Connection.warmPhase`).
	 * It moves on at every snapshot of the warm-up, so that attempts sent in one phase and ended in
	 * the next take the path that those sent in the warm-up and ended in the measured run take
	 * (counted apart, recorded nowhere). Otherwise that path, and `claim`'s budget check, would first
	 * run when the clock starts: V8 then threw away the optimised code of `finished`, `sendNext`,
	 * `connectionFree` and `tick` (no type feedback for the new path) and compiled them again, about
	 * 20 ms of compiling on a background thread in the run's first second, on the core the worker
	 * shares when the client is pinned to one (`--trace-deopt`), where it showed as the worst second
	 * of the open model's corrected tail.
	 */
	warmPhase: number;
	private warmResponses = 0;
	private warmErrors = 0;

	constructor(options: LoopOptions, hooks: LoopHooks) {
		this.policy = options.policy;
		this.hooks = hooks;
		this.issued = options.issued;
		this.maxRequests = options.maxRequests ?? Number.POSITIVE_INFINITY;
		this.maxLateMs = options.maxLateMs;
		this.slots = slotsPerConnection(options.policy);
		this.create = connectionFactory(options.policy)(this);
		this.maxConnections = (options.maxConnections ?? options.connections) * this.slots;
		this.paused = options.paused;
		this.rate = options.rate;
		this.sendOffsetMs = options.sendOffsetMs ?? 0;
		this.warmPhase = options.warmUp === true ? 1 : 0;
		const templates = options.endpoints.some(plan => plan.template !== undefined) ? templateContext(options.data, options.templateCounters, false, options.dataShare) : undefined;
		this.endpoints = options.endpoints.map((plan, index) => prepareEndpoint(index, plan, new EndpointRecorder(), options.extraHeaders, templates));
		let sum = 0;
		this.cumulativeWeights = options.endpoints.map(endpoint => (sum += endpoint.weight));
		this.totalWeight = sum;
		this.hasAuthorization = hasAuthorizationHeader(options.extraHeaders);
		this.headersVersion = options.headersVersion ?? 0;
		for (let index = 0; index < options.connections * this.slots; index++) {
			this.connections.push(this.newConnection());
		}
	}

	private newConnection(): Connection {
		return this.create(this.connections.length);
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
		this.nextIntended = performance.now() + this.sendOffsetMs;
		this.sendOffsetMs = 0;
		this.tick();
	}

	private readonly tick = (): void => {
		this.timer = undefined;
		if (this.paused || this.stopping || this.rate === undefined || this.exhausted) {
			return;
		}

		const now = performance.now();
		this.dropExpired(now);
		// Sends queued ahead of their time that fell due with every connection busy: the pool grows for
		// them first (up to its cap), in their order.
		while (this.backlog.length > 0 && this.backlog[0]! <= now) {
			const connection = this.grow();
			if (connection === undefined) break;
			const intended = this.backlog.shift()!;
			if (intended < now) this.late++;
			this.sendNext(connection, intended);
		}

		while (this.nextIntended <= now + earlyWindowMs) {
			// The pool grows for a send that is due, not for one sent ahead of its time: that one waits
			// in the backlog for a connection to come free.
			const connection = this.free.pop() ?? (this.nextIntended <= now ? this.grow() : undefined);
			if (connection === undefined) {
				this.backlog.push(this.nextIntended);
			} else {
				this.sendNext(connection, this.nextIntended);
			}

			this.nextIntended += this.intervalMs;
		}

		this.timer = setTimeout(this.tick, Math.max(0, this.nextIntended - earlyWindowMs - now));
	};

	/** Open model: a new connection when every connection is busy and the cap allows one more. */
	private grow(): Connection | undefined {
		if (this.connections.length >= this.maxConnections) {
			return undefined;
		}

		const connection = this.newConnection();
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

		const endpoint = this.pickEndpoint();
		if (endpoint.template === undefined) {
			connection.send(endpoint, 0, intendedAt);
			return;
		}

		const rendered = endpoint.template.next();
		if (rendered === undefined) {
			// The data ran out (on_end "stop"): no request starts here any more.
			this.endedBy = 'data';
			this.exhausted = true;
			if (this.inFlight === 0) {
				this.hooks.onExhausted('data');
			}

			return;
		}

		connection.send(endpoint, 0, intendedAt, rendered);
	}

	/** Claims an attempt from the shared request budget; warm-up attempts take none of it. */
	private claim(warm = this.warmPhase !== 0): boolean {
		// `issued` first: read in the warm-up too, so the measured run's first claim finds it compiled.
		if (this.issued === undefined || warm) return true;
		if (Atomics.add(this.issued, 0, 1) >= this.maxRequests) {
			this.exhausted = true;
			if (this.inFlight === 0) {
				this.hooks.onExhausted(this.endedBy);
			}

			return false;
		}

		return true;
	}

	/** Called by a connection when an attempt ended (error undefined for a response). */
	finished(connection: Connection, error: Error | undefined): void {
		this.inFlight--;
		const endpoint = connection.endpoint!;
		const now = connection.endedAt < 0 ? performance.now() : connection.endedAt;
		const latencyMicros = Math.round((now - connection.sentAt) * 1000);
		const correctedMicros = connection.intendedAt < 0 ? -1 : Math.round((now - connection.intendedAt) * 1000);
		let retry = false;
		// The request log holds the measured run alone.
		// (Read before the test, so the warm-up compiles it too; see `warmPhase`.)
		const onAttempt = this.hooks.onAttempt;
		const log = connection.warm ? undefined : onAttempt;
		if (connection.warm && connection.warmPhase !== this.warmPhase) {
			// Sent during the warm-up and ended after it (or in a later phase of it): counted apart, in no
			// figure. (What ends in the phase it was sent in is recorded as usual, so the code that
			// records is warm when the clock starts, and its snapshots, marked warming, are counted apart
			// by the aggregator.)
			if (error === undefined) {
				this.warmResponses++;
				retry = this.policy.retryOnStatuses.length > 0 && this.policy.retryOnStatuses.includes(connection.status);
				if (connection.status === 401 && this.hasAuthorization && connection.headersVersion === this.headersVersion) this.hooks.onUnauthorized(connection.headersVersion);
			} else {
				this.warmErrors++;
				retry = !this.cancelling;
			}
		} else if (error === undefined) {
			const status = connection.status;
			endpoint.recorder.recordResponse(status, latencyMicros, connection.bytes, correctedMicros, connection.attempt);
			if (connection.firstByteAt >= 0) endpoint.recorder.firstByte(Math.round((connection.firstByteAt - connection.sentAt) * 1000));
			const failed = endpoint.checks === undefined ? undefined : endpoint.checks.run(status, connection.bytes, connection.capture!);
			if (failed !== undefined) endpoint.recorder.recordChecks(endpoint.checks!.names, failed);
			log?.({endpoint: endpoint.plan, status, latencyMicros, bytes: connection.bytes, errorKind: undefined, retry: connection.attempt, url: connection.rendered?.url, ...(failed === undefined ? {} : {failedChecks: failed.map(index => endpoint.checks!.names[index]!)})});
			retry = this.policy.retryOnStatuses.length > 0 && this.policy.retryOnStatuses.includes(status);
			if (status === 401 && this.hasAuthorization && !connection.authRetried && !this.stopping && !connection.retired) {
				if (connection.headersVersion !== this.headersVersion) {
					// Sent with a token replaced since: retried at once with the current one, no new refresh
					// (one refresh per expiry, however many requests were in flight with the old token).
					if (this.claim(connection.warm)) {
						connection.authRetried = true;
						connection.send(endpoint, connection.attempt + 1, -1);
						this.checkIdle();
						return;
					}
				} else if (!this.budgetSpent) {
					// (With the request budget all claimed, no retry could use a new token: none is asked for.)
					this.awaitToken(connection, endpoint);
					this.checkIdle();
					return;
				}
			}
		} else if (this.cancelling) {
			// Still in flight when the run ended: its age is a lower bound of its latency.
			endpoint.recorder.recordIncomplete(latencyMicros, correctedMicros);
			log?.({endpoint: endpoint.plan, status: 0, latencyMicros, bytes: connection.bytes, errorKind: 'incomplete', retry: connection.attempt, url: connection.rendered?.url});
		} else {
			const kind = endpoint.recorder.recordError(error, latencyMicros, connection.attempt);
			log?.({endpoint: endpoint.plan, status: 0, latencyMicros, bytes: connection.bytes, errorKind: kind, retry: connection.attempt, url: connection.rendered?.url});
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
		this.hooks.onUnauthorized(connection.headersVersion);
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
		if (retry && !this.stopping && !this.paused && !connection.retired && this.claim(connection.warm)) {
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
			if (this.stopping || this.paused || connection.retired || !this.claim(connection.warm)) {
				if (this.stopping) {
					// A retry the stop prevented: never sent, so not a request.
					this.cancelled++;
				}

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
			const intended = this.backlog.shift()!;
			// Queued at a timer turn that reached a little ahead (earlyWindowMs): late only once its time has passed.
			if (intended < now) this.late++;
			this.sendNext(connection, intended);
		} else {
			this.free.push(connection);
			this.sendDue(now);
		}
	}

	/**
	 * Open model: sends what is due now on free connections, between the schedule's timer turns. A
	 * timer turns at best once a millisecond (setTimeout's granularity), so at thousands of sends a
	 * second a freed connection would otherwise sit idle until the next turn while sends fell due:
	 * the pool ran short, sends went late, and the corrected latency charged that wait to the server.
	 */
	private sendDue(now: number): void {
		if (this.timer === undefined) {
			// No schedule running (paused, stopping, rate 0, or inside a tick, which sends what is due itself).
			return;
		}

		while (this.nextIntended <= now + earlyWindowMs && this.free.length > 0) {
			this.sendNext(this.free.pop()!, this.nextIntended);
			this.nextIntended += this.intervalMs;
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
			this.hooks.onExhausted(this.endedBy);
		}
	}

	connectionEvent(connection: Connection, kind: ConnectionEventKind): void {
		(connection.endpoint ?? this.endpoints[0]!).recorder.recordEvent(kind);
	}

	/** Called by a connection right before it dispatches. */
	dispatched(): void {
		this.inFlight++;
	}

	private hasAuthorization = false;
	/** See `ConnectionOwner.headersVersion`. */
	headersVersion = 0;

	/** Every attempt of the shared request budget (`-n`) is claimed: nothing more will be sent. */
	private get budgetSpent(): boolean {
		return this.exhausted || (this.issued !== undefined && Atomics.load(this.issued, 0) >= this.maxRequests);
	}

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

	/**
	 * New token headers, the owner's `version`-th change of them (default: the next). Headers this
	 * loop already has (the engine sends them again after a 401 for an older token) change nothing.
	 */
	setExtraHeaders(extraHeaders: Readonly<Record<string, string>>, version = this.headersVersion + 1): void {
		if (version <= this.headersVersion) return;
		this.headersVersion = version;
		this.hasAuthorization = hasAuthorizationHeader(extraHeaders);
		for (const endpoint of this.endpoints) {
			updateHeaders(endpoint, extraHeaders);
		}

		for (const connection of [...this.awaitingToken.keys()]) {
			this.releaseAwaiting(connection, true);
		}
	}

	setConnections(count: number, maxConnections = count): void {
		const target = Math.max(0, Math.floor(count)) * this.slots;
		this.maxConnections = Math.max(target, maxConnections * this.slots);
		while (this.connections.length < target) {
			const connection = this.newConnection();
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

	/**
	 * Stops sending; waits up to `graceMs` for in-flight requests, then cuts them off (counted as
	 * incomplete). Resolves with the number of retries the stop cancelled before they were sent.
	 */
	async stop(graceMs: number): Promise<number> {
		this.stopping = true;
		this.clearSchedule();
		// Retries waiting for a refreshed token are not sent: counted as cancelled.
		this.cancelled += this.awaitingToken.size;
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
			if (connection.inRequest && connection.attemptAt <= deadline) {
				connection.abort(new RequestTimeoutError(this.policy.timeoutMs));
			}
		}

		for (const connection of this.retiring) {
			if (connection.inRequest && connection.attemptAt <= deadline) {
				connection.abort(new RequestTimeoutError(this.policy.timeoutMs));
			}
		}
	};

	/** Cuts off every in-flight request: each is counted as incomplete, with its age. */
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

		// Sends that were due but found no free connection before a stop, pause or switch to the
		// closed model: they never go out, so they count as dropped rather than vanish.
		this.dropped += this.backlog.length;
		this.backlog = [];
	}

	/** The warm-up is over: attempts sent from now on are measured (take the warm-up's last snapshot first). */
	measure(): void {
		this.warmPhase = 0;
	}

	/** The interval's figures; `windowMs` is how long the utilisation was measured over. */
	snapshot(workerId: number, eventLoopUtilization: number, windowMs = 0): WorkerSnapshot {
		const warmUp = this.warmResponses + this.warmErrors > 0 ? {responses: this.warmResponses, errors: this.warmErrors} : undefined;
		this.warmResponses = 0;
		this.warmErrors = 0;
		const snapshot: WorkerSnapshot = {
			...(this.warmPhase === 0 ? {} : {warming: true}),
			...(warmUp ? {warmUp} : {}),
			workerId,
			endpoints: this.endpoints.map(endpoint => endpoint.recorder.take()),
			inFlight: this.inFlight,
			connections: Math.ceil(this.connections.length / this.slots),
			late: this.late,
			dropped: this.dropped,
			eventLoopUtilization,
			utilizationWindowMs: windowMs,
		};
		this.late = 0;
		this.dropped = 0;
		// The next phase of the warm-up (see `warmPhase`).
		if (this.warmPhase !== 0) this.warmPhase++;
		return snapshot;
	}
}

function hasAuthorizationHeader(headers: Readonly<Record<string, string>>): boolean {
	return Object.keys(headers).some(name => name.toLowerCase() === 'authorization');
}

/** An attempt that took longer than timeout_ms in all. */
class RequestTimeoutError extends Error {
	readonly code = 'ETIMEDOUT';

	constructor(timeoutMs: number) {
		super(`no complete response within ${timeoutMs} ms`);
		this.name = 'RequestTimeoutError';
	}
}
