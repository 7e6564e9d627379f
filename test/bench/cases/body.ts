/**
 * `body`: large responses. nginx serves a 1 MiB file (random bytes, sendfile; BENCH_BODY_MIB sets
 * another size; BENCH_BODY_CHUNKED=1 sends it chunked, as one chunk) to 10 connections
 * (BENCH_BODY_CONNECTIONS sets another count);
 * pystress-tui (`-t 1`) against wrk (`-t1`): MiB/s, its steadiness across rounds, and what each
 * client costs the server, nginx's CPU per MiB.
 *
 * MiB/s is the bytes the tool read over its duration: bodies only for pystress-tui, headers too for
 * wrk (about 250 bytes a MiB, 0.02%).
 *
 * Each round also runs the bare Node reader (../bare-reader.ts): a 70-line client that reads the
 * same way as ours (onread into 16 KiB) and does nothing else. Ours against it is what our own code
 * costs; it against wrk, what Node's reading costs beside C's. When the machine has a C compiler,
 * each round also runs the C reader (../c-reader.c): the same reading in C, libuv's pattern without
 * Node. It against wrk is what the pattern itself costs nginx; the bare Node reader against it, what
 * Node's own time per read adds (../findings.md, "What is left: Node's own time per read").
 *
 * nginx's CPU per MiB moves by a few percent from one run to the next whoever the client is, so
 * each round also runs wrk a second time, as a control: wrk against itself shows what the machine
 * can resolve. The case also prints the kernel's whole work per MiB: the client's system time plus
 * nginx's CPU. Under bbr with no fq qdisc on lo, nginx paces every burst with its own timers and its
 * core never idles, so its CPU per MiB is the inverse of the MiB/s; under cubic it waits on the
 * client (../findings.md, "Large bodies on this machine measure bbr's pacing more than the client";
 * BENCH_CC=cubic runs the bench under it).
 */
import {startBenchTarget} from '../nginx.js';
import {runLine, runRounds} from '../rounds.js';
import {fixed, median, range, spread} from '../stats.js';
import {ratioLine, ratioRow, type SummaryRow} from '../summary.js';
import {cReaderBuild, measure, type Measured, type ToolName} from '../tools.js';
import type {BenchCase} from './types.js';

/** Ours must reach this share of wrk's MiB/s. */
const minShare = 0.95;

/** The runs of a round: wrk twice (the second, a control of wrk against itself), ours, the bare Node reader and, with a C compiler, the C reader. */
type Run = 'wrk' | 'pystress-tui' | 'bare Node reader' | 'C reader' | 'wrk (control)';

const mebibytes = (measured: Measured): number => measured.bytesRead / (1024 * 1024);
const mibPerSecond = (measured: Measured): number => mebibytes(measured) / measured.durationS;
/** nginx's CPU per MiB the tool read, µs. */
const targetMicrosPerMib = (measured: Measured): number => (measured.targetCpuS * 1e6) / mebibytes(measured);
/** The kernel's work for the transfer, µs per MiB: the client's system time and all of nginx's CPU. */
const kernelMicrosPerMib = (measured: Measured): number => ((measured.systemS + measured.targetCpuS) * 1e6) / mebibytes(measured);
/** The client's own CPU per MiB, µs. */
const clientMicrosPerMib = (measured: Measured): number => (measured.cpuS * 1e6) / mebibytes(measured);

