/**
 * llhttp's own response test cases (test/helpers/llhttp-cases.ts: the 85 inputs of its
 * `test/response/*.md`, from real servers' answers to deliberately broken ones), each sent by a raw
 * server as its answer to one GET (HEAD where llhttp's case says the response has no body), which
 * then closes the connection. The socket client and the undici client must end the request as
 * node:http (llhttp, the oracle) does: the same status and body bytes of a complete response, or
 * an error where it fails. Every difference is listed in `allowedDifferences` with its reason, and
 * a listed difference that no longer happens fails too. Each case runs in one write and again split
 * at every byte (bytewise delivery), and must end the same both ways. The server's count of the
 * requests it received is held to node:http's.
 *
 * Only the first request is compared: bytes after a complete response (several of llhttp's cases
 * hold two or three responses) are this project's `unsolicited-bytes` (the connection is dropped,
 * test/http-differential.test.ts covers it), not a difference in framing.
 * `DIFFERENTIAL_REPORT=1` prints every outcome as a table.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {HttpClient} from '../source/config/types.js';
import {pool, renderWithBytes, runClient, runOracle, undiciRefuses100, unrequestedUpgrade, type Method, type Run} from './helpers/differential.js';
import {decodeInput, llhttpResponseCases, parseCases, type LlhttpCase} from './helpers/llhttp-cases.js';
import {startReplayServer, type Delivery, type ReplayServer} from './helpers/replay-server.js';

const timeoutMs = 2000;
const bytewiseTimeoutMs = 5000;
const clients: readonly HttpClient[] = ['socket', 'undici'];
const deliveries: readonly Delivery[] = ['whole', 'bytewise'];

type Difference = {
	readonly case: string;
	readonly client: HttpClient;
	readonly delivery: Delivery;
	/** Our outcome and node:http's, as `renderWithBytes` writes them. */
	readonly ours: string;
	readonly oracle: string;
	readonly reason: string;
};

const bareCr = 'RFC 9112 §2.2: a recipient of a bare CR MUST consider the element invalid (or replace it with SP); llhttp 9.4.2, whose case this is, expects "Expected LF after CR". Node 20\'s llhttp (9.3.1) and undici\'s accept the response; the socket client refuses it';
const notHttp = 'RFC 9112 §2.3: HTTP-version is "HTTP/" DIGIT "." DIGIT, HTTP-name case-sensitive; llhttp also reads RTSP and ICE status lines for its other users. A load tester answered in another protocol counts a protocol error (undici reads it as node:http does)';

/** Differences from node:http that are allowed, each with its reason. */
const allowedDifferences: readonly Difference[] = [
	...(['socket', 'undici'] as const).flatMap(client => deliveries.flatMap(delivery => [
		{case: 'connection.md:296 HTTP 101 response with Upgrade and Content-Length header', client, delivery, ours: 'protocol', oracle: 'closed', reason: unrequestedUpgrade},
		{case: 'connection.md:334 HTTP 101 response with Upgrade and Transfer-Encoding header', client, delivery, ours: 'protocol', oracle: 'closed', reason: unrequestedUpgrade},
	])),
	...deliveries.flatMap(delivery => [
		{case: 'connection.md:589 HTTP 100 first, then 400', client: 'undici' as const, delivery, ours: 'protocol', oracle: '404/14B', reason: undiciRefuses100},
		{case: 'invalid.md:179 Bare CR followed by CR after response line', client: 'socket' as const, delivery, ours: 'protocol', oracle: '200/4B', reason: bareCr},
		{case: 'sample.md:43 RTSP response', client: 'socket' as const, delivery, ours: 'protocol', oracle: '200/0B', reason: notHttp},
		{case: 'sample.md:63 ICE response', client: 'socket' as const, delivery, ours: 'protocol', oracle: '200/0B', reason: notHttp},
	]),
];

type CaseResult = Record<Delivery, Record<HttpClient | 'oracle', {run: Run; received: number}>>;

const methodOf = (testCase: LlhttpCase): Method => (testCase.skipBody ? 'HEAD' : 'GET');

async function onServer(testCase: LlhttpCase, delivery: Delivery, run: (server: ReplayServer) => Promise<Run>): Promise<{run: Run; received: number}> {
	const server = await startReplayServer({responses: [{bytes: testCase.bytes, then: 'end'}], delivery});
	try {
		return {run: await run(server), received: server.requests};
	} finally {
		await server.close();
	}
}

async function runCase(testCase: LlhttpCase): Promise<CaseResult> {
	const method = methodOf(testCase);
	const byDelivery = async (delivery: Delivery) => {
		const wait = delivery === 'whole' ? timeoutMs : bytewiseTimeoutMs;
		const [oracle, socket, undici] = await Promise.all([
			onServer(testCase, delivery, async server => runOracle(server.port, method, 1, wait, 'fresh')),
			onServer(testCase, delivery, async server => runClient('socket', server.port, method, 1, wait)),
			onServer(testCase, delivery, async server => runClient('undici', server.port, method, 1, wait)),
		]);
		return {oracle, socket, undici};
	};

	const [whole, bytewise] = await Promise.all([byDelivery('whole'), byDelivery('bytewise')]);
	return {whole, bytewise};
}

