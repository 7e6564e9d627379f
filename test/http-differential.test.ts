/**
 * Differential test of HTTP/1.1 response framing: the same canned bytes (test/helpers/framing-cases.ts)
 * from a raw server, through the socket client, the undici client and node:http (llhttp, the
 * oracle). Our clients must end every request as the oracle does; every difference is listed in
 * `allowedDifferences` with the RFC reason it is allowed, and a listed difference that no longer
 * happens fails too (remove it). Each case runs again with the bytes split at every byte (of the
 * first 4 KiB), and must end the same. `DIFFERENTIAL_REPORT=1` prints every outcome as a table.
 *
 * Bytes after a complete response (cases marked `unsolicited`) follow this project's rule (see
 * ConnectionEventKind): the response counts, the connection is closed with an `unsolicited-bytes`
 * event, and the next request goes on a fresh connection. Our clients are held to node:http
 * sending each request on a connection of its own, plus the event. node:http on one keep-alive
 * connection ends them the same way today (the stray bytes fail to parse after the response is
 * complete, and it drops the socket), without an event. Split at every byte, the stray bytes
 * arrive after the next request went out and read as the start of its response, for every client
 * alike: there only the first request is compared.
 */
import net from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {HttpClient} from '../source/config/types.js';
import {pool, render, runClient, runOracle, undiciRefuses100, unrequestedUpgrade, type Run} from './helpers/differential.js';
import {framingCases, type FramingCase} from './helpers/framing-cases.js';
import {startReplayServer, type Delivery, type ReplayServer} from './helpers/replay-server.js';

/** Ends hung cases; none hangs today. Bytewise delivery takes a turn of the event loop per byte. */
const timeoutMs = 2000;
const bytewiseTimeoutMs = 5000;
const clients: readonly HttpClient[] = ['socket', 'undici'];

type Difference = {
	readonly case: string;
	readonly client: HttpClient;
	/** Our outcomes and connection events, as `describeRun()` writes them. */
	readonly ours: string;
	/** What we are held to: node:http's outcomes (for unsolicited bytes, see above: with the event). */
	readonly oracle: string;
	readonly reason: string;
};

const statusBelow100 = 'RFC 9110 §15: valid codes are 100-599 and 0xx has no class, so it is not known whether the response is interim or final; node:http takes it as final, we refuse it (undici would treat it as interim and trip its own assertion)';
const ambiguousChunked = 'RFC 9110 §5.5 (OWS is not part of a value) and §5.6.1 (empty list elements are ignored) read this Transfer-Encoding as chunked final, llhttp reads it as not chunked and frames the body until close; the socket client refuses a framing two readings disagree on (response-parser.ts, note (*4))';
const staleRetry = 'RFC 9112 §9.3.1: a client MAY send an idempotent request again when the connection closed before any response; we do so once on a fresh connection (a stale-connection event), node:http does not';
const undiciNoReadAfterBodyless = 'undici closes the connection where the response ends without a body (its Content-Length check on 204/304; and after every HEAD request, unless dispatched with reset: false) and never reads the stray bytes, so it cannot count them: the response counts and the next request goes on a fresh connection as the rule wants, only the event is missing';

/** Differences from node:http that are allowed, each with its reason. */
const allowedDifferences: readonly Difference[] = [
	{case: '1xx: 101 unrequested', client: 'socket', ours: 'protocol 202', oracle: 'closed 202', reason: unrequestedUpgrade},
	{case: '1xx: 101 unrequested', client: 'undici', ours: 'protocol 202', oracle: 'closed 202', reason: unrequestedUpgrade},
	{case: 'status: 099', client: 'socket', ours: 'protocol 202', oracle: '99 202', reason: statusBelow100},
	{case: 'status: 099', client: 'undici', ours: 'protocol 202', oracle: '99 202', reason: statusBelow100},
	{case: '1xx: unsolicited 100 Continue', client: 'undici', ours: 'protocol 202', oracle: '200 202', reason: undiciRefuses100},
	{case: '1xx: 100, a pause, then the response', client: 'undici', ours: 'protocol 202', oracle: '200 202', reason: undiciRefuses100},
	{case: 'te: chunked then a tab', client: 'socket', ours: 'protocol 202', oracle: '200 202', reason: ambiguousChunked},
	{case: 'te: chunked then a comma', client: 'socket', ours: 'protocol 202', oracle: '200 202', reason: ambiguousChunked},
	{case: 'stale: GET on a reused connection', client: 'socket', ours: '200 202 [stale-connection:1]', oracle: '200 reset', reason: staleRetry},
	{case: 'stale: GET on a reused connection', client: 'undici', ours: '200 202 [stale-connection:1]', oracle: '200 reset', reason: staleRetry},
	{case: 'stale: HEAD on a reused connection', client: 'socket', ours: '200 202 [stale-connection:1]', oracle: '200 reset', reason: staleRetry},
	{case: 'stale: twice', client: 'socket', ours: '200 reset [stale-connection:1]', oracle: '200 reset', reason: `${staleRetry}; the second close is an error`},
	{case: 'stale: twice', client: 'undici', ours: '200 reset [stale-connection:1]', oracle: '200 reset', reason: `${staleRetry}; the second close is an error`},
	{case: 'head: body sent anyway', client: 'undici', ours: '200 202', oracle: '200 202 [unsolicited-bytes:1]', reason: undiciNoReadAfterBodyless},
	{case: '204: body sent anyway', client: 'undici', ours: '204 202', oracle: '204 202 [unsolicited-bytes:1]', reason: undiciNoReadAfterBodyless},
	{case: '304: body sent anyway', client: 'undici', ours: '304 202', oracle: '304 202 [unsolicited-bytes:1]', reason: undiciNoReadAfterBodyless},
	{case: 'head: body sent anyway, keep-alive', client: 'undici', ours: '200 202', oracle: '200 202 [unsolicited-bytes:1]', reason: undiciNoReadAfterBodyless},
];

