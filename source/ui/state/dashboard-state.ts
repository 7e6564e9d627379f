import type {CheckCounts} from '../../stats/checks.js';
import type {RunSettings} from '../../config/types.js';
import type {EngineState, WorkerHealth} from '../../engine/engine.js';
import {formatCount, formatRate, formatSeconds} from '../../report/format.js';
import type {LatencySummary} from '../../stats/histogram.js';
import {startUpLate, type RunMarker, type TimelinePoint} from '../../stats/timeline.js';

/** Live figures of one endpoint. */
export type EndpointFrame = {
	readonly name: string;
	readonly method: string;
	readonly requests: number;
	readonly errors: number;
	readonly passRate: number | null;
	readonly p50: number;
	readonly p99: number;
	/** Response checks of this endpoint, when it has any. */
	readonly checks?: CheckCounts | undefined;
	/** The summary: latency under load ÷ this endpoint alone (its baseline); null n/a, undefined without a baseline. */
	readonly growthP50?: number | null;
	readonly growthP99?: number | null;
};

/** Where a staged run is: `index` is 0-based and equals `count` after the last stage. */
export type StageFrame = {
	readonly index: number;
	readonly count: number;
	/** The value in force now (connections, or requests per second in the open model). */
	readonly value: number;
	/** The value the current stage ramps to. */
	readonly target: number;
	/** A live change (`]`/`[` closed model, `>`/`<` open model) holds until the next stage boundary. */
	readonly override?: boolean | undefined;
};

/** What the dashboard shows of a running test, taken at most once a second. */
export type LiveFrame = {
	readonly state: EngineState;
	readonly settings: RunSettings;
	/** Seconds of load so far (paused time excluded). */
	readonly activeS: number;
	/** `--warm-up`: seconds of it left (undefined once the measured run began, or without one). */
	readonly warmUpRemainingS?: number | undefined;
	readonly requests: number;
	readonly responses: number;
	readonly errors: number;
	readonly bytesRead: number;
	readonly passRate: number | null;
	/** Latency from the actual send. */
	readonly latency: LatencySummary;
	/** Open model: latency from the intended send time (coordinated-omission corrected); undefined in the closed model. */
	readonly correctedLatency?: LatencySummary | undefined;
	readonly statusCodes: Readonly<Record<string, number>>;
	readonly errorKinds: Readonly<Record<string, number>>;
	/** Response checks of the whole run, when any endpoint has checks (zeros until the first response). */
	readonly checks?: CheckCounts | undefined;
	readonly endpoints: readonly EndpointFrame[];
	readonly workers: readonly WorkerHealth[];
	/** Open model, cumulative: sends that went out late, and sends dropped because every connection was busy. */
	readonly late: number;
	readonly dropped: number;
	/** The current stage of a staged run (--stage); undefined without stages. */
	readonly stage?: StageFrame | undefined;
};

export const emptyLatency: LatencySummary = {count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, stdev: 0};

export type DashboardState = {
	readonly frame: LiveFrame | undefined;
	/** The last `capacity` timeline points (a ring: older points fall off). */
	readonly points: readonly TimelinePoint[];
	readonly markers: readonly RunMarker[];
	readonly capacity: number;
	/** The last time (seconds of load) a worker was at or above the saturation threshold, and the peak then. */
	readonly saturation: {readonly peak: number; readonly atS: number} | undefined;
};

export type DashboardAction =
	| {readonly type: 'dashboard-reset'; readonly points?: readonly TimelinePoint[]; readonly markers?: readonly RunMarker[]}
	| {readonly type: 'frame'; readonly frame: LiveFrame; readonly points: readonly TimelinePoint[]; readonly markers: readonly RunMarker[]};

/** Enough seconds for the widest chart we draw. */
export const seriesCapacity = 600;

export const initialDashboard: DashboardState = {frame: undefined, points: [], markers: [], capacity: seriesCapacity, saturation: undefined};

/** Event-loop utilisation at which the load generator itself is the bottleneck. */
export const saturationThreshold = 0.9;

