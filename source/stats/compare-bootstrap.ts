/**
 * The block bootstrap behind `compare`: a run's one-second windows are its blocks; a resample
 * draws as many windows as the run has, with replacement, and recomputes the figures from them.
 * Seeded, so the same reports always give the same intervals. Pure.
 */

/** mulberry32: a small, fast, seedable generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6D_2B_79_F5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** One run's side of a bootstrap: how many windows it has and what a resample of them gives. */
export type BootstrapSide = {
	readonly windows: number;
	/** The figures (any number of them, each already on the scale to compare: log or plain) of the windows picked, a window index repeated as drawn. NaN: no figure. */
	readonly figures: (picked: Int32Array) => readonly number[];
};

/** Spread of each figure over the resamples of one run. */
export type BootstrapSpread = {
	/** Standard deviation of each figure over the resamples (the figure's standard error); NaN when it had no value. */
	readonly se: readonly number[];
	readonly windows: number;
};

/**
 * Standard errors of a run's figures by resampling its windows `iterations` times. A run of one
 * window has no spread to measure: NaN.
 */
export function bootstrapSpread(side: BootstrapSide, iterations: number, random: () => number): BootstrapSpread {
	const {windows} = side;
	const picked = new Int32Array(windows);
	let sums: number[] = [];
	let squares: number[] = [];
	let counts: number[] = [];
	if (windows < 2) {
		const width = side.figures(Int32Array.from({length: windows}, (_, index) => index)).length;
		return {se: Array.from({length: width}, () => Number.NaN), windows};
	}

	for (let iteration = 0; iteration < iterations; iteration++) {
		for (let k = 0; k < windows; k++) {
			picked[k] = Math.floor(random() * windows);
		}

		const figures = side.figures(picked);
		if (iteration === 0) {
			sums = figures.map(() => 0);
			squares = figures.map(() => 0);
			counts = figures.map(() => 0);
		}

		for (const [index, value] of figures.entries()) {
			if (Number.isFinite(value)) {
				sums[index]! += value;
				squares[index]! += value * value;
				counts[index]!++;
			}
		}
	}

	const se = sums.map((sum, index) => {
		const n = counts[index]!;
		if (n < iterations / 2) {
			return Number.NaN;
		}

		const mean = sum / n;
		return Math.sqrt(Math.max(0, (squares[index]! / n) - (mean * mean)));
	});
	return {se, windows};
}

/** Student's t quantile for two-sided 95%: exact for 1 and 2 degrees of freedom, Cornish-Fisher above. */
export function t975(degreesOfFreedom: number): number {
	const df = Math.max(1, degreesOfFreedom);
	if (df < 2) {
		return 12.706 + ((4.303 - 12.706) * (df - 1));
	}

	if (df < 3) {
		return 4.303 + ((3.182 - 4.303) * (df - 2));
	}

	const z = 1.959_963_985;
	const z3 = z ** 3;
	const z5 = z ** 5;
	const z7 = z ** 7;
	return z + ((z3 + z) / (4 * df)) + (((5 * z5) + (16 * z3) + (3 * z)) / (96 * df * df)) + (((3 * z7) + (19 * z5) + (17 * z3) - (15 * z)) / (384 * (df ** 3)));
}

/**
 * A 95% interval for a difference of two independent figures (`next − base`, on the scale the
 * figures were given), from each side's standard error and window count: the bootstrap's error of
 * a mean of n blocks is low by √((n−1)/n), which is put back, and the quantile is Student's t with
 * Welch-Satterthwaite degrees of freedom, since a few seconds are few blocks.
 */
export function differenceInterval(difference: number, base: {se: number; windows: number}, next: {se: number; windows: number}): {low: number; high: number; se: number; degreesOfFreedom: number} | undefined {
	if (!Number.isFinite(difference) || !Number.isFinite(base.se) || !Number.isFinite(next.se) || base.windows < 2 || next.windows < 2) {
		return undefined;
	}

	const baseVariance = base.se * base.se * base.windows / (base.windows - 1);
	const nextVariance = next.se * next.se * next.windows / (next.windows - 1);
	const variance = baseVariance + nextVariance;
	const welch = (variance * variance) / (((baseVariance * baseVariance) / (base.windows - 1)) + ((nextVariance * nextVariance) / (next.windows - 1)));
	const degreesOfFreedom = Number.isFinite(welch) ? welch : base.windows + next.windows - 2;
	const half = t975(degreesOfFreedom) * Math.sqrt(variance);
	return {low: difference - half, high: difference + half, se: Math.sqrt(variance), degreesOfFreedom};
}
