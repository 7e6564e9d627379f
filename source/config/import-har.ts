import {ConfigError} from './errors.js';
import {endpointFields, finishNotes, SecretNames, type ImportedRequest, type ImportResult} from './import-request.js';

/** The part of a HAR 1.2 entry's request that an import reads. */
type HarRequest = {
	method?: unknown;
	url?: unknown;
	headers?: unknown;
	postData?: {mimeType?: unknown; text?: unknown; params?: unknown};
};

/** One distinct request (method, URL and body) and how often the HAR file has it. */
type Group = {request: ImportedRequest; count: number};

/**
 * A HAR file (a browser's network log) as a config: one endpoint per distinct request (method, URL
 * and body), weighted by how often it was sent; headers every endpoint shares go to the top level;
 * secrets as `${VAR}`. `filter` keeps the requests to that host (or its subdomains). Entries that
 * are not http(s) (data:, blob:, ws:, extensions) are skipped and counted in a note.
 */
export function importHar(text: string, source: string, filter?: string): ImportResult {
	const entries = harEntries(text, source);
	const groups = new Map<string, Group>();
	const skipped = new Map<string, number>();
	const hosts = new Set<string>();
	let filtered = 0;
	for (const [index, entry] of entries.entries()) {
		const request = (entry as {request?: HarRequest} | null)?.request;
		if (typeof request?.url !== 'string' || typeof request.method !== 'string') {
			throw new ConfigError(source, [{path: `log.entries[${index}].request`, message: 'expected a request with "method" and "url" (HAR 1.2); export the HAR again from the browser'}]);
		}

		let url: URL;
		try {
			url = new URL(request.url);
		} catch {
			throw new ConfigError(source, [{path: `log.entries[${index}].request.url`, message: `"${request.url}" is not a URL`}]);
		}

		if (url.protocol !== 'http:' && url.protocol !== 'https:') {
			skipped.set(url.protocol, (skipped.get(url.protocol) ?? 0) + 1);
			continue;
		}

		hosts.add(url.hostname);
		if (filter !== undefined && !hostMatches(url, filter)) {
			filtered++;
			continue;
		}

		url.hash = '';
		const imported: ImportedRequest = {method: request.method, url: request.url.replace(/#.*$/, ''), headers: harHeaders(request.headers), body: harBody(request.postData)};
		const key = `${imported.method.toUpperCase()} ${imported.url}\n${imported.body ?? ''}`;
		const group = groups.get(key);
		if (group) group.count++;
		else groups.set(key, {request: imported, count: 1});
	}

	if (groups.size === 0) {
		const why = filter === undefined ? 'no http:// or https:// requests in it' : `no request to ${filter} (hosts in the file: ${[...hosts].join(', ') || 'none'}); pick one of them for --filter`;
		throw new ConfigError(source, [{path: 'log.entries', message: why}]);
	}

	const notes: string[] = [];
	const secrets = new SecretNames();
	const names = new Map<string, number>();
	const endpoints = [...groups.values()].map(({request, count}) => {
		const fields = endpointFields(request, secrets, notes);
		// The path and query as the config has them (secrets already `${VAR}`).
		const base = `${String(fields['method'])} ${String(fields['url']).replace(/^[a-z]+:\/\/[^/?]*/i, '') || '/'}`;
		const seen = (names.get(base) ?? 0) + 1;
		names.set(base, seen);
		return {name: seen === 1 ? base : `${base} (${seen})`, ...fields, weight: count};
	});
	const shared = sharedHeaders(endpoints);
	for (const [kind, count] of skipped) notes.push(`skipped ${count} ${kind} ${count === 1 ? 'entry' : 'entries'} (not http or https)`);
	if (filtered > 0) notes.push(`--filter ${filter}: left out ${filtered} request${filtered === 1 ? '' : 's'} to other hosts`);
	const config: Record<string, unknown> = {
		name: `${source.replace(/^.*[/\\]/, '')}: ${entries.length} entries, ${endpoints.length} distinct request${endpoints.length === 1 ? '' : 's'}`,
		...(Object.keys(shared).length > 0 ? {headers: shared} : {}),
		requests: endpoints,
	};
	return finishNotes(config, secrets, notes);
}

function harEntries(text: string, source: string): unknown[] {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new ConfigError(source, [{path: '(file)', message: `not valid JSON (${(error as Error).message}); export the HAR again ("Save all as HAR")`}]);
	}

	const entries = (parsed as {log?: {entries?: unknown}} | null)?.log?.entries;
	if (!Array.isArray(entries)) {
		throw new ConfigError(source, [{path: 'log.entries', message: 'missing; not a HAR file (expected {"log": {"entries": [...]}})'}]);
	}

	return entries;
}

/** `example.com` matches example.com and api.example.com; `host:port` matches that port only. */
function hostMatches(url: URL, filter: string): boolean {
	const wanted = filter.toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
	if (wanted.includes(':') && !wanted.startsWith('[')) return url.host === wanted;
	return url.hostname === wanted || url.hostname.endsWith(`.${wanted}`);
}

function harHeaders(headers: unknown): Array<[string, string]> {
	if (!Array.isArray(headers)) return [];
	return headers.filter((header): header is {name: string; value: string} => typeof header?.name === 'string' && typeof header?.value === 'string').map(header => [header.name, header.value]);
}

/** The body as sent: postData.text, or its params written as a form. */
function harBody(postData: HarRequest['postData']): string | undefined {
	if (postData === undefined || postData === null) return undefined;
	if (typeof postData.text === 'string') return postData.text;
	if (Array.isArray(postData.params)) {
		return new URLSearchParams((postData.params as Array<{name?: unknown; value?: unknown}>).map(parameter => [String(parameter.name ?? ''), String(parameter.value ?? '')])).toString();
	}

	return undefined;
}

/** Headers with the same value in every endpoint, taken out of each. */
function sharedHeaders(endpoints: Array<Record<string, unknown>>): Record<string, string> {
	const all = endpoints.map(endpoint => (endpoint['headers'] ?? {}) as Record<string, string>);
	if (endpoints.length < 2) return {};
	const shared = Object.fromEntries(Object.entries(all[0]!).filter(([name, value]) => name.toLowerCase() !== 'content-type' && all.every(headers => headers[name] === value)));
	for (const endpoint of endpoints) {
		const rest = Object.fromEntries(Object.entries(endpoint['headers'] as Record<string, string> ?? {}).filter(([name]) => !(name in shared)));
		if (Object.keys(rest).length > 0) endpoint['headers'] = rest;
		else delete endpoint['headers'];
	}

	return shared;
}
