/**
 * The body case's floor: the least a Node client can do to fetch large keep-alive responses on
 * `connections` sockets for `seconds` (argv: URL CONNECTIONS SECONDS). Each socket reads with
 * `onread` into one 16 KiB buffer (a 64 KiB one after a read that filled it while more than 1 MiB
 * of the body is still to come), as pystress-tui's socket client does, finds the end of the head
 * and its Content-Length, counts the body bytes and sends the next request as soon as a response
 * ends. No clock reads, no histogram, no worker, no snapshots: what Node itself allows, beside which
 * pystress-tui's reading is judged. Prints `REQUESTS BYTES SECONDS`: responses completed, body bytes
 * read, and the time from the first connect to the stop.
 */
import net from 'node:net';

const [url = '', connections = '1', seconds = '10'] = process.argv.slice(2);
const {hostname, port, pathname, search} = new URL(url);
const request = Buffer.from(`GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`, 'latin1');
const readBuffer = Buffer.allocUnsafe(16 * 1024);
const streamingBuffer = Buffer.allocUnsafe(64 * 1024);
let streamingNext = false;
const nextReadBuffer = (): Buffer => (streamingNext ? streamingBuffer : readBuffer);
const headEnd = Buffer.from('\r\n\r\n');
let completed = 0;
let bodyBytes = 0;
let stopping = false;
const sockets: net.Socket[] = [];
const started = performance.now();

function open(): void {
	/** Body bytes still to come; -1 while reading a head. */
	let remaining = -1;
	let head = '';
	const onRead = (length: number, buffer: Uint8Array): boolean => {
		let offset = 0;
		while (offset < length) {
			if (remaining < 0) {
				// Heads are small: keep the text until it holds the blank line.
				const text = Buffer.from(buffer.buffer, buffer.byteOffset + offset, length - offset);
				const end = Buffer.concat([Buffer.from(head, 'latin1'), text]).indexOf(headEnd);
				if (end < 0) {
					head += text.toString('latin1');
					return true;
				}

				const used = end + 4 - head.length;
				const lengthHeader = /\r\ncontent-length:\s*(\d+)/i.exec(head + text.toString('latin1', 0, used));
				if (!lengthHeader) throw new Error('bare-reader: a response without Content-Length');
				remaining = Number(lengthHeader[1]);
				head = '';
				offset += used;
			}

			const take = Math.min(remaining, length - offset);
			remaining -= take;
			bodyBytes += take;
			offset += take;
			if (remaining === 0) {
				remaining = -1;
				completed++;
				if (!stopping) socket.write(request);
			}
		}

		streamingNext = length === buffer.length && remaining > 1024 * 1024;

		return true;
	};

	const socket = net.connect({host: hostname, port: Number(port), noDelay: true, onread: {buffer: nextReadBuffer, callback: onRead}});
	socket.once('connect', () => socket.write(request));
	socket.on('error', error => {
		if (!stopping) throw error;
	});
	sockets.push(socket);
}

for (let index = 0; index < Number(connections); index++) open();

setTimeout(() => {
	stopping = true;
	process.stdout.write(`${completed} ${bodyBytes} ${(performance.now() - started) / 1000}\n`);
	for (const socket of sockets) socket.destroy();
}, Number(seconds) * 1000);
