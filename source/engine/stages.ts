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
