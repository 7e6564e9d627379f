import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ConfigError} from '../config/errors.js';
import type {Profile, ProfileSettings, ProfileStore, RecentRun} from '../config/profiles.js';
import type {RunSettings} from '../config/types.js';
import type {Hardware} from '../engine/hardware.js';
import {usesDemoTarget} from '../session/demo-target.js';
import {prepareProfileRun, prepareRun, settingsToFlags, type PreparedRun, type RunFlags} from '../session/prepare.js';
import {targetLabel, type Candidate, type CandidateKind, type Choice} from './state/candidate.js';

/** The config examples shipped with the package (from source/ui/ or the build's dist/chunks/: ../../config-examples). */
export const packageExamplesDir = fileURLToPath(new URL('../../config-examples/', import.meta.url));

/** What turns a config source into a runnable choice. */
export type CandidateContext = {
	/** Command-line flags: target flags make the initial choice; the others override any picked config. */
	readonly flags: RunFlags;
	readonly hardware: Hardware;
	readonly env: Readonly<Record<string, string | undefined>>;
	/** --baseline-duration, when given. */
	readonly extendedBaselineMs: number | undefined;
	/** The directory paths are shown relative to (and whose JSON files are offered). */
	readonly cwd: string;
};

/** Files in a directory that are not configs. */
const notConfigs = /^(package(-lock)?|tsconfig(\..*)?|jsconfig|composer|\.?eslintrc|renovate|vercel|biome|deno)\.json$/i;
const maxConfigBytes = 512 * 1024;

/** Flags that override a picked config (everything but the target). */
function overrideFlags(flags: RunFlags): RunFlags {
	const {config: _config, url: _url, ...rest} = flags;
	return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)) as RunFlags;
}

function prepare(flags: RunFlags, context: CandidateContext, base?: Record<string, unknown>, savedBaselineMs?: number): Choice {
	return prepareChoice(() => prepareRun(flags, context.hardware, context.env, base), context, flags.config, savedBaselineMs);
}

function prepareChoice(run: () => PreparedRun, context: CandidateContext, configPath: string | undefined, savedBaselineMs?: number): Choice {
	try {
		const prepared = run();
		return {
			ok: true,
			prepared,
			extendedBaselineMs: context.extendedBaselineMs ?? savedBaselineMs ?? prepared.config.settings.baselineDurationMs,
			path: configPath === undefined ? undefined : path.resolve(context.cwd, configPath),
		};
	} catch (error) {
		if (error instanceof ConfigError) {
			return {ok: false, source: error.source, issues: error.issues};
		}

		return {ok: false, source: configPath ?? 'config', issues: [{path: '(config)', message: (error as Error).message}]};
	}
}

function labelOf(choice: Choice, fallback: string): string {
	return choice.ok ? (choice.prepared.config.name ?? fallback) : fallback;
}

/** The config the command line names (--config, --url), with the other flags applied. */
export function candidateFromFlags(context: CandidateContext): Candidate {
	const choice = prepare(context.flags, context);
	const fallback = context.flags.config ?? (choice.ok ? targetLabel(choice.prepared) : context.flags.url ?? 'command line');
	return {id: `flags:${context.flags.config ?? context.flags.url}`, kind: 'flags', label: labelOf(choice, fallback), detail: context.flags.config ?? '--url', choice};
}

export function candidateFromFile(file: string, kind: CandidateKind, context: CandidateContext, settings: ProfileSettings = {}): Candidate {
	const choice = prepare({...settingsToFlags(settings), ...overrideFlags(context.flags), config: file}, context, undefined, settings.baselineDurationMs);
	const relative = path.relative(context.cwd, file);
	const shown = relative.startsWith('..') ? file : relative;
	// The shipped examples aim at the demo target: say that choosing one starts it.
	const note = choice.ok && usesDemoTarget(choice.prepared) ? '▸ starts the built-in demo target on 127.0.0.1:8787 (unless one runs there)' : undefined;
	return {id: `${kind}:${path.resolve(file)}`, kind, label: labelOf(choice, path.basename(file)), detail: shown, choice, ...(note ? {note} : {})};
}

/** A URL typed in the picker (u). */
export function candidateFromUrl(url: string, context: CandidateContext): Candidate {
	const choice = prepare({...overrideFlags(context.flags), url}, context);
	return {id: `url:${url}`, kind: 'url', label: choice.ok ? targetLabel(choice.prepared) : url, detail: 'typed URL', choice};
}

