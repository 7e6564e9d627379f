/**
 * Runners for the HTTP/1.1 differential tests: the same requests against a replay server through
 * Node's own client (`node:http`, llhttp: the oracle) and through our load loop (socket or undici
 * client), each giving the outcome of every request in order.
 */
import http from 'node:http';
import {defaultPolicy, type EndpointPlan, type HttpClient, type RequestPolicy} from '../../source/config/types.js';
import {classifyError} from '../../source/engine/errors.js';
import {LoadLoop, loadHttpClient} from '../../source/engine/load-loop.js';

/**
 * One request's outcome: a complete response's status and body bytes, or the kind of error (as
 * errorKinds counts it).
 */
export type Outcome = {readonly status: number; readonly bodyBytes: number} | {readonly error: string};

export type Run = {
	readonly outcomes: readonly Outcome[];
	/** Our clients only: connectionEvents of the snapshot. */
	readonly events: Readonly<Record<string, number>>;
	/** Our clients only: how the snapshot's counters disagree with the attempts, if they do. */
	readonly snapshotProblem?: string;
};

export type Method = 'GET' | 'HEAD' | 'POST';

const body = 'hello';

/** Reasons both differential tests allow a difference from node:http for. */
export const unrequestedUpgrade = 'RFC 9110 §15.2.2: a server sends 101 only to a request with Upgrade. node:http drops the socket without an error event (the oracle\'s "closed"); we count the attempt as a protocol error';
export const undiciRefuses100 = 'RFC 9110 §15.2: a client MUST parse a 1xx it did not expect; undici (client-h1 onHeadersComplete) destroys the socket on any 100 ("bad response") as it never sends Expect: 100-continue, and a dispatch handler cannot change that: counted as protocol';

/** `200 reset`: outcomes in order, separated by spaces. */
export function render(outcomes: readonly Outcome[]): string {
	return outcomes.map(outcome => ('status' in outcome ? String(outcome.status) : outcome.error)).join(' ');
}

/** `200/5B reset`: outcomes with each complete response's body bytes. */
export function renderWithBytes(outcomes: readonly Outcome[]): string {
	return outcomes.map(outcome => ('status' in outcome ? `${outcome.status}/${outcome.bodyBytes}B` : outcome.error)).join(' ');
}

/**
 * Node's http client, requests one after another through a keep-alive agent with one socket
 * (`keep-alive`), or each on a connection of its own (`fresh`). A request ends at the response's
 * last byte (`complete`) or at its first error.
 */
export async function runOracle(port: number, method: Method, count: number, timeoutMs: number, mode: 'keep-alive' | 'fresh'): Promise<Run> {
	const outcomes: Outcome[] = [];
	const shared = new http.Agent({keepAlive: true, maxSockets: 1});
	for (let index = 0; index < count; index++) {
		const agent = mode === 'keep-alive' ? shared : new http.Agent({keepAlive: false, maxSockets: 1});
		// eslint-disable-next-line no-await-in-loop
		outcomes.push(await oracleRequest(port, method, timeoutMs, agent));
		if (agent !== shared) {
			agent.destroy();
		}
	}

	shared.destroy();
	return {outcomes, events: {}};
}

async function oracleRequest(port: number, method: Method, timeoutMs: number, agent: http.Agent): Promise<Outcome> {
	return new Promise(resolve => {
		let settled = false;
		const settle = (outcome: Outcome): void => {
			if (!settled) {
				settled = true;
				clearTimeout(timer);
				resolve(outcome);
			}
		};

		const request = http.request({host: '127.0.0.1', port, method, path: '/', agent, headers: method === 'POST' ? {'content-length': body.length} : {}});
		const timer = setTimeout(() => {
			request.destroy(Object.assign(new Error('timeout'), {code: 'ETIMEDOUT'}));
			settle({error: 'timeout'});
		}, timeoutMs);
		let received: http.IncomingMessage | undefined;
		let bodyBytes = 0;
		request.on('response', response => {
			received = response;
			response.on('data', (chunk: Buffer) => {
				bodyBytes += chunk.length;
			});
			response.on('error', () => undefined);
			response.on('close', () => {
				settle(response.complete ? {status: response.statusCode ?? 0, bodyBytes: bodyBytes + response.readableLength} : {error: 'reset'});
			});
		});
		request.on('error', error => {
			// Bytes after a complete response fail the request too: the response counts, with the body
			// llhttp parsed (what it pushed and the stream has not yet emitted is still buffered).
			settle(received?.complete ? {status: received.statusCode ?? 0, bodyBytes: bodyBytes + received.readableLength} : {error: classifyError(error)});
		});
		request.on('close', () => {
			// Closed without a response or an error (an unrequested upgrade, for one).
			setImmediate(() => {
				settle({error: 'closed'});
			});
		});
		request.end(method === 'POST' ? body : undefined);
	});
}

