import process from 'node:process';
import {Worker} from 'node:worker_threads';
import {render} from 'ink';
import {openProfileStore, type ProfileStore} from './config/profiles.js';
import type {Hardware} from './engine/hardware.js';
import type {OutputSettings} from './config/types.js';
import type {RequestLogOptions} from './engine/request-log.js';
import {renderHtmlReport} from './report/html.js';
import {printEndOfRun} from './session/outcome.js';
import {explicitSettings, type RunFlags} from './session/prepare.js';
import App, {type SignalSource} from './ui/app.js';
import {candidateFromFlags, candidateFromProfile, candidateFromUrl, loadCandidates, type CandidateContext} from './ui/config-candidates.js';
import {RunController} from './ui/run-controller.js';
import {initialAppState, type MessageLevel} from './ui/state/app-state.js';
import type {Candidate} from './ui/state/candidate.js';
import {colourEnabled, createTheme, ThemeContext} from './ui/theme.js';

export type InteractiveOptions = {
	readonly hardware: Hardware;
	readonly flags: RunFlags;
	readonly env: Readonly<Record<string, string | undefined>>;
	readonly quickBaselineCount: number;
	/** --baseline-duration (ms) when given; otherwise the config's baseline_duration applies. */
	readonly extendedBaselineMs: number | undefined;
	readonly jsonPath: string | undefined;
	readonly htmlPath: string | undefined;
	readonly noReport: boolean;
	/** --profile NAME: run a saved profile (flags given override its settings). */
	readonly profile: string | undefined;
	/** --save-profile NAME: save the config and the settings flags given as a profile. */
	readonly saveProfile: string | undefined;
	readonly profileStore?: ProfileStore;
	readonly log?: RequestLogOptions | undefined;
	/** --abort-on-fail: stop as soon as a threshold fails. */
	readonly abortOnFail?: boolean | undefined;
	/** --junit, --summary-md, --csv, --metrics-listen (validated); a config's own keys apply under them. */
	readonly outputFlags?: OutputSettings | undefined;
	/** Injected for tests; default the process's streams, signals and directory. */
	readonly stdout?: NodeJS.WriteStream;
	readonly stdin?: NodeJS.ReadStream;
	readonly stderr?: NodeJS.WriteStream;
	readonly signals?: SignalSource;
	readonly cwd?: string;
};

const enterAltScreen = '\u001B[?1049h\u001B[H';
const leaveAltScreen = '\u001B[?25h\u001B[?1049l';

/** SIGINT, SIGTERM and SIGHUP of this process (registering them also keeps Ink's signal-exit from killing us first). */
export const processSignals: SignalSource = handler => {
	const names = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
	const listeners = names.map(name => {
		const listener = (): void => {
			handler(name);
		};

		process.on(name, listener);
		return [name, listener] as const;
	});
	return () => {
		for (const [name, listener] of listeners) process.off(name, listener);
	};
};


/** The config the flags name (--profile, --config, --url), and what to tell the user about it. */
function initialChoice(options: InteractiveOptions, store: ProfileStore, context: CandidateContext): {candidate: Candidate | undefined; notices: string[]; messages: Array<{text: string; level: MessageLevel}>} {
	const notices: string[] = store.problem ? [`! ${store.problem}`] : [];
	const messages: Array<{text: string; level: MessageLevel}> = store.problem ? [{level: 'warn', text: store.problem}] : [];
	let candidate: Candidate | undefined;
	if (options.profile !== undefined) {
		const profile = store.getProfile(options.profile);
		if (profile) {
			candidate = candidateFromProfile(profile, context, true);
		} else {
			const names = store.listProfiles().map(saved => saved.name);
			notices.push(`✗ no profile "${options.profile}"${names.length > 0 ? ` (saved: ${names.join(', ')})` : ' (none saved yet)'}: choose a config below`);
		}
	} else if (options.flags.config !== undefined || options.flags.url !== undefined || options.flags.urlsFile !== undefined) {
		candidate = candidateFromFlags(context);
	}

	if (candidate && !candidate.choice.ok) {
		notices.push(`✗ ${candidate.choice.source}: ${candidate.choice.issues.length} problem${candidate.choice.issues.length === 1 ? '' : 's'} (shown below): fix the file, or choose another config`);
	}

	if (options.saveProfile !== undefined) {
		if (candidate?.choice.ok) {
			const {prepared, extendedBaselineMs, path} = candidate.choice;
			const result = store.saveProfile(options.saveProfile, {config: prepared.config.raw, settings: explicitSettings(options.flags, prepared, options.extendedBaselineMs ?? (options.profile === undefined ? undefined : extendedBaselineMs)), source: path ?? prepared.config.source});
			messages.push(result.ok ? {level: 'info', text: `saved profile "${options.saveProfile}" (run it with --profile ${options.saveProfile})`} : {level: 'error', text: result.message});
		} else {
			messages.push({level: 'error', text: `profile "${options.saveProfile}" not saved: there is no valid config to save`});
		}
	}

	return {candidate, notices, messages};
}