/** How long the saturation warning stays after the last saturated frame (so it does not flicker away unseen). */
export const saturationHoldS = 5;

function keep(state: DashboardState, points: readonly TimelinePoint[], markers: readonly RunMarker[]): Pick<DashboardState, 'points' | 'markers'> {
	const kept = points.length > state.capacity ? points.slice(-state.capacity) : points;
	const since = kept[0]?.t ?? 0;
	// A marker older than the oldest point can no longer be placed on a chart.
	const keptMarkers = markers.filter(marker => marker.t >= since - 1).slice(-100);
	return {points: kept, markers: keptMarkers};
}

export function dashboardReducer(state: DashboardState, action: DashboardAction): DashboardState {
	switch (action.type) {
		case 'dashboard-reset': {
			return {...initialDashboard, capacity: state.capacity, ...keep(state, action.points ?? [], action.markers ?? [])};
		}

		case 'frame': {
			const saturation = nextSaturation(state.saturation, action.frame);
			if (action.points.length === 0 && action.markers.length === 0) {
				return {...state, frame: action.frame, saturation};
			}

			return {...state, frame: action.frame, saturation, ...keep(state, [...state.points, ...action.points], [...state.markers, ...action.markers])};
		}
	}
}

function nextSaturation(previous: DashboardState['saturation'], frame: LiveFrame): DashboardState['saturation'] {
	const peak = peakUtilization(frame.workers);
	if (peak < saturationThreshold) return previous;
	const recent = previous && frame.activeS - previous.atS <= saturationHoldS ? previous.peak : 0;
	return {peak: Math.max(peak, recent), atS: frame.activeS};
}

/** The peak utilisation to warn about: saturated now or within the last few seconds; undefined otherwise. */
export function saturationWarning(state: DashboardState): number | undefined {
	const {saturation, frame} = state;
	if (!saturation || !frame) return undefined;
	return frame.activeS - saturation.atS <= saturationHoldS ? saturation.peak : undefined;
}

/** The highest event-loop utilisation among the workers (0 when none reported yet). */
export function peakUtilization(workers: readonly WorkerHealth[]): number {
	return workers.reduce((peak, worker) => Math.max(peak, worker.eventLoopUtilization), 0);
}

/** Requests per second of the last complete second (0 before the first). */
export function currentRps(points: readonly TimelinePoint[]): number {
	return points.at(-1)?.rps ?? 0;
}

/** Chart series of the last `width` seconds. */
export function chartSeries(points: readonly TimelinePoint[], width: number): {rps: number[]; p50: number[]; p99: number[]; errors: number[]; points: readonly TimelinePoint[]} {
	const shown = points.slice(-Math.max(1, width));
	return {
		rps: shown.map(point => point.rps),
		p50: shown.map(point => point.p50),
		p99: shown.map(point => point.p99),
		errors: shown.map(point => point.errors),
		points: shown,
	};
}

const markerSymbols: Readonly<Record<RunMarker['kind'], string>> = {threads: 'T', connections: 'C', rate: 'R', pause: 'P', resume: '>', stage: 'S', stop: 'X'};

/**
 * The row under a chart: a letter where each marker falls on the time axis (T threads, C
 * connections, R rate, P pause, > resume, S stage, X stop) and `·` under paused seconds.
 */
export function markerRow(points: readonly TimelinePoint[], markers: readonly RunMarker[]): string {
	const cells: string[] = points.map(point => (point.paused ? '·' : ' '));
	for (const marker of markers) {
		// A marker belongs to the first second that ends after it.
		const index = points.findIndex(point => point.t >= marker.t);
		if (index >= 0) cells[index] = markerSymbols[marker.kind];
		else if (cells.length > 0 && marker.t > (points.at(-1)?.t ?? 0)) cells[cells.length - 1] = markerSymbols[marker.kind];
	}

	return cells.join('');
}

