import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {resolveConfig} from '../source/config/load.js';
import type {RunSettings} from '../source/config/types.js';
import {Engine} from '../source/engine/engine.js';
import {StageSchedule} from '../source/engine/stages.js';
import {stageText} from '../source/ui/state/dashboard-state.js';
import {waitFor} from './helpers/wait.js';

describe('stage schedule (pure)', () => {
	const stages = [{durationMs: 1000, target: 100}, {durationMs: 1000, target: 200}, {durationMs: 1000, target: 50}];

	it('ramps through the stages and marks each boundary once', () => {
		const schedule = new StageSchedule(stages, 0);
		expect(schedule.step(0, 0)).toMatchObject({index: 0, entered: true, value: 0, done: false});
		expect(schedule.step(500, 0)).toMatchObject({index: 0, entered: false, value: 50});
		expect(schedule.step(1500, 100)).toMatchObject({index: 1, entered: true, value: 150, target: 200});
		expect(schedule.step(2999, 200).value).toBeCloseTo(50.15, 1);
		expect(schedule.step(3000, 50)).toMatchObject({index: 3, entered: true, value: 50, done: true});
		expect(schedule.step(4000, 50)).toMatchObject({entered: false, value: undefined, done: true});
	});

	it('holds a live change until the next boundary, then ramps from the live value', () => {
		const schedule = new StageSchedule(stages, 0);
		schedule.step(200, 0);
		expect(schedule.override()).toBe(true);
		expect(schedule.overriding).toBe(true);
		// The stage would be at 70: nothing is applied while the live change holds.
		expect(schedule.step(700, 130)).toMatchObject({index: 0, entered: false, value: undefined});
		// The boundary: stage 2 takes over from the live 130 and still ends at its target.
		const boundary = schedule.step(1000, 130);
		expect(boundary).toMatchObject({index: 1, entered: true, tookOverFrom: 130, value: 130});
		expect(schedule.overriding).toBe(false);
		expect(schedule.step(1500, 130).value).toBe(165);
		expect(schedule.step(1999, 165).value).toBeCloseTo(200, 0);
	});

	it('applies the last target once at the end, then nothing: a live change after the end holds', () => {
		const schedule = new StageSchedule(stages, 0);
		schedule.step(2500, 0);
		expect(schedule.override()).toBe(true);
		expect(schedule.step(3100, 80)).toMatchObject({index: 3, entered: true, tookOverFrom: 80, value: 50, done: true});
		expect(schedule.override()).toBe(false);
		expect(schedule.step(5000, 75)).toMatchObject({value: undefined, done: true});
	});

	it('skips stages a late step jumped over, starting from the last one skipped', () => {
		const schedule = new StageSchedule(stages, 0);
		schedule.step(100, 10);
		expect(schedule.step(2500, 10)).toMatchObject({index: 2, entered: true, value: 125});
	});

	it('tells the header while a live change holds, in the room there is', () => {
		const frame = {index: 1, count: 3, value: 110, target: 200, override: true};
		expect(stageText(frame, false)).toBe('stage 2/3 → 200 conns · live override until next stage');
		expect(stageText(frame, false, 40)).toBe('stage 2/3 → 200 conns · live');
		expect(stageText({...frame, index: 2}, true)).toBe('stage 3/3 → 200/s · live override until the stages end');
		expect(stageText({...frame, override: false}, false)).toBe('stage 2/3 → 200 conns');
	});
});

