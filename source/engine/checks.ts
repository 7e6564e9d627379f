import {checkNames, keptBodyBytes, type CheckPlan, type JsonTest} from '../config/check-plan.js';
import {evaluateJsonPath} from '../config/json-path.js';

/**
 * What the response checks of the request in flight need from its response: whether each named
 * header came and contains its text (judged on the bytes, no string made), and the first bytes of
 * the body. Both clients fill it the same way (the socket client from
 * its parser, undici from its dispatch handler); one per connection, armed for each request, so an
 * endpoint without checks never touches one (the socket client's no-string path stays as it is).
 */
export class ResponseCapture {
	/** How many body bytes to keep (0: none). */
	keepBytes = 0;
	/** The lower-case names of the checked headers and the lower-case text each must contain. */
	headerNames: readonly Buffer[] = [];
	headerNeedles: readonly Buffer[] = [];
	/** Per checked header: 1 when a field of that name contained its text (any field, when several). */
	headerMatched = new Uint8Array(0);
	body = Buffer.alloc(0);
	bodyLength = 0;

	/** Starts a new response for `checks`. */
	arm(checks: EndpointChecks): void {
		this.keepBytes = checks.keepBytes;
		this.headerNames = checks.headerNames;
		this.headerNeedles = checks.headerNeedles;
		if (this.headerMatched.length !== this.headerNames.length) {
			this.headerMatched = new Uint8Array(this.headerNames.length);
		} else if (this.headerMatched.length > 0) {
			this.headerMatched.fill(0);
		}

		this.bodyLength = 0;
	}

	/** Body bytes `chunk[start, end)`: kept up to `keepBytes`. */
	keep(chunk: Buffer, start: number, end: number): void {
		const take = Math.min(end - start, this.keepBytes - this.bodyLength);
		if (take <= 0) {
			return;
		}

		if (this.bodyLength + take > this.body.length) {
			const grown = Buffer.allocUnsafe(Math.min(this.keepBytes, Math.max(this.bodyLength + take, this.body.length * 2, 4096)));
			this.body.copy(grown, 0, 0, this.bodyLength);
			this.body = grown;
		}

		if (take <= 64) {
			// Small pieces: a loop costs less than a native copy.
			for (let index = 0; index < take; index++) this.body[this.bodyLength + index] = chunk[start + index]!;
		} else {
			chunk.copy(this.body, this.bodyLength, start, start + take);
		}
		this.bodyLength += take;
	}

	/** A final response head, `buffer[start, end)` (status line, fields, blank line): keeps the named fields. */
	head(buffer: Buffer, start: number, end: number): void {
		if (this.headerNames.length === 0) {
			return;
		}

		let line = buffer.indexOf(10, start) + 1;
		while (line > 0 && line < end) {
			const lineEnd = buffer.indexOf(13, line);
			if (lineEnd < 0 || lineEnd >= end || lineEnd === line) {
				return;
			}

			this.field(buffer, line, lineEnd);

			line = lineEnd + 2;
		}
	}

	/** undici's raw headers (name, value, name, value...), as Buffers or latin1 strings. */
	rawHeaders(headers: ReadonlyArray<Buffer | string> | undefined): void {
		if (this.headerNames.length === 0 || headers === undefined) {
			return;
		}

		for (let pair = 0; pair + 1 < headers.length; pair += 2) {
			const name = bytes(headers[pair]!);
			const value = bytes(headers[pair + 1]!);
			for (let index = 0; index < this.headerNames.length; index++) {
				const wanted = this.headerNames[index]!;
				if (name.length === wanted.length && this.headerMatched[index] === 0 && sameName(name, 0, wanted) && containsFolded(value, 0, value.length, this.headerNeedles[index]!)) {
					this.headerMatched[index] = 1;
				}
			}
		}
	}

	/** One field line `buffer[start, end)`, "name:value": a checked name whose value contains its text (any case) matches. */
	private field(buffer: Buffer, start: number, end: number): void {
		for (let index = 0; index < this.headerNames.length; index++) {
			const wanted = this.headerNames[index]!;
			const colon = start + wanted.length;
			if (colon < end && buffer[colon] === 58 && this.headerMatched[index] === 0 && sameName(buffer, start, wanted) && containsFolded(buffer, colon + 1, end, this.headerNeedles[index]!)) {
				this.headerMatched[index] = 1;
			}
		}
	}
}

const bytes = (value: Buffer | string): Buffer => (typeof value === 'string' ? Buffer.from(value, 'latin1') : value);

/** Whether `buffer[start, end)` contains `needle` (lower case), ignoring the case of ASCII letters. */
function containsFolded(buffer: Buffer, start: number, end: number, needle: Buffer): boolean {
	const last = end - needle.length;
	outer: for (let position = start; position <= last; position++) {
		for (let index = 0; index < needle.length; index++) {
			const byte = buffer[position + index]!;
			if ((byte >= 65 && byte <= 90 ? byte | 0x20 : byte) !== needle[index]) continue outer;
		}

		return true;
	}

	return false;
}

