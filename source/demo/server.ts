import {randomBytes} from 'node:crypto';
import http from 'node:http';
import type {AddressInfo} from 'node:net';

/** The built-in demo target: a few endpoints that behave like a small API. Loopback only. */
export type DemoServer = {
	readonly url: string;
	/** Requests received, by path. */
	readonly counts: Readonly<Record<string, number>>;
	close(): Promise<void>;
};

const jsonBody = JSON.stringify({
	status: 'ok',
	items: Array.from({length: 8}, (_, index) => ({id: index + 1, name: `item-${index + 1}`, price: (index + 1) * 2.5})),
});

/**
 * Starts the demo target on 127.0.0.1.
 * - `GET /` tiny text, `GET /json` a small JSON document, `POST /echo` echoes the body,
 * - `GET /slow` answers after 20-80 ms, `GET /flaky` answers 503 one time in ten,
 * - `GET /stats` the request counts.
 */
export async function startDemoServer(port = 0, host = '127.0.0.1'): Promise<DemoServer> {
	const counts: Record<string, number> = {};
	const tokens = new Set<string>();
	let flaky = 0;
	const server = http.createServer((request, response) => {
		const path = (request.url ?? '/').split('?')[0]!;
		counts[path] = (counts[path] ?? 0) + 1;
		switch (path) {
			case '/': {
				response.writeHead(200, {'content-type': 'text/plain', 'content-length': 2});
				response.end('ok');
				break;
			}

			case '/json': {
				response.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(jsonBody)});
				response.end(jsonBody);
				break;
			}

			case '/echo': {
				const chunks: Buffer[] = [];
				request.on('data', (chunk: Buffer) => chunks.push(chunk));
				request.on('end', () => {
					const body = Buffer.concat(chunks);
					response.writeHead(200, {'content-type': request.headers['content-type'] ?? 'application/octet-stream', 'content-length': body.length});
					response.end(body);
				});
				break;
			}

			case '/slow': {
				setTimeout(() => {
					response.writeHead(200, {'content-type': 'text/plain', 'content-length': 4});
					response.end('slow');
				}, 20 + Math.floor(Math.random() * 60));
				break;
			}

			case '/flaky': {
				flaky++;
				const fail = flaky % 10 === 0;
				response.writeHead(fail ? 503 : 200, {'content-type': 'text/plain', 'content-length': fail ? 11 : 2});
				response.end(fail ? 'unavailable' : 'ok');
				break;
			}

			case '/oauth/token': {
				// OAuth2 client credentials or password grant, form or JSON body (config-examples/oauth2.json).
				const chunks: Buffer[] = [];
				request.on('data', (chunk: Buffer) => chunks.push(chunk));
				request.on('end', () => {
					const text = Buffer.concat(chunks).toString();
					const fields = (request.headers['content-type'] ?? '').includes('json') ? safeJson(text) : Object.fromEntries(new URLSearchParams(text));
					const ok = fields['client_id'] === 'demo-client' && fields['client_secret'] === 'demo-secret';
					const body = ok ? JSON.stringify({access_token: issueToken(tokens), token_type: 'Bearer', expires_in: 60}) : JSON.stringify({error: 'invalid_client'});
					response.writeHead(ok ? 200 : 401, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
					response.end(body);
				});
				break;
			}

			case '/protected': {
				const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
				const ok = token !== undefined && tokens.has(token);
				request.resume();
				response.writeHead(ok ? 200 : 401, {'content-type': 'text/plain', 'content-length': ok ? 2 : 12});
				response.end(ok ? 'ok' : 'unauthorized');
				break;
			}

			case '/stats': {
				const body = JSON.stringify(counts);
				response.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
				response.end(body);
				break;
			}

			default: {
				response.writeHead(404, {'content-type': 'text/plain', 'content-length': 9});
				response.end('not found');
			}
		}
	});
	server.keepAliveTimeout = 60_000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	const address = server.address() as AddressInfo;
	return {
		url: `http://${host}:${address.port}`,
		counts,
		async close() {
			server.closeAllConnections();
			await new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			});
		},
	};
}

function issueToken(tokens: Set<string>): string {
	const token = randomBytes(16).toString('hex');
	tokens.add(token);
	return token;
}

function safeJson(text: string): Record<string, unknown> {
	try {
		const value = JSON.parse(text) as unknown;
		return value !== null && typeof value === 'object' ? value as Record<string, unknown> : {};
	} catch {
		return {};
	}
}
