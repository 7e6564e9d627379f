import {spawn} from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {PreparedRun} from './prepare.js';

/** The configs shipped with the package; they target the demo target on its default port. */
export const examplesDirectory = fileURLToPath(new URL('../../config-examples/', import.meta.url));

/** The demo config `npm start` runs. */
export const demoConfigPath = path.join(examplesDirectory, 'demo.json');

/** Where `pystress-tui demo-server` listens by default, and where the shipped examples point. */
export const demoOrigin = 'http://127.0.0.1:8787';

/**
 * Whether a run is one of the shipped examples aimed at the demo target's default address (its
 * file in config-examples/, every endpoint on 127.0.0.1:8787). Picked as they are, these would
 * hit a port where nothing listens: the session starts the demo target for them.
 */
export function usesDemoTarget(prepared: PreparedRun): boolean {
	const {source, plan} = prepared.config;
	if (!source.toLowerCase().endsWith('.json') || path.dirname(path.resolve(source)) !== path.resolve(examplesDirectory)) {
		return false;
	}

	return plan.endpoints.every(endpoint => endpoint.origin === demoOrigin) && (plan.token === undefined || plan.token.endpoint.origin === demoOrigin);
}

/**
 * Starts the demo target in a child process (so it does not share the load generator's event
 * loop) on `port` (0: any free one), waits for its address, and resolves with a stop function.
 */
export async function startDemoChild(port = 0): Promise<{url: string; stop: () => void}> {
	const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
	const child = spawn(process.execPath, [cli, 'demo-server', '--port', String(port)], {stdio: ['ignore', 'pipe', 'inherit']});
	const url = await new Promise<string>((resolve, reject) => {
		let output = '';
		const timer = setTimeout(() => {
			reject(new Error('the demo target did not start within 10 s'));
		}, 10_000);
		child.stdout.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			const match = /listening on (http:\/\/\S+)/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]!);
			}
		});
		child.once('exit', code => {
			clearTimeout(timer);
			reject(new Error(`the demo target exited (code ${code})`));
		});
	});
	return {
		url,
		stop() {
			child.kill('SIGTERM');
		},
	};
}

/** Whether something accepts connections at host:port (within 500 ms). */
async function listening(host: string, port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net.connect({host, port});
		const done = (result: boolean): void => {
			socket.destroy();
			resolve(result);
		};

		socket.setTimeout(500, () => done(false));
		socket.once('connect', () => done(true));
		socket.once('error', () => done(false));
	});
}

/**
 * For a run of a shipped example: starts the demo target on 127.0.0.1:8787 unless something
 * already listens there (a `pystress-tui demo-server` of the user's). Resolves with its stop
 * function, or undefined when nothing was started.
 */
export async function demoTargetFor(prepared: PreparedRun): Promise<{stop: () => void} | undefined> {
	if (!usesDemoTarget(prepared)) {
		return undefined;
	}

	const {hostname, port} = new URL(demoOrigin);
	if (await listening(hostname, Number(port))) {
		return undefined;
	}

	return startDemoChild(Number(port));
}
