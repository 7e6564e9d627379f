import {performance} from 'node:perf_hooks';
import {parentPort, workerData} from 'node:worker_threads';
import {redactUrl} from '../config/redact.js';
import {EventLoopProbe} from './event-loop-probe.js';
import {collectBeforeStart, HeapKeeper} from './heap-keeper.js';
import {LoadLoop, loadHttpClient} from './load-loop.js';
import {RequestLog} from './request-log.js';
import {prepareTrust} from './tls-trust.js';
import type {FromWorker, ToWorker, WorkerInit, WorkerInitMessage} from './protocol.js';

/** Worker thread entry: runs one LoadLoop and reports a snapshot per interval. */
const port = parentPort!;
// A prewarmed worker (spawn-worker.ts) starts without workerData and is sent its init first.
const init = (workerData as WorkerInit | undefined) ?? await new Promise<WorkerInit>(resolve => {
	port.once('message', (message: WorkerInitMessage) => {
		resolve(message.init);
	});
});
const post = (message: FromWorker): void => {
	port.postMessage(message);
};

const log = init.log
	? new RequestLog(init.log, redactUrl, message => {
		post({type: 'log-failed', workerId: init.workerId, message});
	})
	: undefined;
let exhaustedSent = false;
let stopping = false;
await loadHttpClient(init.policy);
// A deferred NODE_EXTRA_CA_CERTS is parsed now, not inside the first connect's time.
prepareTrust(init.policy.network, init.policy.verifyTls, init.plan.endpoints.map(endpoint => endpoint.url));
const loop = new LoadLoop(
	{
		endpoints: init.plan.endpoints,
		policy: init.policy,
		connections: init.connections,
		maxConnections: init.maxConnections,
		rate: init.rate,
		maxLateMs: init.maxLateMs,
		sendOffsetMs: init.sendOffsetMs,
		issued: init.issued ? new Int32Array(init.issued) : undefined,
		maxRequests: init.maxRequests,
		data: init.plan.data,
		templateCounters: init.templateCounters,
		dataShare: init.dataShare,
		extraHeaders: init.extraHeaders,
		headersVersion: init.headersVersion,
		paused: init.paused,
		warmUp: init.warmUp,
	},
	{
		onExhausted(reason) {
			if (!exhaustedSent) {
				exhaustedSent = true;
				sendSnapshot();
				post({type: 'exhausted', workerId: init.workerId, reason});
			}
		},
		onUnauthorized(headersVersion) {
			post({type: 'unauthorized', workerId: init.workerId, headersVersion});
		},
		onAttempt: log?.record,
	},
);

const probe = new EventLoopProbe(init.rate !== undefined);
const heap = new HeapKeeper(performance.now());
let lastElu = performance.eventLoopUtilization();
/** `flushSeq`: the number of the `flush` this answers. */
function sendSnapshot(flushSeq?: number): void {
	const elu = performance.eventLoopUtilization(lastElu);
	lastElu = performance.eventLoopUtilization();
	const snapshot = {...loop.snapshot(init.workerId, elu.utilization, elu.idle + elu.active), ...probe.take()};
	post(flushSeq === undefined ? {type: 'snapshot', snapshot} : {type: 'snapshot', snapshot, flushed: flushSeq});
	log?.flush();
	heap.check(performance.now());
}

/** Tests only: see `WorkerInit.testStall`. Blocks the event loop on purpose, once. */
function armTestStall(): void {
	if (init.testStall === undefined) return;
	const {afterMs, stallMs} = init.testStall;
	setTimeout(() => {
		const until = performance.now() + stallMs;
		// eslint-disable-next-line no-empty
		while (performance.now() < until) {}
	}, afterMs).unref();
}

