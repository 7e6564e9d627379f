/**
 * The small JSON path language of response checks: `$`, then `.name`, `["any key"]` or `[0]`,
 * repeated, e.g. `$.items[0].id` or `$.items.length`. `length` of an array or a string is its
 * length (of an object, its "length" key). No filters, wildcards or recursion; nothing is eval'd.
 */

/** One step of a path: an object key or an array index. */
export type JsonPathSegment = string | number;

const namePattern = /^[A-Za-z_$][\w$-]*/;

/** The path's steps, or a string saying what is wrong with it. */
export function parseJsonPath(text: string): readonly JsonPathSegment[] | string {
	if (!text.startsWith('$')) {
		return 'a path starts with "$", e.g. "$.items[0].id"';
	}

	const segments: JsonPathSegment[] = [];
	let position = 1;
	while (position < text.length) {
		const rest = text.slice(position);
		if (rest.startsWith('.')) {
			const name = namePattern.exec(rest.slice(1));
			if (!name) {
				return `expected a name after "." at character ${position + 2}`;
			}

			segments.push(name[0]);
			position += 1 + name[0].length;
			continue;
		}

		const index = /^\[(\d+)\]/.exec(rest);
		if (index) {
			segments.push(Number(index[1]));
			position += index[0].length;
			continue;
		}

		const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
		if (quoted) {
			segments.push(JSON.parse(quoted[1]!) as string);
			position += quoted[0].length;
			continue;
		}

		return `unexpected ${JSON.stringify(rest.slice(0, 8))} at character ${position + 1}; use .name, [0] or ["key"]`;
	}

	return segments;
}

/** Undefined when the path leads nowhere (a missing key, an index past the end, a step into a scalar). */
export function evaluateJsonPath(value: unknown, segments: readonly JsonPathSegment[]): unknown {
	let current = value;
	for (const segment of segments) {
		if (segment === 'length' && (Array.isArray(current) || typeof current === 'string')) {
			current = current.length;
		} else if (typeof segment === 'number') {
			current = Array.isArray(current) ? current[segment] : undefined;
		} else if (current !== null && typeof current === 'object' && !Array.isArray(current) && Object.hasOwn(current, segment)) {
			current = (current as Record<string, unknown>)[segment];
		} else {
			return undefined;
		}
	}

	return current;
}
