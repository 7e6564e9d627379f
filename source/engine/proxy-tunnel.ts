/**
 * A CONNECT tunnel through an HTTP proxy (RFC 9110 9.3.6), for https:// targets: TCP to the
 * proxy, `CONNECT host:port`, and on a 2xx answer the socket is the tunnel (TLS goes on inside).
 * Once per connection made, never per request. Used by both clients and `--single-request`.
 */
import net from 'node:net';
import type {ProxyServer} from '../config/proxy.js';

/** The proxy refused or broke the tunnel (its status and reason in the message): error kind `proxy`. */
export class ProxyError extends Error {
	readonly code = 'ERR_PROXY';
	/** The proxy's status, 0 when it gave none. */
	readonly status: number;

	constructor(message: string, status = 0) {
		super(message);
		this.name = 'ProxyError';
		this.status = status;
	}
}

/** The longest answer head to a CONNECT we read. */
const maxHeadBytes = 16 * 1024;

/** `host:port` as a CONNECT request target (IPv6 in brackets). */
export function authorityOf(host: string, port: number): string {
	return net.isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The CONNECT request for `authority`, with the proxy's credentials when it has some. */
export function connectRequest(proxy: ProxyServer, authority: string): string {
	return `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${proxy.authorization === undefined ? '' : `proxy-authorization: ${proxy.authorization}\r\n`}\r\n`;
}

/** Why a proxy refused, in one line: its status and reason, and what to do. */
export function refusal(status: number, reason: string, authority: string): string {
	const answer = `${status}${reason === '' ? '' : ` ${reason}`}`;
	if (status === 407) return `the proxy refused the tunnel to ${authority}: ${answer}; give the proxy's user and password in the proxy URL (http://user:password@host:port)`;
	return `the proxy refused the tunnel to ${authority}: ${answer}${status === 502 || status === 504 ? ' (it could not reach the target)' : ''}`;
}

/**
 * Opens a tunnel to `host:port` through `proxy`. Returns the socket to the proxy at once (destroy it
 * to give up); `done` is called once: with no error when the tunnel is up (the socket then carries
 * the target's bytes), or with the error (a ProxyError for a refusal).
 */
export function openTunnel(proxy: ProxyServer, host: string, port: number, done: (error: Error | undefined) => void): net.Socket {
	const authority = authorityOf(host, port);
	const socket = net.connect({host: proxy.host, port: proxy.port, noDelay: true});
	let head = '';
	let settled = false;
	/** The TCP connection to the proxy was made. */
	let reached = false;
	const finish = (error: Error | undefined): void => {
		if (settled) return;
		settled = true;
		socket.removeListener('data', onData);
		socket.removeListener('error', onError);
		socket.removeListener('close', onClose);
		if (error === undefined) socket.pause();
		done(error);
	};

	const onData = (chunk: Buffer): void => {
		head += chunk.toString('latin1');
		const end = head.indexOf('\r\n\r\n');
		if (end < 0) {
			if (head.length > maxHeadBytes) finish(new ProxyError(`the proxy's answer to CONNECT ${authority} has a head over 16 KiB`));
			return;
		}

		const line = /^HTTP\/1\.[01] (\d{3}) ?([^\r\n]*)/.exec(head);
		if (line === null) {
			finish(new ProxyError(`the proxy's answer to CONNECT ${authority} is not an HTTP response`));
			return;
		}

		const status = Number(line[1]);
		if (status < 200 || status > 299) {
			finish(new ProxyError(refusal(status, line[2]!.trim(), authority), status));
			return;
		}

		// Bytes after the head are already the target's (a server that speaks first).
		const rest = head.slice(end + 4);
		finish(undefined);
		if (rest.length > 0) socket.unshift(Buffer.from(rest, 'latin1'));
	};

	const onError = (error: Error): void => {
		// Not even the proxy answered the connect: say so (the kind `proxy`, not `refused` as if the target were down).
		const code = (error as NodeJS.ErrnoException).code ?? error.message;
		finish(reached ? error : new ProxyError(`could not reach the proxy ${authorityOf(proxy.host, proxy.port)} (${code}); check --proxy, HTTP_PROXY/HTTPS_PROXY and NO_PROXY`));
	};

	const onClose = (): void => {
		finish(new ProxyError(`the proxy closed the connection before answering CONNECT ${authority}`));
	};

	socket.once('connect', () => {
		reached = true;
		socket.write(connectRequest(proxy, authority));
	});
	socket.on('data', onData);
	socket.on('error', onError);
	socket.on('close', onClose);
	return socket;
}
