/**
 * The HTTP proxy: `--proxy URL` / `"proxy"`, else the environment as curl reads it (`http_proxy`
 * for http:// targets, `https_proxy` for https:// ones, `all_proxy` for both; lowercase before
 * uppercase), and `no_proxy` / `NO_PROXY` for the hosts that go direct. Loopback is not exempt
 * unless NO_PROXY names it (curl's rule). Pure: the caller passes the environment.
 *
 * http:// targets go through the proxy as absolute-form requests (RFC 9112 3.2.2), https:// ones
 * through a CONNECT tunnel (RFC 9110 9.3.6) with TLS inside. Credentials in the proxy URL go as
 * `Proxy-Authorization: Basic`; a report, log or screen shows the URL with the password redacted.
 */
import {BlockList, isIP} from 'node:net';
import type {ConfigIssue} from './interpolate.js';
import {redactUrl} from './redact.js';
import type {EndpointPlan, RequestPolicy, TestPlan} from './types.js';

/** One proxy server, resolved. */
export type ProxyServer = {
	/** The proxy URL with any password redacted: what reports and screens show. */
	readonly url: string;
	readonly host: string;
	readonly port: number;
	/** `Basic ...` from the URL's user and password; never shown or reported. */
	readonly authorization?: string;
};

/** The proxies of a run: by target scheme, and the NO_PROXY entries. */
export type ProxyOptions = {
	readonly http?: ProxyServer;
	readonly https?: ProxyServer;
	/** NO_PROXY as given (comma- or space-separated). */
	readonly noProxy?: string;
	/** Where they came from: `--proxy` / `"proxy"`, or the environment. */
	readonly source: 'config' | 'environment';
};

