/**
 * Requests with placeholders (config/template.ts), filled per request from parts compiled once:
 * literal strings and slot numbers, joined with string concatenation (no regular expression, no
 * parse per request). A plain endpoint has no template and keeps its one prebuilt buffer.
 */
import {randomUUID} from 'node:crypto';
import {encodeValue, type Encoding, type Parts, type Slot, type TemplateSpec} from '../config/template.js';
import type {DataSet, EndpointPlan, TestPlan} from '../config/types.js';
import {bodyMethods, requestHeaders} from './http-request.js';

/**
 * What the templates of one run share: the data sets and the counters every worker thread sees
 * (Uint32 over a SharedArrayBuffer): [0] the last `${seq}` handed out, [1 + i] how many rows of
 * data set i were claimed (sequential and shuffle modes: each claim is one row, in order).
 */
export type TemplateContext = {
	readonly data: readonly DataSet[];
	readonly counters: Uint32Array;
	/** Read on_end "stop" as "wrap" (the baseline and --single-request, which have their own counters). */
	readonly wrap?: boolean;
};

/** The counters a run's workers share, or undefined when no endpoint has placeholders. */
export function templateCounters(plan: Pick<TestPlan, 'endpoints' | 'data'>): SharedArrayBuffer | undefined {
	return plan.endpoints.some(endpoint => endpoint.template !== undefined) ? new SharedArrayBuffer(4 * (1 + (plan.data?.length ?? 0))) : undefined;
}

/** A context over `counters` (a run's shared ones), or over counters of its own. */
export function templateContext(data: readonly DataSet[] | undefined, counters?: SharedArrayBuffer, wrap = false): TemplateContext {
	return {data: data ?? [], counters: new Uint32Array(counters ?? new SharedArrayBuffer(4 * (1 + (data?.length ?? 0)))), wrap};
}

/** Literal text around slots: `literals[0] slot[0] literals[1] ... literals[n]`. */
class Piece {
	private readonly literals: string[] = [''];
	private readonly slots: number[] = [];
	private readonly encodings: Encoding[] = [];

	text(text: string): this {
		const last = this.literals.length - 1;
		this.literals[last] = `${this.literals[last]!}${text}`;
		return this;
	}

	parts(parts: Parts, encoding: Encoding): this {
		for (const part of parts) {
			if (typeof part === 'string') {
				this.text(part);
			} else {
				this.slots.push(part);
				this.encodings.push(encoding);
				this.literals.push('');
			}
		}

		return this;
	}

	render(values: readonly string[]): string {
		const {literals, slots, encodings} = this;
		let text = literals[0]!;
		for (let index = 0; index < slots.length; index++) {
			const encoding = encodings[index]!;
			const value = values[slots[index]!]!;
			text += (encoding === 'raw' ? value : encodeValue(value, encoding)) + literals[index + 1]!;
		}

		return text;
	}
}

/**
 * One endpoint's template in a worker: `next()` claims a data row and fills the slots; the
 * RenderedRequest it gives is what each client sends (the socket client's bytes, undici's options,
 * or path, headers and body for any other client). Rebuilt parts when the extra (token) headers change.
 */
export class RequestTemplate {
	readonly plan: EndpointPlan;
	private readonly spec: TemplateSpec;
	private readonly context: TemplateContext;
	private readonly data: DataSet | undefined;
	private readonly counter: number;
	private readonly path: Piece;
	private readonly bodyPiece: Piece | undefined;
	private readonly staticBody: Buffer | undefined;
	/** The request head after the path (` HTTP/1.1`, the headers, up to the Content-Length value or the blank line). */
	private head = new Piece();
	private flatHeaders: string[] = [];
	/** Where templated header values stand in `flatHeaders`, and how they render. */
	private headerSlots: Array<{index: number; piece: Piece}> = [];
	/** Bumped when the extra headers change: a request rendered before builds its bytes again. */
	generation = 0;

