/**
 * Requests with placeholders (config/template.ts), filled per request from parts compiled once:
 * literal strings and slot numbers, joined with string concatenation (no regular expression, no
 * parse per request). A plain endpoint has no template and keeps its one prebuilt buffer.
 */
import {randomUUID} from 'node:crypto';
import {encodeValue, type Encoding, type Parts, type Slot, type TemplateSpec} from '../config/template.js';
import type {DataSet, EndpointPlan, TestPlan} from '../config/types.js';
import {bodyMethods, proxiedForm, requestHeaders} from './http-request.js';

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
	/**
	 * Agent `index` of `count` in a distributed run: its k-th claim is the run's claim
	 * k x count + index, so the agents take rows (and `${seq}` numbers) in turn and their union is
	 * every row once a lap, as one machine's would be.
	 */
	readonly share?: AgentShare | undefined;
};

/** One agent's place among the agents of a distributed run. */
export type AgentShare = {readonly index: number; readonly count: number};

/** The counters a run's workers share, or undefined when no endpoint has placeholders. */
export function templateCounters(plan: Pick<TestPlan, 'endpoints' | 'data'>): SharedArrayBuffer | undefined {
	return plan.endpoints.some(endpoint => endpoint.template !== undefined) ? new SharedArrayBuffer(4 * (1 + (plan.data?.length ?? 0))) : undefined;
}

/** A context over `counters` (a run's shared ones), or over counters of its own. */
export function templateContext(data: readonly DataSet[] | undefined, counters?: SharedArrayBuffer, wrap = false, share?: AgentShare): TemplateContext {
	return {data: data ?? [], counters: new Uint32Array(counters ?? new SharedArrayBuffer(4 * (1 + (data?.length ?? 0)))), wrap, share};
}

/** Claims counter `counter` once: this agent's next number of the run's sequence (see `TemplateContext.share`). */
function claimOf(context: TemplateContext, counter: number): number {
	const claim = Atomics.add(context.counters, counter, 1);
	return context.share === undefined ? claim : (claim * context.share.count) + context.share.index;
}

/**
 * A value as it is written somewhere: a slot in one encoding. Built-ins (`${seq}`, `${uuid}`,
 * `${now}`, `${randomInt}`) are digits, hex and `-`, the same in every encoding: one value each.
 */
type Filled = {readonly slot: number; readonly encoding: Encoding};

/** Literal text around filled values: `literals[0] values[0] literals[1] ... literals[n]`. */
class Piece {
	private readonly literals: string[] = [''];
	private readonly values: number[] = [];
	private readonly fill: (slot: number, encoding: Encoding) => number;

