import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {envVariable} from '../source/commands/env-flags.js';
import {flagDefinitions} from '../source/commands/flags.js';
import {rootDir, runCli} from './helpers/cli.js';

const has = (shell: string): boolean => spawnSync(shell, ['--version']).status === 0;
const kebab = (key: string): string => key.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);

/** A directory with files of each kind the scripts complete. */
function workspace(): string {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-completion-'));
	for (const name of ['a.json', 'b.json', 'shop.har', 'notes.txt']) writeFileSync(path.join(directory, name), '{}');
	mkdirSync(path.join(directory, 'runs'));
	return directory;
}

async function script(shell: string): Promise<string> {
	const result = await runCli(['completion', shell]);
	expect(result.code, result.stderr).toBe(0);
	return result.stdout;
}

/** The sub-commands, as cli.tsx's own table lists them in its unknown-command message. */
async function cliCommands(): Promise<string[]> {
	const result = await runCli(['no-such-command']);
	expect(result.code).toBe(2);
	return /commands are ([^(]+) \(see --help\)/.exec(result.stderr)![1]!.split(', ');
}

describe('completion bash: the script sourced in a real bash, its function called as bash calls it', () => {
	/** Each line: the words (the last one being completed) and what bash offers, sorted. */
	function complete(scriptText: string, cases: readonly string[][], cwd: string): string[][] {
		const file = path.join(cwd, '..', `${path.basename(cwd)}.bash`);
		writeFileSync(file, scriptText);
		const calls = cases.map(words => `t ${words.map(word => `'${word}'`).join(' ')}`).join('\n');
		const program = `source '${file}'\nt() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _pystress_tui; printf '%s\\n' "$(printf '%s\\n' "\${COMPREPLY[@]}" | sort | tr '\\n' ' ')"; }\n${calls}\n`;
		const result = spawnSync('bash', ['--norc', '--noprofile', '-c', program], {cwd, encoding: 'utf8'});
		expect(result.status, result.stderr).toBe(0);
		return result.stdout.trimEnd().split('\n').map(line => line.trim().split(' ').filter(Boolean));
	}

	it('completes sub-commands, their arguments, flag values and every flag', async () => {
		const cwd = workspace();
		const commands = await cliCommands();
		const [subCommands, config, httpClient, report, merge, importKinds, har, shells, profiles, cpuProf, allFlags, noB, afterFlags] = complete(await script('bash'), [
			['pystress-tui', ''],
			['pystress-tui', '--config', ''],
			['pystress-tui', '--http-client', ''],
			['pystress-tui', '-c', '10', 'report', ''],
			['pystress-tui', 'merge', 'a.json', ''],
			['pystress-tui', 'import', ''],
			['pystress-tui', 'import', 'har', ''],
			['pystress-tui', 'completion', ''],
			['pystress-tui', 'profiles', ''],
			['pystress-tui', '--cpu-prof', ''],
			['pystress-tui', '--'],
			['pystress-tui', '--no-b'],
			['pystress-tui', '--url', 'http://x/', '-d', '5', 'com'],
		], cwd);
		// The sub-commands are cli.tsx's.
		expect(subCommands).toStrictEqual([...commands].sort());
		expect(config).toStrictEqual(['a.json', 'b.json', 'runs']);
		expect(httpClient).toStrictEqual(['socket', 'undici']);
		expect(report).toStrictEqual(['a.json', 'b.json', 'runs']);
		expect(merge).toStrictEqual(['a.json', 'b.json', 'runs']);
		expect(importKinds).toStrictEqual(['curl', 'har']);
		expect(har).toStrictEqual(['runs', 'shop.har']);
		expect(shells).toStrictEqual(['bash', 'fish', 'zsh']);
		expect(profiles).toStrictEqual(['list', 'rm', 'show']);
		expect(cpuProf).toStrictEqual(['runs']);
		// Every flag of flags.ts, by its long name (booleans on by default as --no-NAME too).
		for (const [key, shape] of Object.entries(flagDefinitions)) {
			expect(allFlags, key).toContain(`--${kebab(key)}`);
			if (shape.type === 'boolean' && 'default' in shape && shape.default) expect(allFlags).toContain(`--no-${kebab(key)}`);
		}

		expect(noB).toStrictEqual(['--no-baseline']);
		// Flags and their values before the sub-command are skipped.
		expect(afterFlags).toStrictEqual(['compare', 'completion']);
	});
});

describe('completion zsh and fish', () => {
	it.runIf(has('zsh'))('zsh: the script parses (zsh -n) and registers its function with compinit', async () => {
		const file = path.join(workspace(), '_pystress-tui');
		writeFileSync(file, await script('zsh'));
		expect(spawnSync('zsh', ['-n', file], {encoding: 'utf8'}).status).toBe(0);
		const loaded = spawnSync('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -d ${path.dirname(file)}/.zcompdump && source ${file} && print -r -- $_comps[pystress-tui]`], {encoding: 'utf8'});
		expect(loaded.stderr).toBe('');
		expect(loaded.stdout.trim()).toBe('_pystress_tui');
	});

	it.runIf(has('fish'))('fish: the script parses (fish -n) and fish completes from it (complete -C)', async () => {
		const cwd = workspace();
		const file = path.join(cwd, 'pystress-tui.fish');
		writeFileSync(file, await script('fish'));
		expect(spawnSync('fish', ['-n', file]).status).toBe(0);
		const ask = (line: string): string[] => {
			const result = spawnSync('fish', ['--no-config', '-c', `source ${file}; complete -C ${JSON.stringify(line)}`], {cwd, encoding: 'utf8'});
			expect(result.status, result.stderr).toBe(0);
			return result.stdout.trimEnd().split('\n').map(entry => entry.split('\t')[0]!);
		};

		expect(ask('pystress-tui ').sort()).toStrictEqual((await cliCommands()).sort());
		expect(ask('pystress-tui --http-client ')).toStrictEqual(['socket', 'undici']);
		expect(ask('pystress-tui completion ').sort()).toStrictEqual(['bash', 'fish', 'zsh']);
		expect(ask('pystress-tui --no-b')).toStrictEqual(['--no-baseline']);
		// fish's own __fish_complete_suffix lists the matching files first, then the rest.
		expect(ask('pystress-tui --config ').slice(0, 2)).toStrictEqual(['a.json', 'b.json']);
		expect(ask('pystress-tui import har ')[0]).toBe('shop.har');
	});

	it('an unknown shell is one line, exit 2', async () => {
		const result = await runCli(['completion', 'tcsh']);
		expect(result.code).toBe(2);
		expect(result.stderr.trim()).toBe('command line: completion: "tcsh" is not a shell it writes for; write pystress-tui completion bash, zsh or fish');
	});
});

describe('--help and --version', () => {
	it('--help lists every flag of flags.ts and every PYSTRESS_ variable', async () => {
		const result = await runCli(['--help']);
		expect(result.code).toBe(0);
		for (const [key, shape] of Object.entries(flagDefinitions)) {
			const name = shape.type === 'boolean' && 'default' in shape && shape.default ? `--no-${kebab(key)}` : `--${kebab(key)}`;
			expect(result.stdout, key).toMatch(new RegExp(`^ {4}(-\\w, )?${name}\\b`, 'm'));
			expect(result.stdout, key).toMatch(new RegExp(`\\b${envVariable(key)}\\b`));
		}

		for (const command of await cliCommands()) expect(result.stdout).toContain(`$ pystress-tui ${command}`);
	});

	it('--version prints package.json\'s version and exits 0', async () => {
		const {version} = JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8')) as {version: string};
		const result = await runCli(['--version']);
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe(version);
	});
});
