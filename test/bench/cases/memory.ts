/**
 * `memory`: pystress-tui's peak RSS (GNU time's %M, the whole process: worker threads included)
 * at `-t 1 -c 50` (target <= 90 MB) and at `-t 2 -c 1000` (target <= 140 MB), against nginx, the
 * two settings alternating over the rounds.
 */
import {startBenchTarget} from '../nginx.js';
import {runLine, runRounds} from '../rounds.js';
import {fixed, median, range} from '../stats.js';
import {verdict, type SummaryRow} from '../summary.js';
import {measure} from '../tools.js';
import type {BenchCase} from './types.js';

type Setting = {readonly threads: number; readonly connections: number; readonly maxMb: number};

const settings = {
	't1-c50': {threads: 1, connections: 50, maxMb: 90},
	't2-c1000': {threads: 2, connections: 1000, maxMb: 140},
} as const satisfies Record<string, Setting>;
type SettingName = keyof typeof settings;

export const memoryCase: BenchCase = async context => {
	const target = await startBenchTarget(1);
	console.log(`memory: ${target.kind} at ${target.url} (core 1); pystress-tui on core 0, ${context.seconds} s per run, ${context.rounds} rounds`);
	const names = Object.keys(settings) as SettingName[];
	let rounds;
	try {
		rounds = await runRounds(names, context.rounds, async name => measure('pystress-tui', target, {url: target.url, ...settings[name], seconds: context.seconds}), (round, results, order) => {
			for (const name of order) console.log(`${runLine(round, results.get(name)!, settings[name].connections)}  (-t ${settings[name].threads} -c ${settings[name].connections})`);
			console.log('');
		});
	} finally {
		target.stop();
	}

	const rows = names.map((name): SummaryRow => {
		const {threads, connections, maxMb} = settings[name];
		const peaks = rounds.map(results => results.get(name)!.peakRssMb);
		const peak = median(peaks);
		const [min, max] = range(peaks);
		return {case: 'memory', measure: `peak RSS -t ${threads} -c ${connections}`, ours: `${fixed(peak, 1)} MB`, reference: '', median: peak, min, max, unit: 'MB', target: `<= ${maxMb} MB`, verdict: verdict(peak <= maxMb)};
	});
	for (const row of rows) console.log(`median ${row.measure}: ${fixed(row.median, 1)} MB (range ${fixed(row.min!, 1)}-${fixed(row.max!, 1)}), target ${row.target}: ${row.verdict}`);
	console.log('');
	return {rows};
};
