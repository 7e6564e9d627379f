/**
 * The HTTP clients, in one place: each entry says how to load the client and how many requests a
 * connection of it carries at once. The load loop, the baseline and the worker ask this table
 * (never `policy.httpClient === ...`), so a new client is one file and one entry here.
 */
import type {RequestPolicy} from '../config/types.js';
import type {Connection, ConnectionOwner} from './connection.js';
import {SocketConnection} from './socket-connection.js';

/** Makes an owner's connections: `slot` is the connection's place in the owner's list (0, 1, ...). */
export type ConnectionFactory = (owner: ConnectionOwner) => (slot: number) => Connection;

/** The clients by name: `socket` and `undici` speak HTTP/1.1, `h2` HTTP/2 (h2 or h2c). */
export type ClientName = 'socket' | 'undici' | 'h2';

type ClientEntry = {
	/** Loads the client's module (undici's about 20 MB per thread only when asked for). */
	readonly load: () => Promise<ConnectionFactory>;
	/** How many requests one connection carries at once: the loop keeps that many slots per connection. */
	readonly slotsPerConnection: (policy: RequestPolicy) => number;
};

const one = (): number => 1;

/** The default client, always loaded (no await between a policy and its first connection). */
const socketFactory: ConnectionFactory = owner => () => new SocketConnection(owner);

const clients: Readonly<Record<ClientName, ClientEntry>> = {
	socket: {
		load: async () => socketFactory,
		slotsPerConnection: one,
	},
	undici: {
		async load() {
			const {UndiciConnection} = await import('./undici-connection.js');
			return owner => () => new UndiciConnection(owner);
		},
		slotsPerConnection: one,
	},
	h2: {
		async load() {
			const {http2Connections} = await import('./http2-connection.js');
			return http2Connections;
		},
		slotsPerConnection: policy => policy.http2?.streams ?? 1,
	},
};

/** The client a policy sends with. */
export function clientName(policy: RequestPolicy): ClientName {
	return policy.http2 === undefined ? policy.httpClient : 'h2';
}

const loaded = new Map<ClientName, ConnectionFactory>([['socket', socketFactory]]);

/** Loads the client a policy asks for; call (and await) before `connectionFactory`. */
export async function loadHttpClient(policy: RequestPolicy): Promise<ConnectionFactory> {
	const name = clientName(policy);
	let factory = loaded.get(name);
	if (factory === undefined) {
		factory = await clients[name].load();
		loaded.set(name, factory);
	}

	return factory;
}

/** The loaded client's factory (the socket client is always there). */
export function connectionFactory(policy: RequestPolicy): ConnectionFactory {
	const name = clientName(policy);
	const factory = loaded.get(name);
	if (factory === undefined) {
		throw new Error(`the ${name} client is not loaded: await loadHttpClient(policy) first`);
	}

	return factory;
}

/** Request slots per connection: 1 for HTTP/1.1, the streams per connection for HTTP/2. */
export function slotsPerConnection(policy: RequestPolicy): number {
	return clients[clientName(policy)].slotsPerConnection(policy);
}
