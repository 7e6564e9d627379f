import type {Engine} from '../engine/engine.js';
import type {RunMarker, TimelinePoint} from '../stats/timeline.js';
import type {DashboardAction} from './state/dashboard-state.js';
import {collectFrame, type EngineView} from './state/live-frame.js';

/** How often the dashboard re-renders while a test runs: once a second, when the timeline moves (keys re-render at once). */
export const frameIntervalMs = 1000;

export type FollowedEngine = EngineView & Pick<Engine, 'subscribe' | 'timeline' | 'markers'>;

/** Timers, injectable for tests. */
export type FrameTimers = {
	readonly setInterval: (callback: () => void, ms: number) => unknown;
	readonly clearInterval: (handle: unknown) => void;
};

const realTimers: FrameTimers = {
	setInterval: (callback, ms) => setInterval(callback, ms),
	clearInterval(handle) {
		clearInterval(handle as NodeJS.Timeout);
	},
};

/**
 * Follows an engine at a bounded frame rate: engine events only mark the view dirty (and queue
 * timeline points and markers); a timer dispatches at most one frame per interval. Never renders
 * per event, so a busy engine cannot make the UI steal the workers' CPU. Returns the unfollow.
 */
export function followEngine(engine: FollowedEngine, dispatch: (action: DashboardAction) => void, intervalMs = frameIntervalMs, timers: FrameTimers = realTimers): () => void {
	let dirty = true;
	const points: TimelinePoint[] = [];
	const markers: RunMarker[] = [];
	dispatch({type: 'dashboard-reset', points: [...engine.timeline], markers: [...engine.markers]});
	const unsubscribe = engine.subscribe(event => {
		switch (event.type) {
			case 'second': {
				points.push(event.point);
				dirty = true;
				break;
			}

			case 'marker': {
				markers.push(event.marker);
				dirty = true;
				break;
			}

			case 'update':
			case 'state': {
				dirty = true;
				break;
			}

			case 'error': {
				break;
			}
		}
	});
	const flush = (): void => {
		if (!dirty) return;
		dirty = false;
		dispatch({type: 'frame', frame: collectFrame(engine), points: points.splice(0), markers: markers.splice(0)});
	};

	flush();
	const timer = timers.setInterval(flush, intervalMs);
	return () => {
		unsubscribe();
		timers.clearInterval(timer);
		flush();
	};
}
