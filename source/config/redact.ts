/** Replacement for a secret value. */
export const redacted = '[redacted]';

const secretKey = /pass(word)?|secret|token|authorization|api[-_]?key|cookie|credential|private/i;
const onlyReferences = /^(\s*\$\{[A-Za-z_]\w*(:-[^}]*)?\}\s*)+$/;

/** True when a key names a secret (password, client_secret, token, Authorization, api-key, cookie). */
export function isSecretKey(key: string): boolean {
	return secretKey.test(key);
}

/**
 * Redacts secrets in a config-like value: values under secret-looking keys (unless they are only
 * `${VAR}` references, which are safe to show), credentials in URLs, and secret query parameters.
 */
export function redactSecrets(value: unknown, key = ''): unknown {
	if (typeof value === 'string') {
		if (key !== '' && isSecretKey(key)) {
			// `${VAR}` is safe to show; a default after `:-` is a literal secret.
			return onlyReferences.test(value) ? value.replaceAll(/:-[^}]*\}/g, `:-${redacted}}`) : keepScheme(value);
		}

		return redactUrl(value);
	}

	if (Array.isArray(value)) {
		return value.map(item => redactSecrets(item));
	}

	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, redactSecrets(item, name)]));
	}

	return value;
}

/** `Bearer abc` -> `Bearer [redacted]`, anything else -> `[redacted]`. */
function keepScheme(value: string): string {
	const scheme = /^(Bearer|Basic|Digest|Token)\s+/i.exec(value)?.[1];
	return scheme ? `${scheme} ${redacted}` : redacted;
}

/** Removes a password from `scheme://user:pass@host` and secret-looking query parameters. */
export function redactUrl(text: string): string {
	if (!/^https?:\/\//i.test(text)) {
		return text;
	}

	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return text;
	}

	let changed = false;
	if (url.password) {
		url.password = 'redacted';
		changed = true;
	}

	for (const name of [...url.searchParams.keys()]) {
		if (isSecretKey(name)) {
			url.searchParams.set(name, redacted);
			changed = true;
		}
	}

	return changed ? url.toString() : text;
}

/** Redacts a header map (Authorization, Cookie, X-Api-Key, ...). */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
	return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, isSecretKey(name) ? keepScheme(value) : value]));
}
