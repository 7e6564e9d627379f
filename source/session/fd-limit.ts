import {execFileSync} from 'node:child_process';
import {readdirSync, readFileSync, realpathSync} from 'node:fs';
import path from 'node:path';
import type {RunSettings} from '../config/types.js';

/**
 * File descriptors a run needs besides its connections. Measured on Linux (Node 20, socket client,
 * `ls /proc/PID/fd` during a run): about 20 open before the workers start (stdio, the event loop,
 * the V8 platform) and 5 more per worker thread (its event loop, its message port), one more with
 * a request log. The check counts what is open when it runs, 8 per thread and a margin of 32 (the
 * quick baseline, the token client, the report files, DNS).
 */
export const fdsPerThread = 8;
export const fdMargin = 32;

/** The soft and hard RLIMIT_NOFILE (Infinity for "unlimited"). */
export type FdLimits = {readonly soft: number; readonly hard: number};

/** What the check reads and does; injected in tests. */
export type FdProbe = {
	/** The limits, or undefined where they cannot be read (not Linux): the check is skipped. */
	readonly limits: () => FdLimits | undefined;
	/** Descriptors open now. */
	readonly openCount: () => number;
	/** Raises the soft limit to `soft`; false when that is not possible (no prlimit, not allowed). */
	readonly raise: (soft: number) => boolean;
};

/** The run cannot get the descriptors its connections need: exit 2 before it starts. */
export class FdLimitError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FdLimitError';
	}
}

export type FdCheck = {
	readonly needed: number;
	readonly limits: FdLimits;
	/** The soft limit it was raised to, when it was. */
	readonly raisedTo?: number;
};

/** The most connections a run may hold: the pool, its open-model growth, or a stage's target. */
export function peakConnections(settings: RunSettings): number {
	const stageTargets = settings.rate === undefined ? (settings.stages ?? []).map(stage => Math.ceil(stage.target)) : [];
	return Math.max(settings.connections, settings.maxConnections ?? 0, ...stageTargets);
}

/** Descriptors a run needs: its peak connections, what is open now, per-thread costs and a margin. */
export function fdsNeeded(settings: RunSettings, openNow: number): number {
	return peakConnections(settings) + openNow + (settings.threads * fdsPerThread) + fdMargin;
}

/**
 * Makes room for the run's connections under RLIMIT_NOFILE: raises the soft limit to the hard limit
 * when the connections need more than the soft limit (Node already does so at start-up on Linux;
 * a parent may have lowered it since, or Node may not have managed), and throws FdLimitError, one
 * line naming `ulimit -n` and the numbers, when they still do not fit. Returns undefined where the
 * limits cannot be read.
 */
export function ensureFdLimit(settings: RunSettings, probe: FdProbe = systemFdProbe): FdCheck | undefined {
	const limits = probe.limits();
	if (!limits) {
		return undefined;
	}

	const needed = fdsNeeded(settings, probe.openCount());
	if (needed <= limits.soft) {
		return {needed, limits};
	}

	if (needed <= limits.hard && Number.isFinite(limits.hard) && probe.raise(limits.hard)) {
		return {needed, limits, raisedTo: limits.hard};
	}

	const connections = peakConnections(settings);
	const raiseFailed = needed <= limits.hard ? ' and it could not be raised (prlimit failed or is missing)' : '';
	throw new FdLimitError(`${connections} ${connections === 1 ? 'connection needs' : 'connections need'} about ${needed} file descriptors but the limit is ${limits.soft} (hard ${limits.hard})${raiseFailed}; raise it with "ulimit -n ${suggestedLimit(needed)}" or use fewer connections`);
}

/** A round figure to suggest: the next power of two at or above `needed` (at least 1024). */
export function suggestedLimit(needed: number): number {
	let limit = 1024;
	while (limit < needed) limit *= 2;
	return limit;
}

/** Parses the "Max open files" line of /proc/PID/limits. */
export function parseFdLimits(text: string): FdLimits | undefined {
	const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
	if (!match) {
		return undefined;
	}

	const value = (field: string): number => (field === 'unlimited' ? Number.POSITIVE_INFINITY : Number(field));
	const limits = {soft: value(match[1]!), hard: value(match[2]!)};
	return Number.isNaN(limits.soft) || Number.isNaN(limits.hard) ? undefined : limits;
}

/** Linux: /proc/self/limits, /proc/self/fd, and prlimit(1) from util-linux (Node has no setrlimit). */
export const systemFdProbe: FdProbe = {
	limits() {
		try {
			return parseFdLimits(readFileSync('/proc/self/limits', 'utf8'));
		} catch {
			return undefined;
		}
	},
	openCount() {
		try {
			// Less the one this listing itself holds open.
			return readdirSync('/proc/self/fd').length - 1;
		} catch {
			return 0;
		}
	},
	raise(soft) {
		try {
			const pid = path.basename(realpathSync('/proc/self'));
			execFileSync('prlimit', ['--pid', pid, `--nofile=${soft}:${soft}`], {stdio: 'ignore', timeout: 5000});
			const raised = systemFdProbe.limits();
			return raised !== undefined && raised.soft >= soft;
		} catch {
			return false;
		}
	},
};
