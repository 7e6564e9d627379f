/**
 * The latency case's target (test/bench/slow-target.ts starts it in a child process pinned to its
 * own core): every request to `/` is answered 10 ms after it arrived, with a 2-byte body; `/count`
 * answers at once with how many `/` requests have been answered. Prints its port on stdout.
 *
 * The 10 ms are exact, whenever in a millisecond the request came. A plain `setTimeout(10)` fires on
 * Node's whole-millisecond loop clock, so it answered in anything from 9 to 11 ms depending on where
 * in the millisecond the request landed; the clients, each sending its next request when an answer
 * comes, lock onto that clock at a phase set by how fast each reacts, and their p50s then differed
 * by what the target did (-0.14 to +0.19 ms between rounds), not by how they measure. Here a timer
 * wakes the server 2 ms early and it polls the clock (`setImmediate`) until each request's time.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';

/** How long each answer waits, ms. */
const delayMs = 10;
let answered = 0;

const server = http.createServer((request, response) => {
	request.resume();
	if (request.url === '/count') {
		response.end(String(answered));
		return;
	}

	// Answers come due in the order requests arrived: a queue, oldest first.
	due.push(process.hrtime.bigint() + delayNs);
	waiting.push(response);
	if (!polling) {
		polling = true;
		poll();
	}
});

const delayNs = BigInt(delayMs * 1e6);
const due: bigint[] = [];
const waiting: http.ServerResponse[] = [];
let head = 0;
let polling = false;

function poll(): void {
	const now = process.hrtime.bigint();
	while (head < due.length && due[head]! <= now) {
		answered++;
		const response = waiting[head]!;
		head++;
		response.writeHead(200, {'content-type': 'text/plain', 'content-length': '2'});
		response.end('ok');
	}

	if (head >= 4096) {
		due.splice(0, head);
		waiting.splice(0, head);
		head = 0;
	}

	if (head === due.length) {
		due.length = 0;
		waiting.length = 0;
		head = 0;
		polling = false;
		return;
	}

	const leftMs = Number(due[head]! - now) / 1e6;
	if (leftMs > 2) {
		setTimeout(poll, Math.floor(leftMs) - 2);
	} else {
		setImmediate(poll);
	}
}
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
	process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
	server.closeAllConnections();
	server.close();
});
