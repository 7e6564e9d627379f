import http from 'node:http';
import https from 'node:https';
import type {AddressInfo} from 'node:net';

/** What the test target saw of one request. */
export type SeenRequest = {
	readonly method: string;
	readonly url: string;
	readonly headers: http.IncomingHttpHeaders;
	readonly body: string;
};

export type TargetServer = {
	readonly url: string;
	/** Requests received (counted when the request arrives, before answering). */
	count: number;
	/** The first `keep` requests in full. */
	readonly seen: SeenRequest[];
	/** TCP connections accepted so far. */
	readonly connections: number;
	close(): Promise<void>;
};

export type Responder = (request: SeenRequest, index: number, response: http.ServerResponse) => void;

const ok: Responder = (_request, _index, response) => {
	response.writeHead(200, {'content-type': 'text/plain', 'content-length': 2});
	response.end('ok');
};

/** A responder that answers 200 with an empty body after `ms` milliseconds (a slow target). */
export function delayed(ms: number): Responder {
	return (_request, _index, response) => {
		setTimeout(() => {
			response.writeHead(200, {'content-length': 0});
			response.end();
		}, ms);
	};
}

/** A node:http (or https, with `tls`) target on 127.0.0.1 that counts what it receives. */
export async function startTarget(options: {respond?: Responder; keep?: number; tls?: {key: string; cert: string}; keepAliveTimeoutMs?: number} = {}): Promise<TargetServer> {
	const respond = options.respond ?? ok;
	const keep = options.keep ?? 50;
	const state: {count: number; seen: SeenRequest[]} = {count: 0, seen: []};
	const handler: http.RequestListener = (request, response) => {
		const index = state.count++;
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const seen: SeenRequest = {method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString()};
			if (state.seen.length < keep) {
				state.seen.push(seen);
			}

			respond(seen, index, response);
		});
	};

	const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
	server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 60_000;
	let connections = 0;
	server.on(options.tls ? 'secureConnection' : 'connection', () => {
		connections++;
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as AddressInfo;
	return {
		url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
		get count() {
			return state.count;
		},
		set count(value: number) {
			state.count = value;
		},
		seen: state.seen,
		get connections() {
			return connections;
		},
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

/**
 * For a test file: `target()` starts a counting server that is closed after each test.
 * Call at the top level of the file (it registers an afterEach hook).
 */
export function useTargets(afterEach: (hook: () => Promise<void>) => void): (options?: Parameters<typeof startTarget>[0]) => Promise<TargetServer> {
	const servers: TargetServer[] = [];
	afterEach(async () => {
		await Promise.all(servers.splice(0).map(async server => server.close()));
	});
	return async options => {
		const server = await startTarget(options);
		servers.push(server);
		return server;
	};
}
