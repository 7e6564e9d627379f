/**
 * Placeholders in requests: `${data.column}` (a data file's column), `${seq}` (requests numbered
 * from 1 across all threads), `${uuid}`, `${randomInt(LOW,HIGH)}` and `${now}` (ms since the
 * epoch). Compiled once here into literal text and numbered slots; the engine fills the slots
 * for each request (engine/request-template.ts), so no request runs a regular expression.
 *
 * The names are reserved: `seq`, `uuid` and `now` are not read from the environment, and
 * `${data.…}` never was; any other `${NAME}` is an environment variable as before (interpolate.ts).
 */
import type {ConfigIssue} from './interpolate.js';
import type {DataSet} from './types.js';

/** What fills a slot. */
export type Slot =
	| {readonly kind: 'data'; readonly column: number}
	| {readonly kind: 'seq'}
	| {readonly kind: 'uuid'}
	| {readonly kind: 'now'}
	| {readonly kind: 'randomInt'; readonly min: number; readonly max: number};

/** Literal text and slot numbers, in order. */
export type Parts = ReadonlyArray<string | number>;

/**
 * How a slot's value is written where it stands: `url` (the path) percent-encoded as by
 * encodeURIComponent, `query` the same and `'` as %27 (as the URL parser writes a query), so a
 * `/`, `?`, `&` or space in a value stays inside that value; `raw` as it is (headers, a raw
 * body); `json` escaped as inside a JSON string (the placeholder stood in one); `form`
 * application/x-www-form-urlencoded.
 */
export type Encoding = 'url' | 'query' | 'raw' | 'json' | 'form';

/** An endpoint's placeholders, compiled: one value per slot per request, used wherever it stands. */
export type TemplateSpec = {
	readonly slots: readonly Slot[];
	/** Index of the endpoint's data set in `TestPlan.data`; undefined when no slot reads data. */
	readonly data: number | undefined;
	/** Path and query (placeholders percent-encoded); undefined when they hold none. */
	readonly path: {readonly pathname: Parts; readonly search: Parts} | undefined;
	/** Header values holding placeholders (raw), by the header's name as in the plan. */
	readonly headers: Readonly<Record<string, Parts>>;
	/** The body, when it holds placeholders. */
	readonly body: {readonly parts: Parts; readonly encoding: Encoding} | undefined;
};

/** Every `${…}` in a text (compile time only). */
export const placeholderPattern = /\$\{([^${}]*)\}/g;
const reservedPattern = /^\s*(data|seq|uuid|now|randomInt)\b/;
const randomIntPattern = /^randomInt\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)$/;

/** Whether a text holds any placeholder of ours (a reserved name, well formed or not). */
export function hasPlaceholder(text: string): boolean {
	for (const match of text.matchAll(placeholderPattern)) {
		if (reservedPattern.test(match[1]!)) return true;
	}

	return false;
}

/** One endpoint's compilation: collects distinct slots and reports problems with their place. */
export class TemplateCompiler {
	readonly slots: Slot[] = [];
	private readonly keys = new Map<string, number>();
	private readonly data: DataSet | 'unreadable' | undefined;
	private readonly issues: ConfigIssue[];
	/** A placeholder read a column (the endpoint needs its data set). */
	usesData = false;

	/** `data`: the request's data set; 'unreadable' when its file failed (that problem is listed already). */
	constructor(data: DataSet | 'unreadable' | undefined, issues: ConfigIssue[]) {
		this.data = data;
		this.issues = issues;
	}

	/**
	 * Splits `text` into literal parts (each passed through `literal`) and slot numbers. Text
	 * without a placeholder of ours comes back as one literal (an unknown `${X}` stays text).
	 * `where` is the JSON path problems are reported under.
	 */
	parts(text: string, where: string, literal: (text: string) => string = same): Parts {
		const parts: Array<string | number> = [];
		let last = 0;
		for (const match of text.matchAll(placeholderPattern)) {
			const inner = match[1]!;
			if (!reservedPattern.test(inner)) continue;
			const slot = this.slot(inner.trim(), match[0], where);
			if (slot === undefined) continue;
			pushLiteral(parts, literal(text.slice(last, match.index)));
			parts.push(slot);
			last = match.index + match[0].length;
		}

		pushLiteral(parts, literal(text.slice(last)));
		return parts;
	}

	private slot(inner: string, whole: string, where: string): number | undefined {
		const slot = this.parse(inner, whole, where);
		if (slot === undefined) return undefined;
		const key = JSON.stringify(slot);
		let index = this.keys.get(key);
		if (index === undefined) {
			index = this.slots.length;
			this.slots.push(slot);
			this.keys.set(key, index);
		}

		return index;
	}

	private parse(inner: string, whole: string, where: string): Slot | undefined {
		if (inner === 'seq' || inner === 'uuid' || inner === 'now') {
			return {kind: inner};
		}

		if (inner.startsWith('randomInt')) {
			const bounds = randomIntPattern.exec(inner);
			const min = bounds ? Number(bounds[1]) : Number.NaN;
			const max = bounds ? Number(bounds[2]) : Number.NaN;
			if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
				this.issues.push({path: where, message: `${whole} — randomInt takes two whole numbers, low then high (low ≤ high), e.g. \${randomInt(1,100)}`});
				return undefined;
			}

			return {kind: 'randomInt', min, max};
		}

		if (inner.startsWith('data.') && inner.length > 5) {
			const column = inner.slice(5);
			if (this.data === 'unreadable') {
				return undefined;
			}

			if (this.data === undefined) {
				this.issues.push({path: where, message: `${whole} — no data file for this request; add "data": {"file": "rows.csv"} at the top level or to this request`});
				return undefined;
			}

			const index = this.data.columns.indexOf(column);
			if (index < 0) {
				this.issues.push({path: where, message: `${whole} — column "${column}" not in ${this.data.file} (columns: ${this.data.columns.join(', ')})`});
				return undefined;
			}

			this.usesData = true;
			return {kind: 'data', column: index};
		}

		this.issues.push({path: where, message: `${whole} is not a placeholder; use \${data.COLUMN}, \${seq}, \${uuid}, \${now} or \${randomInt(LOW,HIGH)}`});
		return undefined;
	}
}

/** Whether parts hold any slot. */
export function hasSlots(parts: Parts): boolean {
	return parts.some(part => typeof part === 'number');
}

/** Writes a slot's value as its encoding asks. */
export function encodeValue(value: string, encoding: Encoding): string {
	switch (encoding) {
		case 'url': {
			return encodeURIComponent(value);
		}

		case 'query': {
			// As encodeURIComponent, and ' too (the URL parser encodes it in a query).
			const encoded = encodeURIComponent(value);
			return encoded.includes('\'') ? encoded.replaceAll('\'', '%27') : encoded;
		}

		case 'json': {
			const quoted = JSON.stringify(value);
			return quoted.slice(1, -1);
		}

		case 'form': {
			return formEncode(value);
		}

		case 'raw': {
			return value;
		}
	}
}

/** application/x-www-form-urlencoded, as URLSearchParams writes a name or value. */
export function formEncode(text: string): string {
	return new URLSearchParams([['', text]]).toString().slice(1);
}

function same(text: string): string {
	return text;
}

function pushLiteral(parts: Array<string | number>, text: string): void {
	if (text === '') return;
	const last = parts.length - 1;
	if (last >= 0 && typeof parts[last] === 'string') {
		parts[last] = `${parts[last] as string}${text}`;
	} else {
		parts.push(text);
	}
}
