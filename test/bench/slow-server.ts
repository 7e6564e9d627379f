/**
 * The latency case's target (test/bench/slow-target.ts starts it in a child process pinned to its
 * own core): every request to `/` is answered after a 10 ms timer with a 2-byte body; `/count`
 * answers at once with how many `/` requests have been answered. Prints its port on stdout.
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

	setTimeout(() => {
		answered++;
		response.writeHead(200, {'content-type': 'text/plain', 'content-length': '2'});
		response.end('ok');
	}, delayMs);
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
	process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
	server.closeAllConnections();
	server.close();
});
