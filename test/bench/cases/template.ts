/**
 * `template`: what placeholders cost. CPU per request of an endpoint filled per request (a data
 * row in the path and a header, `${uuid}` in the query, `${seq}` in a header: 4 slots) over the
 * same request written out plainly (one prebuilt buffer), pystress-tui `-t 1` at BENCH_CONNECTIONS
 * against nginx on the other core. Target: at most 1.5 (issue 14). CPU per request divides the
 * client's user + system CPU by the requests nginx served.
 */
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startBenchTarget} from '../nginx.js';
import {cpuMicrosPerRequest, runLine, runRounds} from '../rounds.js';
import {fixed} from '../stats.js';
import {ratioLine, ratioRow} from '../summary.js';
import {measure, type Measured} from '../tools.js';
import type {BenchCase} from './types.js';

const target = 1.5;
const micros = (value: number): string => `${fixed(value, 2)} µs`;

export const templateCase: BenchCase = async context => {
	const server = await startBenchTarget(1);
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-bench-template-'));
	const rows = Array.from({length: 1000}, (_, index) => `${100_000 + index},user-${index}`);
	writeFileSync(path.join(directory, 'users.csv'), `id,name\n${rows.join('\n')}\n`);
	const configs = {
		plain: {url: `${server.url}/items/100123?u=2f1d6c1e-8a4b-4f0e-9d3a-5b7c1e2d3f4a`, headers: {'X-User': 'user-123', 'X-Seq': '123456'}},
		templated: {data: {file: 'users.csv'}, url: `${server.url}/items/\${data.id}?u=\${uuid}`, headers: {'X-User': '${data.name}', 'X-Seq': '${seq}'}},
	};
	const files = Object.fromEntries(Object.entries(configs).map(([name, config]) => {
		const file = path.join(directory, `${name}.json`);
		writeFileSync(file, JSON.stringify(config));
		return [name, file];
	})) as Record<keyof typeof configs, string>;
	const connections = context.connections;
	console.log(`template: ${server.kind} at ${server.url} (core 1); pystress-tui -t 1 on core 0; ${connections} connections, ${context.seconds} s per run, ${context.rounds} rounds`);
	let rounds: Array<ReadonlyMap<'plain' | 'templated', Measured>>;
	try {
		rounds = await runRounds(['plain', 'templated'] as const, context.rounds, async name => measure('pystress-tui', server, {url: server.url, connections, seconds: context.seconds, config: files[name]}), (round, results, order) => {
			for (const name of order) console.log(`${name.padEnd(9)} ${runLine(round, results.get(name)!, connections)}`);
			console.log(`round ${round} CPU/request templated/plain: ${fixed(cpuMicrosPerRequest(results.get('templated')!) / cpuMicrosPerRequest(results.get('plain')!), 3)}`);
			console.log('');
		});
	} finally {
		server.stop();
	}

	const column = (name: 'plain' | 'templated'): number[] => rounds.map(results => cpuMicrosPerRequest(results.get(name)!));
	const row = ratioRow({case: 'template', measure: `CPU/request templated/plain, ${connections} conns`, ours: column('templated'), reference: column('plain'), referenceName: 'plain', format: micros, target: {text: `<= ${target.toFixed(2)}`, met: ratio => ratio <= target}});
	console.log(ratioLine(row));
	console.log('');
	return {rows: [row]};
};
