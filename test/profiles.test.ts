import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {literalSecretPaths, maxRecentRuns, ProfileStore} from '../source/config/profiles.js';
import {settingsToFlags} from '../source/session/prepare.js';
import {runProfilesCommand} from '../source/commands/profiles.js';

function temporaryStore(): {store: ProfileStore; directory: string} {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-profiles-'));
	return {store: new ProfileStore({cwd: directory}), directory};
}

function capture(): {io: {stdout(text: string): void; stderr(text: string): void}; out: () => string; err: () => string} {
	let out = '';
	let err = '';
	return {
		io: {
			stdout(text) {
				out += text;
			},
			stderr(text) {
				err += text;
			},
		},
		out: () => out,
		err: () => err,
	};
}

describe('literal secrets', () => {
	it('finds literal secrets and lets ${VAR} references through', () => {
		expect(literalSecretPaths({
			url: 'http://127.0.0.1:8080/',
			headers: {Authorization: 'Bearer abc123', 'X-Api-Key': '${API_KEY}', Accept: 'application/json'},
			basic_auth: {username: 'alice', password: 'hunter2'},
		})).toEqual(['headers.Authorization', 'basic_auth.password']);
		expect(literalSecretPaths({headers: {Authorization: 'Bearer ${TOKEN}'}, basic_auth: {username: 'a', password: '${PASS:-x}'}})).toEqual([]);
		expect(literalSecretPaths({url: 'http://user:pw@127.0.0.1/'})).toEqual(['url']);
		expect(literalSecretPaths({url: 'http://user:${PW}@127.0.0.1/?token=${T}'})).toEqual([]);
		expect(literalSecretPaths({requests: [{url: 'http://127.0.0.1/?api_key=abc'}]})).toEqual(['requests[0].url']);
		expect(literalSecretPaths({token_acquisition: {client_secret: 's3cret'}})).toEqual(['token_acquisition.client_secret']);
	});
});

describe('profile store', () => {
	it('saves, lists, gets and removes profiles in the given directory', () => {
		const {store, directory} = temporaryStore();
		expect(store.problem).toBeUndefined();
		expect(store.path).toBe(path.join(directory, 'profiles.json'));
		const saved = store.saveProfile('api.v2', {config: {url: 'http://127.0.0.1:8080/${PATH_PART}', headers: {Authorization: 'Bearer ${TOKEN}'}}, settings: {threads: 2, connections: 20, durationMs: 30_000}, source: 'api.json'});
		expect(saved).toEqual({ok: true});
		store.saveProfile('alpha', {config: {url: 'http://127.0.0.1:1/'}, settings: {}});
		expect(store.listProfiles().map(profile => profile.name)).toEqual(['alpha', 'api.v2']);
		const profile = store.getProfile('api.v2');
		expect(profile?.config).toEqual({url: 'http://127.0.0.1:8080/${PATH_PART}', headers: {Authorization: 'Bearer ${TOKEN}'}});
		expect(profile?.settings).toEqual({threads: 2, connections: 20, durationMs: 30_000});
		expect(profile?.source).toBe('api.json');
		// The file on disk keeps references, never resolved values.
		expect(readFileSync(path.join(directory, 'profiles.json'), 'utf8')).toContain('Bearer ${TOKEN}');
		expect(store.removeProfile('alpha')).toBe(true);
		expect(store.removeProfile('alpha')).toBe(false);
		expect(new ProfileStore({cwd: directory}).listProfiles().map(item => item.name)).toEqual(['api.v2']);
	});

	it('refuses a profile holding a literal secret, naming where it is', () => {
		const {store, directory} = temporaryStore();
		const result = store.saveProfile('leaky', {config: {url: 'http://127.0.0.1/', headers: {Authorization: 'Bearer real-token-value'}}, settings: {}});
		expect(result.ok).toBe(false);
		expect(result.ok ? '' : result.message).toMatch(/headers\.Authorization holds a literal secret.*\$\{ENV_VAR\}/);
		expect(store.getProfile('leaky')).toBeUndefined();
		expect(() => readFileSync(path.join(directory, 'profiles.json'), 'utf8')).toThrow();
	});

	it('refuses bad names', () => {
		const {store} = temporaryStore();
		const result = store.saveProfile('../etc', {config: {url: 'http://127.0.0.1/'}, settings: {}});
		expect(result.ok).toBe(false);
	});

	it('keeps the last 10 recent runs, newest first, one per config', () => {
		const {store} = temporaryStore();
		for (let index = 0; index < 12; index++) {
			store.addRecent({label: `run ${index}`, at: new Date(Date.UTC(2024, 0, 1, 0, index)).toISOString(), path: `/configs/${index}.json`, settings: {threads: 1}});
		}

		store.addRecent({label: 'run 5 again', at: '2024-01-02T00:00:00.000Z', path: '/configs/5.json', settings: {}});
		const recent = store.listRecent();
		expect(recent).toHaveLength(maxRecentRuns);
		expect(recent[0]).toMatchObject({label: 'run 5 again', path: '/configs/5.json'});
		expect(recent.filter(run => run.path === '/configs/5.json')).toHaveLength(1);
		expect(recent.map(run => run.label)).not.toContain('run 0');
	});

	it('remembers an inline config with literal secrets not at all, and a file config by path only', () => {
		const {store} = temporaryStore();
		expect(store.addRecent({label: 'x', at: '', config: {url: 'http://u:pw@127.0.0.1/'}, settings: {}}).ok).toBe(false);
		store.addRecent({label: 'file', at: '', path: '/a.json', config: {url: 'http://u:pw@127.0.0.1/'}, settings: {}});
		expect(store.listRecent()).toEqual([{label: 'file', at: '', path: '/a.json', settings: {}}]);
	});

	it('reports a corrupt store in one line, behaves as empty, and does not overwrite it', () => {
		const {directory} = temporaryStore();
		const file = path.join(directory, 'profiles.json');
		writeFileSync(file, '{"profiles": {"a": ');
		const store = new ProfileStore({cwd: directory});
		expect(store.problem).toMatch(/profile store .*profiles\.json is not valid JSON .*fix or delete it/);
		expect(store.problem).not.toContain('\n');
		expect(store.listProfiles()).toEqual([]);
		expect(store.listRecent()).toEqual([]);
		expect(store.saveProfile('a', {config: {url: 'http://127.0.0.1/'}, settings: {}}).ok).toBe(false);
		expect(readFileSync(file, 'utf8')).toBe('{"profiles": {"a": ');
	});

	it('reports an unreadable store and keeps running', () => {
		const {directory} = temporaryStore();
		const file = path.join(directory, 'a-file');
		writeFileSync(file, '');
		// The store's directory cannot exist: its parent is a file (fails for root too, unlike chmod).
		const store = new ProfileStore({cwd: path.join(file, 'store')});
		expect(store.problem).toMatch(/cannot use the profile store .*ENOTDIR.*unavailable/);
		expect(store.listProfiles()).toEqual([]);
		expect(store.saveProfile('x', {config: {url: 'http://127.0.0.1/'}, settings: {}}).ok).toBe(false);
	});

	it('turns settings into flag strings that prepareRun validates', () => {
		expect(settingsToFlags({threads: 4, connections: 10, durationMs: 1500, maxRequests: 100, rate: 25.5})).toEqual({threads: '4', connections: '10', duration: '1500ms', requests: '100', rate: '25.5'});
		expect(settingsToFlags({})).toEqual({});
	});
});