const cases = llhttpResponseCases();
const results = new Map<string, CaseResult>();
const used = new Set<Difference>();
const seen = new Map<Difference, string>();

beforeAll(async () => {
	const all = await pool(cases, 6, runCase);
	for (const [index, testCase] of cases.entries()) {
		results.set(testCase.name, all[index]!);
	}
}, 180_000);

afterAll(() => {
	if (process.env.DIFFERENTIAL_REPORT) {
		const rows = cases.map(testCase => {
			const result = results.get(testCase.name)!;
			return [testCase.name, ...deliveries.flatMap(delivery => (['oracle', ...clients] as const).map(client => renderWithBytes(result[delivery][client].run.outcomes)))].join(' | ');
		});
		console.log(['case | oracle | socket | undici | oracle split | socket split | undici split', ...rows].join('\n'));
	}
});

describe('llhttp\'s own response cases: socket and undici clients against node:http', () => {
	it('reads every case of the vendored corpus', () => {
		// 85 in llhttp 9.4.2; names (file, line, heading) are unique.
		expect(cases.length).toBe(85);
		expect(new Set(cases.map(testCase => testCase.name)).size).toBe(cases.length);
	});

	it.each(cases.map(testCase => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
		const result = results.get(testCase.name)!;
		const problems: string[] = [];
		for (const delivery of deliveries) {
			const oracle = renderWithBytes(result[delivery].oracle.run.outcomes);
			for (const client of clients) {
				const {run, received} = result[delivery][client];
				const ours = renderWithBytes(run.outcomes);
				if (ours !== oracle) {
					const listed = allowedDifferences.filter(entry => entry.case === testCase.name && entry.client === client && entry.delivery === delivery);
					for (const entry of listed) seen.set(entry, ours);
					const allowed = listed.find(entry => entry.ours === ours && entry.oracle === oracle);
					if (allowed === undefined) {
						problems.push(`${client} (${delivery}): "${ours}", node:http "${oracle}"`);
					} else {
						used.add(allowed);
					}
				}

				if (run.snapshotProblem !== undefined) problems.push(`${client} (${delivery}): ${run.snapshotProblem}`);
				// A request sent again after a stale connection would show here; one request, one answer.
				const stale = run.events['stale-connection'] ?? 0;
				if (received !== result[delivery].oracle.received + stale) {
					problems.push(`${client} (${delivery}): the server received ${received} requests (${stale} sent again), from node:http ${result[delivery].oracle.received}`);
				}
			}
		}

		// Split at every byte, node:http itself ends as in one piece.
		const whole = renderWithBytes(result.whole.oracle.run.outcomes);
		const split = renderWithBytes(result.bytewise.oracle.run.outcomes);
		if (split !== whole) problems.push(`node:http split at every byte: "${split}", in one piece: "${whole}"`);
		expect(problems).toEqual([]);
	});

	it('lists only differences that still happen', () => {
		const stale = allowedDifferences.filter(entry => !used.has(entry));
		expect(stale.map(entry => `${entry.case} (${entry.client}, ${entry.delivery}): listed as "${entry.ours}", now "${seen.get(entry) ?? entry.oracle}"`)).toEqual([]);
	});
});

describe('reading llhttp\'s md files as its test runner does', () => {
	it('turns lines into CRLF, joins escaped newlines and decodes escapes', () => {
		expect(decodeInput('HTTP/1.1 200 OK\nA: b\\\nc\n\nx\\r\\n\\t\\x41\\101\n').toString('latin1')).toBe('HTTP/1.1 200 OK\r\nA: bc\r\n\r\nx\r\n\tAA');
		expect(decodeInput('${"a".repeat(3)}\n').toString('latin1')).toBe('aaa');
	});

	it('takes response inputs with their metadata and skips other kinds', () => {
		const text = [
			'## First', '', '<!-- meta={"type": "response", "skipBody": true} -->', '```http', 'HTTP/1.1 200 OK', '', '', '```', '',
			'## Second', '<!-- meta={"type": "request"} -->', '```http', 'GET / HTTP/1.1', '', '', '```', '',
			'### Third', '<!-- meta={"type": "response-lenient-headers" } -->', '```http', 'HTTP/1.1 204 No Content', '', '', '```',
		].join('\n');
		const parsed = parseCases('x.md', text);
		expect(parsed.map(testCase => [testCase.name, testCase.type, testCase.skipBody, testCase.bytes.toString('latin1')])).toEqual([
			['x.md:4 First', 'response', true, 'HTTP/1.1 200 OK\r\n\r\n'],
			['x.md:20 Third', 'response-lenient-headers', false, 'HTTP/1.1 204 No Content\r\n\r\n'],
		]);
	});
});
