/**
 * `compare`: two runs side by side, each figure's change with a 95% interval that accounts for how
 * much each run varied from second to second, and a verdict. Pure: decoded figures in, rows out.
 * The method is described in the readme ("Comparing runs").
 */
import {type SparseCounts, bucketTable, probabilityOfSuperiority, shiftMagnitude} from './compare-bucket-table.js';
import {differenceInterval} from './compare-bootstrap.js';
import {type LatencySpread, type RateSpread, type TestedLatency, endpointErrorSe, endpointLatencySpread, latencySpread, rateSpread} from './compare-spread.js';
import type {CompareFigures, CompareMetric, CompareOptions, CompareRow, CompareRun, CompareShift, CompareWindow, Comparison, LatencyMetric} from './compare-types.js';
import {createHistogram, type Histogram} from './histogram.js';

export * from './compare-types.js';

export const latencyMetrics: readonly LatencyMetric[] = ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max'];

/** Figures tested for significance: min and max are single samples, and the pass rate has no per-second figure. */
export const testedMetrics: ReadonlySet<CompareMetric> = new Set(['rps', 'errors', 'checks', 'mean', 'p50', 'p90', 'p99', 'p999']);

export const defaultCompareOptions: CompareOptions = {iterations: 2000, seed: 1, relativeFloor: 0.05, pointsFloor: 0.001};

/** Whether a rise of this figure is for the worse. */
const worseWhenUp = (metric: CompareMetric): boolean => metric !== 'rps' && metric !== 'pass' && metric !== 'checks';

const percentileOf = {p50: 50, p90: 90, p99: 99, p999: 99.9} as const;

/** A percentile is tested only with at least this many samples above it in each run. */
const minimumTail = 10;

type Side = {readonly value: number | null; readonly se: number; readonly windows: number};

function direction(metric: CompareMetric, change: number): CompareRow['direction'] {
	if (change === 0) return null;
	return (change > 0) === worseWhenUp(metric) ? 'worse' : 'better';
}

/** A row whose change is relative (latency, rps), tested on the log scale. */
function relativeRow(endpoint: string | null, metric: CompareMetric, corrected: boolean, base: Side, next: Side, options: CompareOptions, untestable?: string): CompareRow {
	const row = {endpoint, metric, corrected, base: base.value, next: next.value, changeKind: 'relative' as const};
	if (base.value === null || next.value === null || base.value <= 0 || next.value <= 0) {
		return {...row, change: null, interval: null, verdict: 'no data', direction: null, note: 'a run has no figure'};
	}

	const change = (next.value / base.value) - 1;
	if (next.value === base.value) {
		return {...row, change: 0, interval: null, verdict: 'no change', direction: null};
	}

	if (!testedMetrics.has(metric) || untestable) {
		return {...row, change, interval: null, verdict: 'not tested', direction: direction(metric, change), note: untestable ?? 'a single sample'};
	}

	const interval = differenceInterval(Math.log(next.value / base.value), base, next);
	if (!interval) {
		return {...row, change, interval: null, verdict: 'not tested', direction: direction(metric, change), note: 'needs two one-second windows in each run'};
	}

	const low = Math.expm1(interval.low);
	const high = Math.expm1(interval.high);
	const significant = low > options.relativeFloor || high < -options.relativeFloor;
	return {...row, change, interval: {low, high}, verdict: significant ? 'significant' : 'within noise', direction: direction(metric, change)};
}

/** A row whose change is a difference of fractions (pass rate, error rate). */
function pointsRow(endpoint: string | null, metric: CompareMetric, base: Side, next: Side, options: CompareOptions): CompareRow {
	const row = {endpoint, metric, corrected: false, base: base.value, next: next.value, changeKind: 'points' as const};
	if (base.value === null || next.value === null) {
		return {...row, change: null, interval: null, verdict: 'no data', direction: null, note: 'a run sent nothing'};
	}

	const change = next.value - base.value;
	if (change === 0) {
		return {...row, change, interval: null, verdict: 'no change', direction: null};
	}

	if (!testedMetrics.has(metric)) {
		return {...row, change, interval: null, verdict: 'not tested', direction: direction(metric, change), note: 'no per-second figure'};
	}

	const interval = differenceInterval(change, base, next);
	if (!interval) {
		return {...row, change, interval: null, verdict: 'not tested', direction: direction(metric, change), note: 'needs two one-second windows in each run'};
	}

	const significant = interval.low > options.pointsFloor || interval.high < -options.pointsFloor;
	return {...row, change, interval: {low: interval.low, high: interval.high}, verdict: significant ? 'significant' : 'within noise', direction: direction(metric, change)};
}

