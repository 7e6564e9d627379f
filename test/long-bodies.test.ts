/**
 * Long bodies through the socket client: while more than 1 MiB of a Content-Length body, or of a
 * chunk, is known to be still to come, or once more than 1 MiB of a body that runs until the close
 * has come, its reads go into a second shared buffer of 64 KiB (socket-connection.ts). The server's own count of what it wrote is the oracle: every response
 * counted once, every body byte counted once, on responses of many sizes that begin and end
 * anywhere within a read of either size, and against servers that cut or misframe a long body. And
 * the bytes read into the larger buffer are the ones the server sent: a body check finds a marker
 * placed where they land (with the parser handed the 16 KiB buffer instead, 0-9 of 30 pass).
 */
import {randomBytes} from 'node:crypto';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import type {CheckPlan} from '../source/config/check-plan.js';
import {defaultPolicy, type EndpointPlan} from '../source/config/types.js';
import {LoadLoop, loadHttpClient} from '../source/engine/load-loop.js';
import {ResponseParser} from '../source/engine/response-parser.js';
import type {EndpointInterval} from '../source/stats/snapshot.js';

const mib = 1024 * 1024;
const servers: http.Server[] = [];

afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => new Promise(resolve => {
		server.closeAllConnections();
		server.close(resolve);
	})));
});

type Served = {port: number; responses: number; bodyBytes: number; statusCodes: Map<number, number>};

/**
 * How the server bends a response: a marker written into the body; a chunked body's chunk size
 * (100 KiB unless set); and for a Content-Length one, the connection cut halfway or bytes past the end.
 */
type Shape = {readonly marker?: {text: string; at: number}; readonly chunkBytes?: number; readonly cutHalfway?: boolean; readonly extra?: string};

/**
 * node:http on 127.0.0.1 answering request n with `sizes[n % sizes.length]` body bytes (random,
 * from one pool), with Content-Length or, for a negative size, chunked (one chunk per write);
 * `shape` bends them. `bodyBytes` counts what it wrote of bodies, extra bytes left out.
 */
async function bodyServer(sizes: readonly number[], shape: Shape = {}): Promise<Served> {
	const pool = randomBytes(12 * mib);
	const served: Served = {port: 0, responses: 0, bodyBytes: 0, statusCodes: new Map()};
	const server = http.createServer((_request, response) => {
		const size = sizes[served.responses % sizes.length]!;
		const status = 200 + (served.responses % 3);
		served.responses++;
		served.statusCodes.set(status, (served.statusCodes.get(status) ?? 0) + 1);
		const length = Math.abs(size);
		const start = served.responses % 1000;
		let body = pool.subarray(start, start + length);
		if (shape.marker !== undefined) {
			body = Buffer.from(body);
			body.write(shape.marker.text, shape.marker.at, 'latin1');
		}

		if (size >= 0) {
			response.writeHead(status, {'Content-Length': String(length)});
			if (shape.cutHalfway) {
				served.bodyBytes += length >> 1;
				response.write(body.subarray(0, length >> 1), () => response.socket?.destroy());
			} else {
				served.bodyBytes += length;
				response.end(shape.extra === undefined ? body : Buffer.concat([body, Buffer.from(shape.extra, 'latin1')]));
			}

			return;
		}

		served.bodyBytes += length;

		response.writeHead(status);
		const chunkBytes = shape.chunkBytes ?? 100 * 1024;
		for (let offset = 0; offset < length; offset += chunkBytes) {
			response.write(body.subarray(offset, Math.min(length, offset + chunkBytes)));
		}

		response.end();
	});
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	served.port = (server.address() as AddressInfo).port;
	return served;
}

/**
 * node:http on 127.0.0.1 answering each request by hand on its socket: a head announcing chunked
 * framing and one chunk of 3 MiB, then `ending`. The chunk is cut after 1.5 MiB (the socket
 * destroyed), or sent whole and followed by bytes that are not the CRLF that must follow it.
 * `bodyBytes` counts the chunk data it wrote.
 */
