import type {RunSettings} from '../config/types.js';
import {StageSchedule, stageAt, type Stage, type StagePosition} from './stages.js';

/** Where a run is within its stages; `override` is true while a live change holds until the next boundary. */
export type StageState = StagePosition & {readonly count: number; readonly override: boolean};

/** One step of the stages for the engine: the settings to apply, and the marker of a boundary. */
export type StageMove = {
	/** The settings after the step: the same object when nothing changed. */
	readonly settings: RunSettings;
	/** A boundary was crossed: what to mark. */
	readonly marker?: {readonly label: string; readonly value: number};
	/** The stages are over: the last value holds, nothing is re-applied. */
	readonly done: boolean;
};

/**
 * A staged run's quantity (connections in the closed model, the rate in the open one) following
 * its schedule: the settings at the start, each step's settings and boundary labels, and how a live
 * change of the staged quantity holds until the next boundary.
 */
export class StageFollower {
	readonly quantity: 'connections' | 'rate';
	private readonly stages: readonly Stage[];
	private readonly schedule: StageSchedule;

	constructor(stages: readonly Stage[], openModel: boolean) {
		this.stages = stages;
		this.quantity = openModel ? 'rate' : 'connections';
		this.schedule = new StageSchedule(stages, 0);
	}

	/** The settings to start with: the first stage's value at 0 s. */
	initialSettings(settings: RunSettings): RunSettings {
		const first = stageAt(this.stages, 0, 0).value;
		return this.quantity === 'connections' ? {...settings, connections: Math.max(1, Math.round(first))} : {...settings, rate: first};
	}

	/** The staged quantity in force. */
	value(settings: RunSettings): number {
		return this.quantity === 'connections' ? settings.connections : settings.rate ?? 0;
	}

	/** Where the run is at `activeMs` of load; `value` is the value in force. */
	position(settings: RunSettings, activeMs: number): StageState {
		const {stages, schedule} = this;
		const planned = stageAt(stages, activeMs, 0);
		const index = schedule.index < 0 ? planned.index : schedule.index;
		const target = index < stages.length ? stages[index]!.target : stages.at(-1)!.target;
		return {index, count: stages.length, value: this.value(settings), target, override: schedule.overriding};
	}

	/**
	 * A live change of `quantity`: when it is the staged one, it holds until the next stage boundary,
	 * and the returned label suffix says so. Empty for the other quantity, or after the last stage.
	 */
	liveChange(quantity: 'connections' | 'rate'): string {
		const {schedule} = this;
		if (quantity !== this.quantity || !schedule.override()) {
			return '';
		}

		const next = schedule.index + 1;
		return next < schedule.stages.length ? ` · live until stage ${next + 1}/${schedule.stages.length}` : ' · live until the stages end';
	}

	/** The step at `activeMs` of load: the ramp's settings (unless a live change holds) and any boundary crossed. */
	step(settings: RunSettings, activeMs: number): StageMove {
		const {schedule} = this;
		const step = schedule.step(activeMs, this.value(settings));
		let marker: StageMove['marker'];
		if (step.entered) {
			const tookOver = step.tookOverFrom === undefined ? '' : ` (takes over from live ${formatRate(step.tookOverFrom)})`;
			if (step.index < schedule.stages.length) {
				marker = {label: `stage ${step.index + 1}/${schedule.stages.length} → ${step.target}${tookOver}`, value: step.target};
			} else if (tookOver !== '') {
				marker = {label: `stages done → ${step.target}${tookOver}`, value: step.target};
			}
		}

		let next = settings;
		if (step.value !== undefined) {
			if (this.quantity === 'connections') {
				const connections = Math.max(1, Math.round(step.value));
				if (connections !== settings.connections) next = {...settings, connections};
			} else {
				const rate = Math.round(step.value * 1000) / 1000;
				if (rate !== settings.rate) next = {...settings, rate};
			}
		}

		return {settings: next, ...(marker ? {marker} : {}), done: step.done};
	}
}

/** A rate for a label: whole numbers as they are, others to two decimals. */
export function formatRate(rate: number): string {
	return Number.isInteger(rate) ? String(rate) : rate.toFixed(2);
}
