import {readFileSync} from 'node:fs';
import {unreadable} from '../config/data-file.js';
import type {ConfigIssue} from '../config/interpolate.js';

/**
 * `--urls-file FILE`: one URL a line (blank lines and `#` comments skipped), each a GET endpoint
 * of weight 1, as a config `{"requests": [...]}`. Each endpoint is named by its URL (without
 * credentials; a URL given twice gets its line number too). Problems name the line.
 */
export function urlsFileConfig(file: string, issues: ConfigIssue[]): Record<string, unknown> {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		issues.push({path: '--urls-file', message: `cannot read ${file} (${unreadable(error)}); give a text file with one URL a line`});
		return {};
	}

	const requests: Array<{name: string; url: string}> = [];
	const names = new Set<string>();
	for (const [index, line] of text.split('\n').entries()) {
		const url = line.trim();
		if (url === '' || url.startsWith('#')) continue;
		const where = `--urls-file ${file} line ${index + 1}`;
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			issues.push({path: where, message: `"${url}" is not a URL; write one absolute http:// or https:// URL a line`});
			continue;
		}

		if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
			issues.push({path: where, message: `"${url}" is not an http:// or https:// URL`});
			continue;
		}

		parsed.username = '';
		parsed.password = '';
		let name = parsed.href;
		if (names.has(name)) name = `${name} (line ${index + 1})`;
		names.add(name);
		requests.push({name, url});
	}

	if (requests.length === 0 && issues.length === 0) {
		issues.push({path: '--urls-file', message: `${file} holds no URL; write one absolute http:// or https:// URL a line (# starts a comment)`});
	}

	return {requests};
}

/**
 * A body from --body/--json-body lands at the top level of the config; with --urls-file every
 * endpoint sends it, so it moves into each.
 */
export function bodyIntoRequests(config: Record<string, unknown>): Record<string, unknown> {
	const requests = config['requests'];
	if (!Array.isArray(requests)) return config;
	const body = Object.fromEntries(['json', 'form', 'body'].filter(key => config[key] !== undefined).map(key => [key, config[key]]));
	if (Object.keys(body).length === 0) return config;
	const rest = Object.fromEntries(Object.entries(config).filter(([key]) => !(key in body)));
	return {...rest, requests: requests.map((request: Record<string, unknown>) => ({...request, ...body}))};
}
