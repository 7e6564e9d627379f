import {isSecretKey} from './redact.js';

/** One request as read from curl's words or a HAR entry, before it becomes config fields. */
export type ImportedRequest = {
	readonly method: string;
	readonly url: string;
	/** In the order given; Content-Type included when the request had one (curl's implicit one too). */
	readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
	readonly body?: string | undefined;
	readonly basicAuth?: {readonly username: string; readonly password: string} | undefined;
};

/** A config written by `import`, what it could not carry over, and the variables it reads. */
export type ImportResult = {
	readonly config: Record<string, unknown>;
	/** One line each: what was ignored, changed or needs the user. */
	readonly notes: readonly string[];
	/** Environment variables standing in for secrets, each with what it stands for. */
	readonly variables: ReadonlyArray<{readonly name: string; readonly what: string}>;
};

/** Headers the client writes itself (hop-by-hop, framing, HTTP/2 pseudo-headers): never imported. */
const ownHeaders = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection', 'expect']);

/** The Content-Type a config sets itself for each kind of body (load.ts). */
const defaultContentType = {json: 'application/json', form: 'application/x-www-form-urlencoded', body: 'text/plain; charset=utf-8'} as const;

/**
 * Environment variables standing in for secrets: one name per kind of secret (every Cookie of a HAR
 * file is `${COOKIE}`), so the user exports each once. The values never leave this object.
 */
export class SecretNames {
	readonly #used = new Map<string, string>();