/**
 * A saved profile as a candidate. Picked in the picker, the command line's settings flags apply on
 * top; named by --profile, every flag given applies (--url and --config too), as in headless mode.
 */
export function candidateFromProfile(profile: Profile, context: CandidateContext, fromCommandLine = false): Candidate {
	const choice = fromCommandLine
		? prepareChoice(() => prepareProfileRun(profile, context.flags, context.hardware, context.env), context, context.flags.config, profile.settings.baselineDurationMs)
		: prepare({...settingsToFlags(profile.settings), ...overrideFlags(context.flags)}, context, profile.config, profile.settings.baselineDurationMs);
	const source = choice.ok ? {...choice, prepared: {...choice.prepared, config: {...choice.prepared.config, source: `profile ${profile.name}`}}} : {...choice, source: `profile ${profile.name}`};
	return {id: `profile:${profile.name}`, kind: 'profile', label: profile.name, detail: `saved ${profile.savedAt.slice(0, 16).replace('T', ' ')}`, choice: source};
}

export function candidateFromRecent(recent: RecentRun, context: CandidateContext): Candidate {
	if (recent.path !== undefined) {
		const candidate = candidateFromFile(recent.path, 'recent', context, recent.settings);
		return {...candidate, id: `recent:${recent.path}`, label: recent.label, detail: `${recent.at.slice(0, 16).replace('T', ' ')} · ${candidate.detail}`};
	}

	const choice = prepare({...settingsToFlags(recent.settings), ...overrideFlags(context.flags)}, context, recent.config, recent.settings.baselineDurationMs);
	return {id: `recent:${JSON.stringify(recent.config)}`, kind: 'recent', label: recent.label, detail: recent.at.slice(0, 16).replace('T', ' '), choice};
}

/** JSON files of a directory that may be configs (sorted; package.json, tsconfig.json and big files left out). */
export function jsonFiles(directory: string): string[] {
	let names: string[];
	try {
		names = readdirSync(directory);
	} catch {
		return [];
	}

	return names
		.filter(name => name.toLowerCase().endsWith('.json') && !notConfigs.test(name))
		.map(name => path.join(directory, name))
		.filter(file => {
			try {
				const stat = statSync(file);
				return stat.isFile() && stat.size <= maxConfigBytes;
			} catch {
				return false;
			}
		})
		.sort();
}

/** Everything the picker offers: profiles, recent runs, shipped examples, then JSON files of the current directory. */
export function loadCandidates(context: CandidateContext, store: ProfileStore, examplesDirectory = packageExamplesDir): Candidate[] {
	const candidates: Candidate[] = [
		...store.listProfiles().map(profile => candidateFromProfile(profile, context)),
		...store.listRecent().map(recent => candidateFromRecent(recent, context)),
	];
	const seen = new Set<string>();
	const files = [
		...jsonFiles(examplesDirectory).map(file => ({file, kind: 'example' as const})),
		...jsonFiles(path.join(context.cwd, 'config-examples')).map(file => ({file, kind: 'example' as const})),
		...jsonFiles(context.cwd).map(file => ({file, kind: 'file' as const})),
	];
	for (const {file, kind} of files) {
		const resolved = path.resolve(file);
		if (!seen.has(resolved)) {
			seen.add(resolved);
			candidates.push(candidateFromFile(resolved, kind, context));
		}
	}

	return candidates;
}

/** Settings worth remembering for a profile or a recent run. */
export function profileSettings(settings: RunSettings, extendedBaselineMs: number | undefined): ProfileSettings {
	return {
		threads: settings.threads,
		connections: settings.connections,
		...(settings.durationMs === undefined ? {} : {durationMs: settings.durationMs}),
		...(settings.maxRequests === undefined ? {} : {maxRequests: settings.maxRequests}),
		...(settings.rate === undefined ? {} : {rate: settings.rate}),
		...(extendedBaselineMs ? {baselineDurationMs: extendedBaselineMs} : {}),
	};
}

/** What the picker remembers of a run that starts now. */
export function recentRun(candidate: Candidate, settings: RunSettings, extendedBaselineMs: number | undefined, now: Date): RecentRun | undefined {
	const {choice} = candidate;
	if (!choice.ok) return undefined;
	const label = choice.prepared.config.name ?? targetLabel(choice.prepared);
	const base = {label, at: now.toISOString(), settings: profileSettings(settings, extendedBaselineMs)};
	return choice.path === undefined ? {...base, config: choice.prepared.config.raw} : {...base, path: choice.path};
}
