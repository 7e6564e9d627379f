/**
 * The bench's settings, from the environment. Unknown case names, bad numbers and a congestion
 * control this kernel lacks are all reported at once, before anything runs.
 */
import {availableCongestionControls} from './congestion.js';


/** Every case, in the order they run. `soak` runs only when named. */
export const caseNames = ['startup', 'cpu', 'template', 'h2', 'body', 'latency', 'open', 'memory', 'tui', 'soak'] as const;
export type CaseName = (typeof caseNames)[number];

export type BenchOptions = {
	/** Seconds per run (BENCH_SECONDS, default 10). */
	readonly seconds: number;
	/** Rounds of each case (BENCH_ROUNDS, default 3). */
	readonly rounds: number;
	/** The usual connection count (BENCH_CONNECTIONS, default 50). */
	readonly connections: number;
	/** The body case's response size, MiB (BENCH_BODY_MIB, default 1; its targets are for 1). */
	readonly bodyMib: number;
	/** The body case's responses sent chunked, as one chunk each (BENCH_BODY_CHUNKED=1). */
	readonly bodyChunked: boolean;
	/** The body case's connections (BENCH_BODY_CONNECTIONS, default 10; its targets are for 10). */
	readonly bodyConnections: number;
	readonly cases: readonly CaseName[];
	/** Also run pystress-tui's undici client as a reference in `cpu` (BENCH_UNDICI=0: not). */
	readonly undici: boolean;
	/** An earlier revision to run beside this build (BENCH_BASE). */
	readonly baseRevision: string | undefined;
	/** The soak run's length, seconds (BENCH_SOAK_SECONDS, default 600). */
	readonly soakSeconds: number;
	/** Start-up runs per case (STARTUP_RUNS, default 30). */
	readonly startupRuns: number;
	/** Where to write the summary as JSON (BENCH_JSON). */
	readonly jsonPath: string | undefined;
	/** Run the bench in a private network namespace with this TCP congestion control (BENCH_CC; congestion.ts). */
	readonly congestionControl: string | undefined;
};

export function readOptions(env: NodeJS.ProcessEnv): BenchOptions {
	const problems: string[] = [];
	const positive = (name: string, fallback: number): number => {
		const value = Number(env[name] ?? fallback);
		if (!Number.isInteger(value) || value <= 0) problems.push(`${name} must be a positive whole number (got "${env[name]}")`);
		return value;
	};

	const listed = env['BENCH_CASES']?.split(',').map(name => name.trim()).filter(Boolean);
	const unknown = (listed ?? []).filter(name => !(caseNames as readonly string[]).includes(name));
	if (unknown.length > 0) problems.push(`BENCH_CASES: unknown ${unknown.map(name => `"${name}"`).join(', ')} (known: ${caseNames.join(', ')})`);
	// The default: all but soak, less what BENCH_STARTUP=0 and BENCH_TUI=0 turn off.
	const cases = listed
		? caseNames.filter(name => listed.includes(name))
		: caseNames.filter(name => name !== 'soak' && !(name === 'startup' && env['BENCH_STARTUP'] === '0') && !(name === 'tui' && env['BENCH_TUI'] === '0'));
	const congestionControl = env['BENCH_CC'] || undefined;
	if (congestionControl !== undefined) {
		const available = availableCongestionControls();
		if (!available.includes(congestionControl)) problems.push(`BENCH_CC: "${congestionControl}" is not loaded in this kernel (available: ${available.join(', ') || 'unknown'})`);
	}

	const options: BenchOptions = {
		seconds: positive('BENCH_SECONDS', 10),
		rounds: positive('BENCH_ROUNDS', 3),
		connections: positive('BENCH_CONNECTIONS', 50),
		bodyMib: positive('BENCH_BODY_MIB', 1),
		bodyChunked: env['BENCH_BODY_CHUNKED'] === '1',
		bodyConnections: positive('BENCH_BODY_CONNECTIONS', 10),
		cases,
		undici: env['BENCH_UNDICI'] !== '0',
		baseRevision: env['BENCH_BASE'] || undefined,
		soakSeconds: positive('BENCH_SOAK_SECONDS', 600),
		startupRuns: positive('STARTUP_RUNS', 30),
		jsonPath: env['BENCH_JSON'] || undefined,
		congestionControl,
	};
	if (problems.length > 0) throw new Error(`bench settings:\n  ${problems.join('\n  ')}`);
	return options;
}