	/** `${NAME}` for a secret; NAME from the field's own name (`client_secret` -> CLIENT_SECRET). */
	placeholder(field: string, what: string): string {
		const name = envName(field);
		if (!this.#used.has(name)) this.#used.set(name, what);
		return `\${${name}}`;
	}

	variables(): Array<{name: string; what: string}> {
		return [...this.#used].map(([name, what]) => ({name, what}));
	}
}

/** `X-Api-Key` -> X_API_KEY: a name `${...}` reads (letters, digits, underscores). */
export function envName(text: string): string {
	const name = text.replaceAll(/([a-z\d])([A-Z])/g, '$1_$2').toUpperCase().replaceAll(/[^A-Z\d]+/g, '_').replaceAll(/^_+|_+$/g, '');
	return name === '' ? 'SECRET' : (/^\d/.test(name) ? `_${name}` : name);
}

/**
 * The config fields of one endpoint: url, method, headers (secrets as `${VAR}`), the body as
 * "json" or "form" when it reads back byte for byte as what was sent (else "body"), basic_auth.
 */
export function endpointFields(request: ImportedRequest, secrets: SecretNames, notes: string[]): Record<string, unknown> {
	let basicAuth = request.basicAuth;
	const headers: Record<string, string> = {};
	let contentType: string | undefined;
	for (const [name, value] of request.headers) {
		const lower = name.toLowerCase();
		if (lower.startsWith(':') || ownHeaders.has(lower)) continue;
		if (lower === 'content-type') {
			contentType = value;
			continue;
		}

		const basic = lower === 'authorization' ? decodeBasic(value) : undefined;
		if (basic && !basicAuth) {
			basicAuth = basic;
			continue;
		}

		headers[name] = secretHeader(name, value, secrets);
	}

	// `user:password@` in the URL is basic auth (unless the request has its own), never kept in the URL.
	const userinfo = /^([a-z][\w+.-]*:\/\/)([^@/?#]*)@/i.exec(request.url);
	const url = userinfo ? request.url.replace(userinfo[0], userinfo[1]!) : request.url;
	if (userinfo && !basicAuth) {
		const [username = '', ...password] = userinfo[2]!.split(':');
		basicAuth = {username: decodeURIComponent(username), password: decodeURIComponent(password.join(':'))};
	}

	const fields: Record<string, unknown> = {method: request.method.toUpperCase(), url: secretQuery(url, secrets)};
	const body = request.body === undefined ? undefined : bodyField(request.body, contentType, secrets);
	if (body && contentType !== undefined && contentType.toLowerCase() !== defaultContentType[body.kind]) {
		headers['Content-Type'] = contentType;
	} else if (!body && contentType !== undefined) {
		headers['Content-Type'] = contentType;
	}

	if (Object.keys(headers).length > 0) fields['headers'] = headers;
	if (body) fields[body.kind] = body.value;
	const shown = `${String(fields['method'])} ${String(fields['url'])}`;
	if (body?.kind === 'json' && contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
		notes.push(`the JSON body of ${shown} goes as ${contentType} (as the input sent it); drop that Content-Type header to send application/json`);
	}

	if (body?.kind === 'json' && request.body !== JSON.stringify(body.value)) {
		notes.push(`the JSON body of ${shown} is sent without its spaces and line breaks (same JSON); use "body" to keep the bytes`);
	}

	if (basicAuth) {
		fields['basic_auth'] = {username: basicAuth.username, password: basicAuth.password === '' ? '' : secrets.placeholder('API_PASSWORD', 'the basic auth password')};
	}

	return fields;
}

/** Authorization, Cookie, X-Api-Key and any header named like a secret: `${VAR}` (the scheme kept). */
function secretHeader(name: string, value: string, secrets: SecretNames): string {
	if (!isSecretKey(name) || isReference(value)) return value;
	const scheme = /^([A-Za-z\d-]+)\s+\S/.exec(value)?.[1];
	if (name.toLowerCase() === 'authorization' && scheme !== undefined) {
		if (isReference(value.slice(scheme.length))) return value;
		const token = /^bearer|token$/i.test(scheme) ? 'API_TOKEN' : 'AUTHORIZATION';
		return `${scheme} ${secrets.placeholder(token, `the ${scheme} credentials of the Authorization header`)}`;
	}

	return secrets.placeholder(name, `the ${name} header`);
}

/** `Basic base64(user:pass)` -> the user and password, when it decodes to exactly that. */
function decodeBasic(value: string): {username: string; password: string} | undefined {
	const match = /^Basic\s+([A-Za-z\d+/]+={0,2})\s*$/i.exec(value);
	if (!match) return undefined;
	const text = Buffer.from(match[1]!, 'base64').toString('utf8');
	const colon = text.indexOf(':');
	if (colon < 0 || Buffer.from(text).toString('base64') !== match[1]) return undefined;
	return {username: text.slice(0, colon), password: text.slice(colon + 1)};
}

/** Secret query parameters (`?access_token=...`) become `${VAR}`; the rest of the URL stays as written. */
function secretQuery(url: string, secrets: SecretNames): string {
	return url.replaceAll(/([?&])([^=&#]+)=([^&#]*)/g, (whole, separator: string, key: string, value: string) => {
		if (value === '' || !isSecretKey(decodeURIComponent(key)) || isReference(value)) return whole;
		return `${separator}${key}=${secrets.placeholder(decodeURIComponent(key), `the ${decodeURIComponent(key)} query parameter`)}`;
	});
}

type BodyField = {kind: 'json'; value: unknown} | {kind: 'form'; value: Record<string, string>} | {kind: 'body'; value: string};

/**
 * A JSON body that parses and prints back as the same text (spaces aside) is "json"; a form body
 * that serializes back byte for byte is "form"; anything else stays "body" as sent.
 */
function bodyField(text: string, contentType: string | undefined, secrets: SecretNames): BodyField | undefined {
	const type = contentType?.toLowerCase() ?? '';
	const json = exactJson(text);
	if (json !== undefined && (type === '' || /[/+]json\b/.test(type) || type.startsWith('application/x-www-form-urlencoded') || type.startsWith('text/plain'))) {
		return {kind: 'json', value: secretFields(json.value, secrets)};
	}

	if (type.startsWith('application/x-www-form-urlencoded') || type === '') {
		const form = exactForm(text);
		if (form) {
			return {kind: 'form', value: Object.fromEntries(Object.entries(form).map(([key, value]) => [key, value !== '' && isSecretKey(key) && !isReference(value) ? secrets.placeholder(key, `the ${key} form field`) : value]))};
		}
	}

	return text === '' ? undefined : {kind: 'body', value: text};
}

/** The parsed JSON when printing it back gives the same text, spaces between tokens aside. */
function exactJson(text: string): {value: unknown} | undefined {
	const trimmed = text.trim();
	if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
	let value: unknown;
	try {
		value = JSON.parse(trimmed);
	} catch {
		return undefined;
	}

	const compact = trimmed.replaceAll(/("(?:[^"\\]|\\.)*")|\s+/g, (_whole, string: string | undefined) => string ?? '');
	return JSON.stringify(value) === compact ? {value} : undefined;
}

/** Form fields when URLSearchParams writes them back exactly (no repeated or bare keys). */
function exactForm(text: string): Record<string, string> | undefined {
	if (text === '' || !text.split('&').every(pair => /^[^=]+=/.test(pair))) return undefined;
	const parameters = new URLSearchParams(text);
	const fields = Object.fromEntries(parameters);
	if (Object.keys(fields).length !== [...parameters.keys()].length || parameters.toString() !== text) return undefined;
	return fields;
}

/** JSON values under secret-looking keys (password, client_secret, token...) become `${VAR}`. */
function secretFields(value: unknown, secrets: SecretNames): unknown {
	if (Array.isArray(value)) return value.map(item => secretFields(item, secrets));
	if (value === null || typeof value !== 'object') return value;
	return Object.fromEntries(Object.entries(value).map(([key, item]) => [
		key,
		typeof item === 'string' && item !== '' && isSecretKey(key) && !isReference(item) ? secrets.placeholder(key, `the "${key}" field of the JSON body`) : secretFields(item, secrets),
	]));
}

function isReference(value: string): boolean {
	return /^\s*\$\{[A-Za-z_]\w*(:-[^}]*)?\}\s*$/.test(value);
}

/**
 * Notes for an import's end: the variables to export, and `${NAME}` text the input carried that
 * the loader will read as a variable too.
 */
export function finishNotes(config: Record<string, unknown>, secrets: SecretNames, notes: readonly string[]): ImportResult {
	const variables = secrets.variables();
	const own = new Set(variables.map(variable => variable.name));
	const foreign = [...new Set([...JSON.stringify(config).matchAll(/\$\{([A-Za-z_]\w*)(?::-[^}]*)?\}/g)].map(match => match[1]!))].filter(name => !own.has(name));
	const extra = foreign.length > 0 ? [`the config also reads \${${foreign.join('}, ${')}} (written so in the input, or a shell variable): export ${foreign.length === 1 ? 'it' : 'them'} before running`] : [];
	return {config, notes: [...notes, ...extra], variables};
}
