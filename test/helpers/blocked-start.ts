import type {EndpointPlan, RequestPolicy} from '../../source/config/types.js';
import {LoadLoop, loadHttpClient} from '../../source/engine/load-loop.js';
import type {EndpointInterval} from '../../source/stats/snapshot.js';

/**
 * One open-model request on one connection (or HTTP/2 session) whose thread is kept busy for
 * `blockMs` right after the loop starts, so the connection comes up, and the request goes out, only
 * after that. Returns the endpoint's figures once the request has finished and the loop stopped.
 */
export async function oneRequestBlockedAtStart(plan: EndpointPlan, policy: RequestPolicy, blockMs: number): Promise<EndpointInterval> {
	await loadHttpClient(policy);
	let exhausted!: () => void;
	const done = new Promise<void>(resolve => {
		exhausted = resolve;
	});
	const loop = new LoadLoop({endpoints: [plan], policy, connections: 1, rate: 10, maxLateMs: 10_000, issued: new Int32Array(new SharedArrayBuffer(4)), maxRequests: 1, extraHeaders: {}, paused: false}, {onExhausted: exhausted, onUnauthorized() {}});
	loop.start();
	const until = performance.now() + blockMs;
	while (performance.now() < until) {
		// Busy: nothing the loop started can complete before this ends.
	}

	await done;
	const interval = loop.snapshot(0, 0).endpoints[0]!;
	await loop.stop(1000);
	return interval;
}