function latencyRows(endpoint: string | null, base: CompareFigures, next: CompareFigures, spreads: {base: LatencySpread; next: LatencySpread}, corrected: boolean, options: CompareOptions): CompareRow[] {
	const baseLatency = corrected ? base.correctedLatencyMs : base.latencyMs;
	const nextLatency = corrected ? next.correctedLatencyMs : next.latencyMs;
	return latencyMetrics.map(metric => {
		const se = (spread: LatencySpread): number => (metric === 'min' || metric === 'max' ? Number.NaN : spread.se[metric as TestedLatency]);
		const side = (latency: typeof baseLatency, spread: LatencySpread): Side => ({value: latency && latency.count > 0 ? latency[metric] : null, se: se(spread), windows: spread.windows});
		// A percentile with only a few samples above it is close to the maximum: a single sample again.
		const above = (latency: typeof baseLatency): number => (latency?.count ?? 0) * (1 - ((percentileOf[metric as keyof typeof percentileOf] ?? 0) / 100));
		const few = metric in percentileOf && Math.min(above(baseLatency), above(nextLatency)) < minimumTail ? `fewer than ${minimumTail} samples above it` : undefined;
		return relativeRow(endpoint, metric, corrected, side(baseLatency, spreads.base), side(nextLatency, spreads.next), options, few);
	});
}

/** Bucket additions a run's resamples may cost (about 0.2 s), and the fewest resamples however long the runs. */
const workBudget = 3e7;
const minimumIterations = 300;

/** At most this many blocks per run: longer runs resample blocks of several consecutive seconds. */
export const maxBlocks = 100;

/**
 * Consecutive windows merged into blocks of ceil(n / maxBlocks) seconds: long runs resample fewer,
 * longer blocks (which also keeps any correlation between neighbouring seconds inside a block).
 */
export function blocksOf(windows: readonly CompareWindow[]): CompareWindow[] {
	const length = Math.ceil(windows.length / maxBlocks);
	if (length <= 1) return [...windows];
	const blocks: CompareWindow[] = [];
	for (let start = 0; start < windows.length; start += length) {
		const group = windows.slice(start, start + length);
		const responses = group.reduce((sum, window) => sum + window.responses, 0);
		const weighted = (value: (window: CompareWindow) => number | undefined): number => (responses > 0 ? group.reduce((sum, window) => sum + ((value(window) ?? 0) * window.responses), 0) / responses : 0);
		const merged = (pick: (window: CompareWindow) => Histogram | undefined): Histogram | undefined => {
			if (!group.every(window => pick(window))) return undefined;
			const histogram = createHistogram();
			for (const window of group) histogram.add(pick(window)!);
			return histogram;
		};

		const histogram = merged(window => window.histogram);
		const correctedHistogram = merged(window => window.correctedHistogram);
		blocks.push({
			durationS: group.reduce((sum, window) => sum + window.durationS, 0),
			requests: group.reduce((sum, window) => sum + window.requests, 0),
			errors: group.reduce((sum, window) => sum + window.errors, 0),
			responses,
			p50: weighted(window => window.p50),
			p90: weighted(window => window.p90),
			p99: weighted(window => window.p99),
			...(group.every(window => window.correctedP99 !== undefined) ? {correctedP99: weighted(window => window.correctedP99)} : {}),
			...(histogram ? {histogram} : {}),
			...(correctedHistogram ? {correctedHistogram} : {}),
		});
	}

	return blocks;
}

type Scope = {readonly endpoint: string | null; readonly base: CompareFigures; readonly next: CompareFigures};

/**
 * The checks row: the share of checked responses that passed every check, a difference in points,
 * tested with a binomial standard error scaled by the run's design effect (as an endpoint's error
 * rate is: checks have no per-second figure of their own). Undefined when neither run had checks.
 */
function checksRow(scope: Scope, rates: {base: RateSpread; next: RateSpread}, options: CompareOptions): CompareRow | undefined {
	if (scope.base.checks === undefined && scope.next.checks === undefined) return undefined;
	const side = (figures: CompareFigures, spread: RateSpread): Side => {
		const checks = figures.checks;
		if (checks === undefined || checks.checked === 0) return {value: null, se: Number.NaN, windows: spread.windows};
		const passed = 1 - (checks.failed / checks.checked);
		return {value: passed, se: Number.isFinite(spread.errorSe) ? Math.sqrt(passed * (1 - passed) / checks.checked * spread.errorInflation) : Number.NaN, windows: spread.windows};
	};

	const row = pointsRow(scope.endpoint, 'checks', side(scope.base, rates.base), side(scope.next, rates.next), options);
	return {...row, failed: {base: scope.base.checks?.failed ?? null, next: scope.next.checks?.failed ?? null}};
}

