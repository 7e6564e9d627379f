import {joinPath, type ConfigIssue} from './interpolate.js';
import {formEncode, hasPlaceholder, hasSlots, TemplateCompiler, type Encoding, type Parts, type TemplateSpec} from './template.js';
import type {DataSet, EndpointPlan} from './types.js';

/** Where an endpoint's fields were written, for problems' JSON paths. */
export type TemplatePlaces = {
	/** The endpoint's own path (`requests[2]`, or '' / `stress_test` for a single url). */
	readonly endpoint: string;
	/** The path of the config holding shared headers (top level or `stress_test`). */
	readonly shared: string;
	/** Header names the endpoint itself sets (others come from the shared headers). */
	readonly ownHeaders: ReadonlySet<string>;
	/** Which body key the endpoint's body came from. */
	readonly bodyKey: 'json' | 'form' | 'body' | undefined;
	/** A form body's fields, as written (each key and value is compiled on its own). */
	readonly form?: Readonly<Record<string, string | number | boolean>> | undefined;
};

/**
 * Compiles an endpoint's placeholders (URL path and query, header values, body). Returns the plan
 * unchanged when it holds none, else with `template` set. `data` is the endpoint's data set and its
 * index in `TestPlan.data`.
 */
export function templateEndpoint(plan: EndpointPlan, data: {readonly set: DataSet; readonly index: number} | 'unreadable' | undefined, places: TemplatePlaces, issues: ConfigIssue[]): EndpointPlan {
	const texts = [plan.url, ...Object.values(plan.headers), plan.body ?? '', ...Object.entries(places.form ?? {}).flat().map(String)];
	if (!texts.some(text => hasPlaceholder(text))) {
		return plan;
	}

	const set = data === 'unreadable' ? 'unreadable' : data?.set;
	const compiler = new TemplateCompiler(set, issues);
	const before = issues.length;
	const urlWhere = joinPath(places.endpoint, 'url');
	const path = urlPath(plan.url, compiler, urlWhere, issues);
	const headers: Record<string, Parts> = {};
	for (const [name, value] of Object.entries(plan.headers)) {
		const where = joinPath(joinPath(places.ownHeaders.has(name) ? places.endpoint : places.shared, 'headers'), name);
		const parts = compiler.parts(value, where);
		if (hasSlots(parts)) {
			headers[name] = parts;
			headerSafe(parts, compiler, typeof set === 'object' ? set : undefined, where, issues);
		}
	}

	const body = bodyParts(plan, places, compiler);
	if (issues.length > before) {
		return plan;
	}

	const spec: TemplateSpec = {
		slots: compiler.slots,
		data: compiler.usesData && typeof data === 'object' ? data.index : undefined,
		path,
		headers,
		body,
	};
	return {...plan, template: spec};
}

/** Stands in for a slot while the URL parser normalizes the literal text around it. */
const marker = (slot: number): string => `PsTsLoT${slot}X`;
const markerPattern = /PsTsLoT(\d+)X/;

function urlPath(url: string, compiler: TemplateCompiler, where: string, issues: ConfigIssue[]): TemplateSpec['path'] {
	const raw = compiler.parts(url, where);
	if (!hasSlots(raw)) return undefined;
	const marked = raw.map(part => typeof part === 'number' ? marker(part) : part).join('');
	let parsed: URL;
	try {
		parsed = new URL(marked);
	} catch {
		issues.push({path: where, message: 'placeholders go in the path and query only, not in the scheme, host or port'});
		return undefined;
	}

	if (markerPattern.test(parsed.origin) || markerPattern.test(parsed.username) || markerPattern.test(parsed.password)) {
		issues.push({path: where, message: 'placeholders go in the path and query only, not in the scheme, host or port'});
		return undefined;
	}

	if (markerPattern.test(parsed.hash)) {
		issues.push({path: where, message: 'a placeholder after # is never sent (a fragment stays in the client); move it into the path or query'});
		return undefined;
	}

	return {pathname: markedParts(parsed.pathname), search: markedParts(parsed.search)};
}

function markedParts(text: string): Parts {
	// split with a capture group: literal, slot, literal, slot, ..., literal.
	return text.split(markerPattern).map((piece, index) => index % 2 === 1 ? Number(piece) : piece).filter(part => part !== '');
}

function bodyParts(plan: EndpointPlan, places: TemplatePlaces, compiler: TemplateCompiler): TemplateSpec['body'] {
	if (plan.body === undefined || places.bodyKey === undefined) return undefined;
	const where = joinPath(places.endpoint, places.bodyKey);
	let parts: Parts;
	let encoding: Encoding;
	if (places.bodyKey === 'form' && places.form !== undefined) {
		// Each name and value on its own: their literal text form-encoded now, slot values per request.
		const all: Array<string | number> = [];
		for (const [index, [name, value]] of Object.entries(places.form).entries()) {
			if (index > 0) all.push('&');
			all.push(...compiler.parts(name, joinPath(where, name), formEncode), '=', ...compiler.parts(String(value), joinPath(where, name), formEncode));
		}

		parts = all;
		encoding = 'form';
	} else {
		// A JSON body after serialization: a placeholder can only stand inside a JSON string there.
		parts = compiler.parts(plan.body, where);
		encoding = places.bodyKey === 'json' ? 'json' : 'raw';
	}

	return hasSlots(parts) ? {parts: merged(parts), encoding} : undefined;
}

/** Adjacent literals joined (a form's pieces come apart). */
function merged(parts: Parts): Parts {
	const result: Array<string | number> = [];
	for (const part of parts) {
		const last = result.length - 1;
		if (typeof part === 'string' && last >= 0 && typeof result[last] === 'string') {
			result[last] = `${result[last] as string}${part}`;
		} else if (part !== '') {
			result.push(part);
		}
	}

	return result;
}

/** A header value must stay one line of Latin-1: checks each data row the header reads. */
function headerSafe(parts: Parts, compiler: TemplateCompiler, data: DataSet | undefined, where: string, issues: ConfigIssue[]): void {
	if (data === undefined) return;
	for (const part of parts) {
		if (typeof part !== 'number') continue;
		const slot = compiler.slots[part]!;
		if (slot.kind !== 'data') continue;
		const row = data.rows.findIndex(values => !/^[^\r\n\0\u0100-\uFFFF]*$/.test(values[slot.column] ?? ''));
		if (row >= 0) {
			issues.push({path: where, message: `\${data.${data.columns[slot.column]!}} — row ${row + 1} of ${data.file} holds a line break, NUL or a character outside Latin-1, which a header cannot carry`});
		}
	}
}