	constructor(plan: EndpointPlan, spec: TemplateSpec, context: TemplateContext, extraHeaders: Readonly<Record<string, string>>) {
		this.plan = plan;
		this.spec = spec;
		this.context = context;
		this.data = spec.data === undefined ? undefined : context.data[spec.data];
		if (spec.data !== undefined && this.data === undefined) {
			throw new Error(`endpoint ${plan.name}: its data set ${spec.data} was not handed to the worker`);
		}

		this.counter = 1 + (spec.data ?? 0);
		this.path = spec.path === undefined ? new Piece().text(plan.path === '' ? '/' : plan.path) : new Piece().parts(spec.path.pathname, 'url').parts(spec.path.search, 'query');
		this.bodyPiece = spec.body === undefined ? undefined : new Piece().parts(spec.body.parts, spec.body.encoding);
		this.staticBody = spec.body === undefined && plan.body !== undefined ? Buffer.from(plan.body) : undefined;
		this.setHeaders(extraHeaders);
	}

	/** The plan's headers with the extra (token) headers over them; compiles the head once. */
	setHeaders(extraHeaders: Readonly<Record<string, string>>): void {
		const headers = requestHeaders(this.plan, extraHeaders);
		const head = new Piece().text(' HTTP/1.1\r\n');
		if (!headers.some(([name]) => name.toLowerCase() === 'host')) {
			head.text(`host: ${new URL(this.plan.url).host}\r\n`);
		}

		const flat: string[] = [];
		const slots: Array<{index: number; piece: Piece}> = [];
		for (const [name, value] of headers) {
			const parts = name in extraHeaders ? undefined : this.spec.headers[name];
			flat.push(name, value);
			if (parts !== undefined) slots.push({index: flat.length - 1, piece: new Piece().parts(parts, 'raw')});
			const lower = name.toLowerCase();
			if (lower === 'content-length' || lower === 'transfer-encoding') continue;
			head.text(`${name}: `);
			if (parts === undefined) {
				head.text(value);
			} else {
				head.parts(parts, 'raw');
			}

			head.text('\r\n');
		}

		if (this.bodyPiece !== undefined) {
			head.text('content-length: ');
		} else if (this.staticBody !== undefined || bodyMethods(this.plan.method)) {
			head.text(`content-length: ${this.staticBody?.length ?? 0}\r\n\r\n`);
		} else {
			head.text('\r\n');
		}

		this.head = head;
		this.flatHeaders = flat;
		this.headerSlots = slots;
		this.generation++;
	}

	/**
	 * The next request: claims a data row (sequential and shuffle: the next one across all threads;
	 * random: any) and fills every slot once. Undefined when the data ran out (on_end "stop").
	 */
	next(): RenderedRequest | undefined {
		let row: readonly string[] | undefined;
		const {data} = this;
		if (data !== undefined) {
			const {rows} = data;
			if (data.mode === 'random') {
				row = rows[Math.floor(Math.random() * rows.length)];
			} else {
				const claim = Atomics.add(this.context.counters, this.counter, 1);
				if (claim >= rows.length && data.onEnd === 'stop' && this.context.wrap !== true) {
					return undefined;
				}

				const position = claim % rows.length;
				row = rows[data.order === undefined ? position : data.order[position]!];
			}
		}

		const {slots} = this.spec;
		const values: string[] = Array.from({length: slots.length});
		for (let index = 0; index < slots.length; index++) {
			values[index] = this.value(slots[index]!, row);
		}

		return new RenderedRequest(this, values, this.path.render(values));
	}

	private value(slot: Slot, row: readonly string[] | undefined): string {
		switch (slot.kind) {
			case 'data': {
				return row![slot.column] ?? '';
			}

			case 'seq': {
				return String(Atomics.add(this.context.counters, 0, 1) + 1);
			}

			case 'uuid': {
				return randomUUID();
			}

			case 'now': {
				return String(Date.now());
			}

			case 'randomInt': {
				return String(slot.min + Math.floor(Math.random() * (slot.max - slot.min + 1)));
			}
		}
	}

