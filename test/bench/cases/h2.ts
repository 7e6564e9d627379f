/**
 * `h2`: HTTP/2 in cleartext (h2c, prior knowledge) against a node:http2 target (../h2-server.ts,
 * core 1): the client CPU per request of pystress-tui (`--http2 --streams`, `-t 1`) against
 * nghttp2's h2load (`-t 1`) at the same connections and streams per connection, both on core 0
 * under GNU time. CPU per request divides user + system by the streams the target answered.
 * Without h2load (npm run bench's set-up installs nghttp2-client when it can), ours runs alone.
 * Also a bare node:http2 loop (../h2-bare-client.ts): the floor of any client on node:http2, so
 * the ratio to h2load shows how much is node:http2's and how much ours.
 */
import {spawnSync} from 'node:child_process';
import http2 from 'node:http2';
import {fileURLToPath} from 'node:url';
import type {JsonReport} from '../../../source/report/types.js';
import {processCpuS, runTimed} from '../process.js';
import {runRounds} from '../rounds.js';
import {startScriptServer} from '../script-server.js';
import {count, fixed} from '../stats.js';
import {ratioLine, ratioRow, type SummaryRow} from '../summary.js';
import {cli} from '../tools.js';
import type {BenchCase} from './types.js';

/** The load: connections, and streams in flight on each. */
const connections = 4;
const streams = 32;

type H2Tool = 'pystress-tui' | 'h2load' | 'node:http2 bare';

type H2Run = {
	readonly tool: H2Tool;
	/** Requests by the tool's own count, and those the target answered. */
	readonly requests: number;
	readonly served: number;
	readonly durationS: number;
	readonly cpuS: number;
	readonly targetCpuS: number;
	readonly peakRssMb: number;
	readonly notes: readonly string[];
};

type H2Target = {readonly url: string; served(): Promise<number>; cpuS(): number; stop(): void};

async function startH2Target(core: number): Promise<H2Target> {
	const {child, port} = await startScriptServer(fileURLToPath(new URL('../h2-server.ts', import.meta.url)), core, 'h2 target');
	const url = `http://127.0.0.1:${port}`;
	return {
		url: `${url}/`,
		// The target speaks only HTTP/2 (fetch would send HTTP/1.1).
		async served() {
			return new Promise<number>((resolve, reject) => {
				const session = http2.connect(url);
				session.on('error', reject);
				const request = session.request({':path': '/count'});
				let body = '';
				request.setEncoding('utf8');
				request.on('data', (chunk: string) => (body += chunk));
				request.on('end', () => {
					session.close();
					resolve(Number(body));
				});
				request.on('error', reject);
			});
		},
		cpuS: () => processCpuS(child.pid!),
		stop() {
			child.kill('SIGTERM');
		},
	};
}

async function runOurs(url: string, seconds: number): Promise<Omit<H2Run, 'served' | 'targetCpuS'>> {
	const run = await runTimed(cli, ['--url', url, '--http2', '--streams', String(streams), '-c', String(connections), '-t', '1', '-d', String(seconds), '--headless', '--no-baseline', '--quiet', '--no-report', '--json', '-']);
	const {summary} = JSON.parse(run.stdout) as JsonReport;
	const notes = summary.errors > 0 ? [`${summary.errors} errors (${JSON.stringify(summary.errorKinds)})`] : [];
	return {tool: 'pystress-tui', requests: summary.requests, durationS: summary.durationS, cpuS: run.cpuS, peakRssMb: run.peakRssMb, notes};
}

async function runH2load(url: string, seconds: number): Promise<Omit<H2Run, 'served' | 'targetCpuS'>> {
	const run = await runTimed('h2load', ['-t', '1', '-c', String(connections), '-m', String(streams), '-D', String(seconds), url]);
	const finished = /finished in ([\d.]+)s/.exec(run.stdout);
	const requests = /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(run.stdout);
	if (!finished || !requests) throw new Error(`h2load printed no totals:\n${run.stdout}`);
	const failed = Number(requests[3]) + Number(requests[4]);
	return {tool: 'h2load', requests: Number(requests[1]), durationS: Number(finished[1]), cpuS: run.cpuS, peakRssMb: run.peakRssMb, notes: failed > 0 ? [`${failed} failed or errored`] : []};
}

