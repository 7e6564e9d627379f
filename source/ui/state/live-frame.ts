import type {Engine} from '../../engine/engine.js';
import {passRate} from '../../stats/aggregate.js';
import type {CheckCounts} from '../../stats/checks.js';
import {summarize} from '../../stats/histogram.js';
import {emptyLatency, type LiveFrame} from './dashboard-state.js';

/** What a frame reads from the engine (tests may pass a fake). */
export type EngineView = Pick<Engine, 'state' | 'currentSettings' | 'activeS' | 'totals' | 'workerHealth' | 'plan' | 'stage'> & Partial<Pick<Engine, 'warmUpRemainingS'>>;

/** Takes a frame of the engine's live figures (merges nothing: reads the accumulators). */
export function collectFrame(engine: EngineView): LiveFrame {
	const {overall, endpoints} = engine.totals;
	const openModel = engine.currentSettings.rate !== undefined;
	const {stage} = engine;
	return {
		state: engine.state,
		settings: engine.currentSettings,
		activeS: engine.activeS,
		...(engine.warmUpRemainingS === undefined ? {} : {warmUpRemainingS: engine.warmUpRemainingS}),
		requests: overall.requests,
		responses: overall.responses,
		errors: overall.errors,
		bytesRead: overall.bytesRead,
		passRate: passRate(overall),
		latency: summarize(overall.histogram),
		// The open model always has the corrected line (empty until the first response), so the layout does not jump.
		correctedLatency: overall.correctedHistogram ? summarize(overall.correctedHistogram) : (openModel ? emptyLatency : undefined),
		statusCodes: {...overall.statusCodes},
		errorKinds: {...overall.errorKinds},
		...(engine.plan.endpoints.some(endpoint => endpoint.checks !== undefined) ? {checks: copyChecks(overall.checks) ?? {passed: 0, failed: 0, byName: {}}} : {}),
		endpoints: engine.plan.endpoints.map((endpoint, index) => {
			const totals = endpoints[index];
			const latency = totals && totals.requests > 0 ? summarize(totals.histogram) : undefined;
			return {
				name: endpoint.name,
				method: endpoint.method,
				requests: totals?.requests ?? 0,
				errors: totals?.errors ?? 0,
				passRate: totals ? passRate(totals) : null,
				p50: latency?.p50 ?? 0,
				p99: latency?.p99 ?? 0,
				...(endpoint.checks === undefined ? {} : {checks: copyChecks(totals?.checks) ?? {passed: 0, failed: 0, byName: {}}}),
			};
		}),
		workers: engine.workerHealth,
		late: engine.totals.late,
		dropped: engine.totals.dropped,
		stage: stage ? {index: stage.index, count: stage.count, value: stage.value, target: stage.target, override: stage.override} : undefined,
	};
}

/** A frame keeps its own copy: the engine's accumulators go on changing. */
function copyChecks(checks: CheckCounts | undefined): CheckCounts | undefined {
	return checks === undefined ? undefined : {passed: checks.passed, failed: checks.failed, byName: {...checks.byName}};
}