export const bodyCase: BenchCase = async context => {
	const connections = context.bodyConnections;
	const target = await startBenchTarget(1, context.bodyMib * 1024 * 1024, context.bodyChunked);
	const url = context.bodyChunked ? target.chunkedBodyUrl : target.bodyUrl;
	if (url === undefined) {
		target.stop();
		console.log('body: skipped (needs nginx)\n');
		return {rows: []};
	}

	const framing = context.bodyChunked ? 'chunked, one chunk' : 'Content-Length';
	console.log(`body: ${url} (${context.bodyMib} MiB, ${framing}, sendfile; core 1); tools on core 0; ${connections} connections, ${context.seconds} s per run, ${context.rounds} rounds`);
	// The bare Node reader and the C reader frame responses by Content-Length only.
	const withReaders = !context.bodyChunked;
	if (!withReaders) console.log('body: no bare Node reader or C reader runs: they read Content-Length framing only');
	const cBuild = withReaders ? cReaderBuild() : undefined;
	const withC = cBuild !== undefined && 'binary' in cBuild;
	if (cBuild !== undefined && 'problem' in cBuild) console.log(`body: no C reader runs: ${cBuild.problem}`);
	const runs: Run[] = ['wrk', 'pystress-tui', ...(withReaders ? ['bare Node reader' as const] : []), ...(withC ? ['C reader' as const] : []), 'wrk (control)'];
	const toolOf = (run: Run): ToolName => (run === 'wrk (control)' ? 'wrk' : run);
	let rounds;
	try {
		rounds = await runRounds(runs, context.rounds, async run => measure(toolOf(run), target, {url, connections, seconds: context.seconds}), (round, results, order) => {
			for (const run of order) {
				const measured = results.get(run)!;
				console.log(`${runLine(round, measured, connections)}${run === 'wrk (control)' ? ' (control)' : ''}  ${fixed(mibPerSecond(measured), 0)} MiB/s  client ${fixed(clientMicrosPerMib(measured), 0)} µs CPU/MiB  nginx ${fixed(targetMicrosPerMib(measured), 0)} µs CPU/MiB`);
			}

			const nginx = (run: Run): number => targetMicrosPerMib(results.get(run)!);
			const rate = (run: Run): number => mibPerSecond(results.get(run)!);
			console.log(`round ${round} MiB/s pystress-tui/wrk: ${fixed(rate('pystress-tui') / rate('wrk'), 3)}${withReaders ? `, pystress-tui/bare reader ${fixed(rate('pystress-tui') / rate('bare Node reader'), 3)}` : ''}; nginx CPU/MiB pystress-tui/wrk ${fixed(nginx('pystress-tui') / nginx('wrk'), 3)}, wrk/wrk ${fixed(nginx('wrk (control)') / nginx('wrk'), 3)}${withReaders ? `, bare reader/wrk ${fixed(nginx('bare Node reader') / nginx('wrk'), 3)}` : ''}${withC ? `, C reader/wrk ${fixed(nginx('C reader') / nginx('wrk'), 3)}` : ''}\n`);
		});
	} finally {
		target.stop();
	}

	const figures = (run: Run, figure: (measured: Measured) => number): number[] => rounds.map(results => figure(results.get(run)!));
	// The control: wrk's second run against its first, the ratio a client with no difference gets.
	const control = ratioRow({case: 'body', measure: 'nginx CPU/MiB wrk/wrk (control)', ours: figures('wrk (control)', targetMicrosPerMib), reference: figures('wrk', targetMicrosPerMib), referenceName: 'wrk', format: value => `${fixed(value, 0)} µs`});

	const throughput = ratioRow({case: 'body', measure: `MiB/s ours/wrk, ${context.bodyMib} MiB bodies${context.bodyChunked ? ', chunked' : ''}${connections === 10 ? '' : `, ${connections} conns`}`, ours: figures('pystress-tui', mibPerSecond), reference: figures('wrk', mibPerSecond), referenceName: 'wrk', format: value => `${fixed(value, 0)} MiB/s`, target: {text: `>= ${minShare.toFixed(2)}`, met: ratio => ratio >= minShare}});
	const serverCost = ratioRow({case: 'body', measure: 'nginx CPU/MiB with ours/with wrk', ours: figures('pystress-tui', targetMicrosPerMib), reference: figures('wrk', targetMicrosPerMib), referenceName: 'wrk', format: value => `${fixed(value, 0)} µs`, target: {text: '<= 1.00', met: ratio => ratio <= 1}});
	// The floor Node allows: ours against the bare reader, and the bare reader against wrk.
	const floor = withReaders ? [ratioRow({case: 'body', measure: 'MiB/s ours/bare Node reader', ours: figures('pystress-tui', mibPerSecond), reference: figures('bare Node reader', mibPerSecond), referenceName: 'bare Node reader', format: value => `${fixed(value, 0)} MiB/s`}),
		ratioRow({case: 'body', measure: 'nginx CPU/MiB with bare Node reader/with wrk', ours: figures('bare Node reader', targetMicrosPerMib), reference: figures('wrk', targetMicrosPerMib), referenceName: 'wrk', format: value => `${fixed(value, 0)} µs`})] : [];
	// The pattern's own cost to nginx, without Node: the C reader against wrk.
	const cFloorCost = withC ? [ratioRow({case: 'body', measure: 'nginx CPU/MiB with C reader/with wrk', ours: figures('C reader', targetMicrosPerMib), reference: figures('wrk', targetMicrosPerMib), referenceName: 'wrk', format: value => `${fixed(value, 0)} µs`})] : [];
	const kernelCost = ratioRow({case: 'body', measure: 'client system + nginx CPU/MiB ours/wrk', ours: figures('pystress-tui', kernelMicrosPerMib), reference: figures('wrk', kernelMicrosPerMib), referenceName: 'wrk', format: value => `${fixed(value, 0)} µs`});
	const clientCost = ratioRow({case: 'body', measure: 'client CPU/MiB ours/wrk', ours: figures('pystress-tui', clientMicrosPerMib), reference: figures('wrk', clientMicrosPerMib), referenceName: 'wrk', format: value => `${fixed(value, 0)} µs`});
	const oursSpread = spread(figures('pystress-tui', mibPerSecond));
	const wrkSpread = spread(figures('wrk', mibPerSecond));
	const [oursMin, oursMax] = range(figures('pystress-tui', mibPerSecond));
	const steadiness: SummaryRow = {
		case: 'body',
		measure: 'MiB/s spread (max-min)/median, ours',
		ours: `${fixed(oursMin, 0)}-${fixed(oursMax, 0)} MiB/s`,
		reference: `wrk ${fixed(wrkSpread * 100, 1)}%`,
		median: oursSpread * 100,
		min: null,
		max: null,
		unit: '%',
		target: '',
		verdict: 'INFO',
	};
	for (const row of [throughput, serverCost, control, ...floor, ...cFloorCost, kernelCost, clientCost]) console.log(ratioLine(row));
	console.log(`steadiness: MiB/s spread over rounds ours ${fixed(oursSpread * 100, 1)}%, wrk ${fixed(wrkSpread * 100, 1)}% (median ours ${fixed(median(figures('pystress-tui', mibPerSecond)), 0)} MiB/s)\n`);
	return {rows: [throughput, steadiness, serverCost, control, ...floor, ...cFloorCost, kernelCost, clientCost]};
};