/** The markers that fall on the seconds shown (as `markerRow` places them). */
export function shownMarkers(points: readonly TimelinePoint[], markers: readonly RunMarker[]): RunMarker[] {
	const first = points[0];
	// The first second shown covers (t - 1, t].
	return first === undefined ? [] : markers.filter(marker => marker.t > first.t - 1);
}

/** What the letters of a marker row stand for: `T 3.2s threads 3 · X 10.0s stop (duration)`, in time order. */
export function markerLegend(markers: readonly RunMarker[]): string {
	return [...markers].sort((a, b) => a.t - b.t).map(marker => `${markerSymbols[marker.kind]} ${formatSeconds(marker.t)} ${marker.label}`).join(' · ');
}

export function markerSymbol(kind: RunMarker['kind']): string {
	return markerSymbols[kind];
}

/**
 * `stage 2/3 → 200 conns` (closed model) or `stage 2/3 → 200/s` (open model); `stages done` after
 * the last one. While a live change holds, the longest of `· live override until next stage`,
 * `· live until next stage`, `· live` that keeps the text within `width`.
 */
export function stageText(stage: StageFrame, openModel: boolean, width = Number.POSITIVE_INFINITY): string {
	if (stage.index >= stage.count) return 'stages done';
	const target = Number.isInteger(stage.target) ? formatCount(stage.target) : formatRate(stage.target);
	const text = `stage ${stage.index + 1}/${stage.count} → ${openModel ? `${target}/s` : `${target} conns`}`;
	if (!stage.override) return text;
	const until = stage.index + 1 < stage.count ? 'next stage' : 'the stages end';
	const wordings = [`${text} · live override until ${until}`, `${text} · live until ${until}`, `${text} · live`];
	return wordings.find(wording => wording.length <= width) ?? wordings.at(-1)!;
}

export type LateWarning = {readonly text: string; readonly level: 'warn' | 'error'};

/**
 * Open model: the warning when sends went out late or were dropped because every connection was
 * busy (undefined otherwise). The longest wording that fits `width`: the flags to change when
 * there is room, else the live key, else only the counts. When most late sends came in the first
 * second of a run without a warm-up (`startUpLate` over `points`), it names the start-up and
 * `--warm-up` instead of more connections.
 */
export function lateWarning(frame: LiveFrame | undefined, width: number, points: readonly TimelinePoint[] = []): LateWarning | undefined {
	if (!frame || frame.settings.rate === undefined || (frame.late <= 0 && frame.dropped <= 0)) return undefined;
	const counts = [frame.late > 0 ? `${formatCount(frame.late)} sends late` : '', frame.dropped > 0 ? `${formatCount(frame.dropped)} dropped` : ''].filter(Boolean).join(', ');
	const level = frame.dropped > 0 ? 'error' : 'warn';
	const atStart = startUpLate(points, frame.late, frame.settings.warmUpMs !== undefined && frame.settings.warmUpMs > 0);
	if (atStart !== undefined) {
		const first = formatCount(atStart);
		const startWordings = [
			`⚠ ${counts}, ${first} in the first second: start-up — --warm-up 2s keeps it out of the figures`,
			`⚠ ${counts}, ${first} at start-up — try --warm-up 2s`,
			`⚠ ${counts}, ${first} at start-up`,
			`⚠ ${counts}`,
		];
		return {text: startWordings.find(wording => wording.length <= width) ?? startWordings.at(-1)!, level};
	}

	const {connections, maxConnections} = frame.settings;
	const capped = maxConnections !== undefined && maxConnections > connections;
	const busy = `all ${formatCount(capped ? maxConnections : connections)} connections`;
	const wordings = [
		`⚠ ${counts}: ${busy} were busy — ${capped ? 'raise --max-connections' : 'raise --connections or set --max-connections'}`,
		`⚠ ${counts}: ${busy} busy — press ] or raise --${capped ? 'max-connections' : 'connections'}`,
		`⚠ ${counts}: ${busy} busy — press ] for more`,
		`⚠ ${counts}: ${busy} busy`,
	];
	const text = wordings.find(wording => wording.length <= width) ?? wordings.at(-1)!;
	return {text, level};
}
