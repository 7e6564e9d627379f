import type {Worker} from 'node:worker_threads';
import type {WorkerSnapshot} from '../stats/snapshot.js';
import type {FromWorker, ToWorker, WorkerInit} from './protocol.js';
import {spawnWorker} from './spawn-worker.js';

/** Live figures of one worker. */
export type WorkerHealth = {
	readonly workerId: number;
	readonly connections: number;
	readonly inFlight: number;
	/** Event-loop utilisation over the last interval, 0..1. */
	readonly eventLoopUtilization: number;
	/** The longest the worker's event loop went without turning over the last interval, ms. */
	readonly maxEventLoopDelayMs?: number;
	/** Time its event loop was stalled over the last interval, ms (see `stallThresholdMs`). */
	readonly eventLoopStallMs?: number;
	/** How long the last interval was, ms (the stall time's denominator). */
	readonly windowMs?: number;
	/** The worker's probe period, ms: gaps up to twice it are the probe's own rhythm, not stalls. */
	readonly probeMs?: number;
	/** Of the stall time, ms: the thread ran, and waited for a core (see `WorkerSnapshot.stallRunningMs`); absent where not measured. */
	readonly stallRunningMs?: number;
	readonly stallWaitingMs?: number;
};

/** One worker of the pool, as the engine sees it. */
export type PooledWorker = {
	readonly id: number;
	readonly worker: Worker;
	/** Connections the engine last gave it. */
	connections: number;
	/** Told to stop (fewer threads, or the end of the run): no longer live. */
	retiring: boolean;
	/** It reported the shared request budget spent. */
	exhausted: boolean;
	/** Its figures from its last snapshot. */
	health: WorkerHealth;
	/** Resolves with its cancelled requests when it has stopped (0 when it exited or failed). */
	readonly done: Promise<number>;
	/** Resolves when it has loaded (or exited). */
	readonly ready: Promise<void>;
};

/** What the pool hands on from its workers: every message a worker can send has its handler. */
export type PoolHandlers = {
	readonly ready: (worker: PooledWorker) => void;
	/** `flushSeq`: it answers the `flush` of that number (undefined for a regular snapshot). */
	readonly snapshot: (worker: PooledWorker, snapshot: WorkerSnapshot, flushSeq: number | undefined) => void;
	/** `reason`: the request budget was spent, or the data ran out (on_end "stop"). */
	readonly exhausted: (worker: PooledWorker, reason: 'requests' | 'data') => void;
	/** A 401 for a request that carried the `headersVersion`-th extra headers. */
	readonly unauthorized: (worker: PooledWorker, headersVersion: number) => void;
	readonly done: (worker: PooledWorker, cancelled: number) => void;
	readonly logFailed: (message: string) => void;
	/** A worker failed (an `error` event or a `fatal` message), with the worker named. */
	readonly error: (message: string) => void;
};

export type WorkerPoolOptions = {
	readonly handlers: PoolHandlers;
	/** Starts a worker for a given init (tests may inject; default spawns a thread). */
	readonly spawn?: ((init: WorkerInit) => Worker) | undefined;
};

/** Margin after the grace period before a worker that never answered `stop` is terminated, ms. */
const terminateMarginMs = 3000;

/**
 * The load workers of a run: spawns them, knows when they are ready, posts them messages, retires
 * them gracefully or terminates them, and routes what they send to typed handlers. Merges nothing.
 */
export class WorkerPool {
	private readonly workers = new Map<number, PooledWorker>();
	private readonly started = new Set<number>();
	private nextWorkerId = 0;
	private readonly options: WorkerPoolOptions;

	constructor(options: WorkerPoolOptions) {
		this.options = options;
	}

	/** Every worker not yet stopped, retiring ones included. */
	get all(): PooledWorker[] {
		return [...this.workers.values()];
	}

	/** The workers doing the run's work (not retiring). */
	get live(): PooledWorker[] {
		return this.all.filter(worker => !worker.retiring);
	}

	/** Starts a worker (the pool numbers it); it loads, says `ready`, and waits for `start`. */
	spawn(init: Omit<WorkerInit, 'workerId'>): PooledWorker {
		const id = this.nextWorkerId++;
		const worker = (this.options.spawn ?? spawnWorker)({workerId: id, ...init});
		let resolveDone!: (cancelled: number) => void;
		const done = new Promise<number>(resolve => {
			resolveDone = resolve;
		});
		let resolveReady!: () => void;
		const ready = new Promise<void>(resolve => {
			resolveReady = resolve;
		});
		const pooled: PooledWorker = {
			id,
			worker,
			connections: init.connections,
			retiring: false,
			exhausted: false,
			health: {workerId: id, connections: init.connections, inFlight: 0, eventLoopUtilization: 0},
			done,
			ready,
		};
		let finished = false;
		const finish = (cancelled: number): void => {
			if (!finished) {
				finished = true;
				this.workers.delete(id);
				resolveDone(cancelled);
			}
		};

		worker.on('message', (message: FromWorker) => {
			this.route(pooled, message, resolveReady, finish);
		});
		worker.on('error', error => {
			this.options.handlers.error(`worker ${id}: ${error.message}`);
			finish(0);
		});
		worker.on('exit', () => {
			resolveReady();
			finish(0);
		});
		this.workers.set(id, pooled);
		return pooled;
	}