async function misframedChunkServer(ending: 'cut halfway' | 'no CRLF after the chunk'): Promise<Served> {
	const chunk = randomBytes(3 * mib);
	const served: Served = {port: 0, responses: 0, bodyBytes: 0, statusCodes: new Map()};
	const server = http.createServer((_request, response) => {
		served.responses++;
		const socket = response.socket!;
		socket.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n`, 'latin1');
		if (ending === 'cut halfway') {
			served.bodyBytes += chunk.length >> 1;
			socket.write(chunk.subarray(0, chunk.length >> 1), () => socket.destroy());
		} else {
			served.bodyBytes += chunk.length;
			socket.write(Buffer.concat([chunk, Buffer.from('XX0\r\n\r\n', 'latin1')]));
		}
	});
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	served.port = (server.address() as AddressInfo).port;
	return served;
}

/**
 * node:http on 127.0.0.1 answering each request by hand on its socket: a head with neither
 * Content-Length nor Transfer-Encoding, then `sizes[n % sizes.length]` body bytes, then the close
 * that ends the body (RFC 9112 6.3 rule 8). A marker, if given, is written into each body.
 */
async function closeDelimitedServer(sizes: readonly number[], marker?: {text: string; at: number}): Promise<Served> {
	const pool = randomBytes(6 * mib);
	const served: Served = {port: 0, responses: 0, bodyBytes: 0, statusCodes: new Map()};
	const server = http.createServer((_request, response) => {
		const size = sizes[served.responses % sizes.length]!;
		served.responses++;
		served.bodyBytes += size;
		served.statusCodes.set(200, (served.statusCodes.get(200) ?? 0) + 1);
		const body = Buffer.from(pool.subarray(served.responses % 1000, (served.responses % 1000) + size));
		if (marker !== undefined) body.write(marker.text, marker.at, 'latin1');
		const socket = response.socket!;
		socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n', 'latin1');
		socket.end(body);
	});
	servers.push(server);
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	served.port = (server.address() as AddressInfo).port;
	return served;
}

async function run(port: number, count: number, connections: number, checks?: CheckPlan): Promise<EndpointInterval> {
	const policy = {...defaultPolicy, timeoutMs: 10_000};
	await loadHttpClient(policy);
	const origin = `http://127.0.0.1:${port}`;
	const plan: EndpointPlan = {name: 'long', method: 'GET', url: `${origin}/`, origin, path: '/', headers: {}, body: undefined, weight: 1, checks};
	let exhausted!: () => void;
	const done = new Promise<void>(resolve => {
		exhausted = resolve;
	});
	const loop = new LoadLoop(
		{endpoints: [plan], policy, connections, rate: undefined, maxLateMs: 1000, issued: new Int32Array(new SharedArrayBuffer(4)), maxRequests: count, extraHeaders: {}, paused: false},
		{onExhausted: exhausted, onUnauthorized() {}},
	);
	const guard = setTimeout(exhausted, 30_000);
	loop.start();
	await done;
	clearTimeout(guard);
	await loop.stop(2000);
	return loop.snapshot(0, 0).endpoints[0]!;
}

/**
 * Every request the server answered ended as one error of one kind (`kinds`, when given), never a
 * response, with no body byte counted and none sent again (the server's count is the budget's).
 */
function expectOneErrorEach(result: EndpointInterval, served: Served, count: number, kinds?: Readonly<Record<string, number>>): void {
	expect(served.responses).toBe(count);
	expect(result.responses).toBe(0);
	expect(result.errors).toBe(count);
	if (kinds === undefined) expect(Object.values(result.errorKinds)).toEqual([count]);
	else expect(result.errorKinds).toEqual(kinds);
	expect(result.bytesRead).toBe(0);
}

/** Every request answered once, by the server's count and ours, no errors, and every body byte it wrote counted once. */
function expectExact(result: EndpointInterval, served: Served, count: number): void {
	expect(result.errors).toBe(0);
	expect(result.responses).toBe(count);
	expect(served.responses).toBe(count);
	expect(result.bytesRead).toBe(served.bodyBytes);
}

describe('long bodies, read 64 KiB at a time while more than 1 MiB is to come: counted exactly as the server wrote them', () => {
	it('Content-Length bodies of 0 B to 7 MiB, mixed on 4 connections: every response and body byte once', async () => {
		const sizes = [(7 * mib) + 13, 0, (mib) + 1, 5, (3 * mib) - 7, (64 * 1024) + 1, (mib * 2) + 65_537, 16 * 1024, mib];
		const served = await bodyServer(sizes);
		const result = await run(served.port, 120, 4);
		expectExact(result, served, 120);
		expect(result.statusCodes).toEqual(Object.fromEntries([...served.statusCodes].map(([status, count]) => [String(status), count])));
	}, 60_000);

	it('chunked bodies of 3 MiB between Content-Length ones: framed as before, every byte once', async () => {
		const sizes = [-3 * mib, 4 * mib, -(2 * mib) - 3, 17];
		const served = await bodyServer(sizes);
		const result = await run(served.port, 40, 2);
		expectExact(result, served, 40);
	}, 60_000);

	it('chunked bodies sent as one chunk of up to 5 MiB (read 64 KiB at a time within the chunk), between Content-Length ones: every byte once', async () => {
		const sizes = [-(5 * mib) - 11, 17, -(mib) - 1, (2 * mib) + 5, -3 * mib, -4097, 0];
		const served = await bodyServer(sizes, {chunkBytes: 8 * mib});
		const result = await run(served.port, 70, 3);
		expectExact(result, served, 70);
	}, 60_000);
});

describe('long bodies that run until the server closes: 64 KiB reads once more than 1 MiB has come', () => {
	it('bodies of 0 B to 5 MiB, each ended by the close, on 3 connections: every response and body byte once', async () => {
		const sizes = [5 * mib, 0, (2 * mib) + 1, 17, mib, (3 * mib) - 7];
		const served = await closeDelimitedServer(sizes);
		const result = await run(served.port, 24, 3);
		expectExact(result, served, 24);
		expect(result.statusCodes).toEqual({200: 24});
	}, 60_000);

	it('a marker 1.5 MiB into 3 MiB bodies (where the 64 KiB reads are): body_contains passes on every response', async () => {
		const marker = {text: 'PYSTRESS-UNTIL-CLOSE-MARKER-c41d07', at: (mib * 1.5) + 555};
		const served = await closeDelimitedServer([3 * mib], marker);
		const result = await run(served.port, 30, 3, {bodyContains: marker.text, maxBodyBytes: 4 * mib});
		expectExact(result, served, 30);
		expect(result.checks).toEqual({passed: 30, failed: 0, byName: {body_contains: 0, max_body_bytes: 0}});
	}, 60_000);
});

describe('a server that misbehaves within a long body', () => {

	it('closes 1.5 MiB into 3 MiB bodies, while the reads are 64 KiB: each request one error, never a response, no resend', async () => {
		const served = await bodyServer([3 * mib], {cutHalfway: true});
		const result = await run(served.port, 20, 2);
		expectOneErrorEach(result, served, 20);
	}, 60_000);

	it('sends bytes past a 3 MiB Content-Length: the response counts with its own length, the connection is dropped as unsolicited-bytes', async () => {
		const served = await bodyServer([3 * mib], {extra: 'EXTRA BYTES NO REQUEST ASKED FOR'});
		const result = await run(served.port, 20, 2);
		expectExact(result, served, 20);
		expect(result.connectionEvents['unsolicited-bytes']).toBe(20);
	}, 60_000);

	it('cuts a 3 MiB chunk after 1.5 MiB, while the reads are 64 KiB: each request one error, never a response, no resend', async () => {
		const served = await misframedChunkServer('cut halfway');
		const result = await run(served.port, 20, 2);
		expectOneErrorEach(result, served, 20);
	}, 60_000);

	it('sends bytes other than CRLF after a 3 MiB chunk: each request one framing error, never a response, no resend', async () => {
		const served = await misframedChunkServer('no CRLF after the chunk');
		const result = await run(served.port, 20, 2);
		expectOneErrorEach(result, served, 20, {protocol: 20});
	}, 60_000);
});

describe('the bytes of a long body reach the response checks as the server sent them', () => {
	it('a marker 1 MiB into 3 MiB bodies (2 MiB still to come: read 64 KiB at a time there): body_contains passes on every response', async () => {
		const marker = {text: 'PYSTRESS-LONG-BODY-MARKER-7f3a9c', at: mib + 333};
		const served = await bodyServer([3 * mib], {marker});
		const result = await run(served.port, 30, 3, {bodyContains: marker.text, maxBodyBytes: 4 * mib});
		expectExact(result, served, 30);
		expect(result.checks).toEqual({passed: 30, failed: 0, byName: {body_contains: 0, max_body_bytes: 0}});
	}, 60_000);

	it('the same marker in chunked 3 MiB bodies sent as one chunk: body_contains passes on every response', async () => {
		const marker = {text: 'PYSTRESS-LONG-CHUNK-MARKER-51be0d', at: mib + 777};
		const served = await bodyServer([-3 * mib], {marker, chunkBytes: 4 * mib});
		const result = await run(served.port, 30, 3, {bodyContains: marker.text, maxBodyBytes: 4 * mib});
		expectExact(result, served, 30);
		expect(result.checks).toEqual({passed: 30, failed: 0, byName: {body_contains: 0, max_body_bytes: 0}});
	}, 60_000);
});

describe('ResponseParser.closeDelimitedRead: how much of a body that runs until the close has come', () => {
	it('counts the body read so far, and is 0 for other framings and once the body has ended', () => {
		const parser = new ResponseParser({onResponse() {}});
		parser.expect(true);
		const head = Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n', 'latin1');
		parser.execute(head, head.length);
		expect(parser.closeDelimitedRead).toBe(0);
		const data = Buffer.alloc(64 * 1024, 'a');
		for (let index = 0; index < 20; index++) parser.execute(data, data.length);
		expect(parser.closeDelimitedRead).toBe(20 * 64 * 1024);
		expect(parser.knownBodyLeft).toBe(0);
		expect(parser.end()).toBe(true);
		expect(parser.closeDelimitedRead).toBe(0);

		parser.expect(true);
		const framed = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${3 * mib}\r\n\r\n`, 'latin1');
		parser.execute(framed, framed.length);
		parser.execute(data, data.length);
		expect(parser.closeDelimitedRead).toBe(0);
	});
});

describe('ResponseParser.knownBodyLeft: what the socket client sizes its next read by', () => {
	it('counts down a Content-Length body and each chunk of a chunked one; 0 between chunks and between responses', () => {
		const parser = new ResponseParser({onResponse() {}});
		parser.expect(true);
		const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${3 * mib}\r\n\r\n`, 'latin1');
		parser.execute(head, head.length);
		expect(parser.knownBodyLeft).toBe(3 * mib);
		const data = Buffer.alloc(64 * 1024, 'a');
		parser.execute(data, data.length);
		expect(parser.knownBodyLeft).toBe((3 * mib) - (64 * 1024));
		for (let left = (3 * mib) - (64 * 1024); left > 0; left -= data.length) parser.execute(data, Math.min(left, data.length));
		expect(parser.busy).toBe(false);
		expect(parser.knownBodyLeft).toBe(0);

		parser.expect(true);
		const chunked = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n', 'latin1');
		parser.execute(chunked, chunked.length);
		expect(parser.knownBodyLeft).toBe(2 * mib);
		parser.execute(data, data.length);
		expect(parser.knownBodyLeft).toBe((2 * mib) - (64 * 1024));
		for (let left = (2 * mib) - (64 * 1024); left > 0; left -= data.length) parser.execute(data, Math.min(left, data.length));
		expect(parser.knownBodyLeft).toBe(0);
		const between = Buffer.from('\r\n10', 'latin1');
		parser.execute(between, between.length);
		expect(parser.knownBodyLeft).toBe(0);
		const small = Buffer.from('\r\n0123456789abcdef\r\n0\r\n\r\n', 'latin1');
		parser.execute(small, 2);
		expect(parser.knownBodyLeft).toBe(16);
		parser.execute(small.subarray(2), small.length - 2);
		expect(parser.busy).toBe(false);
		expect(parser.knownBodyLeft).toBe(0);
	});
});
