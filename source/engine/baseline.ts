import {performance} from 'node:perf_hooks';
import type {TestPlan} from '../config/types.js';
import {addSnapshot, createRunTotals, type RunTotals} from '../stats/aggregate.js';
import {LoadLoop, loadHttpClient} from './load-loop.js';

/** One request of the quick baseline. */
export type BaselineSample = {
	readonly index: number;
	readonly endpoint: string;
	readonly latencyMicros: number;
	/** HTTP status, 0 for an error. */
	readonly status: number;
	readonly errorKind: string | undefined;
};

/**
 * The quick baseline: `count` sequential requests on one connection (PyStress sends 5), each
 * reported as it finishes. Runs on the calling thread: five requests need no worker.
 */
export async function runQuickBaseline(
	plan: TestPlan,
	options: {
		count: number;
		extraHeaders?: Readonly<Record<string, string>>;
		/** A 401 with a token: refresh it and resolve with the new headers. */
		refreshHeaders?: () => Promise<Readonly<Record<string, string>>>;
		onSample?: (sample: BaselineSample) => void;
		/** Aborting cancels the request in flight and ends the baseline with what it measured. */
		signal?: AbortSignal;
	},
): Promise<{totals: RunTotals; durationS: number; samples: BaselineSample[]}> {
	await loadHttpClient(plan.policy);
	const samples: BaselineSample[] = [];
	const totals = createRunTotals(plan.endpoints.length);
	let resolveDone!: () => void;
	const done = new Promise<void>(resolve => {
		resolveDone = resolve;
	});
	const loop = new LoadLoop(
		{
			endpoints: plan.endpoints,
			policy: {...plan.policy, retries: 0},
			connections: 1,
			rate: undefined,
			maxLateMs: 0,
			issued: new Int32Array(1),
			maxRequests: options.count,
			extraHeaders: options.extraHeaders ?? {},
			paused: false,
		},
		{
			onExhausted: resolveDone,
			onUnauthorized() {
				void options.refreshHeaders?.().then(headers => {
					loop.setExtraHeaders(headers);
				});
			},
			onAttempt(record) {
				const sample: BaselineSample = {
					index: samples.length,
					endpoint: record.endpoint.name,
					latencyMicros: record.latencyMicros,
					status: record.status,
					errorKind: record.errorKind,
				};
				samples.push(sample);
				options.onSample?.(sample);
			},
		},
	);
	const started = performance.now();
	const abort = (): void => {
		loop.cancelNow();
		resolveDone();
	};

	options.signal?.addEventListener('abort', abort, {once: true});
	if (options.signal?.aborted) {
		abort();
	} else {
		loop.start();
	}

	await done;
	options.signal?.removeEventListener('abort', abort);
	const durationS = (performance.now() - started) / 1000;
	addSnapshot(totals, loop.snapshot(0, 0));
	await loop.stop(0);
	return {totals, durationS, samples};
}