describe('pystress-tui profiles', () => {
	it('lists, shows and removes profiles', () => {
		const {store} = temporaryStore();
		const empty = capture();
		expect(runProfilesCommand([], empty.io, store)).toBe(0);
		expect(empty.out()).toMatch(/No saved profiles/);
		store.saveProfile('smoke', {config: {url: 'http://127.0.0.1:8080/health', method: 'get'}, settings: {threads: 2, durationMs: 30_000}});
		store.saveProfile('shop', {config: {requests: [{url: 'http://127.0.0.1/a'}, {url: 'http://127.0.0.1/b'}], basic_auth: {username: 'u', password: '${SHOP_PASSWORD}'}}, settings: {}});
		const list = capture();
		expect(runProfilesCommand(['list'], list.io, store)).toBe(0);
		expect(list.out()).toMatch(/^name +target +settings +saved/);
		expect(list.out()).toMatch(/shop +2 endpoints +defaults/);
		expect(list.out()).toMatch(/smoke +GET http:\/\/127\.0\.0\.1:8080\/health +2 threads, 30s/);
		const show = capture();
		expect(runProfilesCommand(['show', 'shop'], show.io, store)).toBe(0);
		const shown = JSON.parse(show.out()) as {name: string; config: {basic_auth: {password: string}}};
		expect(shown.name).toBe('shop');
		expect(shown.config.basic_auth.password).toBe('${SHOP_PASSWORD}');
		const missing = capture();
		expect(runProfilesCommand(['show', 'nope'], missing.io, store)).toBe(1);
		expect(missing.err()).toMatch(/no profile "nope" \(saved: shop, smoke\)/);
		const remove = capture();
		expect(runProfilesCommand(['rm', 'smoke'], remove.io, store)).toBe(0);
		expect(remove.out()).toMatch(/Removed profile "smoke"/);
		expect(store.listProfiles().map(profile => profile.name)).toEqual(['shop']);
		const usage = capture();
		expect(runProfilesCommand(['rm'], usage.io, store)).toBe(2);
		expect(usage.err()).toMatch(/usage: pystress-tui profiles/);
		expect(runProfilesCommand(['frobnicate'], capture().io, store)).toBe(2);
	});

	it('fails with the store problem when the store is corrupt', () => {
		const {directory} = temporaryStore();
		writeFileSync(path.join(directory, 'profiles.json'), 'not json');
		const output = capture();
		expect(runProfilesCommand(['list'], output.io, new ProfileStore({cwd: directory}))).toBe(1);
		expect(output.err()).toMatch(/not valid JSON/);
	});
});