	private route(pooled: PooledWorker, message: FromWorker, resolveReady: () => void, finish: (cancelled: number) => void): void {
		const {handlers} = this.options;
		switch (message.type) {
			case 'ready': {
				resolveReady();
				handlers.ready(pooled);
				break;
			}

			case 'snapshot': {
				const {snapshot} = message;
				pooled.health = {
					workerId: pooled.id,
					connections: snapshot.connections,
					inFlight: snapshot.inFlight,
					eventLoopUtilization: snapshot.eventLoopUtilization,
					...(snapshot.maxEventLoopDelayMs === undefined ? {} : {maxEventLoopDelayMs: snapshot.maxEventLoopDelayMs, eventLoopStallMs: snapshot.eventLoopStallMs ?? 0, windowMs: snapshot.utilizationWindowMs ?? 0, ...(snapshot.eventLoopProbeMs === undefined ? {} : {probeMs: snapshot.eventLoopProbeMs}), ...(snapshot.stallRunningMs === undefined || snapshot.stallWaitingMs === undefined ? {} : {stallRunningMs: snapshot.stallRunningMs, stallWaitingMs: snapshot.stallWaitingMs})}),
				};
				handlers.snapshot(pooled, snapshot, message.flushed);
				break;
			}

			case 'exhausted': {
				pooled.exhausted = true;
				handlers.exhausted(pooled, message.reason);
				break;
			}

			case 'unauthorized': {
				handlers.unauthorized(pooled, message.headersVersion);
				break;
			}

			case 'done': {
				handlers.done(pooled, message.cancelled);
				void pooled.worker.terminate();
				finish(message.cancelled);
				break;
			}

			case 'log-failed': {
				handlers.logFailed(message.message);
				break;
			}

			case 'fatal': {
				handlers.error(`worker ${message.workerId}: ${message.message}`);
				break;
			}
		}
	}

	/** Resolves when every one of `workers` is ready, or after `timeoutMs` at the latest. */
	async whenReady(workers: readonly PooledWorker[], timeoutMs: number): Promise<void> {
		await Promise.race([
			Promise.all(workers.map(async worker => worker.ready)),
			new Promise(resolve => {
				setTimeout(resolve, timeoutMs).unref();
			}),
		]);
	}

	/** Tells a worker to begin sending; a worker is started once only. */
	start(worker: PooledWorker, paused: boolean): void {
		if (!this.started.has(worker.id)) {
			this.started.add(worker.id);
			this.post(worker, {type: 'start', paused});
		}
	}

	post(worker: PooledWorker, message: ToWorker): void {
		worker.worker.postMessage(message);
	}

	/** Posts to every live worker. */
	postLive(message: ToWorker): void {
		for (const worker of this.live) {
			this.post(worker, message);
		}
	}

	/** Asks every started worker not yet stopped (retiring ones included) for a snapshot now, flush number `seq`; returns them. */
	flush(seq: number): PooledWorker[] {
		const workers = this.all.filter(worker => this.started.has(worker.id));
		for (const worker of workers) {
			this.post(worker, {type: 'flush', seq});
		}

		return workers;
	}

	/** Posts to every worker not yet stopped, retiring ones included. */
	postAll(message: ToWorker): void {
		for (const worker of this.all) {
			this.post(worker, message);
		}
	}

	/** Tells a worker to stop: it drains its in-flight requests for `graceMs`, sends its last snapshot and `done`. */
	retire(worker: PooledWorker, graceMs: number): void {
		worker.retiring = true;
		this.post(worker, {type: 'stop', graceMs});
	}

	/**
	 * Retires every worker still live and resolves when all have stopped. A worker that never
	 * answers is terminated after the grace period and a margin.
	 */
	async retireAll(graceMs: number): Promise<void> {
		const workers = this.all;
		for (const worker of workers) {
			if (!worker.retiring) {
				this.retire(worker, graceMs);
			}
		}

		const deadline = setTimeout(() => {
			this.terminate();
		}, graceMs + terminateMarginMs);
		await Promise.all(workers.map(async worker => worker.done));
		clearTimeout(deadline);
	}

	/** Terminates every worker not yet stopped, at once. */
	terminate(): void {
		for (const worker of this.all) {
			void worker.worker.terminate();
		}
	}
}