/**
 * The interactive entry point: renders the Ink app in the alternate screen, waits for it to exit,
 * restores the terminal (also on a crash or a signal), prints the summary on the normal screen,
 * and returns the exit code: 0 done, 1 nothing answered or a report could not be written, 2 a
 * config from the flags was broken and the user quit without choosing another. Never exits the process.
 */
export async function runInteractive(options: InteractiveOptions): Promise<number> {
	const stdout = options.stdout ?? process.stdout;
	const stdin = options.stdin ?? process.stdin;
	const stderr = options.stderr ?? process.stderr;
	const store = options.profileStore ?? openProfileStore();
	const context: CandidateContext = {flags: options.flags, hardware: options.hardware, env: options.env, extendedBaselineMs: options.extendedBaselineMs, cwd: options.cwd ?? process.cwd()};
	const {candidate, notices, messages} = initialChoice(options, store, context);
	const valid = candidate?.choice.ok ? candidate : undefined;
	const state = initialAppState({chosen: valid, configError: (candidate !== undefined && !valid) || (options.profile !== undefined && !candidate), notices, messages});
	const controller = new RunController({
		hardware: options.hardware,
		quickBaselineCount: options.quickBaselineCount,
		jsonPath: options.jsonPath,
		htmlPath: options.htmlPath,
		noReport: options.noReport,
		store,
		renderHtml: renderHtmlReport,
		log: options.log,
		abortOnFail: options.abortOnFail,
		outputFlags: options.outputFlags ?? {},
		env: options.env,
	});
	const autoStart = valid !== undefined && (options.flags.duration !== undefined || options.flags.requests !== undefined);
	const broken = candidate && !valid ? candidate : undefined;
	const theme = createTheme(colourEnabled(options.env, stdout.isTTY === true));
	const fullScreen = stdout.isTTY === true;
	let restored = false;
	const restore = (): void => {
		if (restored) return;
		restored = true;
		try {
			if (stdin.isTTY) stdin.setRawMode(false);
		} catch {}

		if (fullScreen) stdout.write(leaveAltScreen);
	};

	let exitCode = 0;
	if (fullScreen) stdout.write(enterAltScreen);
	const instance = render(
		<ThemeContext.Provider value={theme}>
			<App
				hardware={options.hardware}
				workerThreads={typeof Worker === 'function'}
				controller={controller}
				initialState={state}
				quickBaselineCount={options.quickBaselineCount}
				autoStart={autoStart}
				loadCandidates={() => [...(broken ? [broken] : []), ...loadCandidates(context, store)]}
				candidateFromUrl={url => candidateFromUrl(url, context)}
				onExit={code => {
					exitCode = code;
				}}
				signals={options.signals ?? processSignals}
			/>
		</ThemeContext.Provider>,
		{stdout, stdin, stderr, exitOnCtrlC: false, maxFps: 15, patchConsole: true},
	);
	// Registered after Ink's own exit hook, so Ink's last frame lands before we leave the alternate screen;
	// on an uncaught exception, before Node prints it (so the stack trace lands on the normal screen).
	process.on('exit', restore);
	process.on('uncaughtExceptionMonitor', restore);
	try {
		await instance.waitUntilExit();
	} catch (error) {
		exitCode = 1;
		restore();
		stderr.write(`pystress-tui: the interface crashed: ${(error as Error).stack ?? String(error)}\n`);
	} finally {
		controller.shutdown();
		restore();
		await controller.closeMetrics();
		process.off('exit', restore);
		process.off('uncaughtExceptionMonitor', restore);
	}

	const report = controller.lastReport;
	if (report) {
		// The same end of run as headless mode, on the normal screen; the exit code is the app's (q after a run).
		printEndOfRun(report, controller.lastSaved, {jsonPath: options.jsonPath, logPath: options.log?.path, logFailure: controller.logFailure}, {stdout: text => stdout.write(text), stderr: text => stderr.write(text)});
	}

	return exitCode;
}
