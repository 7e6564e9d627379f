/**
 * `latency`: does pystress-tui measure what wrk measures? A node:http target that answers after
 * 10 ms (../slow-server.ts, core 1), 50 connections: the median latency of ours (`-t 1`) against
 * wrk's (`--latency`; read exactly, in µs, from a `done` script). Target: |difference| <= 0.05 ms.
 *
 * wrk 4 corrects its histogram for coordinated omission above twice the mean interval per
 * connection; at a steady 10 ms nearly nothing is that slow, so its p50 is the plain one.
 */
import {runLine, runRounds} from '../rounds.js';
import {startSlowTarget} from '../slow-target.js';
import {fixed, median, range} from '../stats.js';
import {verdict, type SummaryRow} from '../summary.js';
import {measure, type ToolName} from '../tools.js';
import type {BenchCase} from './types.js';

const connections = 50;
/** The largest |p50 ours - p50 wrk| that passes, ms. */
const maxDifferenceMs = 0.05;

export const latencyCase: BenchCase = async context => {
	const target = await startSlowTarget(1);
	console.log(`latency: node:http answering after 10 ms at ${target.url} (core 1); tools on core 0; ${connections} connections, ${context.seconds} s per run, ${context.rounds} rounds`);
	const tools: ToolName[] = ['wrk', 'pystress-tui'];
	let rounds;
	try {
		rounds = await runRounds(tools, context.rounds, async tool => measure(tool, target, {url: target.url, connections, seconds: context.seconds}), (round, results, order) => {
			for (const tool of order) {
				const measured = results.get(tool)!;
				console.log(`${runLine(round, measured, connections)}  p50 ${fixed(measured.p50Ms, 3)} ms  p99 ${fixed(measured.p99Ms, 3)} ms`);
			}

			console.log(`round ${round} p50 pystress-tui - wrk: ${fixed(results.get('pystress-tui')!.p50Ms - results.get('wrk')!.p50Ms, 3)} ms\n`);
		});
	} finally {
		target.stop();
	}

	const ours = rounds.map(results => results.get('pystress-tui')!.p50Ms);
	const wrk = rounds.map(results => results.get('wrk')!.p50Ms);
	const differences = ours.map((value, index) => value - wrk[index]!);
	const difference = median(differences);
	const [min, max] = range(differences);
	const met = Math.abs(difference) <= maxDifferenceMs;
	console.log(`median p50 difference pystress-tui - wrk: ${fixed(difference, 3)} ms (range ${fixed(min, 3)} to ${fixed(max, 3)}; ours ${fixed(median(ours), 3)} ms, wrk ${fixed(median(wrk), 3)} ms), target |difference| <= ${maxDifferenceMs} ms: ${verdict(met)}\n`);
	const row: SummaryRow = {
		case: 'latency',
		measure: 'p50 ours - wrk, 10 ms target',
		ours: `${fixed(median(ours), 3)} ms`,
		reference: `wrk ${fixed(median(wrk), 3)} ms`,
		median: difference,
		min,
		max,
		unit: 'ms',
		target: `|diff| <= ${maxDifferenceMs} ms`,
		verdict: verdict(met),
	};
	return {rows: [row]};
};
