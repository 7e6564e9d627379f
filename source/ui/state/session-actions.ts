import type {SessionEvent} from '../../session/session.js';
import type {AppAction} from './app-state.js';

/** The app action for a session event (pure; the controller also keeps the engine of `load-start`). */
export function sessionAction(event: SessionEvent): AppAction {
	switch (event.type) {
		case 'phase': {
			return {type: 'phase', phase: event.phase};
		}

		case 'baseline-sample': {
			return {type: 'baseline-sample', sample: event.sample};
		}

		case 'baseline-progress': {
			const {elapsedS, totalS, requests, p50Ms, p99Ms} = event;
			return {type: 'baseline-progress', elapsedS, totalS, requests, p50Ms, p99Ms};
		}

		case 'baseline-done': {
			return {type: 'baseline-done', kind: event.kind, baseline: event.baseline};
		}

		case 'load-start': {
			// A new state object: the App re-renders and its frame hook attaches to the engine.
			return {type: 'dashboard-reset'};
		}

		case 'error': {
			return {type: 'message', text: event.message, level: 'error'};
		}
	}
}
