import {execFileSync} from 'node:child_process';
import {existsSync, rmSync} from 'node:fs';
import {sleep, waitFor} from './wait.js';

export const tmuxPath = '/usr/bin/tmux';
export const hasTmux = existsSync(tmuxPath);

/** A program in a real pseudo-terminal: a detached tmux session on its own server socket. */
export type Pane = {
	/** The screen as text (`escapes`: with colour and style codes). */
	capture(escapes?: boolean): string;
	/** Sends keys as tmux names them (`p`, `Enter`, `C-c`) or, with `literal`, as text. */
	send(keys: string, literal?: boolean): void;
	resize(columns: number, rows: number): void;
	/** Process id of the pane's shell. */
	shellPid(): number;
	/** Waits until the screen matches; the error shows the last screen. */
	waitFor(pattern: RegExp, what: string, timeoutMs?: number): Promise<void>;
	kill(): void;
};

/** Starts `command` (a shell command line) in a new tmux session of `columns` x `rows`. */
export function startPane(command: string, options: {columns: number; rows: number; cwd: string; env?: Record<string, string>}): Pane {
	const socket = `pystress-${process.pid}-${Date.now().toString(36)}`;
	const tmux = (...args: string[]): string => execFileSync(tmuxPath, ['-L', socket, ...args], {encoding: 'utf8', timeout: 10_000});
	const environment = Object.entries(options.env ?? {}).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
	tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', String(options.columns), '-y', String(options.rows), '-c', options.cwd, ...environment, command);
	tmux('set-option', '-t', 'main', 'remain-on-exit', 'on');
	const socketPath = tmux('display-message', '-p', '-t', 'main', '#{socket_path}').trim();
	const pane: Pane = {
		capture(escapes = false) {
			return tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'main');
		},
		send(keys, literal = false) {
			tmux('send-keys', '-t', 'main', ...(literal ? ['-l'] : []), keys);
		},
		shellPid() {
			return Number(tmux('list-panes', '-t', 'main', '-F', '#{pane_pid}').trim());
		},
		resize(columns, rows) {
			tmux('resize-window', '-t', 'main', '-x', String(columns), '-y', String(rows));
		},
		async waitFor(pattern, what, timeoutMs = 20_000) {
			let screen = '';
			await waitFor(() => {
				screen = pane.capture();
				return pattern.test(screen);
			}, what, timeoutMs).catch((error: unknown) => {
				throw new Error(`${(error as Error).message}; the screen was:\n${screen}`);
			});
		},
		kill() {
			try {
				tmux('kill-server');
			} catch {}

			if (socketPath !== '') rmSync(socketPath, {force: true});
		},
	};
	return pane;
}

/** Quotes a word for the shell. */
export function shellQuote(word: string): string {
	return `'${word.replaceAll('\'', '\'\\\'\'')}'`;
}

/**
 * Shell words that write the exit code of what ran before them to `file`, whole or not at all (a
 * redirection creates the file before `echo` writes it, and a test polling for the file could
 * read it empty): `cmd; ${writeExitCode(file)}`.
 */
export function writeExitCode(file: string): string {
	return `echo $? > ${shellQuote(`${file}.tmp`)} && mv ${shellQuote(`${file}.tmp`)} ${shellQuote(file)}`;
}

/**
 * In the TUI's config picker: filters by `text` (one match expected), checks the preview with
 * `preview` when given, chooses it, and starts the run from the settings screen with Enter.
 */
export async function pickAndStart(pane: Pane, text: string, preview?: RegExp): Promise<void> {
	pane.send('/');
	pane.send(text, true);
	await pane.waitFor(new RegExp(`filter "${text}": 1 of`), 'the filtered list');
	if (preview) await pane.waitFor(preview, 'the preview');
	// Enter ends the filter, a second Enter chooses the config, a third starts it from the settings.
	pane.send('Enter');
	await sleep(300);
	pane.send('Enter');
	await pane.waitFor(/Worker threads/, 'the settings screen');
	pane.send('Enter');
}
