import {existsSync} from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import {absoluteDataPaths} from './data-file.js';
import {isSecretKey} from './redact.js';
import {joinPath} from './interpolate.js';
import type {FileSettings} from './types.js';

/** Run settings a profile or a recent run remembers (all optional: unset means "the config's or the default"). */
export type ProfileSettings = Pick<FileSettings, 'threads' | 'connections' | 'durationMs' | 'maxRequests' | 'rate' | 'baselineDurationMs'>;

/** A saved profile: the config as written (with `${VAR}` references kept) and the run settings. */
export type Profile = {
	readonly name: string;
	readonly config: Record<string, unknown>;
	readonly settings: ProfileSettings;
	readonly savedAt: string;
	/** Where the config came from when it was saved (a file path or `--url`). */
	readonly source: string | undefined;
};

/** A run remembered for the config picker: a config file path, or an inline config (from --url). */
export type RecentRun = {
	readonly label: string;
	readonly at: string;
	readonly path?: string;
	readonly config?: Record<string, unknown>;
	readonly settings: ProfileSettings;
};

export type StoreResult = {readonly ok: true} | {readonly ok: false; readonly message: string};

export type ProfileStoreOptions = {
	/** Directory of the store (tests pass a temp dir); default: the user's config directory. */
	readonly cwd?: string;
	readonly projectName?: string;
	readonly configName?: string;
};

/** Recent runs kept for the picker. */
export const maxRecentRuns = 10;

const profileName = /^[A-Za-z\d][\w.-]{0,63}$/;
const reference = /\$\{[A-Za-z_]\w*(?::-[^}]*)?\}/g;
const scheme = /^\s*(?:Bearer|Basic|Digest|Token)\s+/i;

/** Where the deserializer leaves the parse error of a corrupt file (conf would otherwise throw without naming the file). */
const corruptKey = '\u0000corrupt';

type StoreData = {profiles?: unknown; recent?: unknown; [corruptKey]?: string};

/**
 * JSON paths of literal secrets in a raw config: values under secret-looking keys (password,
 * token, Authorization, api-key, ...; see redact.ts) that are not only `${VAR}` references, and
 * URLs carrying a password or a secret query parameter. A profile must hold references only.
 */
export function literalSecretPaths(value: unknown, path = '', key = ''): string[] {
	if (typeof value === 'string') {
		const literal = value.replaceAll(reference, '');
		if (key !== '' && isSecretKey(key) && literal.replace(scheme, '').trim() !== '') {
			return [path || '(root)'];
		}

		return urlHasSecret(literal) ? [path || '(root)'] : [];
	}

	if (Array.isArray(value)) {
		return value.flatMap((item, index) => literalSecretPaths(item, `${path}[${index}]`));
	}

	if (value !== null && typeof value === 'object') {
		return Object.entries(value).flatMap(([name, item]) => literalSecretPaths(item, joinPath(path, name), name));
	}

	return [];
}

function urlHasSecret(text: string): boolean {
	if (!/^https?:\/\//i.test(text)) {
		return false;
	}

	try {
		const url = new URL(text);
		return url.password !== '' || [...url.searchParams.entries()].some(([name, item]) => isSecretKey(name) && item !== '');
	} catch {
		return false;
	}
}

/**
 * Saved profiles and recent runs, in a JSON file managed by conf. Never throws: a corrupt or
 * unreadable store is reported once in `problem` (one line) and behaves as an empty one.
 */
export class ProfileStore {
	readonly path: string | undefined;
	private readonly conf: Conf<StoreData> | undefined;
	private problemValue: string | undefined;

	constructor(options: ProfileStoreOptions = {}) {
		try {
			this.conf = new Conf<StoreData>({
				projectName: options.projectName ?? 'pystress-tui',
				...(options.cwd === undefined ? {} : {cwd: options.cwd}),
				configName: options.configName ?? 'profiles',
				accessPropertiesByDotNotation: false,
				clearInvalidConfig: false,
				deserialize(text) {
					try {
						return JSON.parse(text) as StoreData;
					} catch (error) {
						return {[corruptKey]: (error as Error).message};
					}
				},
			});
			this.path = this.conf.path;
			this.read();
		} catch (error) {
			this.problemValue = describe(error, options.cwd);
			this.path = undefined;
		}
	}

	/** One line describing why the store cannot be used, or undefined when it is fine. */
	get problem(): string | undefined {
		return this.problemValue;
	}

	private read(): {profiles: Record<string, unknown>; recent: unknown[]} {
		if (!this.conf) {
			return {profiles: {}, recent: []};
		}

		try {
			const {store} = this.conf;
			const corrupt = store[corruptKey];
			if (typeof corrupt === 'string') {
				this.problemValue = `the profile store ${this.conf.path} is not valid JSON (${corrupt}); fix or delete it (profiles and recent runs are unavailable until then)`;
				return {profiles: {}, recent: []};
			}

			const profiles = isRecord(store.profiles) ? store.profiles : {};
			const recent = Array.isArray(store.recent) ? store.recent : [];
			if ((store.profiles !== undefined && !isRecord(store.profiles)) || (store.recent !== undefined && !Array.isArray(store.recent))) {
				this.problemValue = `the profile store ${this.conf.path} has an unexpected shape; fix or delete it`;
			}

			return {profiles, recent};
		} catch (error) {
			this.problemValue = describe(error, this.conf.path);
			return {profiles: {}, recent: []};
		}
	}

