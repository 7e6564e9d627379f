import {mkdirSync, writeFileSync} from 'node:fs';
import {Session} from 'node:inspector/promises';
import path from 'node:path';
import process from 'node:process';
import {ConfigError} from '../config/errors.js';
import {profileWorkersInto} from '../engine/spawn-worker.js';
import {describeWriteError} from '../report/write.js';

/**
 * `--cpu-prof DIR`: V8 CPU profiles of every thread of the run, one `.cpuprofile` file each (open
 * them in Chrome DevTools' Performance panel or VS Code):
 * - `main-PID.cpuprofile`: the main thread (the TUI or headless output, merging), from the moment the
 *   flags are read (the inspector's profiler, this module);
 * - `worker-N-PID.cpuprofile`: load worker N, in the order they started (1, 2, ...; `+` adds more);
 * - `baseline-N-PID.cpuprofile`: the baseline worker (quick and extended baselines each start one).
 * Workers are started with Node's own `--cpu-prof` in their execArgv (see spawn-worker.ts), which
 * writes the file when the worker exits, also when it is terminated.
 * Returns a function that stops the main thread's profiler and writes its file.
 */
export async function startCpuProfiles(directory: string): Promise<() => Promise<string>> {
	try {
		mkdirSync(directory, {recursive: true});
	} catch (error) {
		throw new ConfigError('command line', [{path: '--cpu-prof', message: `cannot write into ${directory} (${describeWriteError(error)}); pick a writable directory`}]);
	}

	profileWorkersInto(directory);
	const session = new Session();
	session.connect();
	await session.post('Profiler.enable');
	await session.post('Profiler.start');
	return async () => {
		const {profile} = await session.post('Profiler.stop');
		session.disconnect();
		const file = path.join(directory, `main-${process.pid}.cpuprofile`);
		writeFileSync(file, JSON.stringify(profile));
		return file;
	};
}
