import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';
import {Worker} from 'node:worker_threads';
import type {WorkerInit} from './protocol.js';

const youngGenerationMb = 4;

/**
 * Starts a load worker. From the build, the compiled `worker.js` beside this file. From TypeScript
 * source (tests, `tsx` in development), workers do not inherit the tsx loader on Node 20, so a
 * small eval'd bootstrap registers tsx and then imports `worker.ts`.
 */
export function spawnWorker(init: WorkerInit): Worker {
	const here = import.meta.url;
	// A small young generation: the hot path allocates little, and V8's default lets each worker's
	// nursery grow to 16 MB of resident memory for no gain in throughput (npm run bench).
	const resourceLimits = {maxYoungGenerationSizeMb: youngGenerationMb};
	if (!here.endsWith('.ts')) {
		return new Worker(new URL('worker.js', here), {workerData: init, resourceLimits});
	}

	const apiPath = createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
	const workerUrl = new URL('worker.ts', here).href;
	const bootstrap = `import(${JSON.stringify(pathToFileURL(apiPath).href)}).then(api => { api.register(); return import(${JSON.stringify(workerUrl)}); });`;
	return new Worker(bootstrap, {eval: true, workerData: init, resourceLimits});
}