/** A proxy URL as a server, or a problem (one line naming the fix). */
export function parseProxyUrl(text: string): ProxyServer | string {
	let url: URL;
	try {
		url = new URL(text.includes('://') ? text : `http://${text}`);
	} catch {
		return `"${redactUrl(text)}" is not a URL; give http://[user:password@]host:port`;
	}

	if (url.protocol !== 'http:') {
		return `"${redactUrl(url.href)}": only http:// proxies are supported (https:// targets go through them with CONNECT)`;
	}

	if (url.hostname === '') {
		return `"${redactUrl(url.href)}" has no host; give http://[user:password@]host:port`;
	}

	const user = decodeURIComponent(url.username);
	const password = decodeURIComponent(url.password);
	return {
		url: `${url.protocol}//${url.username === '' ? '' : `${url.username}${url.password === '' ? '' : ':redacted'}@`}${url.host}`,
		host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
		port: url.port === '' ? 1080 : Number(url.port),
		...(url.username === '' && url.password === '' ? {} : {authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`}),
	};
}

type Env = Readonly<Record<string, string | undefined>>;

/** The first of `names` set to a non-empty value. */
function fromEnv(env: Env, ...names: string[]): string | undefined {
	for (const name of names) {
		const value = env[name]?.trim();
		if (value) return value;
	}

	return undefined;
}

/**
 * The run's proxies: `configured` (the flag or config key; it wins) for both schemes, else the
 * environment's. NO_PROXY applies either way, as with curl. Problems go to `issues` (`at`: the
 * config path or variable to name).
 */
export function resolveProxy(configured: string | undefined, env: Env, problem: (at: string, message: string) => void, at = 'proxy'): ProxyOptions | undefined {
	const noProxy = fromEnv(env, 'no_proxy', 'NO_PROXY');
	const server = (text: string | undefined, where: string): ProxyServer | undefined => {
		if (text === undefined) return undefined;
		const parsed = parseProxyUrl(text);
		if (typeof parsed === 'string') {
			problem(where, parsed);
			return undefined;
		}

		return parsed;
	};

	if (configured !== undefined) {
		const proxy = server(configured, at);
		return proxy === undefined ? undefined : {http: proxy, https: proxy, ...(noProxy === undefined ? {} : {noProxy}), source: 'config'};
	}

	const all = fromEnv(env, 'all_proxy', 'ALL_PROXY');
	const httpText = fromEnv(env, 'http_proxy', 'HTTP_PROXY') ?? all;
	const httpsText = fromEnv(env, 'https_proxy', 'HTTPS_PROXY') ?? all;
	const http = server(httpText, 'HTTP_PROXY');
	const https = server(httpsText, 'HTTPS_PROXY');
	if (http === undefined && https === undefined) return undefined;
	return {...(http === undefined ? {} : {http}), ...(https === undefined ? {} : {https}), ...(noProxy === undefined ? {} : {noProxy}), source: 'environment'};
}

/**
 * Whether NO_PROXY sends `host` (a name or an address, IPv6 without brackets) on `port` direct:
 * `*` matches every host; a name matches itself and its subdomains (`example.com` and
 * `.example.com` both match `api.example.com`); an address matches itself, a CIDR block its
 * addresses; `host:port` only that port. Case does not matter.
 */
export function bypassesProxy(noProxy: string | undefined, host: string, port: number): boolean {
	if (noProxy === undefined) return false;
	const name = host.toLowerCase().replace(/\.$/, '');
	for (const raw of noProxy.split(/[\s,]+/)) {
		const entry = raw.trim().toLowerCase();
		if (entry === '') continue;
		if (entry === '*') return true;
		const {pattern, entryPort} = splitPort(entry);
		if (entryPort !== undefined && entryPort !== port) continue;
		if (pattern.includes('/')) {
			if (inBlock(pattern, name)) return true;
			continue;
		}

		const domain = pattern.replace(/^\*?\./, '').replace(/\.$/, '');
		if (name === domain || (isIP(name) === 0 && name.endsWith(`.${domain}`))) return true;
	}

	return false;
}

/** `host:port`, `[v6]:port`, `v6` (no port: more than one colon without brackets). */
function splitPort(entry: string): {pattern: string; entryPort: number | undefined} {
	const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
	if (bracketed) return {pattern: bracketed[1]!, entryPort: bracketed[2] === undefined ? undefined : Number(bracketed[2])};
	const colons = entry.split(':').length - 1;
	const withPort = colons === 1 ? /^(.+):(\d+)$/.exec(entry) : null;
	return withPort ? {pattern: withPort[1]!, entryPort: Number(withPort[2])} : {pattern: entry, entryPort: undefined};
}

function inBlock(cidr: string, address: string): boolean {
	const [network, bits] = cidr.split('/');
	const family = isIP(network ?? '');
	const kind = isIP(address);
	if (family === 0 || kind !== family || !/^\d+$/.test(bits ?? '')) return false;
	const list = new BlockList();
	try {
		list.addSubnet(network!, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
	} catch {
		return false;
	}

	return list.check(address, kind === 4 ? 'ipv4' : 'ipv6');
}

/** The proxy a request to `url` goes through, or undefined for a direct connection. */
export function proxyFor(proxy: ProxyOptions | undefined, url: URL | string): ProxyServer | undefined {
	if (proxy === undefined) return undefined;
	const target = typeof url === 'string' ? new URL(url) : url;
	const tls = target.protocol === 'https:';
	const server = tls ? proxy.https : proxy.http;
	if (server === undefined) return undefined;
	const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
	const port = target.port === '' ? (tls ? 443 : 80) : Number(target.port);
	return bypassesProxy(proxy.noProxy, host, port) ? undefined : server;
}

/** What a report and the screens show: the proxy URLs (redacted), by scheme when they differ, and NO_PROXY. */
export function describeProxy(proxy: ProxyOptions): string {
	const {http, https} = proxy;
	const servers = http !== undefined && https !== undefined && http.url === https.url
		? http.url
		: [http ? `${http.url} (http)` : '', https ? `${https.url} (https)` : ''].filter(Boolean).join(', ');
	return `${servers}${proxy.source === 'environment' ? ' from the environment' : ''}${proxy.noProxy === undefined ? '' : `; NO_PROXY ${proxy.noProxy}`}`;
}

/** A policy and its endpoints with the proxy resolved (`configured`: the flag or config key). */
function withProxy<T extends EndpointPlan>(policy: RequestPolicy, endpoints: readonly T[], configured: string | undefined, env: Env, issues: ConfigIssue[], base: string): {policy: RequestPolicy; endpoints: T[]} {
	const at = base === '' ? 'proxy' : `${base}.proxy`;
	if (policy.network?.unixSocket !== undefined) {
		// A unix socket is the way to the target: no proxy (the environment's is left aside).
		if (configured !== undefined) issues.push({path: at, message: `cannot be combined with unix_socket (${base === '' ? '' : `${base}.`}unix_socket); drop one of them`});
		return {policy, endpoints: [...endpoints]};
	}

	const proxy = resolveProxy(configured, env, (path, message) => issues.push({path, message}), at);
	if (proxy === undefined) return {policy, endpoints: [...endpoints]};
	return {
		policy: {...policy, proxy},
		endpoints: endpoints.map(endpoint => {
			const server = proxyFor(proxy, endpoint.url);
			return server === undefined ? endpoint : {...endpoint, proxy: server};
		}),
	};
}

/**
 * The plan with its proxies resolved from the config (`testProxy`: `"proxy"` or `--proxy`;
 * `tokenProxy`: `token_acquisition.proxy`, else the test's) and the environment.
 */
export function planWithProxies(plan: TestPlan, testProxy: string | undefined, tokenProxy: string | undefined, env: Env, issues: ConfigIssue[], testBase = ''): TestPlan {
	const test = withProxy(plan.policy, plan.endpoints, testProxy, env, issues, testBase);
	let {token} = plan;
	if (token !== undefined) {
		const resolved = withProxy(token.policy, [token.endpoint], tokenProxy ?? testProxy, env, issues, 'token_acquisition');
		token = {policy: resolved.policy, endpoint: resolved.endpoints[0]!};
	}

	return {...plan, policy: test.policy, endpoints: test.endpoints, token};
}
