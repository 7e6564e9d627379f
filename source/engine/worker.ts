import {performance} from 'node:perf_hooks';
import {parentPort, workerData} from 'node:worker_threads';
import {redactUrl} from '../config/redact.js';
import {LoadLoop, loadHttpClient} from './load-loop.js';
import {RequestLog} from './request-log.js';
import type {FromWorker, ToWorker, WorkerInit} from './protocol.js';

/** Worker thread entry: runs one LoadLoop and reports a snapshot per interval. */
const init = workerData as WorkerInit;
const port = parentPort!;
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
const loop = new LoadLoop(
	{
		endpoints: init.plan.endpoints,
		policy: init.policy,
		connections: init.connections,
		maxConnections: init.maxConnections,
		rate: init.rate,
		maxLateMs: init.maxLateMs,
		issued: init.issued ? new Int32Array(init.issued) : undefined,
		maxRequests: init.maxRequests,
		extraHeaders: init.extraHeaders,
		paused: init.paused,
	},
	{
		onExhausted() {
			if (!exhaustedSent) {
				exhaustedSent = true;
				sendSnapshot();
				post({type: 'exhausted', workerId: init.workerId});
			}
		},
		onUnauthorized() {
			post({type: 'unauthorized', workerId: init.workerId});
		},
		onAttempt: log?.record,
	},
);

let lastElu = performance.eventLoopUtilization();
function sendSnapshot(): void {
	const elu = performance.eventLoopUtilization(lastElu);
	lastElu = performance.eventLoopUtilization();
	post({type: 'snapshot', snapshot: loop.snapshot(init.workerId, elu.utilization, elu.idle + elu.active)});
	log?.flush();
}

const interval = setInterval(sendSnapshot, init.snapshotIntervalMs);
interval.unref();

async function stop(graceMs: number): Promise<void> {
	clearInterval(interval);
	const cancelled = await loop.stop(graceMs);
	sendSnapshot();
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
			loop.start();
			break;
		}

		case 'pause': {
			loop.pause();
			break;
		}

		case 'resume': {
			loop.resume();
			break;
		}

		case 'set-connections': {
			loop.setConnections(message.connections, message.maxConnections);
			break;
		}

		case 'set-rate': {
			loop.setRate(message.rate);
			break;
		}

		case 'set-headers': {
			loop.setExtraHeaders(message.extraHeaders);
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

post({type: 'ready', workerId: init.workerId});
