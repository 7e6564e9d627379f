/**
 * BENCH_BASE=REV: that revision of pystress-tui, built in a temporary git worktree (sharing this
 * checkout's node_modules), to run beside this build.
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, symlinkSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Builds `revision` with its own `npm run build` (so a bundled revision gets its bundle and its
 * launcher, as the installed command runs); returns its `dist/cli.js`.
 */
export function buildRevision(revision: string): string {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-bench-base-'));
	execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', directory, revision], {stdio: 'ignore'});
	symlinkSync(path.join(root, 'node_modules'), path.join(directory, 'node_modules'));
	execFileSync('npm', ['run', '--silent', 'build'], {cwd: directory, stdio: 'inherit'});
	return path.join(directory, 'dist/cli.js');
}

/** Removes the worktree `buildRevision` made for `cli`. */
export function removeRevision(cli: string): void {
	execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', path.dirname(path.dirname(cli))], {stdio: 'ignore'});
}
