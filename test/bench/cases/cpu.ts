/**
 * `cpu`: the client's CPU per request, pystress-tui (default socket client, `-t 1`) against wrk
 * (`-t1`), at BENCH_CONNECTIONS (50) and at 1000 connections, against nginx on the other core.
 * At 50 also autocannon (throughput ratio, the old headline), the undici client as a reference,
 * and BENCH_BASE's build (this build's CPU per request over that one's).
 *
 * CPU per request divides GNU time's user + system by the requests nginx served during the run
 * (stub_status), for every tool: wrk's own count leaves out the requests in flight at the end.
 */
import {startBenchTarget} from '../nginx.js';
import {cpuMicrosPerRequest, runLine, runRounds} from '../rounds.js';
import {fixed} from '../stats.js';
import {ratioLine, ratioRow, type SummaryRow} from '../summary.js';
import {measure, type Measured, type ToolName} from '../tools.js';
import type {BenchCase, BenchContext} from './types.js';

/** The high connection count, and the targets on CPU per request ours/wrk. */
const manyConnections = 1000;
const targetAtFew = 1.1;
const targetAtMany = 1.25;

const micros = (value: number): string => `${fixed(value, 2)} µs`;
const rps = (value: number): string => `${Math.round(value).toLocaleString('en-US')} req/s`;

async function measureAt(context: BenchContext, connections: number, tools: readonly ToolName[]): Promise<Array<ReadonlyMap<ToolName, Measured>>> {
	const target = await startBenchTarget(1);
	console.log(`cpu: ${target.kind} at ${target.url} (core 1); tools on core 0; ${connections} connections, ${context.seconds} s per run, ${context.rounds} rounds`);
	console.log('(CPU per request: the tool\'s user + system CPU over the requests nginx served; target: nginx\'s worker CPU over the same)');
	try {
		return await runRounds(tools, context.rounds, async tool => measure(tool, target, {url: target.url, connections, seconds: context.seconds, cli: tool === 'pystress@base' ? context.baseCli : undefined}), (round, results, order) => {
			for (const tool of order) console.log(runLine(round, results.get(tool)!, connections));
			const ours = results.get('pystress-tui')!;
			console.log(`round ${round} CPU/request pystress-tui/wrk: ${fixed(cpuMicrosPerRequest(ours) / cpuMicrosPerRequest(results.get('wrk')!), 3)}`);
			const autocannon = results.get('autocannon');
			if (autocannon) console.log(`round ${round} req/s pystress-tui/autocannon: ${fixed((ours.requests / ours.durationS) / (autocannon.requests / autocannon.durationS), 3)}`);
			const base = results.get('pystress@base');
			if (base) console.log(`round ${round} CPU/request this build/${context.baseRevision}: ${fixed(cpuMicrosPerRequest(ours) / cpuMicrosPerRequest(base), 3)}`);
			console.log('');
		});
	} finally {
		target.stop();
	}
}

const column = (rounds: ReadonlyArray<ReadonlyMap<ToolName, Measured>>, tool: ToolName, figure: (measured: Measured) => number): number[] => rounds.map(results => figure(results.get(tool)!));
const throughput = (measured: Measured): number => measured.requests / measured.durationS;
const targetMicrosPerRequest = (measured: Measured): number => (measured.targetCpuS * 1e6) / measured.served;

export const cpuCase: BenchCase = async context => {
	const few = context.connections;
	const fewTools: ToolName[] = ['wrk', 'autocannon', 'pystress-tui'];
	if (context.undici) fewTools.push('pystress/undici');
	if (context.baseCli !== undefined) fewTools.push('pystress@base');
	const atFew = await measureAt(context, few, fewTools);
	const rows: SummaryRow[] = [
		ratioRow({case: 'cpu', measure: `CPU/request ours/wrk, ${few} conns`, ours: column(atFew, 'pystress-tui', cpuMicrosPerRequest), reference: column(atFew, 'wrk', cpuMicrosPerRequest), referenceName: 'wrk', format: micros, target: {text: `<= ${targetAtFew.toFixed(2)}`, met: ratio => ratio <= targetAtFew}}),
		ratioRow({case: 'cpu', measure: `req/s ours/autocannon, ${few} conns`, ours: column(atFew, 'pystress-tui', throughput), reference: column(atFew, 'autocannon', throughput), referenceName: 'autocannon', format: rps, target: {text: '>= 1.0 (aim 1.3)', met: ratio => ratio >= 1}}),
	];
	if (context.undici) {
		rows.push(ratioRow({case: 'cpu', measure: `req/s undici client/autocannon, ${few} conns`, ours: column(atFew, 'pystress/undici', throughput), reference: column(atFew, 'autocannon', throughput), referenceName: 'autocannon', format: rps}));
	}

	if (context.baseCli !== undefined) {
		rows.push(ratioRow({case: 'cpu', measure: `CPU/request this build/${context.baseRevision}, ${few} conns`, ours: column(atFew, 'pystress-tui', cpuMicrosPerRequest), reference: column(atFew, 'pystress@base', cpuMicrosPerRequest), referenceName: context.baseRevision!, format: micros}));
	}

	const atMany = await measureAt(context, manyConnections, ['wrk', 'pystress-tui']);
	rows.push(ratioRow({case: 'cpu', measure: `CPU/request ours/wrk, ${manyConnections} conns`, ours: column(atMany, 'pystress-tui', cpuMicrosPerRequest), reference: column(atMany, 'wrk', cpuMicrosPerRequest), referenceName: 'wrk', format: micros, target: {text: `<= ${targetAtMany.toFixed(2)}`, met: ratio => ratio <= targetAtMany}}));
	// What each client costs the server: nginx's CPU per request it served, with ours over with wrk.
	for (const [connections, rounds] of [[few, atFew], [manyConnections, atMany]] as const) {
		rows.push(ratioRow({case: 'cpu', measure: `nginx CPU/request with ours/with wrk, ${connections} conns`, ours: column(rounds, 'pystress-tui', targetMicrosPerRequest), reference: column(rounds, 'wrk', targetMicrosPerRequest), referenceName: 'wrk', format: micros}));
	}

	for (const row of rows) console.log(ratioLine(row));
	console.log('');
	return {rows};
};
