import {LatencyCounts} from '../stats/latency-counts.js';
import type {CheckCounts} from '../stats/checks.js';
import type {EndpointInterval} from '../stats/snapshot.js';
import {classifyError, type ConnectionEventKind} from './errors.js';

/** Status codes are three digits (100-999, as llhttp accepts them): one counter each. */
const statusSlots = 1000;

/**
 * Worker-side counters for one endpoint over the current interval. Allocation-free per request.
 * Latency histograms hold responses only: a failed attempt's time goes to the time-to-fail
 * histogram, and a request still in flight when the run ended goes to the incomplete-age one.
 */
export class EndpointRecorder {
	requests = 0;
	responses = 0;
	errors = 0;
	retries = 0;
	incomplete = 0;
	bytesRead = 0;
	private readonly statusCounts = new Uint32Array(statusSlots);
	private readonly errorKinds = new Map<string, number>();
	private readonly connectionEvents = new Map<string, number>();
	private readonly histogram = new LatencyCounts();
	/** Response checks: responses that passed all, that failed any, and failures by check index (of `checkNames`). */
	private checksPassed = 0;
	private checksFailed = 0;
	private checkNames: readonly string[] = [];
	private checkFailures: Uint32Array | undefined;
	private corrected: LatencyCounts | undefined;
	private failures: LatencyCounts | undefined;
	private incompleteAges: LatencyCounts | undefined;
	private correctedIncompleteAges: LatencyCounts | undefined;
	/** Per new connection: TCP connect (DNS included), and the TLS handshake after it. */
	private connects: LatencyCounts | undefined;
	private handshakes: LatencyCounts | undefined;
	/** Per response: time to first byte (send to the first byte of the response). */
	private readonly firstBytes = new LatencyCounts();

	/** A response arrived (any status). `attempt` > 0 for a retry; `correctedMicros` < 0 outside the open model. */
	recordResponse(status: number, latencyMicros: number, bytes: number, correctedMicros: number, attempt = 0): void {
		this.requests++;
		this.responses++;
		if (attempt > 0) this.retries++;
		this.bytesRead += bytes;
		this.statusCounts[status > 0 && status < statusSlots ? status : 0]!++;
		this.histogram.record(latencyMicros);
		if (correctedMicros >= 0) {
			(this.corrected ??= new LatencyCounts()).record(correctedMicros);
		}
	}

	/**
	 * A new connection is up: from starting to connect to the TCP connection made (DNS lookup
	 * included; for an IP address from connect(2), connect-options.ts clockFromAttempt), integer
	 * microseconds. Not on the per-request path with keep-alive on.
	 */
	connected(micros: number): void {
		(this.connects ??= new LatencyCounts()).record(micros);
	}

	/** A new TLS connection finished its handshake, `micros` after its TCP connect. */
	tlsHandshake(micros: number): void {
		(this.handshakes ??= new LatencyCounts()).record(micros);
	}

	/** A response's first byte arrived `micros` after its request was sent (one per response). */
	firstByte(micros: number): void {
		this.firstBytes.record(micros);
	}

	/** A response's check outcome: `failed` holds the indexes (into `names`) of the checks it failed. */
	recordChecks(names: readonly string[], failed: readonly number[]): void {
		if (this.checkFailures === undefined) {
			this.checkNames = names;
			this.checkFailures = new Uint32Array(names.length);
		}

		if (failed.length === 0) {
			this.checksPassed++;
			return;
		}

		this.checksFailed++;
		for (const index of failed) this.checkFailures[index]!++;
	}

	/** An attempt ended without a response; returns its kind. Its time goes to the time-to-fail histogram. */
	recordError(error: unknown, latencyMicros: number, attempt = 0): string {
		const kind = classifyError(error);
		this.requests++;
		this.errors++;
		if (attempt > 0) this.retries++;
		this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
		(this.failures ??= new LatencyCounts()).record(latencyMicros);
		return kind;
	}

	/**
	 * A request was still in flight when the run ended (the stop's grace period ran out, or the
	 * user cancelled the drain): its age at that moment is a lower bound of its latency.
	 */
	recordIncomplete(ageMicros: number, correctedAgeMicros: number): void {
		this.incomplete++;
		(this.incompleteAges ??= new LatencyCounts()).record(ageMicros);
		if (correctedAgeMicros >= 0) {
			(this.correctedIncompleteAges ??= new LatencyCounts()).record(correctedAgeMicros);
		}
	}

	/** Counts a connection event (see ConnectionEventKind): not an attempt, not an error. */
	recordEvent(kind: ConnectionEventKind): void {
		this.connectionEvents.set(kind, (this.connectionEvents.get(kind) ?? 0) + 1);
	}

	/** Whether anything was recorded since the last `take()`. */
	get isEmpty(): boolean {
		return this.requests === 0 && this.incomplete === 0 && this.connectionEvents.size === 0 && (this.connects?.count ?? 0) === 0 && (this.handshakes?.count ?? 0) === 0;
	}

	/** Returns the interval's figures and starts a new interval. */
	take(): EndpointInterval {
		const statusCodes: Record<string, number> = {};
		for (let status = 0; status < statusSlots; status++) {
			const count = this.statusCounts[status]!;
			if (count > 0) {
				statusCodes[String(status)] = count;
			}
		}

		const interval: EndpointInterval = {
			requests: this.requests,
			responses: this.responses,
			errors: this.errors,
			retries: this.retries,
			incomplete: this.incomplete,
			bytesRead: this.bytesRead,
			statusCodes,
			errorKinds: Object.fromEntries(this.errorKinds),
			connectionEvents: Object.fromEntries(this.connectionEvents),
			// Raw counts: the main thread builds the HDR histograms, so no encoding runs on this loop.
			histogram: this.histogram.take(),
			...(this.corrected ? {correctedHistogram: this.corrected.take()} : {}),
			...(this.failures && this.failures.count > 0 ? {failureHistogram: this.failures.take()} : {}),
			...(this.incompleteAges && this.incompleteAges.count > 0 ? {incompleteHistogram: this.incompleteAges.take()} : {}),
			...(this.correctedIncompleteAges && this.correctedIncompleteAges.count > 0 ? {correctedIncompleteHistogram: this.correctedIncompleteAges.take()} : {}),
			...(this.checksPassed + this.checksFailed > 0 ? {checks: this.takeChecks()} : {}),
			...(this.connects && this.connects.count > 0 ? {connectHistogram: this.connects.take()} : {}),
			...(this.handshakes && this.handshakes.count > 0 ? {tlsHistogram: this.handshakes.take()} : {}),
			...(this.firstBytes.count > 0 ? {ttfbHistogram: this.firstBytes.take()} : {}),
		};
		this.requests = 0;
		this.responses = 0;
		this.errors = 0;
		this.retries = 0;
		this.incomplete = 0;
		this.bytesRead = 0;
		this.statusCounts.fill(0);
		this.checksPassed = 0;
		this.checksFailed = 0;
		this.checkFailures?.fill(0);
		this.errorKinds.clear();
		this.connectionEvents.clear();
		return interval;
	}

	private takeChecks(): CheckCounts {
		const byName: Record<string, number> = {};
		for (const [index, name] of this.checkNames.entries()) byName[name] = this.checkFailures![index]!;
		return {passed: this.checksPassed, failed: this.checksFailed, byName};
	}
}
