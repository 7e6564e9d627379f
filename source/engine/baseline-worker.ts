import {parentPort, workerData} from 'node:worker_threads';
import {runSequence, type BaselineWorkerInit, type FromBaselineWorker, type ToBaselineWorker} from './baseline.js';

/** Baseline worker entry: runs one baseline's requests and reports samples, progress and the result. */
const init = workerData as BaselineWorkerInit;
const port = parentPort!;
const post = (message: FromBaselineWorker): void => {
	port.postMessage(message);
};

const abort = new AbortController();
let awaitingHeaders: ((headers: Readonly<Record<string, string>>) => void) | undefined;
port.on('message', (message: ToBaselineWorker) => {
	switch (message.type) {
		case 'abort': {
			abort.abort();
			break;
		}

		case 'headers': {
			awaitingHeaders?.(message.headers);
			awaitingHeaders = undefined;
			break;
		}
	}
});

try {
	const result = await runSequence(init, {
		onSample(sample) {
			post({type: 'sample', sample});
		},
		...(init.progress ? {onProgress(elapsedS, all) {
			post({type: 'progress', elapsedS, all});
		}} : {}),
		async refreshHeaders() {
			return new Promise(resolve => {
				awaitingHeaders = resolve;
				post({type: 'unauthorized'});
			});
		},
	}, abort.signal);
	post({type: 'done', ...result});
} catch (error) {
	post({type: 'fatal', message: error instanceof Error ? error.message : String(error)});
}

port.close();