/**
 * Our load loop with one connection on `client` and a budget of `count` requests (closed model,
 * or open at `rate` per second); each attempt's outcome in order, and the connection events. Ends
 * when the budget is spent (at most `count * timeoutMs` plus a margin), then waits `settleMs`
 * for late connection events.
 */
export async function runClient(client: HttpClient, port: number, method: Method, count: number, timeoutMs: number, options: {settleMs?: number; rate?: number} = {}): Promise<Run> {
	const policy: RequestPolicy = {...defaultPolicy, timeoutMs, httpClient: client};
	const origin = `http://127.0.0.1:${port}`;
	const plan: EndpointPlan = {name: 'case', method, url: `${origin}/`, origin, path: '/', headers: {}, body: method === 'POST' ? body : undefined, weight: 1};
	await loadHttpClient(policy);
	const outcomes: Outcome[] = [];
	let exhausted!: () => void;
	const done = new Promise<void>(resolve => {
		exhausted = resolve;
	});
	const loop = new LoadLoop(
		{endpoints: [plan], policy, connections: 1, rate: options.rate, maxLateMs: 0, issued: new Int32Array(new SharedArrayBuffer(4)), maxRequests: count, extraHeaders: {}, paused: false},
		{
			onExhausted: exhausted,
			onUnauthorized() {},
			onAttempt(record) {
				outcomes.push(record.errorKind === undefined ? {status: record.status, bodyBytes: record.bytes} : {error: record.errorKind});
			},
		},
	);
	const guard = setTimeout(exhausted, (count * timeoutMs) + 3000);
	loop.start();
	await done;
	clearTimeout(guard);
	await new Promise(resolve => {
		setTimeout(resolve, options.settleMs ?? 20);
	});
	await loop.stop(0);
	const snapshot = loop.snapshot(0, 0).endpoints[0]!;
	// The snapshot's counters tell the same story as the attempts, status by status and kind by kind.
	const statusCodes: Record<string, number> = {};
	const errorKinds: Record<string, number> = {};
	for (const outcome of outcomes) {
		const [tally, key] = 'status' in outcome ? [statusCodes, String(outcome.status)] : [errorKinds, outcome.error];
		tally[key] = (tally[key] ?? 0) + 1;
	}

	const counted = JSON.stringify([snapshot.responses, snapshot.errors, sorted(snapshot.statusCodes), sorted(snapshot.errorKinds)]);
	const expected = JSON.stringify([Object.values(statusCodes).reduce((sum, count) => sum + count, 0), Object.values(errorKinds).reduce((sum, count) => sum + count, 0), sorted(statusCodes), sorted(errorKinds)]);
	const events = snapshot.connectionEvents;
	return counted === expected ? {outcomes, events} : {outcomes, events, snapshotProblem: `the snapshot (responses, errors, statusCodes, errorKinds: ${counted}) disagrees with the attempts (${render(outcomes)})`};
}

function sorted(counts: Readonly<Record<string, number>>): Array<[string, number]> {
	return Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = [];
	let next = 0;
	await Promise.all(Array.from({length: limit}, async () => {
		while (next < items.length) {
			const index = next++;
			// eslint-disable-next-line no-await-in-loop
			results[index] = await work(items[index]!);
		}
	}));
	return results;
}
