#!/usr/bin/env node
/**
 * Before `npm test` (the `pretest` script): makes sure the system programs the tests run, which npm
 * does not bring, are there. Missing ones are installed with apt-get when it can (root and apt-get
 * present); otherwise it stops with one line naming what to install, before any test runs.
 * Silent, and a few milliseconds, when everything is present (it only looks at files).
 *
 * `--bench` checks what `npm run bench` needs instead (GNU time; nginx as the target; wrk as the
 * reference client of the CPU, body and latency cases; h2load, optional, the h2 case's reference;
 * a C compiler and the C library headers, optional, for the body case's C reader).
 * An optional need is installed like the others when it can be; when it cannot, one line says so
 * and the rest goes on (the case that uses it runs without its reference).
 *
 * Plain Node on purpose: it runs before the build and before tsx is involved.
 */
import {spawnSync} from 'node:child_process';
import {accessSync, constants, existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';

/**
 * What the tests run, where they look for it, and the Debian package that brings it.
 * `paths`: absolute paths of programs a test uses as they are; `command`: looked up on PATH;
 * `files`: other files that must be there (headers).
 */
const testNeeds = [
	// test/helpers/chromium.ts: CHROMIUM_PATH, else /usr/bin/chromium (HTML report tests).
	{name: 'chromium', paths: [process.env.CHROMIUM_PATH || '/usr/bin/chromium'], apt: 'chromium'},
	// test/helpers/tmux.ts: /usr/bin/tmux (TUI end-to-end tests).
	{name: 'tmux', paths: ['/usr/bin/tmux'], apt: 'tmux'},
	// test/tui-e2e.test.ts finds the CLI under the pane's shell with pgrep.
	{name: 'pgrep', command: 'pgrep', apt: 'procps'},
	// test/fd-limit.test.ts, test/report-write.test.ts and source/session/fd-limit.ts.
	{name: 'prlimit', paths: ['/usr/bin/prlimit'], command: 'prlimit', apt: 'util-linux'},
	// test/report-write.test.ts: FIFOs and their readers.
	{name: 'mkfifo', command: 'mkfifo', apt: 'coreutils'},
	{name: 'cat', command: 'cat', apt: 'coreutils'},
	{name: 'sleep', command: 'sleep', apt: 'coreutils'},
	{name: 'sh', command: 'sh', apt: 'dash'},
	// test/startup.test.ts compares --single-request's connect time with curl's time_connect.
	{name: 'curl', command: 'curl', apt: 'curl'},
	// test/tls-network.test.ts makes its test CA, server and client certificates with openssl.
	{name: 'openssl', command: 'openssl', apt: 'openssl'},
	// test/completion.test.ts runs the generated scripts in each shell; test/import.test.ts compares with curl.
	{name: 'bash', command: 'bash', apt: 'bash'},
	{name: 'zsh', command: 'zsh', apt: 'zsh'},
	{name: 'fish', command: 'fish', apt: 'fish'},
];

/** What `npm run bench` runs (test/bench/run.ts, test/bench/nginx.ts, test/bench/cases/). */
const benchNeeds = [
	{name: 'GNU time', paths: ['/usr/bin/time'], apt: 'time'},
	{name: 'nginx', paths: ['/usr/sbin/nginx', '/usr/bin/nginx'], any: true, apt: 'nginx-light'},
	// test/bench/tools.ts: the reference client (cases cpu, body, latency).
	{name: 'wrk', paths: ['/usr/bin/wrk'], command: 'wrk', apt: 'wrk'},
	// test/bench/cases/h2.ts: the HTTP/2 reference client (nghttp2's h2load).
	{name: 'h2load', command: 'h2load', apt: 'nghttp2-client', optional: true},
	// test/bench/c-reader.c: the body case's C reader, built with the system's compiler.
	{name: 'a C compiler', command: 'cc', apt: 'gcc', optional: true},
	// gcc only recommends the C library's headers, and apt here installs no recommendations.
	{name: 'the C library headers', files: ['/usr/include/stdio.h'], apt: 'libc6-dev', optional: true},
];

const bench = process.argv.includes('--bench');
const needs = bench ? benchNeeds : testNeeds;
const what = bench ? 'npm run bench' : 'npm test';

function isExecutable(file) {
	try {
		accessSync(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

function onPath(command) {
	return (process.env.PATH ?? '').split(path.delimiter).some(directory => directory !== '' && isExecutable(path.join(directory, command)));
}

function isPresent(need) {
	const paths = need.paths ?? [];
	const pathsOk = paths.length === 0 || (need.any ? paths.some(file => isExecutable(file)) : paths.every(file => isExecutable(file)));
	return pathsOk && (need.files ?? []).every(file => existsSync(file)) && (need.command === undefined || onPath(need.command));
}

function missingNeeds() {
	return needs.filter(need => !isPresent(need));
}

/** True on Ubuntu and its derivatives, whose `chromium` package is only a stub that installs a snap. */
function isUbuntu() {
	try {
		const release = readFileSync('/etc/os-release', 'utf8');
		return /^(ID|ID_LIKE)=.*\bubuntu\b/m.test(release);
	} catch {
		return false;
	}
}

/** "a", "a and b", "a, b and c". */
function list(words) {
	return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

const unique = words => [...new Set(words)];

/** The one line that says what to do, and a non-zero exit before any test runs. */
function stop(missing, aptFailure) {
	const chromiumByPath = missing.some(need => need.name === 'chromium') && process.env.CHROMIUM_PATH;
	const chromiumOnUbuntu = missing.some(need => need.name === 'chromium') && !chromiumByPath && isUbuntu();
	const aptPackages = unique(missing.filter(need => need.name !== 'chromium' || (!chromiumByPath && !chromiumOnUbuntu)).map(need => need.apt));
	const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
	const steps = [];
	if (aptPackages.length > 0) {
		steps.push(onPath('apt-get') ? `run "${sudo}apt-get install ${aptPackages.join(' ')}"` : `install them with your package manager (Debian/Ubuntu: "apt-get install ${aptPackages.join(' ')}")`);
	}

	let retry = 'try again';
	if (chromiumByPath) {
		steps.push(`point CHROMIUM_PATH at an existing Chromium or Chrome (${process.env.CHROMIUM_PATH} is not an executable file)`);
	} else if (chromiumOnUbuntu) {
		steps.push('install Google Chrome or a Chromium that is not a snap (Ubuntu\'s chromium package is only a snap, which cannot read the tests\' files in /tmp)');
		retry = 'run "CHROMIUM_PATH=/usr/bin/google-chrome npm test" (the path of that browser)';
	}

	const failed = aptFailure ? ` (apt-get failed: ${aptFailure})` : '';
	process.stderr.write(`${what} needs ${list(missing.map(need => need.name))}${failed}: ${steps.join(', then ')}${steps.length > 1 ? ',' : ''} and ${retry}\n`);
	process.exit(1);
}

/** The last line apt-get printed that says what went wrong. */
function aptError(result) {
	const lines = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.split('\n').map(line => line.trim()).filter(Boolean);
	return lines.findLast(line => /^(E:|Err:)/.test(line)) ?? lines.at(-1) ?? result.error?.message ?? `exit code ${result.status}`;
}

function apt(args) {
	return spawnSync('apt-get', ['-q', ...args], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'},
		maxBuffer: 64 * 1024 * 1024,
	});
}

const missing = missingNeeds();
if (missing.length === 0) {
	process.exit(0);
}

/** Optional needs that are still missing: one line each, and on. */
function without(missing, aptFailure) {
	const optional = missing.filter(need => need.optional);
	for (const need of optional) {
		process.stderr.write(`${what}: ${need.name} is missing and could not be installed${aptFailure ? ` (apt-get failed: ${aptFailure})` : ''} ("apt-get install ${need.apt}" brings it); going on without it\n`);
	}

	return missing.filter(need => !need.optional);
}

const installable = missing.filter(need => !(need.name === 'chromium' && (process.env.CHROMIUM_PATH || isUbuntu())));
if (installable.length === 0 || process.getuid?.() !== 0 || !onPath('apt-get')) {
	const required = without(missing);
	if (required.length === 0) process.exit(0);
	stop(required);
}

const packages = unique(installable.map(need => need.apt));
process.stderr.write(`${what}: installing ${packages.join(' ')} with apt-get (needed for ${list(installable.map(need => need.name))}; done once)\n`);
const started = Date.now();
// A failed update (one unreachable source among several) need not stop the install: its error is told only when the install fails.
const update = apt(['update']);
// The required packages in one transaction, the optional ones in another: one that cannot be had must not keep the rest out.
let failure;
for (const batch of [installable.filter(need => !need.optional), installable.filter(need => need.optional)]) {
	if (batch.length === 0) continue;
	const install = apt(['install', '-y', '--no-install-recommends', ...unique(batch.map(need => need.apt))]);
	if (install.status !== 0) failure ??= update.status === 0 ? aptError(install) : `${aptError(install)}; apt-get update: ${aptError(update)}`;
}

const stillMissing = without(missingNeeds(), failure);
if (stillMissing.length > 0) {
	stop(stillMissing, failure);
}

const installed = packages.filter(name => !missingNeeds().some(need => need.apt === name));
process.stderr.write(`${what}: installed ${installed.join(' ')} in ${Math.round((Date.now() - started) / 1000)} s\n`);
