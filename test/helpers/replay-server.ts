import net from 'node:net';

/** What the replay server does for one request: write canned bytes, then keep, end or reset the connection. */
export type CannedResponse = {
	/** Bytes written for the request (empty: none). */
	readonly bytes: Buffer;
	/** Whole delivery: write the bytes in pieces ending at these offsets, `pauseMs` apart. */
	readonly cuts?: readonly number[];
	readonly pauseMs?: number;
	/** After writing: keep the connection (default), `end` it (FIN) or `destroy` it (RST). */
	readonly then?: 'keep' | 'end' | 'destroy';
};

/**
 * How the bytes go out: `whole` in one write; `bytewise` one write per byte with a turn of the
 * event loop in between, so that a reader on the same loop gets each byte in a read of its own
 * (past the first 4 KiB, 1 KiB a write: a turn per byte of a 20 KB head takes seconds).
 */
export type Delivery = 'whole' | 'bytewise';

export type ReplayOptions = {
	/**
	 * The answer to the i-th request the server receives (over all connections); requests past
	 * the end get the last one again (so a request sent once more still gets an answer).
	 */
	readonly responses: readonly CannedResponse[];
	readonly delivery?: Delivery;
	/**
	 * A request that arrives on a connection idle (since its last answer) for at least this long
	 * gets no answer: the server ends the connection, as if its idle timer had fired just before.
	 */
	readonly idleCloseMs?: number;
};

export type ReplayServer = {
	readonly url: string;
	readonly port: number;
	/** Requests received (complete heads, with their Content-Length bodies), over all connections. */
	readonly requests: number;
	/** Connections accepted. */
	readonly connections: number;
	close(): Promise<void>;
};

const headEnd = Buffer.from('\r\n\r\n');
const maxRequestBytes = 64 * 1024;
const bytewiseLimit = 4096;
const bytewisePiece = 1024;

async function sleep(ms: number): Promise<void> {
	await new Promise(resolve => {
		setTimeout(resolve, ms);
	});
}

async function nextTurn(): Promise<void> {
	await new Promise(resolve => {
		setImmediate(resolve);
	});
}

/**
 * A raw `net` server on 127.0.0.1 that answers each request it receives with canned bytes, as
 * they are: no framing of its own, so it can send anything (the differential tests' target).
 * Requests are read minimally: heads ending in an empty line, then as many body bytes as their
 * Content-Length says.
 */
export async function startReplayServer(options: ReplayOptions): Promise<ReplayServer> {
	const delivery = options.delivery ?? 'whole';
	const sockets = new Set<net.Socket>();
	let requests = 0;
	let connections = 0;

	const server = net.createServer(socket => {
		connections++;
		sockets.add(socket);
		socket.setNoDelay(true);
		let received = Buffer.alloc(0);
		let bodyLeft = 0;
		let idleSince = performance.now();
		// Answers go out one after another on a connection.
		let writing = Promise.resolve();

		const answer = async (response: CannedResponse | undefined): Promise<void> => {
			if (response === undefined || socket.destroyed) {
				return;
			}

			if (delivery === 'whole' || response.bytes.length <= 1) {
				let start = 0;
				for (const cut of [...(response.cuts ?? []), response.bytes.length]) {
					if (cut > start && !socket.destroyed) {
						if (start > 0) {
							// eslint-disable-next-line no-await-in-loop
							await sleep(response.pauseMs ?? 0);
						}

						socket.write(response.bytes.subarray(start, cut));
						start = cut;
					}
				}
			} else {
				for (let index = 0; index < response.bytes.length && !socket.destroyed;) {
					// Written from setImmediate, so that the event loop polls (and the reader reads) between bytes.
					// eslint-disable-next-line no-await-in-loop
					await nextTurn();
					const size = index < bytewiseLimit ? 1 : bytewisePiece;
					socket.write(response.bytes.subarray(index, index + size));
					index += size;
				}
			}

			idleSince = performance.now();
			if (response.then === 'end') {
				socket.end();
			} else if (response.then === 'destroy') {
				socket.resetAndDestroy();
			}
		};

		const received1 = (): void => {
			const index = requests++;
			if (options.idleCloseMs !== undefined && index > 0 && performance.now() - idleSince >= options.idleCloseMs) {
				writing = writing.then(() => {
					socket.end();
				});
				return;
			}

			const response = options.responses[Math.min(index, options.responses.length - 1)];
			writing = writing.then(async () => answer(response)).catch(() => undefined);
		};

		socket.on('data', (chunk: Buffer) => {
			received = Buffer.concat([received, chunk]);
			// Bounded: each turn consumes a head or body bytes, or stops.
			for (let guard = 0; guard < 1000; guard++) {
				if (bodyLeft > 0) {
					const take = Math.min(bodyLeft, received.length);
					bodyLeft -= take;
					received = received.subarray(take);
					if (bodyLeft > 0) {
						return;
					}

					received1();
					continue;
				}

				const end = received.indexOf(headEnd);
				if (end < 0) {
					if (received.length > maxRequestBytes) {
						socket.destroy();
					}

					return;
				}

				const head = received.subarray(0, end).toString('latin1');
				received = received.subarray(end + headEnd.length);
				const length = /^content-length:\s*(\d+)\s*$/im.exec(head);
				bodyLeft = length === null ? 0 : Number(length[1]);
				if (bodyLeft === 0) {
					received1();
				}
			}
		});
		socket.on('error', () => undefined);
		socket.on('close', () => {
			sockets.delete(socket);
		});
	});

	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as net.AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		get requests() {
			return requests;
		},
		get connections() {
			return connections;
		},
		async close() {
			for (const socket of sockets) {
				socket.destroy();
			}

			await new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			});
		},
	};
}
