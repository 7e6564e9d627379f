import {createHistogram, encodeHistogram, recordMicros, type Histogram} from '../stats/histogram.js';
import type {EndpointInterval} from '../stats/snapshot.js';
import {classifyError, type ConnectionEventKind} from './errors.js';

/** Worker-side counters for one endpoint over the current interval. Allocation-free per request. */
export class EndpointRecorder {
	requests = 0;
	responses = 0;
	errors = 0;
	bytesRead = 0;
	private readonly statusCounts = new Uint32Array(600);
	private readonly errorKinds = new Map<string, number>();
	private readonly connectionEvents = new Map<string, number>();
	private readonly histogram: Histogram = createHistogram();
	private corrected: Histogram | undefined;

	recordResponse(status: number, latencyMicros: number, bytes: number, correctedMicros: number): void {
		this.requests++;
		this.responses++;
		this.bytesRead += bytes;
		this.statusCounts[status < 600 ? status : 0]!++;
		recordMicros(this.histogram, latencyMicros);
		if (correctedMicros >= 0) {
			(this.corrected ??= createHistogram()).recordValue(correctedMicros < 1 ? 1 : correctedMicros);
		}
	}

	recordError(error: unknown, latencyMicros: number, correctedMicros: number): string {
		const kind = classifyError(error);
		this.requests++;
		this.errors++;
		this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
		recordMicros(this.histogram, latencyMicros);
		if (correctedMicros >= 0) {
			recordMicros(this.corrected ??= createHistogram(), correctedMicros);
		}

		return kind;
	}

	/** Counts a connection event (see ConnectionEventKind): not an attempt, not an error. */
	recordEvent(kind: ConnectionEventKind): void {
		this.connectionEvents.set(kind, (this.connectionEvents.get(kind) ?? 0) + 1);
	}

	/** Returns the interval's figures and starts a new interval. */
	take(): EndpointInterval {
		const statusCodes: Record<string, number> = {};
		for (let status = 0; status < 600; status++) {
			const count = this.statusCounts[status]!;
			if (count > 0) {
				statusCodes[String(status)] = count;
			}
		}

		const interval: EndpointInterval = {
			requests: this.requests,
			responses: this.responses,
			errors: this.errors,
			bytesRead: this.bytesRead,
			statusCodes,
			errorKinds: Object.fromEntries(this.errorKinds),
			connectionEvents: Object.fromEntries(this.connectionEvents),
			histogram: encodeHistogram(this.histogram),
			...(this.corrected ? {correctedHistogram: encodeHistogram(this.corrected)} : {}),
		};
		this.requests = 0;
		this.responses = 0;
		this.errors = 0;
		this.bytesRead = 0;
		this.statusCounts.fill(0);
		this.errorKinds.clear();
		this.connectionEvents.clear();
		this.histogram.reset();
		this.corrected?.reset();
		return interval;
	}
}
