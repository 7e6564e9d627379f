import type {BaselineSample} from '../../engine/baseline.js';
import type {BaselineReport} from '../../report/types.js';

/** Progress of the baselines, as the Session reports it. */
export type BaselineState = {
	/** Requests in the quick baseline (0: skipped). */
	readonly quickCount: number;
	readonly samples: readonly BaselineSample[];
	readonly quick: BaselineReport | undefined;
	/** Extended baseline length (s); 0 when there is none. */
	readonly extendedTotalS: number;
	readonly extendedProgress: {readonly elapsedS: number; readonly requests: number; readonly p50Ms: number; readonly p99Ms: number} | undefined;
	readonly extended: BaselineReport | undefined;
};

export type BaselineAction =
	| {readonly type: 'baseline-reset'; readonly quickCount: number; readonly extendedMs: number | undefined}
	| {readonly type: 'baseline-sample'; readonly sample: BaselineSample}
	| {readonly type: 'baseline-progress'; readonly elapsedS: number; readonly totalS: number; readonly requests: number; readonly p50Ms: number; readonly p99Ms: number}
	| {readonly type: 'baseline-done'; readonly kind: 'quick' | 'extended'; readonly baseline: BaselineReport};

export const initialBaseline: BaselineState = {quickCount: 0, samples: [], quick: undefined, extendedTotalS: 0, extendedProgress: undefined, extended: undefined};

/** Samples kept for display (the quick baseline is a handful of requests). */
const maxSamples = 50;

export function baselineReducer(state: BaselineState, action: BaselineAction): BaselineState {
	switch (action.type) {
		case 'baseline-reset': {
			return {...initialBaseline, quickCount: action.quickCount, extendedTotalS: (action.extendedMs ?? 0) / 1000};
		}

		case 'baseline-sample': {
			return {...state, samples: [...state.samples, action.sample].slice(-maxSamples)};
		}

		case 'baseline-progress': {
			const {elapsedS, totalS, requests, p50Ms, p99Ms} = action;
			return {...state, extendedTotalS: totalS, extendedProgress: {elapsedS, requests, p50Ms, p99Ms}};
		}

		case 'baseline-done': {
			return action.kind === 'quick' ? {...state, quick: action.baseline} : {...state, extended: action.baseline};
		}
	}
}