/**
 * Runs Node's timer code (`listOnTimeout`) down its "list empty" branch a dozen times as the worker
 * starts. V8 optimises that function on this thread's repeating timers (the stall probe's, the
 * snapshots'), whose lists never empty, so the branch had no type feedback; the first list to empty
 * (the warm-up snapshots' at the clock's start) then threw the code away ("Insufficient type
 * feedback for call", `--trace-deopt`) and V8 recompiled it on a background thread on the worker's
 * core, 11-15 ms of compiling in the run's first seconds. Each of these one-shot timers is the only
 * one of its list, and the next is armed only after its list has gone, so every turn takes the
 * branch. A dozen: V8 keeps no feedback for a function's first eight calls.
 */
function exerciseEmptyTimerLists(times = 12): void {
	if (times === 0) return;
	setTimeout(() => setImmediate(exerciseEmptyTimerLists, times - 1), 2).unref();
}

exerciseEmptyTimerLists();

const interval = setInterval(() => {
	sendSnapshot();
}, init.snapshotIntervalMs);
interval.unref();

/**
 * During a warm-up, snapshots also come five times as often (each one starts a new warm-up phase,
 * see LoadLoop.warmPhase). The code that takes a snapshot runs a few times a second, so V8 got round
 * to optimising it (EndpointRecorder.take) only about 0.7 s after a 3 s warm-up's end: some 10 ms of
 * compiling on a background thread, on the worker's core when the client is pinned to one, that
 * made the open model's first measured second its worst (corrected p99 2.1-2.6 ms against 0.9-1.6
 * once this cadence moved the compiling into the warm-up; 4 alternating pairs at 50,000/s). The
 * regular snapshots keep their own timer, so their times relative to the run's seconds do not move.
 */
let warmUpInterval: NodeJS.Timeout | undefined = init.warmUp === true ? setInterval(() => {
	sendSnapshot();
}, Math.max(10, init.snapshotIntervalMs / 5)) : undefined;
warmUpInterval?.unref();
function endWarmUpSnapshots(): void {
	clearInterval(warmUpInterval);
	warmUpInterval = undefined;
}

async function stop(graceMs: number): Promise<void> {
	clearInterval(interval);
	endWarmUpSnapshots();
	const cancelled = await loop.stop(graceMs);
	sendSnapshot();
	probe.stop();
	log?.close();
	post({type: 'done', workerId: init.workerId, cancelled});
	port.close();
}

port.on('message', (message: ToWorker) => {
	switch (message.type) {
		case 'start': {
			if (message.paused) {
				loop.pause();
			}

			lastElu = performance.eventLoopUtilization();
			probe.take();
			loop.start();
			armTestStall();
			break;
		}

		case 'pause': {
			loop.pause();
			break;
		}

		case 'measure': {
			// The warm-up's last snapshot (its late sends, stalls and utilisation go with it), then measure.
			endWarmUpSnapshots();
			sendSnapshot();
			loop.measure();
			break;
		}

		case 'resume': {
			loop.resume();
			break;
		}

		case 'flush': {
			sendSnapshot(message.seq);
			break;
		}

		case 'set-connections': {
			loop.setConnections(message.connections, message.maxConnections);
			break;
		}

		case 'set-rate': {
			loop.setRate(message.rate);
			probe.setOpen(message.rate !== undefined);
			break;
		}

		case 'set-headers': {
			loop.setExtraHeaders(message.extraHeaders, message.version);
			break;
		}

		case 'stop': {
			if (stopping) {
				loop.cancelNow();
			} else {
				stopping = true;
				void stop(message.graceMs);
			}

			break;
		}

		default: {
			const unexpected: never = message;
			post({type: 'fatal', workerId: init.workerId, message: `unexpected message ${JSON.stringify(unexpected)}`});
		}
	}
});

process.on('uncaughtException', error => {
	post({type: 'fatal', workerId: init.workerId, message: error.message});
});

// Loading left garbage: collect it now, before the clock, not a few seconds into the run.
if (init.collectFirst === true) collectBeforeStart();
post({type: 'ready', workerId: init.workerId});