type CaseResult = {
	readonly oracle: Run;
	/** node:http with a connection per request: the expectation for cases with unsolicited bytes. */
	readonly fresh: Run | undefined;
	readonly whole: Record<HttpClient, Run>;
	readonly bytewise: Record<HttpClient | 'oracle', Run>;
	/** Requests the server received from each client (whole delivery). */
	readonly received: Record<HttpClient | 'oracle', number>;
};

/** Outcomes, then connection events: `200 202 [unsolicited-bytes:1]`. */
function describeRun(run: Run): string {
	const events = Object.entries(run.events).filter(([, count]) => count > 0).map(([kind, count]) => `${kind}:${count}`);
	return events.length === 0 ? render(run.outcomes) : `${render(run.outcomes)} [${events.join(' ')}]`;
}

/** What our clients must do: what the oracle does, or for unsolicited bytes, a response per request. */
function expectation(testCase: FramingCase, result: CaseResult): string {
	return testCase.unsolicited ? `${render(result.fresh!.outcomes)} [unsolicited-bytes:1]` : render(result.oracle.outcomes);
}

async function onServer<T>(testCase: FramingCase, delivery: Delivery, run: (server: ReplayServer) => Promise<T>): Promise<[T, number]> {
	const server = await startReplayServer({responses: testCase.responses, delivery});
	try {
		const value = await run(server);
		return [value, server.requests];
	} finally {
		await server.close();
	}
}

async function runCase(testCase: FramingCase): Promise<CaseResult> {
	const {method, requests} = testCase;
	const ours = async (client: HttpClient, delivery: Delivery) => onServer(testCase, delivery, async server => runClient(client, server.port, method, requests, delivery === 'whole' ? timeoutMs : bytewiseTimeoutMs));
	const [[oracle, oracleReceived], [fresh], [socket, socketReceived], [undici, undiciReceived], [socketBytewise], [undiciBytewise], [oracleBytewise]] = await Promise.all([
		onServer(testCase, 'whole', async server => runOracle(server.port, method, requests, timeoutMs, 'keep-alive')),
		testCase.unsolicited ? onServer(testCase, 'whole', async server => runOracle(server.port, method, requests, timeoutMs, 'fresh')) : [undefined],
		ours('socket', 'whole'),
		ours('undici', 'whole'),
		ours('socket', 'bytewise'),
		ours('undici', 'bytewise'),
		onServer(testCase, 'bytewise', async server => runOracle(server.port, method, requests, bytewiseTimeoutMs, 'keep-alive')),
	]);
	return {
		oracle,
		fresh,
		whole: {socket, undici},
		bytewise: {socket: socketBytewise, undici: undiciBytewise, oracle: oracleBytewise},
		received: {socket: socketReceived, undici: undiciReceived, oracle: oracleReceived},
	};
}

const results = new Map<string, CaseResult>();
const used = new Set<Difference>();
/** What each listed difference's client did (for the message when the difference is gone). */
const seen = new Map<Difference, string>();

beforeAll(async () => {
	const all = await pool(framingCases, 8, runCase);
	for (const [index, testCase] of framingCases.entries()) {
		results.set(testCase.name, all[index]!);
	}
}, 120_000);

afterAll(() => {
	if (process.env.DIFFERENTIAL_REPORT) {
		const rows = framingCases.map(testCase => {
			const result = results.get(testCase.name)!;
			return [testCase.name, render(result.oracle.outcomes), describeRun(result.whole.socket), describeRun(result.whole.undici), render(result.bytewise.socket.outcomes), render(result.bytewise.undici.outcomes), render(result.bytewise.oracle.outcomes), testCase.unsolicited ? render(result.fresh!.outcomes) : ''].join(' | ');
		});
		console.log(['case | oracle | socket | undici | socket split | undici split | oracle split | oracle fresh', ...rows].join('\n'));
	}
});

