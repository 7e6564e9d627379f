/** A bench target that is a TypeScript server script, run in a child process pinned to one core. */
import {spawn, type ChildProcess} from 'node:child_process';
import {pin} from './process.js';

/** Starts `script` (it prints its port on the first line of stdout) on `core`; resolves once it listens. */
export async function startScriptServer(script: string, core: number, name: string): Promise<{child: ChildProcess; port: number}> {
	const [command, args] = pin(core, process.execPath, ['--import', import.meta.resolve('tsx'), script]);
	const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'inherit']});
	const port = await new Promise<number>((resolve, reject) => {
		let output = '';
		child.stdout!.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			if (output.includes('\n')) resolve(Number(output.trim()));
		});
		child.on('error', reject);
		child.on('exit', code => {
			reject(new Error(`the ${name} exited ${code} before listening`));
		});
	});
	return {child, port};
}
