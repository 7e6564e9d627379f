import {createHash, randomBytes} from 'node:crypto';
import {once} from 'node:events';
import {mkdtempSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import net, {type AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {handleWritesAvailable, writeToHandle} from '../source/engine/handle-write.js';
import {runCli, runProgram, tsxLoader} from './helpers/cli.js';

const servers: Array<http.Server | net.Server> = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => new Promise(resolve => {
		server.close(resolve);
		if ('closeAllConnections' in server) server.closeAllConnections();
	})));
});

async function listen<T extends http.Server | net.Server>(server: T): Promise<number> {
	servers.push(server);
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	return (server.address() as AddressInfo).port;
}

async function connected(port: number): Promise<net.Socket> {
	const socket = net.connect({host: '127.0.0.1', port});
	await once(socket, 'connect');
	return socket;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('requests written straight to the socket handle (handle-write.ts)', () => {
	it('is what this Node does, unless PYSTRESS_SOCKET_WRITE=stream', async () => {
		expect(handleWritesAvailable).toBe(true);
		const module = fileURLToPath(new URL('../source/engine/handle-write.ts', import.meta.url));
		const script = `import(${JSON.stringify(module)}).then(m => console.log(m.handleWritesAvailable))`;
		expect((await runProgram(process.execPath, ['--import', tsxLoader, '-e', script])).stdout.trim()).toBe('true');
		expect((await runProgram(process.execPath, ['--import', tsxLoader, '-e', script], {env: {PYSTRESS_SOCKET_WRITE: 'stream'}})).stdout.trim()).toBe('false');
	});

	it('declines a socket still connecting, or destroyed (the caller then uses socket.write)', async () => {
		const port = await listen(net.createServer(socket => socket.resume()));
		const connecting = net.connect({host: '127.0.0.1', port});
		expect(writeToHandle(connecting, Buffer.from('x'))).toBe(false);
		await once(connecting, 'connect');
		expect(writeToHandle(connecting, Buffer.from('x'))).toBe(true);
		connecting.destroy();
		expect(writeToHandle(connecting, Buffer.from('x'))).toBe(false);
	});

	it('a write larger than the socket buffers completes later, whole and in order with the next one', async () => {
		const received: Buffer[] = [];
		let ended: () => void = () => undefined;
		const done = new Promise<void>(resolve => {
			ended = resolve;
		});
		// The server reads nothing for 300 ms: most of 48 MiB cannot go out at once (an async write).
		const port = await listen(net.createServer(socket => {
			socket.pause();
			setTimeout(() => socket.resume(), 300);
			socket.on('data', (chunk: Buffer) => received.push(chunk));
			socket.on('end', ended);
		}));
		const socket = await connected(port);
		const big = randomBytes(48 * 1024 * 1024);
		const tail = Buffer.from('and then this');
		expect(writeToHandle(socket, big)).toBe(true);
		expect(writeToHandle(socket, tail)).toBe(true);
		socket.end();
		await done;
		const all = Buffer.concat(received);
		expect(all.length).toBe(big.length + tail.length);
		expect(sha256(all)).toBe(sha256(Buffer.concat([big, tail])));
	}, 30_000);

	it('many small writes on two sockets in turn (one request object reused) arrive whole and in order on each', async () => {
		const received = new Map<number, Buffer[]>();
		const ends: Array<Promise<void>> = [];
		let next = 0;
		const port = await listen(net.createServer(socket => {
			const index = next++;
			received.set(index, []);
			ends.push(new Promise(resolve => socket.on('end', resolve)));
			socket.on('data', (chunk: Buffer) => received.get(index)!.push(chunk));
		}));
		const sockets = [await connected(port), await connected(port)];
		const sent: Buffer[][] = [[], []];
		for (let index = 0; index < 2000; index++) {
			const bytes = Buffer.from(`request ${index} on socket ${index % 2}\n`);
			sent[index % 2]!.push(bytes);
			expect(writeToHandle(sockets[index % 2]!, bytes)).toBe(true);
		}

		for (const socket of sockets) socket.end();
		await Promise.all(ends);
		const got = [...received.values()].map(chunks => Buffer.concat(chunks).toString()).sort();
		expect(got).toEqual(sent.map(chunks => Buffer.concat(chunks).toString()).sort());
	});

	it('a write the kernel refuses fails the socket as socket.write would (ECONNRESET or EPIPE, syscall write)', async () => {
		let reset: () => void = () => undefined;
		const wasReset = new Promise<void>(resolve => {
			reset = resolve;
		});
		// The reset comes once the client has seen its connect (else the connect itself fails).
		const port = await listen(net.createServer(socket => {
			setTimeout(() => {
				socket.resetAndDestroy();
				reset();
			}, 100);
		}));
		// Not reading, from before the connect: the reset is found by the write, not by a read.
		const socket = net.connect({host: '127.0.0.1', port});
		socket.pause();
		await once(socket, 'connect');
		await wasReset;
		await new Promise(resolve => setTimeout(resolve, 100));
		const failed = once(socket, 'error') as Promise<[NodeJS.ErrnoException]>;
		expect(writeToHandle(socket, Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toBe(true);
		const [error] = await failed;
		expect(['ECONNRESET', 'EPIPE']).toContain(error.code);
		expect(error.syscall).toBe('write');
		expect(socket.destroyed).toBe(true);
	});

	it('a run sends the same requests either way: the server (llhttp) reads every one, and the counts are its own', async () => {
		const body = randomBytes(3 * 1024 * 1024).toString('base64');
		const expected = sha256(Buffer.from(JSON.stringify({data: body})));
		let count = 0;
		let wrong = 0;
		const port = await listen(http.createServer((request, response) => {
			count++;
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				if (sha256(Buffer.concat(chunks)) !== expected) wrong++;
				response.end('ok');
			});
		}));
		const config = path.join(mkdtempSync(path.join(tmpdir(), 'pystress-handle-')), 'big.json');
		writeFileSync(config, JSON.stringify({url: `http://127.0.0.1:${port}/`, method: 'POST', json: {data: body}}));
		for (const env of [{}, {PYSTRESS_SOCKET_WRITE: 'stream'}, {NODE_OPTIONS: '--pending-deprecation'}] as Array<Record<string, string>>) {
			const before = count;
			// eslint-disable-next-line no-await-in-loop
			const result = await runCli(['--config', config, '-n', '40', '-c', '4', '-t', '1', '--headless', '--no-baseline', '--no-report', '-q', '--json', '-'], {env, timeoutMs: 60_000});
			expect(result.code, result.stderr).toBe(0);
			// process.binding's deprecation warning is Node's word about our read, not the user's code.
			expect(result.stderr).not.toContain('DEP0111');
			const report = JSON.parse(result.stdout) as {summary: {requests: number; errors: number}};
			expect(report.summary).toMatchObject({requests: 40, errors: 0});
			expect(count - before).toBe(40);
		}

		expect(wrong).toBe(0);
	}, 120_000);
});
