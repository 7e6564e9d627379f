/**
 * The h2 case's floor: the least a node:http2 client can do, in a closed loop on `connections`
 * sessions with `streams` requests in flight on each, for `seconds` (argv: URL CONNECTIONS STREAMS
 * SECONDS). No timing, no counting beyond one number: what node:http2 itself costs per request on
 * this Node, beside which pystress-tui's h2 client is judged. Prints the responses it completed.
 */
import http2 from 'node:http2';

const [url = '', connections = '1', streams = '1', seconds = '10'] = process.argv.slice(2);
const headers = {':method': 'GET', ':path': new URL(url).pathname, ':scheme': 'http', ':authority': new URL(url).host};
let completed = 0;
let stopping = false;
const sessions: http2.ClientHttp2Session[] = [];

function send(session: http2.ClientHttp2Session): void {
	if (stopping) return;
	const stream = session.request(headers, {endStream: true});
	stream.on('data', () => undefined);
	stream.on('end', () => {
		completed++;
		send(session);
	});
	stream.on('error', () => undefined);
}

for (let index = 0; index < Number(connections); index++) {
	const session = http2.connect(url);
	session.on('error', () => undefined);
	sessions.push(session);
	for (let slot = 0; slot < Number(streams); slot++) send(session);
}

setTimeout(() => {
	stopping = true;
	process.stdout.write(`${completed}\n`);
	for (const session of sessions) session.destroy();
}, Number(seconds) * 1000);
