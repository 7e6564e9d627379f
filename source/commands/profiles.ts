import {formatDuration} from '../config/duration.js';
import {openProfileStore, type Profile, type ProfileSettings, type ProfileStore} from '../config/profiles.js';
import {redactSecrets} from '../config/redact.js';
import {formatRate, table} from '../report/format.js';
import type {Command} from './context.js';

export type CommandIo = {
	stdout(text: string): void;
	stderr(text: string): void;
};

const usage = 'usage: pystress-tui profiles [list | show NAME | rm NAME]';

/** `pystress-tui profiles [list|show NAME|rm NAME]`: manages saved profiles. Returns the exit code. */
export function runProfilesCommand(args: readonly string[], io: CommandIo, store: ProfileStore = openProfileStore()): number {
	const [action = 'list', name, ...extra] = args;
	if (store.problem) {
		io.stderr(`pystress-tui: ${store.problem}\n`);
		return 1;
	}

	if (extra.length > 0 || (action === 'list' && name !== undefined)) {
		io.stderr(`${usage}\n`);
		return 2;
	}

	switch (action) {
		case 'list':
		case 'ls': {
			const profiles = store.listProfiles();
			if (profiles.length === 0) {
				io.stdout(`No saved profiles${store.path ? ` in ${store.path}` : ''}. Save one with --save-profile NAME, or P in the TUI.\n`);
				return 0;
			}

			io.stdout(`${table([['name', 'target', 'settings', 'saved'], ...profiles.map(profile => [profile.name, describeTarget(profile.config), describeSettings(profile.settings), profile.savedAt.slice(0, 16).replace('T', ' ')])], '')}\n`);
			return 0;
		}

		case 'show':
		case 'rm':
		case 'remove': {
			if (name === undefined) {
				io.stderr(`${usage}\n`);
				return 2;
			}

			const profile = store.getProfile(name);
			if (!profile) {
				io.stderr(`pystress-tui: no profile "${name}"${suggestions(store.listProfiles())}\n`);
				return 1;
			}

			if (action === 'show') {
				io.stdout(`${JSON.stringify(redactSecrets(profile), undefined, 2)}\n`);
				return 0;
			}

			if (!store.removeProfile(name)) {
				io.stderr(`pystress-tui: profile "${name}" could not be removed${store.problem ? `: ${store.problem}` : ''}\n`);
				return 1;
			}

			io.stdout(`Removed profile "${name}".\n`);
			return 0;
		}

		default: {
			io.stderr(`pystress-tui: unknown profiles action "${action}"\n${usage}\n`);
			return 2;
		}
	}
}

function suggestions(profiles: readonly Profile[]): string {
	return profiles.length === 0 ? ' (no profiles saved)' : ` (saved: ${profiles.map(profile => profile.name).join(', ')})`;
}

/** `GET http://host/path` or `3 endpoints`, from a raw config. */
export function describeTarget(config: Record<string, unknown>): string {
	const test = isRecord(config['stress_test']) ? config['stress_test'] : config;
	if (Array.isArray(test['requests'])) {
		return `${test['requests'].length} endpoints`;
	}

	const method = typeof test['method'] === 'string' ? test['method'].toUpperCase() : 'GET';
	return typeof test['url'] === 'string' ? `${method} ${test['url']}` : '(no url)';
}

/** `4 threads, 50 connections, 30s, rate 200/s` (only what is set). */
export function describeSettings(settings: ProfileSettings): string {
	const parts = [
		settings.threads === undefined ? undefined : `${settings.threads} threads`,
		settings.connections === undefined ? undefined : `${settings.connections} connections`,
		settings.durationMs === undefined ? undefined : formatDuration(settings.durationMs),
		settings.maxRequests === undefined ? undefined : `${settings.maxRequests} requests`,
		settings.rate === undefined ? undefined : `rate ${formatRate(settings.rate)}/s`,
		settings.baselineDurationMs === undefined ? undefined : `baseline ${formatDuration(settings.baselineDurationMs)}`,
	].filter(part => part !== undefined);
	return parts.length === 0 ? 'defaults' : parts.join(', ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The `profiles` sub-command. */
export const profilesCommand: Command = {
	takesArguments: true,
	async run({args, io}) {
		return runProfilesCommand(args, io);
	},
};
