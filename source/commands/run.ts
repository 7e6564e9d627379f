import {ConfigError} from '../config/errors.js';
import {defaultThreads} from '../engine/hardware.js';
import {prewarmLoadWorkers} from '../engine/spawn-worker.js';
import {explicitSettings, prepareProfileRun, prepareRun, type PreparedRun} from '../session/prepare.js';
import {agentModeProblems, agentOutputFlags, agentReportDefaults} from '../session/agents.js';
import {defaultReportBase} from '../session/report-files.js';
import {agentOutputs, outputFlags, runOutputs} from '../session/run-outputs.js';
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
			const prepared = prepareRun(flags, hardware, env);
			const {runSingleRequest} = await import('../session/single-request.js');
			return runSingleRequest(prepared.config.plan, io, flags.log);
		}

		// What a test needs beyond --single-request (report paths, the request log: node:crypto and more).
		const {baselineFlags, baselineOptions, outputOptions, runInteractive} = await import('./context.js');
		const agentIssues = agentModeProblems(flags, context.interactive);
		if (agentIssues.length > 0) {
			throw new ConfigError('command line', agentIssues);
		}

		const ciOutputs = outputFlags(flags);
		if (context.interactive) {
			return runInteractive({hardware, flags, env, ...baselineFlags(flags), ...outputOptions(flags), outputFlags: ciOutputs, profile: flags.profile, saveProfile: flags.saveProfile});
		}

		// The load workers start now and load while this thread resolves the run (start-up): as many as
		// --threads or the hardware's default (a config's own count is known only once resolved).
		prewarmLoadWorkers(Number(flags.threads) > 0 ? Math.min(Math.floor(Number(flags.threads)), 64) : defaultThreads(hardware).threads);
		const prepared = flags.profile !== undefined || flags.saveProfile !== undefined ? await prepareWithProfiles(context) : prepareRun(flags, hardware, env);
		const {runHeadless} = await import('../headless/run.js');
		// An agent's paths: {index} replaced, and default report names of its own.
		const {agent, startAt} = prepared;
		const outputs = agentReportDefaults(outputOptions(agentOutputFlags(flags, agent)), agent, defaultReportBase(new Date(startAt?.atMs ?? Date.now())));
		return runHeadless({prepared, hardware, ...outputs, outputs: agentOutputs(runOutputs(ciOutputs, prepared.config.settings.outputs, env), agent), ...baselineOptions(flags, prepared)}, io);
	},
};

/** Headless --profile (the profile with the flags given on top) and --save-profile (saved, then run). */
async function prepareWithProfiles({flags, hardware, env, io}: CommandContext): Promise<PreparedRun> {
	// Loaded here, not at start-up: conf (and its schema validator) costs memory a plain run does not need.
	const {openProfileStore} = await import('../config/profiles.js');
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
