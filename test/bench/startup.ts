/**
 * Start-up time: wall time of whole CLI runs that do little else, `--single-request` and a
 * one-request headless run (`-n 1 --no-baseline --no-report`), against a local node:http target,
 * next to `node -e 0` (Node's own floor on this machine). The CLI runs as the installed command
 * does: dist/cli.js executed, its sh launcher line first (finish-build.ts). Runs in a rotating order, many times;
 * prints the median and the spread (p25-p75, min-max). `npm run bench` prints it first; alone:
 * `npm run build && tsx test/bench/startup.ts` (STARTUP_RUNS, default 30). With BENCH_BASE, `npm run
 * bench` times that revision's build in the same rounds.
 */
import {spawn} from 'node:child_process';
import http from 'node:http';
import type {AddressInfo} from 'node:net';

export type StartupCase = {readonly name: string; readonly args: (url: string) => string[]};

export const startupCases: readonly StartupCase[] = [
	{name: 'node -e 0', args: () => ['-e', '0']},
	{name: '--single-request', args: url => ['--url', url, '--single-request']},
	{name: '-n 1 headless', args: url => ['--url', url, '-n', '1', '--headless', '--no-baseline', '--no-report', '-q']},
];

/** Wall time of one run of `command ARGS`, in ms (output discarded; a failed run throws). */
async function timeRun(command: string, args: readonly string[]): Promise<number> {
	const start = process.hrtime.bigint();
	const child = spawn(command, args, {stdio: ['ignore', 'ignore', 'pipe'], env: {...process.env, NO_COLOR: '1'}});
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`);
	return Number(process.hrtime.bigint() - start) / 1e6;
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.round((sorted.length - 1) * q)]!;

/** Times each case for each CLI (label -> dist/cli.js), interleaved, `runs` times; returns the lines to print. */
export async function measureStartup(clis: ReadonlyArray<readonly [string, string]>, runs: number): Promise<string[]> {
	const server = http.createServer((request, response) => {
		request.resume();
		request.on('end', () => response.end('ok'));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
	const jobs = startupCases.flatMap(startupCase => (startupCase.name.startsWith('node') ? [[startupCase, '', '']] as const : clis.map(([label, cli]) => [startupCase, label, cli] as const)));
	const times = jobs.map(() => [] as number[]);
	try {
		for (let run = 0; run < runs; run++) {
			// A rotating order, so that no case always runs right after another.
			for (let step = 0; step < jobs.length; step++) {
				const index = (step + run) % jobs.length;
				const [startupCase, , cli] = jobs[index]!;
				// eslint-disable-next-line no-await-in-loop
				// The CLI runs as the `pystress-tui` command does: the file itself (its launcher line first).
				times[index]!.push(await (cli === '' ? timeRun(process.execPath, startupCase.args(url)) : timeRun(cli, startupCase.args(url))));
			}
		}
	} finally {
		server.close();
	}

	return jobs.map(([startupCase, label], index) => {
		const sorted = [...times[index]!].sort((a, b) => a - b);
		const ms = (value: number): string => value.toFixed(0);
		return `start-up ${`${startupCase.name}${label ? ` (${label})` : ''}`.padEnd(34)} median ${ms(quantile(sorted, 0.5)).padStart(4)} ms  p25-p75 ${ms(quantile(sorted, 0.25))}-${ms(quantile(sorted, 0.75))}  min-max ${ms(sorted[0]!)}-${ms(sorted.at(-1)!)}  (${runs} runs)`;
	});
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const {fileURLToPath} = await import('node:url');
	const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
	for (const line of await measureStartup([['this build', cli]], Number(process.env['STARTUP_RUNS'] ?? 30))) console.log(line);
}
