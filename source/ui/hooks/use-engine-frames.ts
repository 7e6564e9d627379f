import {useEffect} from 'react';
import {followEngine, frameIntervalMs, type FollowedEngine} from '../engine-frames.js';
import type {DashboardAction} from '../state/dashboard-state.js';

/** Follows the engine while it is given, dispatching at most one frame per interval (see followEngine). */
export default function useEngineFrames(engine: FollowedEngine | undefined, dispatch: (action: DashboardAction) => void, intervalMs = frameIntervalMs): void {
	useEffect(() => (engine ? followEngine(engine, dispatch, intervalMs) : undefined), [engine, dispatch, intervalMs]);
}
