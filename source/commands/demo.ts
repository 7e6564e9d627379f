import {startDemoServer} from '../demo/server.js';
import {runHeadless, type HeadlessIo} from '../headless/run.js';
import {demoConfigPath, startDemoChild} from '../session/demo-target.js';
import {prepareRun} from '../session/prepare.js';
import {outputFlags, runOutputs} from '../session/run-outputs.js';
import {baselineFlags, baselineOptions, outputOptions, runInteractive, type Command} from './context.js';

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
				return await runInteractive({hardware, flags, env, ...baselineFlags(flags), ...outputOptions(flags), outputFlags: outputFlags(flags), profile: undefined, saveProfile: undefined});
			}

			const prepared = prepareRun(flags, hardware, env);
			return await runHeadless({prepared, hardware, ...outputOptions(flags), outputs: runOutputs(outputFlags(flags), prepared.config.settings.outputs, env), ...baselineOptions(flags, prepared)}, io);
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
