import type {Engine} from '../engine/engine.js';
import {createHistogram, type Histogram} from '../stats/histogram.js';
import type {MetricsFigures} from '../report/prometheus.js';

/** The live figures of an engine's run (its accumulators as they stand: final once it is done). */
export function engineFigures(engine: Engine): MetricsFigures {
	const {overall, late, dropped} = engine.totals;
	const settings = engine.currentSettings;
	return {
		running: engine.state !== 'done',
		elapsedS: engine.activeS,
		requests: overall.requests,
		responses: overall.responses,
		errors: overall.errors,
		bytesRead: overall.bytesRead,
		statusCodes: overall.statusCodes,
		errorKinds: overall.errorKinds,
		...(engine.plan.endpoints.some(endpoint => endpoint.checks !== undefined) ? {checks: {passed: overall.checks?.passed ?? 0, failed: overall.checks?.failed ?? 0}} : {}),
		inFlight: engine.workerHealth.reduce((sum, worker) => sum + worker.inFlight, 0),
		threads: settings.threads,
		connections: settings.connections,
		targetRate: settings.rate,
		achievedRate: engine.timeline.at(-1)?.rps ?? 0,
		late,
		dropped,
		latency: overall.histogram,
		correctedLatency: overall.correctedHistogram ?? (settings.rate === undefined ? undefined : emptyHistogram()),
		endpoints: engine.plan.endpoints.map((endpoint, index) => {
			const totals = engine.totals.endpoints[index];
			return {name: endpoint.name, requests: totals?.requests ?? 0, errors: totals?.errors ?? 0, latency: totals?.histogram ?? emptyHistogram()};
		}),
	};
}

let empty: Histogram | undefined;
const emptyHistogram = (): Histogram => (empty ??= createHistogram());

/** Before any run: every figure 0. */
export function idleFigures(): MetricsFigures {
	return {running: false, elapsedS: 0, requests: 0, responses: 0, errors: 0, bytesRead: 0, statusCodes: {}, errorKinds: {}, inFlight: 0, threads: 0, connections: 0, targetRate: undefined, achievedRate: 0, late: 0, dropped: 0, latency: emptyHistogram()};
}

/** Where a session sends its engine's figures (see Session's `metrics` option). */
export type MetricsSink = {
	follow(source: () => MetricsFigures): void;
};
