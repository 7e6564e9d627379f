import type {RunSettings} from '../../config/types.js';
import type {EngineState, WorkerHealth} from '../../engine/engine.js';
import type {LatencySummary} from '../../stats/histogram.js';
import type {RunMarker, TimelinePoint} from '../../stats/timeline.js';

/** Live figures of one endpoint. */
export type EndpointFrame = {
	readonly name: string;
	readonly method: string;
	readonly requests: number;
	readonly errors: number;
	readonly passRate: number;
	readonly p50: number;
	readonly p99: number;
};

/** What the dashboard shows of a running test, taken at most a few times a second. */
export type LiveFrame = {
	readonly state: EngineState;
	readonly settings: RunSettings;
	/** Seconds of load so far (paused time excluded). */
	readonly activeS: number;
	readonly requests: number;
	readonly responses: number;
	readonly errors: number;
	readonly bytesRead: number;
	readonly passRate: number;
	readonly latency: LatencySummary;
	readonly statusCodes: Readonly<Record<string, number>>;
	readonly errorKinds: Readonly<Record<string, number>>;
	readonly endpoints: readonly EndpointFrame[];
	readonly workers: readonly WorkerHealth[];
	readonly late: number;
	readonly dropped: number;
};

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
 * connections, R rate, P pause, > resume, X stop) and `·` under paused seconds.
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

export function markerSymbol(kind: RunMarker['kind']): string {
	return markerSymbols[kind];
}