/** Whether `body[0, length)` contains `needle` (short bodies searched in JavaScript, long ones natively). */
function contains(body: Buffer, length: number, needle: Buffer): boolean {
	if (length > 256) {
		return body.subarray(0, length).includes(needle);
	}

	const last = length - needle.length;
	outer: for (let start = 0; start <= last; start++) {
		for (let index = 0; index < needle.length; index++) {
			if (body[start + index] !== needle[index]) continue outer;
		}

		return true;
	}

	return false;
}

/** Whether `buffer` at `start` holds `name` (lower case), ignoring the case of ASCII letters. */
function sameName(buffer: Buffer, start: number, name: Buffer): boolean {
	for (let index = 0; index < name.length; index++) {
		const byte = buffer[start + index]!;
		if ((byte >= 65 && byte <= 90 ? byte | 0x20 : byte) !== name[index]) return false;
	}

	return true;
}

/** No check failed (shared, never changed). */
const none: readonly number[] = [];

/**
 * One endpoint's checks, ready to run on each response: `run` returns the indexes (into `names`) of
 * the checks the response failed, an empty list when it passed them all.
 */
export class EndpointChecks {
	readonly names: readonly string[];
	readonly keepBytes: number;
	readonly headerNames: readonly Buffer[];
	readonly headerNeedles: readonly Buffer[];
	private readonly plan: CheckPlan;
	/** body_contains as bytes (encoded once, not per response). */
	private readonly needle: Buffer | undefined;
	private readonly failed: number[] = [];

	constructor(plan: CheckPlan) {
		this.plan = plan;
		this.names = checkNames(plan);
		this.keepBytes = keptBodyBytes(plan);
		this.headerNames = (plan.header ?? []).map(check => Buffer.from(check.name, 'latin1'));
		this.headerNeedles = (plan.header ?? []).map(check => Buffer.from(check.contains, 'latin1'));
		this.needle = plan.bodyContains === undefined ? undefined : Buffer.from(plan.bodyContains);
	}

	/** The failed checks of a response (`bodyBytes`: the whole body's size). The list is reused: read it before the next call. */
	run(status: number, bodyBytes: number, capture: ResponseCapture): readonly number[] {
		const {plan, failed} = this;
		failed.length = 0;
		let index = 0;
		if (plan.status) {
			if (!plan.status.includes(status)) failed.push(index);
			index++;
		}

		// The body as kept: a body longer than the checks keep fails the checks that read it.
		const whole = bodyBytes <= capture.bodyLength && capture.bodyLength < this.keepBytes;
		if (this.needle !== undefined) {
			if (!whole || !contains(capture.body, capture.bodyLength, this.needle)) failed.push(index);
			index++;
		}

		if (plan.json) {
			const document = whole ? parseJson(capture.body.toString('utf8', 0, capture.bodyLength)) : invalid;
			for (const check of plan.json) {
				if (document === invalid || !check.tests.every(test => passes(test, evaluateJsonPath(document, check.segments)))) failed.push(index);
				index++;
			}
		}

		if (plan.header) {
			for (let position = 0; position < plan.header.length; position++) {
				if (capture.headerMatched[position] === 0) failed.push(index);
				index++;
			}
		}

		if (plan.maxBodyBytes !== undefined && bodyBytes > plan.maxBodyBytes) {
			failed.push(index);
		}

		return failed.length === 0 ? none : failed;
	}
}

const invalid = Symbol('invalid JSON');

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return invalid;
	}
}

function passes(test: JsonTest, actual: unknown): boolean {
	switch (test.operator) {
		case '==': {
			return actual === test.value;
		}

		case '!=': {
			return actual !== test.value;
		}

		case 'exists': {
			return (actual !== undefined) === test.value;
		}

		case '>': {
			return typeof actual === 'number' && actual > (test.value as number);
		}

		case '>=': {
			return typeof actual === 'number' && actual >= (test.value as number);
		}

		case '<': {
			return typeof actual === 'number' && actual < (test.value as number);
		}

		case '<=': {
			return typeof actual === 'number' && actual <= (test.value as number);
		}
	}
}

/** One whole response judged by a plan's checks, each by name (for --single-request). */
export function judgeResponse(plan: CheckPlan, status: number, rawHeaders: readonly string[], body: Buffer): Array<{readonly name: string; readonly passed: boolean}> {
	const checks = new EndpointChecks(plan);
	const capture = new ResponseCapture();
	capture.arm(checks);
	capture.rawHeaders(rawHeaders);
	capture.keep(body, 0, body.length);
	const failed = checks.run(status, body.length, capture);
	return checks.names.map((name, index) => ({name, passed: !failed.includes(index)}));
}