/** Compares two runs: the whole run, then each endpoint both have (by name). */
export function compareRuns(base: CompareRun, next: CompareRun, options: CompareOptions = defaultCompareOptions): Comparison {
	const windows = {base: blocksOf(base.windows), next: blocksOf(next.windows)};
	const scopes: Scope[] = [{endpoint: null, base: base.run, next: next.run}];
	for (const endpoint of base.endpoints) {
		const other = next.endpoints.find(candidate => candidate.name === endpoint.name);
		if (other && base.endpoints.length > 1) scopes.push({endpoint: endpoint.name, base: endpoint, next: other});
	}

	const rates = {base: rateSpread(windows.base, base.run, options), next: rateSpread(windows.next, next.run, options)};
	let iterations = options.iterations;
	const rows: CompareRow[] = [];
	const shifts: CompareShift[] = [];
	const kinds = base.run.correctedHistogram && next.run.correctedHistogram ? [false, true] : [false];
	const latency = new Map<string, CompareRow[]>();
	let spreadFrom: Comparison['spreadFrom'] = {base: 'none', next: 'none'};
	for (const corrected of kinds) {
		const histogramOf = (figures: CompareFigures): Histogram | undefined => (corrected ? figures.correctedHistogram : figures.histogram);
		const windowHistograms = [...windows.base, ...windows.next].flatMap(window => {
			const histogram = corrected ? window.correctedHistogram : window.histogram;
			return histogram ? [histogram] : [];
		});
		const wholes = scopes.flatMap(scope => [histogramOf(scope.base), histogramOf(scope.next)]).filter((histogram): histogram is Histogram => histogram !== undefined);
		const all = [...wholes, ...windowHistograms];
		const {table, sparse} = bucketTable(all);
		const sparseMap = new Map<Histogram, SparseCounts>(all.map((histogram, index) => [histogram, sparse[index]!]));
		const sparseOf = (histogram: Histogram): SparseCounts => sparseMap.get(histogram)!;
		// Long runs with many distinct latencies get fewer resamples (never fewer than minimumIterations).
		const work = table.upper.length + windowHistograms.reduce((sum, histogram) => sum + sparseOf(histogram).positions.length, 0);
		const latencyOptions = {...options, iterations: Math.min(options.iterations, Math.max(minimumIterations, Math.floor(workBudget / work)))};
		iterations = Math.min(iterations, latencyOptions.iterations);
		const runSpreads = {
			base: latencySpread(windows.base, sparseOf(histogramOf(base.run)!), corrected, table, sparseOf, latencyOptions),
			next: latencySpread(windows.next, sparseOf(histogramOf(next.run)!), corrected, table, sparseOf, latencyOptions),
		};
		if (!corrected) spreadFrom = {base: runSpreads.base.source, next: runSpreads.next.source};
		for (const scope of scopes) {
			const baseHistogram = histogramOf(scope.base);
			const nextHistogram = histogramOf(scope.next);
			if (!baseHistogram || !nextHistogram) continue;
			const spreads = scope.endpoint === null
				? runSpreads
				: {base: endpointLatencySpread(runSpreads.base, sparseOf(baseHistogram), table), next: endpointLatencySpread(runSpreads.next, sparseOf(nextHistogram), table)};
			latency.set(`${scope.endpoint ?? ''}\u0000${corrected}`, latencyRows(scope.endpoint, scope.base, scope.next, spreads, corrected, options));
			const a = probabilityOfSuperiority(sparseOf(baseHistogram), sparseOf(nextHistogram), table);
			if (Number.isFinite(a)) shifts.push({endpoint: scope.endpoint, corrected, probabilityNextSlower: a, magnitude: shiftMagnitude(a)});
		}
	}

	for (const scope of scopes) {
		const whole = scope.endpoint === null;
		const rpsSide = (figures: CompareFigures, spread: typeof rates.base): Side => ({value: figures.rps, se: spread.rpsSe, windows: spread.windows});
		const errorSide = (figures: CompareFigures, spread: typeof rates.base): Side => ({value: figures.errorRate, se: whole ? spread.errorSe : endpointErrorSe(spread, figures), windows: spread.windows});
		const passSide = (figures: CompareFigures): Side => ({value: figures.passRate, se: Number.NaN, windows: 0});
		rows.push(
			relativeRow(scope.endpoint, 'rps', false, rpsSide(scope.base, rates.base), rpsSide(scope.next, rates.next), options),
			pointsRow(scope.endpoint, 'pass', passSide(scope.base), passSide(scope.next), options),
			pointsRow(scope.endpoint, 'errors', errorSide(scope.base, rates.base), errorSide(scope.next, rates.next), options),
			...[checksRow(scope, rates, options)].filter((row): row is CompareRow => row !== undefined),
			...(latency.get(`${scope.endpoint ?? ''}\u0000false`) ?? []),
			...(latency.get(`${scope.endpoint ?? ''}\u0000true`) ?? []),
		);
	}

	return {rows, shifts, options: {...options, iterations}, windows: {base: base.windows.length, next: next.windows.length}, blocks: {base: windows.base.length, next: windows.next.length}, spreadFrom};
}
