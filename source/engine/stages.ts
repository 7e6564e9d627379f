/** One stage of a ramp: move linearly to `target` over `durationMs` (as k6 stages). */
export type Stage = {
	readonly durationMs: number;
	/** Connections (closed model) or requests per second (open model) at the end of the stage. */
	readonly target: number;
};

/** Where a run is within its stages. */
export type StagePosition = {
	/** 0-based stage index; equals `stages.length` after the last stage. */
	readonly index: number;
	/** The value in force now (linear within the stage). */
	readonly value: number;
	readonly target: number;
};

/** The ramped value at `elapsedMs` into the stages, starting from `start`. Pure. */
export function stageAt(stages: readonly Stage[], elapsedMs: number, start = 0): StagePosition {
	let from = start;
	let stageStart = 0;
	for (const [index, stage] of stages.entries()) {
		const stageEnd = stageStart + stage.durationMs;
		if (elapsedMs < stageEnd) {
			const progress = stage.durationMs > 0 ? (elapsedMs - stageStart) / stage.durationMs : 1;
			return {index, value: from + ((stage.target - from) * Math.max(0, progress)), target: stage.target};
		}

		from = stage.target;
		stageStart = stageEnd;
	}

	return {index: stages.length, value: from, target: from};
}

/** Total length of the stages. */
export function stagesDurationMs(stages: readonly Stage[]): number {
	return stages.reduce((sum, stage) => sum + stage.durationMs, 0);
}

/** Parses a `--stage 30s:200` flag into a stage; undefined when malformed. */
export function parseStage(text: string, parseDurationMs: (value: string) => number | undefined): Stage | undefined {
	const match = /^([^:]+):(\d+(?:\.\d+)?)$/.exec(text.trim());
	if (!match) {
		return undefined;
	}

	const durationMs = parseDurationMs(match[1]!);
	const target = Number(match[2]);
	return durationMs === undefined || !Number.isFinite(target) ? undefined : {durationMs, target};
}

/** What a stage schedule asks for at one step. */
export type StageStep = {
	/** The stage now, 0-based; `stages.length` once past the last one. */
	readonly index: number;
	readonly target: number;
	/** This step crossed a stage boundary (into `index`, or past the last stage). */
	readonly entered: boolean;
	/** At a boundary that ended a live override: the live value the stages took over from. */
	readonly tookOverFrom?: number;
	/** The value to put in force now; undefined while a live override holds. */
	readonly value: number | undefined;
	/** Past the last stage: the last value holds and nothing is applied any more. */
	readonly done: boolean;
};

/**
 * Follows stages over a run, with live changes. A live change of the staged quantity (`override`)
 * holds until the next stage boundary; there the stages take over again and the new stage ramps
 * from the value in force at the boundary (the live one), reaching its own target at its end.
 * At the end of the last stage its target is applied once (also over a live change), then nothing
 * more: a live change after the end holds. Pure: the caller passes the time and the value in force.
 */
export class StageSchedule {
	readonly stages: readonly Stage[];
	private indexValue = -1;
	private from: number;
	private overridden = false;

	constructor(stages: readonly Stage[], start = 0) {
		this.stages = stages;
		this.from = start;
	}

	/** The current stage (-1 before the first step, `stages.length` after the last). */
	get index(): number {
		return this.indexValue;
	}

	/** A live change of the staged quantity holds until the next stage boundary. */
	get overriding(): boolean {
		return this.overridden;
	}

	get done(): boolean {
		return this.indexValue >= this.stages.length;
	}

	/** A live change of the staged quantity: true when it now holds until the next boundary (false after the stages). */
	override(): boolean {
		if (this.done) {
			return false;
		}

		this.overridden = true;
		return true;
	}

	/** The step at `elapsedMs` into the stages, with `inForce` the value in force now. */
	step(elapsedMs: number, inForce: number): StageStep {
		if (this.done) {
			return {index: this.indexValue, target: this.from, entered: false, value: undefined, done: true};
		}

		const {stages} = this;
		let index = 0;
		let stageStart = 0;
		while (index < stages.length && elapsedMs >= stageStart + stages[index]!.durationMs) {
			stageStart += stages[index]!.durationMs;
			index++;
		}

		let tookOverFrom: number | undefined;
		const entered = index !== this.indexValue;
		if (entered) {
			if (this.overridden) {
				tookOverFrom = inForce;
			}

			// From the value in force at the boundary: the live one after an override, else where the
			// previous stage ended (the previous target, or the start before the first stage).
			if (this.overridden && index === this.indexValue + 1) {
				this.from = inForce;
			} else if (index > 0) {
				this.from = stages[index - 1]!.target;
			}

			this.indexValue = index;
			this.overridden = false;
		}

		if (index >= stages.length) {
			const last = stages.at(-1)?.target ?? this.from;
			this.from = last;
			return {index, target: last, entered, ...(tookOverFrom === undefined ? {} : {tookOverFrom}), value: last, done: true};
		}

		const stage = stages[index]!;
		const progress = stage.durationMs > 0 ? Math.min(1, Math.max(0, (elapsedMs - stageStart) / stage.durationMs)) : 1;
		const value = this.overridden ? undefined : this.from + ((stage.target - this.from) * progress);
		return {index, target: stage.target, entered, ...(tookOverFrom === undefined ? {} : {tookOverFrom}), value, done: false};
	}
}
