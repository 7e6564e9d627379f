import {ConfigError} from '../config/errors.js';
import {busyThreads, defaultThreads} from '../engine/hardware.js';
import type {PreparedRun} from '../session/prepare.js';
import type {Command, CommandContext} from './context.js';

/**
 * `pystress-tui [--config FILE | --url URL | --profile NAME] [options]`: one test, in the TUI when
 * both ends are a terminal, else headless; `--single-request` sends one request and explains it.
 * Each path loads its own modules: --single-request never loads the engine, histograms or reports.
 */
export const runCommand: Command = {
	takesArguments: false,
	async run(context) {
		const {flags, hardware, env, io} = context;
		if (flags.singleRequest) {
			const [{prepareRun}, {runSingleRequest}] = await Promise.all([import('../session/prepare.js'), import('../session/single-request.js')]);
			const prepared = prepareRun(flags, hardware, env);
			return runSingleRequest(prepared.config.plan, io, flags.log);
		}

		// A headless run's load workers start first, and load while this thread loads the rest and
		// resolves the run (test/bench/findings.md, "Start-up changes, by session"): as many as
		// --threads or the hardware's default, and no more than -n's requests (a config's own counts
		// are known only once resolved).
		if (!context.interactive) (await import('../engine/spawn-worker.js')).prewarmLoadWorkers(prewarmCount(flags, hardware));
		// What a test needs beyond --single-request (report paths, the request log: node:crypto and more).
		const [{baselineFlags, baselineOptions, outputOptions, runInteractive}, {prepareRun}, {agentModeProblems, agentOutputFlags, agentReportDefaults}, {defaultReportBase}, {agentOutputs, outputFlags, runOutputs}] = await Promise.all([
			import('./context.js'),
			import('../session/prepare.js'),
			import('../session/agents.js'),
			import('../session/report-files.js'),
			import('../session/run-outputs.js'),
		]);
		const agentIssues = agentModeProblems(flags, context.interactive);
		if (agentIssues.length > 0) {
			throw new ConfigError('command line', agentIssues);
		}

		const ciOutputs = outputFlags(flags);
		if (context.interactive) {
			return runInteractive({hardware, flags, env, ...baselineFlags(flags), ...outputOptions(flags), outputFlags: ciOutputs, profile: flags.profile, saveProfile: flags.saveProfile});
		}

		const prepared = flags.profile !== undefined || flags.saveProfile !== undefined ? await prepareWithProfiles(context) : prepareRun(flags, hardware, env);
		const {runHeadless} = await import('../headless/run.js');
		// An agent's paths: {index} replaced, and default report names of its own.
		const {agent, startAt} = prepared;
		const outputs = agentReportDefaults(outputOptions(agentOutputFlags(flags, agent)), agent, defaultReportBase(new Date(startAt?.atMs ?? Date.now())));
		return runHeadless({prepared, hardware, ...outputs, outputs: agentOutputs(runOutputs(ciOutputs, prepared.config.settings.outputs, env), agent), ...baselineOptions(flags, prepared)}, io);
	},
};

/**
 * How many load workers to start before the run is resolved: a guess from the flags alone, by the
 * rule the run is then resolved with (busyThreads).
 */
function prewarmCount({threads, requests}: CommandContext['flags'], hardware: CommandContext['hardware']): number {
	const count = Number(threads) > 0 ? Math.min(Math.floor(Number(threads)), 64) : defaultThreads(hardware).threads;
	return busyThreads(count, Number(requests) > 0 ? Math.floor(Number(requests)) : undefined);
}

/** Headless --profile (the profile with the flags given on top) and --save-profile (saved, then run). */
async function prepareWithProfiles({flags, hardware, env, io}: CommandContext): Promise<PreparedRun> {
	// Loaded here, not at start-up: conf (and its schema validator) costs memory a plain run does not need.
	const [{openProfileStore}, {explicitSettings, prepareProfileRun, prepareRun}] = await Promise.all([import('../config/profiles.js'), import('../session/prepare.js')]);
	const store = openProfileStore();
	let prepared: PreparedRun;
	if (flags.profile === undefined) {
		prepared = prepareRun(flags, hardware, env);
	} else {
		const profile = store.getProfile(flags.profile);
		if (!profile) {
			throw new ConfigError('command line', [{path: '--profile', message: `no profile named "${flags.profile}"; see pystress-tui profiles list`}]);
		}

		prepared = prepareProfileRun(profile, flags, hardware, env);
	}

	if (flags.saveProfile !== undefined) {
		const {baselineFlags} = await import('./context.js');
		const saved = store.saveProfile(flags.saveProfile, {config: prepared.config.raw, settings: explicitSettings(flags, prepared, baselineFlags(flags).extendedBaselineMs), source: prepared.config.source});
		io.stderr(saved.ok ? `profile "${flags.saveProfile}" saved\n` : `profile "${flags.saveProfile}" not saved: ${saved.message}\n`);
	}

	return prepared;
}
