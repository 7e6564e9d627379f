/**
 * The h2 case's target (test/bench/cases/h2.ts starts it in a child process pinned to its own
 * core): node:http2 in cleartext (h2c, prior knowledge), answering every stream to `/` at once with
 * a 2-byte body; `/count` answers with how many `/` streams have been answered. Prints its port.
 */
import http2 from 'node:http2';
import type {AddressInfo} from 'node:net';

let answered = 0;
const server = http2.createServer({settings: {maxConcurrentStreams: 1000}});
server.on('stream', (stream, headers) => {
	if (headers[':path'] === '/count') {
		stream.respond({':status': 200, 'content-type': 'text/plain'});
		stream.end(String(answered));
		return;
	}

	answered++;
	stream.respond({':status': 200, 'content-type': 'text/plain', 'content-length': '2'});
	stream.end('ok');
});
const sessions = new Set<http2.ServerHttp2Session>();
server.on('session', session => {
	sessions.add(session);
	session.on('close', () => sessions.delete(session));
});
server.listen(0, '127.0.0.1', () => {
	process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
	for (const session of sessions) session.destroy();
	server.close();
});
