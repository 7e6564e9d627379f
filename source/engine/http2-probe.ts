/**
 * Before an HTTP/2 run: does each origin speak HTTP/2? Over TLS, the protocol ALPN picks when h2
 * and http/1.1 are both offered; in cleartext (h2c, prior knowledge), the first bytes answering the
 * connection preface (RFC 9113 §3.4): a SETTINGS frame, or an HTTP/1 status line. One connection per
 * origin, closed at once. A target that cannot be reached is left to the run (its errors counted).
 */
import net from 'node:net';
import tls from 'node:tls';
import type {EndpointPlan, RequestPolicy} from '../config/types.js';
import {connectOptions} from './connect-options.js';
import {socketTarget, type SocketTarget} from './http-request.js';

/** An origin that does not speak HTTP/2: the run does not start. */
export class Http2UnsupportedError extends Error {
	constructor(detail: string) {
		super(`the server does not speak HTTP/2 (${detail}); drop --http2 (or "http2": true) to test it over HTTP/1.1`);
		this.name = 'Http2UnsupportedError';
	}
}

/** The HTTP/2 connection preface and an empty SETTINGS frame. */
const preface = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);
const frameTypeSettings = 4;

/** Why an origin does not speak HTTP/2; undefined when it does, or when it could not be asked. */
type Verdict = string | undefined;

/** Throws Http2UnsupportedError naming the first origin that answered without HTTP/2. */
export async function probeHttp2(endpoints: readonly EndpointPlan[], policy: RequestPolicy): Promise<void> {
	const targets = new Map<string, SocketTarget>();
	for (const endpoint of endpoints) {
		const target = socketTarget(endpoint);
		targets.set(target.origin, target);
	}

	const timeoutMs = Math.min(policy.timeoutMs, 10_000);
	const verdicts = await Promise.all([...targets.values()].map(async target => (target.tls ? probeAlpn(target, policy, timeoutMs) : probeCleartext(target, policy, timeoutMs))));
	const refused = verdicts.find(verdict => verdict !== undefined);
	if (refused !== undefined) throw new Http2UnsupportedError(refused);
}

async function probeAlpn(target: SocketTarget, policy: RequestPolicy, timeoutMs: number): Promise<Verdict> {
	const {path, ...tlsOptions} = connectOptions(policy.network, policy.verifyTls, true);
	return new Promise<Verdict>(resolve => {
		const socket = tls.connect({
			host: target.host,
			port: target.port,
			...(target.servername === undefined ? {} : {servername: target.servername}),
			rejectUnauthorized: policy.verifyTls,
			ALPNProtocols: ['h2', 'http/1.1'],
			...tlsOptions,
			...(path === undefined ? {} : {path}),
		});
		const done = (verdict: Verdict): void => {
			clearTimeout(timer);
			socket.destroy();
			resolve(verdict);
		};

		const timer = setTimeout(() => {
			done(undefined);
		}, timeoutMs);
		socket.once('secureConnect', () => {
			const picked = socket.alpnProtocol;
			done(picked === 'h2' ? undefined : `${target.origin}: ALPN picked ${picked === false || picked === null ? 'no protocol' : picked}, not h2`);
		});
		socket.once('error', (error: Error & {code?: string}) => {
			done(error.code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' ? `${target.origin}: the TLS handshake refused ALPN h2` : undefined);
		});
	});
}

async function probeCleartext(target: SocketTarget, policy: RequestPolicy, timeoutMs: number): Promise<Verdict> {
	const path = policy.network?.unixSocket;
	return new Promise<Verdict>(resolve => {
		const socket = path === undefined ? net.connect({host: target.host, port: target.port}) : net.connect({path});
		let received = Buffer.alloc(0);
		const done = (verdict: Verdict): void => {
			clearTimeout(timer);
			socket.destroy();
			resolve(verdict);
		};

		const timer = setTimeout(() => {
			done(received.length === 0 ? undefined : `${target.origin}: h2c prior knowledge was answered with bytes that are not HTTP/2`);
		}, timeoutMs);
		socket.once('connect', () => {
			socket.write(preface);
		});
		socket.on('data', (chunk: Buffer) => {
			received = Buffer.concat([received, chunk]);
			if (received.subarray(0, 5).toString('latin1') === 'HTTP/') {
				const end = received.indexOf('\r\n');
				if (end >= 0 || received.length > 200) {
					done(`${target.origin}: h2c prior knowledge was answered "${received.subarray(0, end >= 0 ? Math.min(end, 80) : 80).toString('latin1')}"`);
				}
			} else if (received.length >= 9) {
				// A frame header: 24-bit length, type, flags, stream id. The server's first frame is its SETTINGS.
				done(received[3] === frameTypeSettings ? undefined : `${target.origin}: h2c prior knowledge was answered with bytes that are not HTTP/2`);
			}
		});
		socket.once('end', () => {
			done(`${target.origin}: it closed the connection at the HTTP/2 preface${received.length > 0 ? ' after bytes that are not HTTP/2' : ''}`);
		});
		socket.once('error', () => {
			done(undefined);
		});
	});
}
