import {describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import type {EngineEvent} from '../source/engine/engine.js';
import {createRunTotals} from '../source/stats/aggregate.js';
import {createHistogram, recordMicros} from '../source/stats/histogram.js';
import {followEngine, type FollowedEngine} from '../source/ui/engine-frames.js';
import type {DashboardAction} from '../source/ui/state/dashboard-state.js';
import {collectFrame} from '../source/ui/state/live-frame.js';
import {point, settings} from './helpers/ui-fixtures.js';

function fakeEngine(): {engine: FollowedEngine; emit: (event: EngineEvent) => void; listeners: () => number} {
	const listeners = new Set<(event: EngineEvent) => void>();
	const {plan} = resolveConfig({url: 'http://127.0.0.1:9/'}, {source: 'test', env: {}});
	const engine: FollowedEngine = {
		state: 'running',
		currentSettings: settings,
		activeS: 3,
		totals: createRunTotals(1),
		workerHealth: [],
		plan,
		timeline: [point(1)],
		markers: [],
		subscribe(listener: (event: EngineEvent) => void) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	} as unknown as FollowedEngine;
	return {engine, emit: event => listeners.forEach(listener => listener(event)), listeners: () => listeners.size};
}

/** Timers driven by hand: `tick()` runs the interval callback once. */
function manualTimers(): {timers: {setInterval: (callback: () => void, ms: number) => unknown; clearInterval: (handle: unknown) => void}; tick: () => void; cleared: () => boolean; intervalMs: () => number} {
	let callback: (() => void) | undefined;
	let interval = 0;
	let cleared = false;
	return {
		timers: {
			setInterval(next, ms) {
				callback = next;
				interval = ms;
				return 1;
			},
			clearInterval() {
				cleared = true;
			},
		},
		tick: () => callback?.(),
		cleared: () => cleared,
		intervalMs: () => interval,
	};
}

describe('engine frames', () => {
	it('batches any number of engine events into at most one frame per tick', () => {
		const {engine, emit, listeners} = fakeEngine();
		const clock = manualTimers();
		const actions: DashboardAction[] = [];
		const unfollow = followEngine(engine, action => actions.push(action), 250, clock.timers);
		expect(clock.intervalMs()).toBe(250);
		// On attach: the timeline so far, then a first frame.
		expect(actions.map(action => action.type)).toEqual(['dashboard-reset', 'frame']);
		expect(actions[0]).toMatchObject({type: 'dashboard-reset', points: [point(1)]});

		for (let index = 0; index < 1000; index++) emit({type: 'update'});
		emit({type: 'second', point: point(2)});
		emit({type: 'marker', marker: {t: 1.5, kind: 'threads', label: 'threads 3', value: 3}});
		expect(actions).toHaveLength(2);
		clock.tick();
		expect(actions).toHaveLength(3);
		expect(actions[2]).toMatchObject({type: 'frame', points: [point(2)], markers: [{kind: 'threads'}]});

		// Nothing new: no frame.
		clock.tick();
		clock.tick();
		expect(actions).toHaveLength(3);
		emit({type: 'state', state: 'paused'});
		clock.tick();
		expect(actions).toHaveLength(4);

		unfollow();
		expect(clock.cleared()).toBe(true);
		expect(listeners()).toBe(0);
	});
});

describe('live frames', () => {
	it('carry the corrected latency in the open model, late and dropped sends, and the stage', () => {
		const {engine} = fakeEngine();
		const closed = collectFrame(engine);
		expect(closed.correctedLatency).toBeUndefined();
		expect(closed.stage).toBeUndefined();

		const totals = createRunTotals(1);
		recordMicros(totals.overall.histogram, 2000);
		totals.overall.correctedHistogram = createHistogram();
		for (const micros of [2000, 250_000]) recordMicros(totals.overall.correctedHistogram, micros);
		totals.late = 1204;
		totals.dropped = 36;
		const open = collectFrame({...engine, currentSettings: {...settings, rate: 300}, totals, stage: {index: 1, value: 250, target: 300, count: 2}} as unknown as FollowedEngine);
		expect(open.latency.max).toBeCloseTo(2, 1);
		expect(open.correctedLatency?.max).toBeCloseTo(250, 0);
		expect(open).toMatchObject({late: 1204, dropped: 36, stage: {index: 1, count: 2, value: 250, target: 300}});
		// Open model before the first corrected figure: an empty line rather than none (the layout does not jump).
		expect(collectFrame({...engine, currentSettings: {...settings, rate: 300}} as unknown as FollowedEngine).correctedLatency?.count).toBe(0);
	});
});
