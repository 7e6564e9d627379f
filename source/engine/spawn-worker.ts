import {createRequire} from 'node:module';
import process from 'node:process';
import {pathToFileURL} from 'node:url';
import {Worker, type ResourceLimits} from 'node:worker_threads';
import type {WorkerInit, WorkerInitMessage} from './protocol.js';

const youngGenerationMb = 2;

/** `--cpu-prof DIR`: where workers write their CPU profiles, and how many of each kind started. */
let cpuProfileDirectory: string | undefined;
const started = {worker: 0, 'baseline-worker': 0};

/**
 * Every worker started from now on writes a V8 CPU profile into `directory` when it exits (Node's
 * `--cpu-prof` in its execArgv): `worker-N-PID.cpuprofile` (load workers, N from 1 in start
 * order) and `baseline-N-PID.cpuprofile`.
 */
export function profileWorkersInto(directory: string): void {
	cpuProfileDirectory = directory;
}

function cpuProfileArgv(name: 'worker' | 'baseline-worker'): string[] {
	if (cpuProfileDirectory === undefined) return [];
	const file = `${name === 'worker' ? 'worker' : 'baseline'}-${++started[name]}-${process.pid}.cpuprofile`;
	return ['--cpu-prof', '--cpu-prof-dir', cpuProfileDirectory, '--cpu-prof-name', file];
}

/**
 * Starts one of the engine's worker modules (`worker`: a load worker; `baseline-worker`). From the
 * build, its bundle `dist/engine/NAME.js` (this code sits in a chunk in `dist/chunks/`, as deep
 * as `dist/engine/`: hence `../engine/`). From TypeScript source (tests, `tsx` in development),
 * workers do not inherit the tsx loader on Node 20, so a small eval'd bootstrap registers tsx and
 * then imports the `.ts` module.
 */
export function startWorkerModule(name: 'worker' | 'baseline-worker', workerData: unknown, resourceLimits?: ResourceLimits): Worker {
	const here = import.meta.url;
	const execArgv = cpuProfileArgv(name);
	const options = {workerData, ...(resourceLimits ? {resourceLimits} : {}), ...(execArgv.length > 0 ? {execArgv} : {})};
	if (!here.endsWith('.ts')) {
		return new Worker(new URL(`../engine/${name}.js`, here), options);
	}

	const apiPath = createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
	const workerUrl = new URL(`${name}.ts`, here).href;
	const bootstrap = `import(${JSON.stringify(pathToFileURL(apiPath).href)}).then(api => { api.register(); return import(${JSON.stringify(workerUrl)}); });`;
	return new Worker(bootstrap, {...options, eval: true});
}

/** Load workers started before their run was resolved (`prewarmLoadWorkers`), for the next `spawnWorker`s. */
const warmWorkers: Worker[] = [];

/**
 * Starts `count` load workers now, before the run is resolved, so that their start-up (a thread,
 * Node's bootstrap and the engine's modules: some 40 ms) overlaps the main thread's (config,
 * validation, histograms). Each waits for its init (`{type: 'init'}`); the next `spawnWorker`s take
 * them. Unused ones keep nothing alive (unref'd). Only from the build, and not while profiling
 * (each profiled worker gets its own execArgv).
 */
export function prewarmLoadWorkers(count: number): void {
	if (cpuProfileDirectory !== undefined || import.meta.url.endsWith('.ts')) return;
	while (warmWorkers.length < count) {
		const worker = new Worker(new URL('../engine/worker.js', import.meta.url), {resourceLimits: {maxYoungGenerationSizeMb: youngGenerationMb}});
		worker.unref();
		worker.once('error', () => {
			const index = warmWorkers.indexOf(worker);
			if (index >= 0) warmWorkers.splice(index, 1);
		});
		warmWorkers.push(worker);
	}
}

/** Starts a load worker (the prewarmed one, if any). */
export function spawnWorker(init: WorkerInit): Worker {
	const warm = warmWorkers.shift();
	if (warm !== undefined) {
		warm.ref();
		warm.postMessage({type: 'init', init} satisfies WorkerInitMessage);
		return warm;
	}


	// A small young generation: the hot path allocates little, and V8's default lets each worker's
	// nursery grow to 16 MB of resident memory for no gain in throughput. 2 MB rather than 4: peak RSS
	// at 50 connections 91 -> 87 MB, CPU per request unchanged (npm run bench, memory and cpu cases).
	return startWorkerModule('worker', init, {maxYoungGenerationSizeMb: youngGenerationMb});
}