describe('HTTP/1.1 framing: socket and undici clients against node:http', () => {
	it('has enough cases, each named once', () => {
		expect(framingCases.length).toBeGreaterThanOrEqual(60);
		expect(new Set(framingCases.map(testCase => testCase.name)).size).toBe(framingCases.length);
	});

	it.each(framingCases.map(testCase => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
		const result = results.get(testCase.name)!;
		const expected = expectation(testCase, result);
		const problems: string[] = [];
		for (const client of clients) {
			const ours = describeRun(result.whole[client]);
			if (ours !== expected) {
				const allowed = allowedDifferences.find(entry => entry.case === testCase.name && entry.client === client && entry.ours === ours && entry.oracle === expected);
				for (const entry of allowedDifferences.filter(entry => entry.case === testCase.name && entry.client === client)) {
					seen.set(entry, ours);
				}

				if (allowed === undefined) {
					problems.push(`${client}: "${ours}", expected "${expected}" (${testCase.rfc})`);
				} else {
					used.add(allowed);
				}
			}

			for (const run of [result.whole[client], result.bytewise[client]]) {
				if (run.snapshotProblem !== undefined) {
					problems.push(`${client}: ${run.snapshotProblem}`);
				}
			}

			// The server's count is an oracle too: as many requests as node:http sent, plus the ones sent again.
			const stale = result.whole[client].events['stale-connection'] ?? 0;
			if (result.received[client] !== result.received.oracle + stale) {
				problems.push(`${client}: the server received ${result.received[client]} requests (${stale} sent again), from node:http ${result.received.oracle}`);
			}
		}

		// Split at every byte: the same outcomes as in one piece (for unsolicited bytes, the first request's only).
		const compared = testCase.unsolicited ? 1 : testCase.requests;
		const wholeOf = {socket: result.whole.socket, undici: result.whole.undici, oracle: result.oracle};
		for (const client of ['socket', 'undici', 'oracle'] as const) {
			const split = render(result.bytewise[client].outcomes.slice(0, compared));
			const whole = render(wholeOf[client].outcomes.slice(0, compared));
			if (split !== whole) {
				problems.push(`${client} split at every byte: "${split}", in one piece: "${whole}"`);
			}
		}

		expect(problems).toEqual([]);
	});

	it('lists only differences that still happen', () => {
		const stale = allowedDifferences.filter(entry => !used.has(entry));
		expect(stale.map(entry => `${entry.case} (${entry.client}): listed as "${entry.ours}", now "${seen.get(entry) ?? entry.oracle}"`)).toEqual([]);
	});
});

// A server that closes idle keep-alive connections silently: a request that arrives on one idle
// for 150 ms gets no answer, the connection is ended (as if the server's idle timer fired just
// before). Four requests at 3 per second: every one after the first meets a closed connection.
describe.each(clients)('stale keep-alive connections (%s client)', client => {
	const ok = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');

	it('sends an idempotent request once more on a fresh connection, outside the request budget', async () => {
		const server = await startReplayServer({responses: [{bytes: ok}], idleCloseMs: 150});
		try {
			const run = await runClient(client, server.port, 'GET', 4, timeoutMs, {rate: 3});
			expect(render(run.outcomes)).toBe('200 200 200 200');
			expect(run.events).toEqual({'stale-connection': 3});
			expect(server.requests).toBe(7);
			expect(server.connections).toBe(4);
		} finally {
			await server.close();
		}
	});

	it('does not send a POST again: the closed connection is an error', async () => {
		const server = await startReplayServer({responses: [{bytes: ok}], idleCloseMs: 150});
		try {
			const run = await runClient(client, server.port, 'POST', 4, timeoutMs, {rate: 3});
			// The request after an error goes on a fresh connection, which is answered.
			expect(render(run.outcomes)).toBe('200 reset 200 reset');
			expect(run.events).toEqual({});
			expect(server.requests).toBe(4);
		} finally {
			await server.close();
		}
	});
});

describe('the replay server', () => {
	/** Reads one bytewise response with a raw socket; the size of each read. */
	async function readSizes(bytes: Buffer): Promise<number[]> {
		const server = await startReplayServer({responses: [{bytes}], delivery: 'bytewise'});
		try {
			return await new Promise<number[]>((resolve, reject) => {
				const sizes: number[] = [];
				let total = 0;
				const socket = net.connect(server.port, '127.0.0.1', () => {
					socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
				});
				const timer = setTimeout(() => {
					socket.destroy();
					reject(new Error(`only ${sizes.length} reads`));
				}, 5000);
				socket.on('data', (chunk: Buffer) => {
					sizes.push(chunk.length);
					total += chunk.length;
					if (total >= bytes.length) {
						clearTimeout(timer);
						socket.destroy();
						resolve(sizes);
					}
				});
				socket.on('error', reject);
			});
		} finally {
			await server.close();
		}
	}

	it('delivers bytewise responses one byte per read, with eight servers at once as in the harness', async () => {
		const bytes = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
		const all = await Promise.all(Array.from({length: 8}, async () => readSizes(bytes)));
		for (const sizes of all) {
			expect(sizes).toEqual(Array.from({length: bytes.length}, () => 1));
		}
	});
});
