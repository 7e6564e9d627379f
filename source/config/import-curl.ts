import {ConfigError} from './errors.js';
import {endpointFields, finishNotes, SecretNames, type ImportResult} from './import-request.js';

/** How curl sends one piece of data: `-d` strips line breaks from a file, `--data-binary` does not. */
type DataPiece = {readonly text: string; readonly separator: '&' | ''};

/** What the options read so far say about the request. */
type CurlState = {
	method?: string;
	urls: string[];
	headers: Array<[string, string]>;
	data: DataPiece[];
	json: boolean;
	get: boolean;
	head: boolean;
	user?: string;
	insecure: boolean;
	timeoutMs?: number;
	/** ca_file, cert_file, key_file, unix_socket. */
	network: Record<string, string>;
	notes: string[];
	unknown: string[];
	outputOnly: string[];
};

type Handler = (state: CurlState, value: string, readFile: ReadFile) => void;
type ReadFile = (path: string) => string;

const header = (name: string): Handler => (state, value) => {
	state.headers.push([name, value]);
};

/** `@file` data read through `readFile` (`-` is standard input, which an import cannot read). */
function dataText(value: string, option: string, readFile: ReadFile, stripLineBreaks: boolean): string {
	if (!value.startsWith('@')) return value;
	const file = value.slice(1);
	if (file === '-') throw new ConfigError('curl', [{path: option, message: 'reads standard input (@-); put the body in the command or in a file (@body.json)'}]);
	const text = readFile(file);
	return stripLineBreaks ? text.replaceAll(/[\r\n]/g, '') : text;
}

/** `--data-urlencode`: `content`, `=content`, `name=content`, `@file` or `name@file`, encoded as curl does. */
function urlencodeData(value: string, readFile: ReadFile): string {
	const equals = value.indexOf('=');
	const at = value.indexOf('@');
	let name = '';
	let content = value;
	if (equals >= 0 && (at < 0 || equals < at)) {
		name = value.slice(0, equals);
		content = value.slice(equals + 1);
	} else if (at >= 0) {
		name = value.slice(0, at);
		content = readFile(value.slice(at + 1));
	}

	return name === '' ? curlEscape(content) : `${name}=${curlEscape(content)}`;
}

