import {spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** The built CLI (npm test builds first). */
export const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const rootDir = fileURLToPath(new URL('../..', import.meta.url));
/** `node --import` this to run TypeScript source in a plain node process (from any working directory). */
export const tsxLoader = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

/** Default working directory of CLI runs: a temp dir, so default reports never land in the repo. */
export const workDir = mkdtempSync(path.join(os.tmpdir(), 'pystress-work-'));

export type CliResult = {readonly code: number | null; readonly stdout: string; readonly stderr: string};

export type RunOptions = {env?: Record<string, string>; timeoutMs?: number; cwd?: string; onStart?: (child: ReturnType<typeof spawn>) => void};

/** Runs the built CLI to completion with a hard time limit. */
export async function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
	return runProgram(process.execPath, [cliPath, ...args], options);
}

/**
 * Proxy variables a test did not set itself are dropped: a machine with a proxy in its
 * environment would otherwise send the loopback tests through it (loopback is not exempt, as with curl).
 */
const proxyVariables = new Set(['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy']);

function childEnv(given: Record<string, string> | undefined): Record<string, string | undefined> {
	const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !proxyVariables.has(name.toLowerCase())));
	return {...inherited, NO_COLOR: '1', ...given};
}

/** Runs any program (the CLI under prlimit, say) to completion with a hard time limit, as runCli does. */
export async function runProgram(command: string, args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
	const child = spawn(command, args, {
		cwd: options.cwd ?? workDir,
		env: childEnv(options.env),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	options.onStart?.(child);
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
	const code = await new Promise<number | null>(resolve => {
		child.on('close', resolve);
	});
	clearTimeout(timer);
	return {code, stdout, stderr};
}
