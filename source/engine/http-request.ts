/**
 * HTTP/1.1 requests for the socket client: where to connect, and each endpoint's request as one
 * prebuilt buffer, written as is for every send (responses: response-parser.ts).
 */
import {isIP} from 'node:net';
import {invalidHeader} from '../config/header-check.js';
import type {ProxyServer} from '../config/proxy.js';
import type {EndpointPlan} from '../config/types.js';

/** Where a socket connects, worked out once per endpoint. */
export type SocketTarget = {
	/** `scheme://host:port`, the key connections keep their sockets under. */
	readonly origin: string;
	readonly tls: boolean;
	/** Host name or address to connect to (IPv6 without brackets). */
	readonly host: string;
	readonly port: number;
	/** TLS server name (SNI); undefined for an IP address. */
	readonly servername: string | undefined;
	/** The HTTP proxy to go through (http://: absolute-form requests; https://: a CONNECT tunnel). */
	readonly proxy?: ProxyServer | undefined;
};

export function socketTarget(plan: EndpointPlan): SocketTarget {
	const url = new URL(plan.url);
	const tls = url.protocol === 'https:';
	const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
	return {
		origin: url.origin,
		tls,
		host,
		port: url.port === '' ? (tls ? 443 : 80) : Number(url.port),
		servername: isIP(host) === 0 ? host : undefined,
		...(plan.proxy === undefined ? {} : {proxy: plan.proxy}),
	};
}

/**
 * An http:// request through a proxy: its target in absolute form (RFC 9112 3.2.2) and the
 * proxy's credentials; undefined for a direct request or an https:// one (tunnelled as it is).
 */
export function proxiedForm(plan: EndpointPlan): {readonly target: string; readonly authorization: string | undefined} | undefined {
	if (plan.proxy === undefined || plan.origin.startsWith('https:')) return undefined;
	return {target: `${plan.origin}${plan.path === '' ? '/' : plan.path}`, authorization: plan.proxy.authorization};
}

/** The plan's headers, then the extra (token) headers, which replace same-named ones (any case). */
export function requestHeaders(plan: EndpointPlan, extraHeaders: Readonly<Record<string, string>>): Array<[string, string]> {
	const overridden = new Set(Object.keys(extraHeaders).map(name => name.toLowerCase()));
	return [
		...Object.entries(plan.headers).filter(([name]) => !overridden.has(name.toLowerCase())),
		...Object.entries(extraHeaders),
	];
}

/**
 * The request as bytes: request line, Host (unless given), the plan's headers with the extra
 * (token) headers overriding them, Content-Length for a body, then the body.
 */
export function buildRequest(plan: EndpointPlan, extraHeaders: Readonly<Record<string, string>>): Buffer {
	const headers = requestHeaders(plan, extraHeaders);
	const body = plan.body === undefined ? undefined : Buffer.from(plan.body);
	const proxied = proxiedForm(plan);
	let head = `${plan.method} ${proxied?.target ?? (plan.path === '' ? '/' : plan.path)} HTTP/1.1\r\n`;
	const names = new Set(headers.map(([name]) => name.toLowerCase()));
	if (!names.has('host')) {
		head += `host: ${new URL(plan.url).host}\r\n`;
	}

	if (proxied?.authorization !== undefined && !names.has('proxy-authorization')) {
		head += `proxy-authorization: ${proxied.authorization}\r\n`;
	}

	for (const [name, value] of headers) {
		const problem = invalidHeader(name, value);
		if (problem !== undefined) {
			throw new TypeError(problem);
		}

		const lower = name.toLowerCase();
		// The body is sent as it is: its length is ours to state.
		if (lower !== 'content-length' && lower !== 'transfer-encoding') {
			head += `${name}: ${value}\r\n`;
		}
	}

	if (body !== undefined || bodyMethods(plan.method)) {
		head += `content-length: ${body?.length ?? 0}\r\n`;
	}

	head += '\r\n';
	const headBytes = Buffer.from(head, 'latin1');
	return body === undefined ? headBytes : Buffer.concat([headBytes, body]);
}

/** Methods that state a Content-Length (0 without a body): all but GET, HEAD, DELETE, OPTIONS, TRACE and CONNECT. */
export function bodyMethods(method: string): boolean {
	return !['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'].includes(method);
}