/** curl's escaping: letters, digits and `-._~` kept, a space as `+`, every other byte as %XX. */
function curlEscape(text: string): string {
	let escaped = '';
	for (const byte of Buffer.from(text, 'utf8')) {
		const character = String.fromCodePoint(byte);
		escaped += /[A-Za-z\d\-._~]/.test(character) ? character : (byte === 0x20 ? '+' : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`);
	}

	return escaped;
}

/** curl's options that take a value, by long name, and what each does to the config. */
const valued: Readonly<Record<string, Handler>> = {
	request(state, value) {
		state.method = value;
	},
	url(state, value) {
		state.urls.push(value);
	},
	header(state, value) {
		const colon = value.indexOf(':');
		if (value.startsWith('@')) {
			state.notes.push(`-H ${value}: headers from a file are not read; add them with -H 'Name: value'`);
		} else if (colon > 0 && value.slice(colon + 1).trim() !== '') {
			state.headers.push([value.slice(0, colon).trim(), value.slice(colon + 1).trim()]);
		} else if (value.endsWith(';')) {
			state.headers.push([value.slice(0, -1).trim(), '']);
		} else {
			state.notes.push(`-H '${value}': removes one of curl's own headers; pystress-tui does not send curl's defaults, nothing to import`);
		}
	},
	data(state, value, readFile) {
		state.data.push({text: dataText(value, '--data', readFile, true), separator: '&'});
	},
	'data-ascii'(state, value, readFile) {
		state.data.push({text: dataText(value, '--data-ascii', readFile, true), separator: '&'});
	},
	'data-binary'(state, value, readFile) {
		state.data.push({text: dataText(value, '--data-binary', readFile, false), separator: '&'});
	},
	'data-raw'(state, value) {
		state.data.push({text: value, separator: '&'});
	},
	'data-urlencode'(state, value, readFile) {
		state.data.push({text: urlencodeData(value, readFile), separator: '&'});
	},
	json(state, value, readFile) {
		state.json = true;
		state.data.push({text: dataText(value, '--json', readFile, false), separator: ''});
	},
	user(state, value) {
		state.user = value;
	},
	'user-agent': header('User-Agent'),
	referer(state, value) {
		state.headers.push(['Referer', value.replace(/;auto$/, '')]);
	},
	cookie(state, value) {
		if (value.includes('=')) {
			state.headers.push(['Cookie', value]);
		} else {
			state.notes.push(`-b ${value}: a cookie file is not read; pass the cookies themselves: -b 'name=value; other=value'`);
		}
	},
	'max-time'(state, value) {
		const seconds = Number(value);
		if (Number.isFinite(seconds) && seconds > 0) state.timeoutMs = Math.ceil(seconds * 1000);
	},
	form(state, value) {
		state.notes.push(`-F ${value.split('=')[0]}=...: multipart forms are not supported by the config; not imported`);
	},
	proxy(state) {
		state.notes.push('-x/--proxy: not imported; give the proxy to the run');
	},
	'oauth2-bearer'(state, value) {
		state.headers.push(['Authorization', `Bearer ${value}`]);
	},
	cacert(state, value) {
		state.network['ca_file'] = value;
	},
	cert(state, value) {
		state.network['cert_file'] = value;
		if (/[^\\]:/.test(value) && !/^[A-Za-z]:[\\/]/.test(value)) state.notes.push('--cert FILE:PASSWORD: the key\'s password is not imported; use an unencrypted key (--key)');
	},
	key(state, value) {
		state.network['key_file'] = value;
	},
	'unix-socket'(state, value) {
		state.network['unix_socket'] = value;
	},
};

/** Options that only change what curl prints or where it saves: nothing to import. */
const outputOnlyValued = new Set(['output', 'write-out', 'trace', 'trace-ascii', 'stderr', 'dump-header', 'connect-timeout', 'retry', 'retry-delay', 'retry-max-time', 'max-redirs', 'limit-rate', 'output-dir']);
const outputOnlyBoolean = new Set(['silent', 'show-error', 'verbose', 'include', 'remote-name', 'fail', 'fail-with-body', 'progress-bar', 'no-progress-meter', 'no-buffer', 'location-trusted', 'http1.1', 'http2', 'http2-prior-knowledge', 'http1.0', 'globoff', 'path-as-is', 'tcp-nodelay', 'no-keepalive', 'ipv4', 'ipv6', 'remote-header-name', 'create-dirs', 'styled-output', 'no-styled-output']);

/** curl's boolean options that change the request. */
const booleans: Readonly<Record<string, (state: CurlState) => void>> = {
	get(state) {
		state.get = true;
	},
	head(state) {
		state.head = true;
	},
	insecure(state) {
		state.insecure = true;
	},
	location(state) {
		state.notes.push('-L/--location: redirects are not followed; each request measures the first response (import the final URL to test it)');
	},
	compressed(state) {
		state.notes.push('--compressed: ignored; pystress-tui sends no Accept-Encoding unless a header asks (add -H \'Accept-Encoding: gzip\' to the config to load the server\'s compression)');
	},
};

const shortNames: Readonly<Record<string, string>> = {
	X: 'request', H: 'header', d: 'data', u: 'user', A: 'user-agent', e: 'referer', b: 'cookie', m: 'max-time', F: 'form', x: 'proxy',
	o: 'output', w: 'write-out', c: 'cookie-jar', E: 'cert', K: 'config', T: 'upload-file', r: 'range', C: 'continue-at', Y: 'speed-limit', y: 'speed-time', z: 'time-cond',
	G: 'get', I: 'head', k: 'insecure', s: 'silent', S: 'show-error', v: 'verbose', i: 'include', O: 'remote-name', f: 'fail', L: 'location', '#': 'progress-bar', N: 'no-buffer', g: 'globoff', 4: 'ipv4', 6: 'ipv6', J: 'remote-header-name', Z: 'parallel', 0: 'http1.0',
};

/** Options curl reads a value for that change the request in ways a config cannot say. */
const unsupportedValued = new Set(['cookie-jar', 'upload-file', 'range', 'continue-at', 'speed-limit', 'speed-time', 'time-cond', 'aws-sigv4', 'config', 'capath', 'resolve', 'connect-to', 'interface', 'request-target', 'form-string', 'url-query', 'variable', 'expand-data', 'expand-url']);

const takesValue = (name: string): boolean => name in valued || outputOnlyValued.has(name) || unsupportedValued.has(name);

/**
 * A curl command line (its words, `curl` first or not) as a config: method, URL, headers, body
 * (json, form or raw), basic_auth and verify_tls, secrets as `${VAR}`. Options it cannot carry over
 * are listed in the notes, never dropped silently. Throws ConfigError (source "curl") when there is
 * no request to import.
 */
export function importCurl(words: readonly string[], readFile: ReadFile): ImportResult {
	const state: CurlState = {urls: [], headers: [], data: [], json: false, get: false, head: false, insecure: false, network: {}, notes: [], unknown: [], outputOnly: []};
	const rest = words[0] === 'curl' ? words.slice(1) : [...words];
	for (let index = 0; index < rest.length; index++) {
		const word = rest[index]!;
		if (word === '--') {
			state.urls.push(...rest.slice(index + 1));
			break;
		}

		if (!word.startsWith('-') || word === '-') {
			state.urls.push(word);
			continue;
		}

		const options = word.startsWith('--') ? [{name: word.slice(2), attached: undefined as string | undefined}] : shortCluster(word);
		for (const {name, attached} of options) {
			let value = attached;
			if (takesValue(name) && value === undefined) {
				value = rest[++index];
				if (value === undefined) throw new ConfigError('curl', [{path: word, message: 'needs a value, as it does in curl'}]);
			}

			apply(state, name, value, readFile);
		}
	}

	return toConfig(state);
}

/** `-sSLk` -> four options; `-XPOST` -> -X with POST; `-Hname: v` -> -H with its value. */
function shortCluster(word: string): Array<{name: string; attached: string | undefined}> {
	const options: Array<{name: string; attached: string | undefined}> = [];
	for (let position = 1; position < word.length; position++) {
		const letter = word[position]!;
		const name = shortNames[letter] ?? `-${letter}`;
		if (takesValue(name)) {
			const attached = word.slice(position + 1);
			options.push({name, attached: attached === '' ? undefined : attached});
			break;
		}

		options.push({name, attached: undefined});
	}

	return options;
}

function apply(state: CurlState, name: string, value: string | undefined, readFile: ReadFile): void {
	const handler = valued[name];
	const flag = booleans[name];
	if (handler) {
		handler(state, value!, readFile);
	} else if (flag) {
		flag(state);
	} else if (outputOnlyValued.has(name) || outputOnlyBoolean.has(name)) {
		state.outputOnly.push(`--${name}`);
	} else {
		// Named, never with its value (it may be a credential).
		state.unknown.push(name.startsWith('-') ? name : `--${name}`);
	}
}

function toConfig(state: CurlState): ImportResult {
	const [first, ...others] = state.urls;
	if (first === undefined) {
		throw new ConfigError('curl', [{path: 'url', message: 'no URL in the curl command; give it as curl does: curl https://host/path'}]);
	}

	let url = /^[a-z][\w+.-]*:\/\//i.test(first) ? first : `http://${first}`;
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new ConfigError('curl', [{path: 'url', message: `"${first}" is not a URL; write it as https://host/path`}]);
	}

	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new ConfigError('curl', [{path: 'url', message: `"${first}" is ${parsed.protocol.slice(0, -1)}; pystress-tui tests http:// and https:// URLs`}]);
	}

	const notes = [...state.notes];
	if (others.length > 0) notes.push(`more URLs than one: imported ${first}; not ${others.join(', ')} (import each, or list them under "requests")`);
	const user = state.user;

	const headers = [...state.headers];
	const has = (name: string): boolean => headers.some(([given]) => given.toLowerCase() === name);
	let body = state.data.length === 0 ? undefined : state.data.map((piece, index) => (index === 0 ? '' : piece.separator) + piece.text).join('');
	let method = state.head ? 'HEAD' : (body === undefined ? 'GET' : 'POST');
	if (state.get && body !== undefined) {
		url += (url.includes('?') ? '&' : '?') + body;
		body = undefined;
		method = state.head ? 'HEAD' : 'GET';
	}

	if (body !== undefined && !has('content-type')) headers.push(['Content-Type', state.json ? 'application/json' : 'application/x-www-form-urlencoded']);
	if (state.json && !has('accept')) headers.push(['Accept', 'application/json']);
	let basicAuth: {username: string; password: string} | undefined;
	if (user !== undefined) {
		const colon = user.indexOf(':');
		basicAuth = colon < 0 ? {username: user, password: 'asked'} : {username: user.slice(0, colon), password: user.slice(colon + 1)};
		if (colon < 0) notes.push(`-u ${user}: curl would ask for the password; the config reads it from API_PASSWORD`);
	}

	const secrets = new SecretNames();
	const fields = endpointFields({method: state.method ?? method, url, headers, body, basicAuth}, secrets, notes);
	if (state.insecure) fields['verify_tls'] = false;
	if (state.timeoutMs !== undefined) fields['timeout_ms'] = state.timeoutMs;
	Object.assign(fields, state.network);
	if (state.outputOnly.length > 0) notes.push(`ignored, they change only curl's own output or connection: ${state.outputOnly.join(' ')}`);
	if (state.unknown.length > 0) notes.push(`not imported (unknown to the importer; check whether the request needs them): ${state.unknown.join(' ')}`);
	return finishNotes(fields, secrets, notes);
}