/** A target that answers after 25 ms and knows how many requests it holds at once. */
async function concurrencyTarget(): Promise<{url: string; inFlight: () => number; close: () => Promise<void>}> {
	let inFlight = 0;
	const server = http.createServer((request, response) => {
		inFlight++;
		request.resume();
		setTimeout(() => {
			inFlight--;
			response.writeHead(200, {'content-length': 2});
			response.end('ok');
		}, 25);
	});
	await new Promise<void>(resolve => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const {port} = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/`,
		inFlight: () => inFlight,
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => {
				server.close(resolve);
			});
		},
	};
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
	await Promise.all(closers.splice(0).map(async close => close()));
});

function settings(overrides: Partial<RunSettings>): RunSettings {
	return {threads: 1, connections: 4, durationMs: 4000, maxRequests: undefined, rate: undefined, graceMs: 1000, ...overrides};
}

describe('live changes during stages (real engine, real server)', () => {
	it('a live setConnections holds until the next stage, the stage takes over there, and nothing re-applies after the last stage', async () => {
		const target = await concurrencyTarget();
		closers.push(target.close);
		const {plan} = resolveConfig({url: target.url}, {source: 'test', env: {}});
		// Stage 1 ramps 0 → 4 over 1.5 s, stage 2 goes to 3 by 2.5 s; the run goes on to 4.5 s.
		const engine = new Engine({plan, settings: settings({durationMs: 4500, stages: [{durationMs: 1500, target: 4}, {durationMs: 1000, target: 3}]}), snapshotIntervalMs: 100});
		// What the server holds at once, sampled against the engine's clock.
		const samples: Array<{t: number; inFlight: number}> = [];
		const sampler = setInterval(() => {
			if (engine.state === 'running') samples.push({t: engine.activeS, inFlight: target.inFlight()});
		}, 20);
		closers.push(async () => {
			clearInterval(sampler);
		});
		const done = engine.start();
		await waitFor(() => engine.state === 'running' && engine.activeS >= 0.4, 'the first stage');
		engine.setConnections(12);
		expect(engine.stage).toMatchObject({index: 0, override: true, value: 12});
		await waitFor(() => engine.activeS >= 3.1, 'the end of the stages');
		expect(engine.stage).toMatchObject({index: 2, override: false, value: 3});
		engine.setConnections(10);
		const result = await done;
		clearInterval(sampler);

		const peakBetween = (from: number, to: number): number => Math.max(0, ...samples.filter(sample => sample.t >= from && sample.t <= to).map(sample => sample.inFlight));
		// The stage alone would hold at most 3-4 requests here: the live 12 held until the boundary.
		expect(peakBetween(0.9, 1.4)).toBeGreaterThanOrEqual(9);
		// After the last stage its target (3) is in force, not the live 12.
		expect(peakBetween(2.7, 3.05)).toBeLessThanOrEqual(5);
		expect(peakBetween(2.7, 3.05)).toBeGreaterThanOrEqual(1);
		// A live change after the end holds to the end of the run.
		expect(peakBetween(3.7, 4.3)).toBeGreaterThanOrEqual(8);
		expect(result.finalSettings.connections).toBe(10);

		const labels = result.markers.map(marker => marker.label);
		expect(labels).toContain('connections 12 · live until stage 2/2');
		expect(labels).toContain('stage 2/2 → 3 (takes over from live 12)');
		expect(labels).toContain('connections 10');
		expect(labels.filter(label => label.startsWith('stage 1/2'))).toHaveLength(1);
		// The timeline shows the same: the live 12 during stage 1, 10 at the end.
		expect(result.timeline[0]?.connections).toBe(12);
		expect(result.timeline.at(-1)?.connections).toBe(10);
	});

	it('in the open model a live rate change holds until the next stage', async () => {
		const target = await concurrencyTarget();
		closers.push(target.close);
		const {plan} = resolveConfig({url: target.url}, {source: 'test', env: {}});
		const engine = new Engine({plan, settings: settings({connections: 8, rate: 1, durationMs: 2500, stages: [{durationMs: 1500, target: 20}, {durationMs: 1000, target: 20}]}), snapshotIntervalMs: 100});
		const done = engine.start();
		await waitFor(() => engine.state === 'running' && engine.activeS >= 0.3, 'the first stage');
		engine.setRate(100);
		await waitFor(() => engine.activeS >= 1.2, 'later in the first stage');
		expect(engine.currentSettings.rate).toBe(100);
		expect(engine.stage).toMatchObject({index: 0, override: true});
		await waitFor(() => engine.activeS >= 1.9 || engine.state !== 'running', 'the second stage');
		// Stage 2 ramps from the live 100 down to 20 by its end.
		expect(engine.currentSettings.rate).toBeLessThan(100);
		const result = await done;
		expect(result.markers.map(marker => marker.label)).toContain('rate 100/s · live until stage 2/2');
		expect(result.markers.map(marker => marker.label)).toContain('stage 2/2 → 20 (takes over from live 100)');
	});
});
