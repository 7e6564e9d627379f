import {performance} from 'node:perf_hooks';
import type {EndpointPlan, RequestPolicy} from '../config/types.js';
import {buildRequest, proxiedForm, requestHeaders, socketTarget, type SocketTarget} from './http-request.js';
import type {ConnectionEventKind} from './errors.js';
import {HeadCache} from './head-cache.js';
import {EndpointChecks, ResponseCapture} from './checks.js';
import type {EndpointRecorder} from './recorder.js';
import {RequestTemplate, type RenderedRequest, type TemplateContext} from './request-template.js';

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
	/**
	 * Placeholders (`${data.column}`, `${seq}`...): the load loop calls `template.next()` for each new
	 * request and hands the RenderedRequest to `Connection.send`; a client sends
	 * `connection.rendered` when set, else `wire`/`options`. Undefined for a plain endpoint.
	 */
	readonly template: RequestTemplate | undefined;
};

export function prepareEndpoint(index: number, plan: EndpointPlan, recorder: EndpointRecorder, extraHeaders: Readonly<Record<string, string>>, templates?: TemplateContext): PreparedEndpoint {
	if (plan.template !== undefined && templates === undefined) {
		throw new Error(`endpoint ${plan.name} has placeholders: prepare it with a TemplateContext`);
	}

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
		template: plan.template === undefined ? undefined : new RequestTemplate(plan, plan.template, templates!, extraHeaders),
	};
}

export function updateHeaders(endpoint: PreparedEndpoint, extraHeaders: Readonly<Record<string, string>>): void {
	endpoint.options = undiciOptions(endpoint.plan, extraHeaders);
	endpoint.wire = buildRequest(endpoint.plan, extraHeaders);
	endpoint.template?.setHeaders(extraHeaders);
}

function undiciOptions(plan: EndpointPlan, extraHeaders: Readonly<Record<string, string>>): PreparedEndpoint['options'] {
	const fields = requestHeaders(plan, extraHeaders);
	// Through a proxy (http://): to the proxy's Client, in absolute form, Host the target's.
	const proxied = proxiedForm(plan);
	if (proxied !== undefined) {
		const names = new Set(fields.map(([name]) => name.toLowerCase()));
		if (!names.has('host')) fields.push(['host', new URL(plan.url).host]);
		if (proxied.authorization !== undefined && !names.has('proxy-authorization')) fields.push(['proxy-authorization', proxied.authorization]);
	}

	return {path: proxied?.target ?? plan.path, method: plan.method, headers: fields.flat(), body: plan.body === undefined ? null : Buffer.from(plan.body)};
}

/** What a connection reports to: the worker's load loop. */
export type ConnectionOwner = {
	readonly policy: RequestPolicy;
	/**
	 * 0 while the run is measured. During a warm-up (`--warm-up`), where what is sent is counted
	 * apart, a positive number that moves on now and then (see LoadLoop.warmPhase).
	 */
	readonly warmPhase: number;
	/** Bumped whenever the extra (token) headers change: a request remembers the one it went with. */
	readonly headersVersion: number;
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
	/** The owner's `warmPhase` when the request in flight (and its retries) was first sent: 0 if measured. */
	warmPhase = 0;

	/** The request in flight (and its retries) was first sent during the warm-up. */
	get warm(): boolean {
		return this.warmPhase !== 0;
	}
	/** The owner's `headersVersion` the attempt in flight went out with (which token it carried). */
	headersVersion = 0;
	retired = false;
	endpoint: PreparedEndpoint | undefined;
	attempt = 0;
	sentAt = 0;
	/** When the attempt began (`sentAt` before any wait for a connection): timeout_ms runs from here. */
	attemptAt = 0;
	intendedAt = -1;
	/** When the first byte of the response arrived (performance.now() ms); -1 before it. */
	firstByteAt = -1;
	/**
	 * When the attempt ended, if the client already read the clock for it (the socket client's
	 * read of a response's first bytes that also held its end); -1: the owner reads the clock.
	 */
	endedAt = -1;
	status = 0;
	bytes = 0;
	/**
	 * The request in flight when its endpoint has placeholders (set with each attempt 0, kept for
	 * its retries and resends); undefined for a plain endpoint. Clients send this when set.
	 */
	rendered: RenderedRequest | undefined;
	/** What the checks of the request in flight need from its response; undefined when its endpoint has none. */
	capture: ResponseCapture | undefined;
	private ownCapture: ResponseCapture | undefined;
	protected readonly owner: ConnectionOwner;

	constructor(owner: ConnectionOwner) {
		this.owner = owner;
	}

	/** `rendered`: the filled request for an endpoint with placeholders (attempt 0; a retry sends the same). */
	send(endpoint: PreparedEndpoint, attempt: number, intendedAt: number, rendered?: RenderedRequest): void {
		if (attempt === 0) {
			this.authRetried = false;
			this.rendered = rendered;
			this.warmPhase = this.owner.warmPhase;
		}

		this.endpoint = endpoint;
		this.attempt = attempt;
		this.status = 0;
		this.bytes = 0;
		this.firstByteAt = -1;
		if (endpoint.checks === undefined) {
			this.capture = undefined;
		} else {
			this.capture = this.ownCapture ??= new ResponseCapture();
			this.capture.arm(endpoint.checks);
		}

		this.busy = true;
		this.inRequest = true;
		this.headersVersion = this.owner.headersVersion;
		this.owner.dispatched();
		this.sentAt = performance.now();
		this.attemptAt = this.sentAt;
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

	/**
	 * The connection the request in flight waited for is up, and the request goes out now: its
	 * latency (and time to first byte) runs from here, from its write, as on a connection already
	 * open; the wait is the connect's, in the connect histogram. Before, the first request on each
	 * connection was timed from before its socket was even made, so it carried the connect and, in a
	 * worker's first requests, Node's and the client's first-time compiling: `-n 1` against nginx
	 * read 2.5-2.7 ms where curl's time to first byte was 0.2 ms. The open model's corrected latency
	 * still runs from the intended time, the wait included.
	 */
	protected writesNow(): void {
		if (this.inRequest) this.sentAt = performance.now();
	}

	/** The response is complete; `endedAt` >= 0 when the client read the clock at its end (see `endedAt`). */
	protected complete(endedAt = -1): void {
		this.endedAt = endedAt;
		this.busy = false;
		this.inRequest = false;
		this.owner.finished(this, undefined);
	}

	protected fail(error: Error): void {
		if (!this.inRequest) {
			return;
		}

		this.endedAt = -1;
		this.busy = false;
		this.inRequest = false;
		this.owner.finished(this, error);
	}
}