async function runBare(url: string, seconds: number): Promise<Omit<H2Run, 'served' | 'targetCpuS'>> {
	const script = fileURLToPath(new URL('../h2-bare-client.ts', import.meta.url));
	const run = await runTimed(process.execPath, ['--import', import.meta.resolve('tsx'), script, url, String(connections), String(streams), String(seconds)]);
	return {tool: 'node:http2 bare', requests: Number(run.stdout.trim()), durationS: seconds, cpuS: run.cpuS, peakRssMb: run.peakRssMb, notes: []};
}

const cpuMicros = (run: H2Run): number => (run.cpuS * 1e6) / run.served;
const micros = (value: number): string => `${fixed(value, 2)} µs`;

function runLine(round: number, run: H2Run): string {
	const missing = run.served - run.requests;
	// Streams in flight at the end may be answered but not counted by the tool: at most connections x streams.
	const counted = missing >= 0 && missing <= connections * streams ? 'count ok' : 'COUNT MISMATCH';
	return [
		`round ${round} ${run.tool.padEnd(15)} ${count(run.requests / run.durationS).padStart(8)} req/s`,
		`${fixed(cpuMicros(run), 2).padStart(6)} µs CPU/req`,
		`target ${fixed((run.targetCpuS * 1e6) / run.served, 2)} µs CPU/req`,
		`peak RSS ${fixed(run.peakRssMb, 0)} MB`,
		`${counted} (tool ${run.requests}, target ${run.served})`,
		...run.notes,
	].join('  ');
}

export const h2Case: BenchCase = async context => {
	const h2load = spawnSync('h2load', ['--version']).status === 0;
	const tools: H2Tool[] = h2load ? ['h2load', 'node:http2 bare', 'pystress-tui'] : ['node:http2 bare', 'pystress-tui'];
	const target = await startH2Target(1);
	console.log(`h2: node:http2 (h2c) at ${target.url} (core 1); tools on core 0; ${connections} connections x ${streams} streams, ${context.seconds} s per run, ${context.rounds} rounds`);
	if (!h2load) console.log('h2: h2load is missing (apt-get install nghttp2-client): pystress-tui runs alone, no ratio');
	let rounds;
	try {
		rounds = await runRounds(tools, context.rounds, async tool => {
			const servedBefore = await target.served();
			const targetCpuBefore = target.cpuS();
			const figures = tool === 'h2load' ? await runH2load(target.url, context.seconds) : (tool === 'pystress-tui' ? await runOurs(target.url, context.seconds) : await runBare(target.url, context.seconds));
			return {...figures, served: (await target.served()) - servedBefore, targetCpuS: target.cpuS() - targetCpuBefore} satisfies H2Run;
		}, (round, results, order) => {
			for (const tool of order) console.log(runLine(round, results.get(tool)!));
			const ours = cpuMicros(results.get('pystress-tui')!);
			if (h2load) console.log(`round ${round} CPU/request pystress-tui/h2load: ${fixed(ours / cpuMicros(results.get('h2load')!), 3)}`);
			console.log(`round ${round} CPU/request pystress-tui/bare node:http2: ${fixed(ours / cpuMicros(results.get('node:http2 bare')!), 3)}`);
			console.log('');
		});
	} finally {
		target.stop();
	}

	const column = (tool: H2Tool): number[] => rounds.map(results => cpuMicros(results.get(tool)!));
	const load = `h2c ${connections} conns x ${streams} streams`;
	const rows: SummaryRow[] = [ratioRow({case: 'h2', measure: `CPU/request ours/bare node:http2, ${load}`, ours: column('pystress-tui'), reference: column('node:http2 bare'), referenceName: 'node:http2', format: micros})];
	if (h2load) rows.unshift(ratioRow({case: 'h2', measure: `CPU/request ours/h2load, ${load}`, ours: column('pystress-tui'), reference: column('h2load'), referenceName: 'h2load', format: micros}));
	for (const row of rows) console.log(ratioLine(row));
	console.log('');
	return {rows};
};
