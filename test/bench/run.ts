/**
 * `npm run bench`: pystress-tui against the reference tools on this machine, side by side, each
 * client pinned to core 0 with taskset and the target to core 1, in a rotating order over several
 * rounds. Every case prints each run, then ratios ours/reference with their spread (median and
 * min-max over rounds) against the targets of issue 12, PASS or MISSED; the end prints one summary
 * table. Ratios matter; absolute numbers depend on the machine.
 *
 * Cases (BENCH_CASES=a,b; default all but soak):
 * - startup (./startup.ts): whole short CLI runs, before the load rounds heat the machine.
 * - cpu (./cases/cpu.ts): client CPU per request against wrk at 50 and 1000 connections; autocannon,
 *   the undici client and BENCH_BASE at 50.
 * - template (./cases/template.ts): CPU per request of an endpoint with placeholders (a data row,
 *   ${uuid}, ${seq}) over the same request written out plainly, against nginx (target <= 1.5).
 * - h2 (./cases/h2.ts): h2c against a node:http2 target, 4 connections x 32 streams: client CPU
 *   per request against h2load's at the same connections and streams (h2load from nghttp2-client).
 * - body (./cases/body.ts): 1 MiB responses: MiB/s against wrk, steadiness, nginx's CPU per MiB.
 * - latency (./cases/latency.ts): p50 against wrk's on a target that answers after 10 ms.
 * - open (./cases/open.ts): the open model at 50,000 req/s: corrected against uncorrected p99.
 * - memory (./cases/memory.ts): peak RSS at -t 1 -c 50 and -t 2 -c 1000.
 * - tui (./cases/tui.ts): the TUI's cost against headless mode.
 * - soak (./cases/soak.ts): one long run, RSS every 10 s; exits 1 on growth above 5%.
 *
 * Options (env): BENCH_SECONDS (default 10) per run, BENCH_ROUNDS (3), BENCH_CONNECTIONS (50),
 * BENCH_BODY_MIB (1: the body case's response size), BENCH_BODY_CHUNKED=1 (its responses chunked, one
 * chunk each; no bare or C reader runs then: they read Content-Length framing only),
 * BENCH_BODY_CONNECTIONS (10: the body case's connections), BENCH_CASES, BENCH_STARTUP=0 and BENCH_TUI=0 drop those from the default cases, BENCH_UNDICI=0
 * skips the undici reference runs, STARTUP_RUNS (30), BENCH_SOAK_SECONDS (600), BENCH_JSON=FILE
 * writes the summary as JSON. BENCH_CC=NAME (root) runs the whole bench in a private network
 * namespace whose TCP congestion control is NAME (./congestion.ts says why it matters).
 * BENCH_BASE=REV (a commit, e.g. HEAD~3) also runs that revision, built in a temporary git
 * worktree, and prints the CPU per request of this build over that one's.
 *
 * Exits non-zero when a tool fails to run, or when soak finds memory growth; a missed target is
 * printed as MISSED, not an exit code.
 */
import {bodyCase} from './cases/body.js';
import {buildRevision, removeRevision} from './cases/base.js';
import {cpuCase} from './cases/cpu.js';
import {h2Case} from './cases/h2.js';
import {latencyCase} from './cases/latency.js';
import {memoryCase} from './cases/memory.js';
import {openCase} from './cases/open.js';
import {soakCase} from './cases/soak.js';
import {templateCase} from './cases/template.js';
import {tuiCase} from './cases/tui.js';
import type {BenchCase, BenchContext} from './cases/types.js';
import {congestionControl, congestionLine, enterCongestionNamespace} from './congestion.js';
import {readOptions, type CaseName} from './options.js';
import {measureStartup} from './startup.js';
import {formatSummary, writeSummaryJson, type SummaryRow} from './summary.js';
import {cli} from './tools.js';

const startupCase: BenchCase = async context => {
	const clis: Array<[string, string]> = [['this build', cli]];
	if (context.baseCli !== undefined) clis.push([context.baseRevision!, context.baseCli]);
	for (const line of await measureStartup(clis, context.startupRuns)) console.log(line);
	console.log('');
	return {rows: []};
};

const cases: Readonly<Record<CaseName, BenchCase>> = {
	startup: startupCase,
	cpu: cpuCase,
	template: templateCase,
	h2: h2Case,
	body: bodyCase,
	latency: latencyCase,
	open: openCase,
	memory: memoryCase,
	tui: tuiCase,
	soak: soakCase,
};

let options: ReturnType<typeof readOptions>;
try {
	options = readOptions(process.env);
} catch (error) {
	// Every problem with the settings, without a stack: the message says what to change.
	console.error((error as Error).message);
	process.exit(2);
}

enterCongestionNamespace(options.congestionControl, process.env);
const baseCli = options.baseRevision === undefined ? undefined : buildRevision(options.baseRevision);
const context: BenchContext = {...options, baseCli};
console.log(`bench cases: ${options.cases.join(', ')}; ${options.seconds} s per run, ${options.rounds} rounds${options.cases.includes('soak') ? `; soak: one run of ${options.soakSeconds} s` : ''}\n${congestionLine()}\n`);
const rows: SummaryRow[] = [];
let failed = false;
try {
	for (const name of options.cases) {
		// eslint-disable-next-line no-await-in-loop
		const outcome = await cases[name](context);
		rows.push(...outcome.rows);
		failed ||= outcome.failed === true;
	}
} finally {
	if (baseCli !== undefined) removeRevision(baseCli);
}

if (rows.length > 0) {
	console.log('SUMMARY (median over rounds of ours/reference unless a unit is shown; range = min-max over rounds)');
	for (const line of formatSummary(rows)) console.log(line);
}

if (options.jsonPath !== undefined) {
	writeSummaryJson(options.jsonPath, rows, {seconds: options.seconds, rounds: options.rounds, connections: options.connections, cases: options.cases, soakSeconds: options.soakSeconds, base: options.baseRevision ?? null, congestionControl: congestionControl()});
	console.log(`\nsummary written to ${options.jsonPath}`);
}

if (failed) process.exitCode = 1;