	private write(update: (data: {profiles: Record<string, unknown>; recent: unknown[]}) => void): StoreResult {
		const data = this.read();
		if (!this.conf || this.problemValue) {
			return {ok: false, message: this.problemValue ?? 'the profile store is not available'};
		}

		try {
			update(data);
			this.conf.store = {profiles: data.profiles, recent: data.recent};
			return {ok: true};
		} catch (error) {
			return {ok: false, message: `cannot write the profile store ${this.conf.path}: ${(error as Error).message}`};
		}
	}

	listProfiles(): Profile[] {
		return Object.entries(this.read().profiles)
			.map(([name, value]) => toProfile(name, value))
			.filter((profile): profile is Profile => profile !== undefined)
			.sort((a, b) => a.name.localeCompare(b.name));
	}

	getProfile(name: string): Profile | undefined {
		const {profiles} = this.read();
		return Object.hasOwn(profiles, name) ? toProfile(name, profiles[name]) : undefined;
	}

	/** Saves a profile. Refuses a bad name and a config holding literal secrets (it names their paths). */
	saveProfile(name: string, input: {readonly config: Record<string, unknown>; readonly settings: ProfileSettings; readonly source?: string | undefined}, now = new Date()): StoreResult {
		if (!profileName.test(name)) {
			return {ok: false, message: `"${name}" is not a profile name; use letters, digits, ".", "_" or "-" (up to 64)`};
		}

		const secrets = literalSecretPaths(input.config);
		if (secrets.length > 0) {
			return {ok: false, message: `profile "${name}" not saved: ${secrets.join(', ')} ${secrets.length === 1 ? 'holds a literal secret' : 'hold literal secrets'}; write them as \${ENV_VAR} references (profiles keep references, never secrets)`};
		}

		// A data file named relative to the config file: kept absolute, as the profile runs from anywhere.
		const config = input.source !== undefined && existsSync(input.source) ? absoluteDataPaths(input.config, path.dirname(input.source)) : input.config;
		return this.write(data => {
			data.profiles[name] = {config, settings: cleanSettings(input.settings), savedAt: now.toISOString(), ...(input.source === undefined ? {} : {source: input.source})};
		});
	}

	/** Removes a profile; false when there was none of that name. */
	removeProfile(name: string): boolean {
		let found = false;
		const result = this.write(data => {
			found = Object.hasOwn(data.profiles, name);
			delete data.profiles[name];
		});
		return result.ok && found;
	}

	/** Remembers a run (newest first, at most 10, one entry per config). A config with literal secrets is remembered by path only, or not at all. */
	addRecent(run: RecentRun): StoreResult {
		const config = run.config && literalSecretPaths(run.config).length === 0 ? run.config : undefined;
		if (run.path === undefined && config === undefined) {
			return {ok: false, message: 'not remembered: the config holds literal secrets'};
		}

		const entry: RecentRun = {label: run.label, at: run.at, ...(run.path === undefined ? {} : {path: run.path}), ...(config === undefined ? {} : {config}), settings: cleanSettings(run.settings)};
		const identity = recentIdentity(entry);
		return this.write(data => {
			const others = data.recent.filter(item => {
				const recent = toRecent(item);
				return recent !== undefined && recentIdentity(recent) !== identity;
			});
			data.recent = [entry, ...others].slice(0, maxRecentRuns);
		});
	}

	listRecent(): RecentRun[] {
		return this.read().recent.map(item => toRecent(item)).filter((run): run is RecentRun => run !== undefined).slice(0, maxRecentRuns);
	}
}

/** Opens the user's profile store (or one in `options.cwd`). */
export const openProfileStore = (options: ProfileStoreOptions = {}): ProfileStore => new ProfileStore(options);

function recentIdentity(run: RecentRun): string {
	return run.path === undefined ? `config:${JSON.stringify(run.config)}` : `path:${run.path}`;
}

function cleanSettings(settings: ProfileSettings): ProfileSettings {
	const keys = ['threads', 'connections', 'durationMs', 'maxRequests', 'rate', 'baselineDurationMs'] as const;
	return Object.fromEntries(keys.filter(key => typeof settings[key] === 'number' && Number.isFinite(settings[key]) && settings[key] > 0).map(key => [key, settings[key]]));
}

function toProfile(name: string, value: unknown): Profile | undefined {
	if (!isRecord(value) || !isRecord(value['config'])) {
		return undefined;
	}

	return {
		name,
		config: value['config'],
		settings: cleanSettings(isRecord(value['settings']) ? value['settings'] : {}),
		savedAt: typeof value['savedAt'] === 'string' ? value['savedAt'] : '',
		source: typeof value['source'] === 'string' ? value['source'] : undefined,
	};
}

function toRecent(value: unknown): RecentRun | undefined {
	if (!isRecord(value) || typeof value['label'] !== 'string') {
		return undefined;
	}

	const path = typeof value['path'] === 'string' ? value['path'] : undefined;
	const config = isRecord(value['config']) ? value['config'] : undefined;
	if (path === undefined && config === undefined) {
		return undefined;
	}

	return {
		label: value['label'],
		at: typeof value['at'] === 'string' ? value['at'] : '',
		...(path === undefined ? {} : {path}),
		...(config === undefined ? {} : {config}),
		settings: cleanSettings(isRecord(value['settings']) ? value['settings'] : {}),
	};
}

function describe(error: unknown, where: string | undefined): string {
	const {code, message, path} = error as NodeJS.ErrnoException;
	const place = path ?? where;
	return `cannot use the profile store${place ? ` ${place}` : ''}: ${code ?? message}; profiles and recent runs are unavailable`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}
