import {startLateness, type AgentPlan, type StartAt} from './agents.js';

/**
 * The run arrived later than `--start-late-max` at `--start-at` and sent nothing (exit 3). The
 * front ends print the message; no report is written, so `merge` finds the agent missing.
 */
export class LateStartError extends Error {
	readonly lateMs: number;

	constructor(lateMs: number, message: string) {
		super(message);
		this.name = 'LateStartError';
		this.lateMs = lateMs;
	}
}

/** The LateStartError of a run `nowMs` finds too late for its start, or undefined when it is in time. */
export function lateStart(startAt: StartAt, agent: Pick<AgentPlan, 'index' | 'count'> | undefined, nowMs: number): LateStartError | undefined {
	const {lateMs, tooLate} = startLateness(startAt, nowMs);
	if (!tooLate) return undefined;
	const who = agent ? `agent ${agent.index} of ${agent.count}` : 'the run';
	return new LateStartError(lateMs, `${who} was ready ${(lateMs / 1000).toFixed(3)} s after --start-at ${new Date(startAt.atMs).toISOString()}, later than --start-late-max ${startAt.lateMaxMs / 1000} s; nothing was sent`);
}

/**
 * Waits until the wall clock reaches `atMs` (timers of at most a second, so a clock step is
 * followed), or until `signal` aborts.
 */
export async function waitUntil(atMs: number, signal: AbortSignal, now: () => number = Date.now): Promise<void> {
	while (!signal.aborted) {
		const waitMs = atMs - now();
		if (waitMs <= 0) return;
		// eslint-disable-next-line no-await-in-loop
		await new Promise<void>(resolve => {
			const done = (): void => {
				clearTimeout(timer);
				signal.removeEventListener('abort', done);
				resolve();
			};

			const timer = setTimeout(done, Math.min(waitMs, 1000));
			signal.addEventListener('abort', done, {once: true});
		});
	}
}