	/** `fill`: the index of a slot's value in an encoding (RequestTemplate.filled). */
	constructor(fill: (slot: number, encoding: Encoding) => number) {
		this.fill = fill;
	}

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
				this.values.push(this.fill(part, encoding));
				this.literals.push('');
			}
		}

		return this;
	}

	/** The filled values it writes (their indexes). */
	slots(): readonly number[] {
		return this.values;
	}

	render(values: readonly string[]): string {
		const {literals, values: indexes} = this;
		let text = literals[0]!;
		for (let index = 0; index < indexes.length; index++) {
			text += values[indexes[index]!]! + literals[index + 1]!;
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
	private head!: Piece;
	/** The head is ASCII (see wire). */
	private asciiHead = true;
	/** Through a proxy (http://): the origin before the path (absolute form); else ''. */
	private targetPrefix = '';
	/** Through a proxy (http://): Host and Proxy-Authorization for undici, which sends to the proxy's Client. */
	private proxyFields: string[] = [];
	private flatHeaders: string[] = [];
	/** Where templated header values stand in `flatHeaders`, and how they render. */
	private headerSlots: Array<{index: number; piece: Piece}> = [];
	/** Bumped when the extra headers change: a request rendered before builds its bytes again. */
	generation = 0;
	/** The values a request fills: each slot in each encoding it is written in. */
	private readonly filled: Filled[] = [];
	/** Per filled data value: each row's value in its encoding, made on first use. */
	private readonly encodedRows: Array<string[] | undefined> = [];
	private readonly fill = (slot: number, encoding: Encoding): number => {
		const kind = this.spec.slots[slot]!.kind;
		const as: Encoding = kind === 'data' ? encoding : 'raw';
		let index = this.filled.findIndex(filled => filled.slot === slot && filled.encoding === as);
		if (index < 0) {
			index = this.filled.push({slot, encoding: as}) - 1;
			this.encodedRows.push(kind === 'data' && as !== 'raw' ? [] : undefined);
		}

		return index;
	};

	constructor(plan: EndpointPlan, spec: TemplateSpec, context: TemplateContext, extraHeaders: Readonly<Record<string, string>>) {
		this.plan = plan;
		this.spec = spec;
		this.context = context;
		this.data = spec.data === undefined ? undefined : context.data[spec.data];
		if (spec.data !== undefined && this.data === undefined) {
			throw new Error(`endpoint ${plan.name}: its data set ${spec.data} was not handed to the worker`);
		}

		this.counter = 1 + (spec.data ?? 0);
		this.path = spec.path === undefined ? new Piece(this.fill).text(plan.path === '' ? '/' : plan.path) : new Piece(this.fill).parts(spec.path.pathname, 'url').parts(spec.path.search, 'query');
		this.bodyPiece = spec.body === undefined ? undefined : new Piece(this.fill).parts(spec.body.parts, spec.body.encoding);
		this.staticBody = spec.body === undefined && plan.body !== undefined ? Buffer.from(plan.body) : undefined;
		this.setHeaders(extraHeaders);
	}

	/** The plan's headers with the extra (token) headers over them; compiles the head once. */
	setHeaders(extraHeaders: Readonly<Record<string, string>>): void {
		const headers = requestHeaders(this.plan, extraHeaders);
		const head = new Piece(this.fill).text(' HTTP/1.1\r\n');
		const names = new Set(headers.map(([name]) => name.toLowerCase()));
		const host = new URL(this.plan.url).host;
		if (!names.has('host')) {
			head.text(`host: ${host}\r\n`);
		}

		// Through a proxy (http://): the target in absolute form, and the proxy's credentials (as buildRequest).
		const proxied = proxiedForm(this.plan);
		this.targetPrefix = proxied === undefined ? '' : this.plan.origin;
		this.proxyFields = [];
		if (proxied !== undefined) {
			if (!names.has('host')) this.proxyFields.push('host', host);
			if (proxied.authorization !== undefined && !names.has('proxy-authorization')) {
				head.text(`proxy-authorization: ${proxied.authorization}\r\n`);
				this.proxyFields.push('proxy-authorization', proxied.authorization);
			}
		}

		const flat: string[] = [];
		const slots: Array<{index: number; piece: Piece}> = [];
		for (const [name, value] of headers) {
			const parts = name in extraHeaders ? undefined : this.spec.headers[name];
			flat.push(name, value);
			if (parts !== undefined) slots.push({index: flat.length - 1, piece: new Piece(this.fill).parts(parts, 'raw')});
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
		// ASCII unless a header's text, or a row a header reads, holds Latin-1 (config/template-plan.ts refuses more).
		this.asciiHead = flat.every(text => isAscii(text)) && slots.every(({piece}) => piece.slots().every(index => this.asciiValues(index)));
		this.flatHeaders = flat;
		this.headerSlots = slots;
		this.generation++;
	}

	/**
	 * The next request: claims a data row (sequential and shuffle: the next one across all threads;
	 * random: any) and fills every slot once. Undefined when the data ran out (on_end "stop").
	 */
	next(): RenderedRequest | undefined {
		let rowIndex = 0;
		const {data} = this;
		if (data !== undefined) {
			const count = data.rows.length;
			if (data.mode === 'random') {
				rowIndex = Math.floor(Math.random() * count);
			} else {
				const claim = claimOf(this.context, this.counter);
				if (claim >= count && data.onEnd === 'stop' && this.context.wrap !== true) {
					return undefined;
				}

				const position = claim % count;
				rowIndex = data.order === undefined ? position : data.order[position]!;
			}
		}

		const {filled, encodedRows} = this;
		const {slots} = this.spec;
		// eslint-disable-next-line unicorn/no-new-array -- preallocated (Array.from would cost some 400 ns)
		const values: string[] = new Array(filled.length);
		for (let index = 0; index < filled.length; index++) {
			const {slot, encoding} = filled[index]!;
			const cache = encodedRows[index];
			if (cache === undefined) {
				values[index] = this.value(slots[slot]!, rowIndex);
			} else {
				// A data value in an encoding: encoded once per row and kept.
				values[index] = cache[rowIndex] ??= encodeValue(this.value(slots[slot]!, rowIndex), encoding);
			}
		}

		return new RenderedRequest(this, values, this.path.render(values));
	}

	private value(slot: Slot, rowIndex: number): string {
		switch (slot.kind) {
			case 'data': {
				return this.data!.rows[rowIndex]![slot.column] ?? '';
			}

			case 'seq': {
				return String(claimOf(this.context, 0) + 1);
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

	/**
	 * The request for the socket client: head, Content-Length of the filled body, body. A string
	 * (written as UTF-8, no Buffer made) when the head is ASCII, as it is unless a header carries
	 * Latin-1 text; else bytes, the head in Latin-1 as buildRequest writes it.
	 */
	wire(request: RenderedRequest): string | Buffer {
		let head = `${this.plan.method} ${this.targetPrefix}${request.path}${this.head.render(request.values)}`;
		const body = this.bodyPiece?.render(request.values);
		if (body !== undefined) {
			head += `${Buffer.byteLength(body)}\r\n\r\n`;
		}

		if (this.asciiHead) {
			const tail = body ?? this.plan.body;
			return tail === undefined ? head : head + tail;
		}

		const bodyBytes = body === undefined ? this.staticBody : Buffer.from(body);
		const bytes = Buffer.allocUnsafe(head.length + (bodyBytes?.length ?? 0));
		bytes.write(head, 0, 'latin1');
		bodyBytes?.copy(bytes, head.length);
		return bytes;
	}

	/** Whether every value a filled index takes is ASCII (data columns: every row; built-ins always). */
	private asciiValues(index: number): boolean {
		const slot = this.spec.slots[this.filled[index]!.slot]!;
		return slot.kind !== 'data' || this.data === undefined || this.data.rows.every(row => isAscii(row[slot.column] ?? ''));
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

	/** undici's dispatch options (through a proxy: absolute form, to the proxy's Client). */
	undiciOptions(request: RenderedRequest): {path: string; method: string; headers: string[]; body: string | null} {
		const headers = this.headers(request);
		return {
			path: `${this.targetPrefix}${request.path}`,
			method: this.plan.method,
			headers: this.proxyFields.length === 0 ? headers : [...headers, ...this.proxyFields],
			body: this.body(request) ?? null,
		};
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
	/** The values filled in, each in the encoding of where it stands (see RequestTemplate.filled). */
	readonly values: readonly string[];
	/** Path and query, placeholders filled (url-encoded). */
	readonly path: string;
	private bytes: string | Buffer | undefined;
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
	wire(): string | Buffer {
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
		return this.template.undiciOptions(this);
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

function isAscii(text: string): boolean {
	// eslint-disable-next-line no-control-regex
	return /^[\u0000-\u007F]*$/.test(text);
}
