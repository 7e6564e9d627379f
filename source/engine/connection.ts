import {performance} from 'node:perf_hooks';
import type {EndpointPlan, RequestPolicy} from '../config/types.js';
import {buildRequest, requestHeaders, socketTarget, type SocketTarget} from './http-request.js';
import type {ConnectionEventKind} from './errors.js';
import {HeadCache} from './head-cache.js';
import {EndpointChecks, ResponseCapture} from './checks.js';
import type {EndpointRecorder} from './recorder.js';

/**
 * One endpoint ready to send, in both clients' forms: undici dispatch options (a reused object)
 * and the socket client's prebuilt request bytes. Rebuilt when the extra (token) headers change.
 */
export type PreparedEndpoint = {
	readonly index: number;
	readonly plan: EndpointPlan;
	readonly recorder: EndpointRecorder;
	readonly target: SocketTarget;
	/** HEAD responses carry no body. */
	readonly expectBody: boolean;
	/** The last response head from this endpoint, for the socket client's parsers (one per thread and endpoint). */
	readonly headCache: HeadCache;
	/** The endpoint's response checks; undefined without any (nothing is captured). */
	readonly checks: EndpointChecks | undefined;
	options: {path: string; method: string; headers: string[]; body: Buffer | null};
	wire: Buffer;
};

export function prepareEndpoint(index: number, plan: EndpointPlan, recorder: EndpointRecorder, extraHeaders: Readonly<Record<string, string>>): PreparedEndpoint {
	return {
		index,
		plan,
		recorder,
		target: socketTarget(plan),
		expectBody: plan.method !== 'HEAD',
		headCache: new HeadCache(),
		checks: plan.checks === undefined ? undefined : new EndpointChecks(plan.checks),
		options: undiciOptions(plan, extraHeaders),
		wire: buildRequest(plan, extraHeaders),
	};
}

export function updateHeaders(endpoint: PreparedEndpoint, extraHeaders: Readonly<Record<string, string>>): void {
	endpoint.options = undiciOptions(endpoint.plan, extraHeaders);
	endpoint.wire = buildRequest(endpoint.plan, extraHeaders);
}

function undiciOptions(plan: EndpointPlan, extraHeaders: Readonly<Record<string, string>>): PreparedEndpoint['options'] {
	const headers = requestHeaders(plan, extraHeaders).flat();
	return {path: plan.path, method: plan.method, headers, body: plan.body === undefined ? null : Buffer.from(plan.body)};
}

/** What a connection reports to: the worker's load loop. */
export type ConnectionOwner = {
	readonly policy: RequestPolicy;
	/** Called right before a request goes out. */
	dispatched(): void;
	/** An attempt ended: `error` undefined for a complete response. */
	finished(connection: Connection, error: Error | undefined): void;
	/** Something happened to the connection that is not an attempt's outcome (see ConnectionEventKind). */
	connectionEvent(connection: Connection, kind: ConnectionEventKind): void;
};

/**
 * One keep-alive connection of the load loop, one request at a time. The loop reads and sets the
 * bookkeeping fields; subclasses put requests on the wire (`transmit`) and report the end of each
 * attempt through `complete()` or `fail()`.
 */
export abstract class Connection {
	busy = false;
	/** An attempt is on the wire (not waiting for a retry's backoff). */
	inRequest = false;
	/** This request was already retried once after a 401 and a token refresh. */
	authRetried = false;
	retired = false;
	endpoint: PreparedEndpoint | undefined;
	attempt = 0;
	sentAt = 0;
	intendedAt = -1;
	status = 0;
	bytes = 0;
	/** What the checks of the request in flight need from its response; undefined when its endpoint has none. */
	capture: ResponseCapture | undefined;
	private ownCapture: ResponseCapture | undefined;
	protected readonly owner: ConnectionOwner;

	constructor(owner: ConnectionOwner) {
		this.owner = owner;
	}

	send(endpoint: PreparedEndpoint, attempt: number, intendedAt: number): void {
		if (attempt === 0) {
			this.authRetried = false;
		}

		this.endpoint = endpoint;
		this.attempt = attempt;
		this.status = 0;
		this.bytes = 0;
		if (endpoint.checks === undefined) {
			this.capture = undefined;
		} else {
			this.capture = this.ownCapture ??= new ResponseCapture();
			this.capture.arm(endpoint.checks);
		}

		this.busy = true;
		this.inRequest = true;
		this.owner.dispatched();
		this.sentAt = performance.now();
		this.intendedAt = intendedAt < 0 ? -1 : Math.min(intendedAt, this.sentAt);
		this.transmit(endpoint);
	}

	/** Closes the connection's sockets (it has no request in flight). */
	abstract close(): void;
	/** Drops the connection's sockets at once; a request in flight ends with an error. */
	abstract destroy(): void;
	/** Ends the request in flight with `error` (the timeout sweep). */
	abstract abort(error: Error): void;
	/** Puts the request on the wire; `sentAt` was taken just before. */
	protected abstract transmit(endpoint: PreparedEndpoint): void;

	protected complete(): void {
		this.busy = false;
		this.inRequest = false;
		this.owner.finished(this, undefined);
	}

	protected fail(error: Error): void {
		if (!this.inRequest) {
			return;
		}

		this.busy = false;
		this.inRequest = false;
		this.owner.finished(this, error);
	}
}