	/** The request's bytes for the socket client: head, Content-Length of the filled body, body. */
	wire(request: RenderedRequest): Buffer {
		const head = `${this.plan.method} ${request.path}${this.head.render(request.values)}`;
		const body = request.body();
		if (body === undefined) {
			if (this.staticBody === undefined) return Buffer.from(head, 'latin1');
			const bytes = Buffer.allocUnsafe(head.length + this.staticBody.length);
			bytes.write(head, 0, 'latin1');
			this.staticBody.copy(bytes, head.length);
			return bytes;
		}

		const bodyLength = Buffer.byteLength(body);
		const fullHead = `${head}${bodyLength}\r\n\r\n`;
		const bytes = Buffer.allocUnsafe(fullHead.length + bodyLength);
		bytes.write(fullHead, 0, 'latin1');
		bytes.write(body, fullHead.length, 'utf8');
		return bytes;
	}

	/** Header names and values, flat (`[name, value, ...]`), the extra headers included. */
	headers(request: RenderedRequest): string[] {
		const {headerSlots} = this;
		if (headerSlots.length === 0) return this.flatHeaders;
		const headers = [...this.flatHeaders];
		for (const {index, piece} of headerSlots) {
			headers[index] = piece.render(request.values);
		}

		return headers;
	}

	body(request: RenderedRequest): string | undefined {
		return this.bodyPiece === undefined ? this.plan.body : this.bodyPiece.render(request.values);
	}
}

/**
 * One request filled from a template: what a client sends for it (per-send hook for every client:
 * `path`, `headers()`, `body()`; the socket client's `wire()`; undici's `undiciOptions()`). Kept
 * by the connection for the attempt's retries and resends, which send the same request again.
 */
export class RenderedRequest {
	readonly template: RequestTemplate;
	/** Each slot's value, as filled (not yet encoded for where it stands). */
	readonly values: readonly string[];
	/** Path and query, placeholders filled (url-encoded). */
	readonly path: string;
	private bytes: Buffer | undefined;
	private bytesGeneration = -1;

	constructor(template: RequestTemplate, values: readonly string[], path: string) {
		this.template = template;
		this.values = values;
		this.path = path;
	}

	/** The URL sent (for the request log). */
	get url(): string {
		return `${this.template.plan.origin}${this.path}`;
	}

	/** The socket client's bytes (made once; again only after the token headers changed). */
	wire(): Buffer {
		if (this.bytes === undefined || this.bytesGeneration !== this.template.generation) {
			this.bytes = this.template.wire(this);
			this.bytesGeneration = this.template.generation;
		}

		return this.bytes;
	}

	/** Header names and values, flat, the extra (token) headers included. */
	headers(): string[] {
		return this.template.headers(this);
	}

	body(): string | undefined {
		return this.template.body(this);
	}

	/** undici's dispatch options for this request. */
	undiciOptions(): {path: string; method: string; headers: string[]; body: string | null} {
		return {path: this.path, method: this.template.plan.method, headers: this.headers(), body: this.body() ?? null};
	}
}

/**
 * The endpoint as its first request would be sent (the first data row, `${seq}` 1): for
 * --single-request, which sends with node:http. Plain endpoints come back as they are.
 */
export function firstRequestPlan(plan: EndpointPlan, data: readonly DataSet[] | undefined): EndpointPlan {
	if (plan.template === undefined) return plan;
	const template = new RequestTemplate(plan, plan.template, templateContext(data, undefined, true), {});
	const request = template.next()!;
	const flat = request.headers();
	const headers: Record<string, string> = {};
	for (let index = 0; index < flat.length; index += 2) headers[flat[index]!] = flat[index + 1]!;
	return {...plan, url: request.url, path: request.path, headers, body: request.body(), template: undefined};
}
