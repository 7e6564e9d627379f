import type {RunSettings} from '../../source/config/types.js';
import type {Hardware} from '../../source/engine/hardware.js';
import type {JsonReport} from '../../source/report/types.js';
import {prepareRun} from '../../source/session/prepare.js';
import type {Candidate} from '../../source/ui/state/candidate.js';
import type {LiveFrame} from '../../source/ui/state/dashboard-state.js';
import type {TimelinePoint} from '../../source/stats/timeline.js';

/** A fixed machine, so screens render the same everywhere. */
export const testHardware: Hardware = {
	cpuModel: 'Test CPU 9000',
	physicalCores: 4,
	logicalProcessors: 8,
	availableParallelism: 8,
	cpuQuota: 2.5,
	totalMemoryBytes: 16 * 1024 ** 3,
	freeMemoryBytes: 8 * 1024 ** 3,
	node: 'v20.20.0',
	platform: 'linux',
	arch: 'x64',
	coresSource: 'cpuinfo',
};

export function urlCandidate(url = 'http://127.0.0.1:9/api', flags: Record<string, string> = {}): Candidate {
	const prepared = prepareRun({url, ...flags}, testHardware, {});
	return {id: `url:${url}`, kind: 'url', label: url, detail: 'typed URL', choice: {ok: true, prepared, extendedBaselineMs: undefined, path: undefined}};
}

export function brokenCandidate(): Candidate {
	return {id: 'file:/broken.json', kind: 'file', label: 'broken.json', detail: 'broken.json', choice: {ok: false, source: '/broken.json', issues: [{path: 'conections', message: 'unknown key; did you mean "connections"?'}, {path: 'duration', message: 'expected a duration'}]}};
}

export const settings: RunSettings = {threads: 2, connections: 10, durationMs: 30_000, maxRequests: undefined, rate: undefined, graceMs: 2000};

export function point(t: number, overrides: Partial<TimelinePoint> = {}): TimelinePoint {
	return {t, requests: 100, responses: 100, errors: 0, rps: 100, p50: 1, p90: 2, p99: 5, max: 9, late: 0, dropped: 0, threads: 2, connections: 10, paused: false, ...overrides};
}

export function frame(overrides: Partial<LiveFrame> = {}): LiveFrame {
	return {
		state: 'running',
		settings,
		activeS: 12,
		requests: 12_345,
		responses: 12_300,
		errors: 45,
		bytesRead: 1_000_000,
		passRate: 0.98,
		latency: {count: 12_300, min: 0.1, mean: 2, p50: 1.5, p90: 4, p95: 5, p99: 9.5, p999: 20, max: 31, stdev: 1},
		statusCodes: {200: 12_000, 503: 300},
		errorKinds: {timeout: 45},
		endpoints: [
			{name: 'home', method: 'GET', requests: 8000, errors: 5, passRate: 0.99, p50: 1, p99: 8},
			{name: 'checkout', method: 'POST', requests: 4345, errors: 40, passRate: 0.95, p50: 3, p99: 12},
		],
		workers: [
			{workerId: 0, connections: 5, inFlight: 5, eventLoopUtilization: 0.42},
			{workerId: 1, connections: 5, inFlight: 5, eventLoopUtilization: 0.51},
		],
		late: 0,
		dropped: 0,
		...overrides,
	};
}

/** A small but complete report, as the session builds it. */
export function report(overrides: Partial<JsonReport> = {}): JsonReport {
	const latencyMs = {count: 1000, min: 0.2, mean: 2.1, p50: 1.8, p90: 3.5, p95: 4, p99: 7.25, p999: 12, max: 15, stdev: 1.1};
	return {
		schemaVersion: 3,
		tool: {name: 'pystress-tui', version: '0.1.0'},
		startedAt: '2024-05-01T10:00:00.000Z',
		endedAt: '2024-05-01T10:00:10.000Z',
		stopReason: 'duration',
		target: {url: 'http://127.0.0.1:9/api', method: 'GET', name: 'GET /api'},
		settings: {threads: 2, connections: 10, durationS: 10, maxRequests: null, rate: null, httpClient: 'socket', final: {threads: 3, connections: 11, rate: null}},
		hardware: {cpuModel: 'Test CPU 9000', physicalCores: 4, logicalProcessors: 8, cpuQuota: 2.5, totalMemoryBytes: 16 * 1024 ** 3, node: 'v20.20.0', platform: 'linux'},
		summary: {requests: 1000, responses: 990, errors: 10, statusCodes: {200: 980, 500: 10}, errorKinds: {timeout: 10}, connectionEvents: {}, retries: 0, incomplete: 0, errorRate: 0.01, rps: 100, bytesRead: 50_000, durationS: 10, passRate: 0.98, latencyMs, late: 0, dropped: 0, cancelled: 0},
		endpoints: [],
		timeline: Array.from({length: 10}, (_, index) => point(index + 1, {rps: 90 + index})),
		markers: [{t: 4.2, kind: 'threads', value: 3, label: 'threads 3'}],
		percentiles: [],
		histogram: '',
		generator: {peakEventLoopUtilization: 0.35, saturated: false},
		config: {url: 'http://127.0.0.1:9/api'},
		baseline: {quick: {requests: 5, errors: 0, durationS: 0.05, rps: 100, latencyMs: {...latencyMs, p50: 0.9}}},
		speedup: {against: 'quick', throughput: 8.5, latencyGrowthP50: 2, latencyGrowthP99: 3.1, perConnectionEfficiency: 0.85, perThreadRps: 50},
		...overrides,
	};
}
