import {closeSync, openSync, writeSync} from 'node:fs';
import type {EndpointPlan} from '../config/types.js';
import type {AttemptRecord} from './load-loop.js';

/** Where the NDJSON request log goes and which fraction of attempts it keeps. */
export type RequestLogOptions = {
	readonly path: string;
	/** 0..1; 1 keeps every attempt. */
	readonly sampleRate: number;
};

const flushBytes = 64 * 1024;

/**
 * A worker's writer for the NDJSON request log: one line per finished attempt, buffered and
 * appended (O_APPEND, whole buffers) to the shared file, so workers never interleave within a line.
 */
export class RequestLog {
	private readonly fd: number;
	private readonly sampleRate: number;
	private readonly prefixes = new Map<EndpointPlan, string>();
	private readonly redactUrl: (url: string) => string;
	private buffer = '';
	private stampMs = 0;
	private stamp = '';

	constructor(options: RequestLogOptions, redactUrl: (url: string) => string) {
		this.fd = openSync(options.path, 'a');
		this.sampleRate = options.sampleRate;
		this.redactUrl = redactUrl;
	}

	/** Records one attempt (an `onAttempt` hook of the load loop). */
	readonly record = (record: AttemptRecord): void => {
		if (this.sampleRate < 1 && Math.random() >= this.sampleRate) {
			return;
		}

		let prefix = this.prefixes.get(record.endpoint);
		if (prefix === undefined) {
			const {endpoint} = record;
			prefix = `,"endpoint":${JSON.stringify(endpoint.name)},"method":${JSON.stringify(endpoint.method)},"url":${JSON.stringify(this.redactUrl(endpoint.url))}`;
			this.prefixes.set(record.endpoint, prefix);
		}

		const nowMs = Date.now();
		if (nowMs !== this.stampMs) {
			// Many lines share a millisecond at load: format the timestamp once per millisecond.
			this.stampMs = nowMs;
			this.stamp = new Date(nowMs).toISOString();
		}

		this.buffer += `{"ts":"${this.stamp}"${prefix},"status":${record.status === 0 ? 'null' : record.status},"latencyUs":${record.latencyMicros},"bytes":${record.bytes},"error":${record.errorKind === undefined ? 'null' : `"${record.errorKind}"`},"retry":${record.retry}}\n`;
		if (this.buffer.length >= flushBytes) {
			this.flush();
		}
	};

	flush(): void {
		if (this.buffer.length > 0) {
			writeSync(this.fd, this.buffer);
			this.buffer = '';
		}
	}

	close(): void {
		this.flush();
		closeSync(this.fd);
	}
}
