import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {startDemoServer} from '../demo/server.js';
import {runHeadless, type HeadlessIo} from '../headless/run.js';
import {prepareRun} from '../session/prepare.js';
import {baselineFlags, baselineOptions, outputOptions, runInteractive, type Command} from './context.js';

/** The demo config shipped with the package. */
export const demoConfigPath = fileURLToPath(new URL('../../config-examples/demo.json', import.meta.url));

/** `pystress-tui demo-server`: serves the demo target until Ctrl-C/SIGTERM. */
export async function serveDemo(portFlag: string | undefined, io: HeadlessIo): Promise<number> {
	const server = await startDemoServer(portFlag === undefined ? 8787 : Number(portFlag));
	io.stdout(`demo target listening on ${server.url}\n`);
	await new Promise<void>(resolve => {
		const unregister = io.onSignal(() => {
			unregister();
			resolve();
		});
	});
	await server.close();
	return 0;
}

/**
 * Starts the demo target in a child process (so it does not share the load generator's event
 * loop), waits for its address, and resolves it with a stop function.
 */
export async function startDemoChild(): Promise<{url: string; stop: () => void}> {
	const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
	const child = spawn(process.execPath, [cli, 'demo-server', '--port', '0'], {stdio: ['ignore', 'pipe', 'inherit']});
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

/** `pystress-tui demo`: starts the demo target and runs `config-examples/demo.json` against it for 10 s. */
export const demoCommand: Command = {
	takesArguments: false,
	async run({flags: given, hardware, env: processEnv, io, interactive}) {
		// The demo target runs in a child process, so it does not share our event loop.
		const demo = await startDemoChild();
		try {
			// A demo starts at once (the TUI skips its settings screen when a duration is given).
			const flags = {...given, config: given.config ?? demoConfigPath, duration: given.duration ?? '10s'};
			const env = {...processEnv, DEMO_URL: demo.url};
			if (interactive) {
				return await runInteractive({hardware, flags, env, ...baselineFlags(flags), ...outputOptions(flags), profile: undefined, saveProfile: undefined});
			}

			const prepared = prepareRun(flags, hardware, env);
			return await runHeadless({prepared, hardware, ...outputOptions(flags), ...baselineOptions(flags, prepared)}, io);
		} finally {
			demo.stop();
		}
	},
};

/** `pystress-tui demo-server [--port N]`: the demo target alone, until Ctrl-C. */
export const demoServerCommand: Command = {
	takesArguments: false,
	async run({flags, io}) {
		return serveDemo(flags.port, io);
	},
};
