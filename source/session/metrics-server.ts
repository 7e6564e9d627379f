import http from 'node:http';
import type {AddressInfo} from 'node:net';
import type {ListenAddress} from '../config/listen.js';
import {renderPrometheusMetrics, type MetricsFigures} from '../report/prometheus.js';
import {idleFigures, type MetricsSink} from './live-metrics.js';

/*
 * `--metrics-listen`: a Prometheus endpoint (`GET /metrics`) serving the live figures of the run
 * that is going on, in both front ends. One server for the process: each new run (the TUI runs
 * again) is followed in turn, its counters starting at 0 (Prometheus reads that as a counter
 * reset). Once a run ends the endpoint serves its final figures (`pystress_running 0`) until the
 * process exits; headless mode, which exits right after the reports, first waits for one more
 * scrape (at most `metricsLingerMs`) when anyone scraped during the run, so the last seconds are
 * not lost to a scraper.
 */

/** Headless: how long the final figures wait for a scrape after the run (when the endpoint was scraped during it). */
export const metricsLingerMs = 5000;

export class MetricsServer implements MetricsSink {
	readonly address: ListenAddress;
	private source: () => MetricsFigures = idleFigures;
	private readonly server: http.Server;
	private urlValue: string | undefined;
	private scrapes = 0;
	private readonly waiters = new Set<() => void>();

	constructor(address: ListenAddress) {
		this.address = address;
		this.server = http.createServer((request, response) => {
			this.answer(request, response);
		});
	}

	/** Scrapes served so far. */
	get scrapeCount(): number {
		return this.scrapes;
	}

	/** `http://HOST:PORT/metrics`, once listening. */
	get url(): string | undefined {
		return this.urlValue;
	}

	/** Listens; resolves with the URL (the port chosen when 0 was asked), rejects with the system error (EADDRINUSE...). */
	async listen(): Promise<string> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.address.port, this.address.host, () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		const {address, port} = this.server.address() as AddressInfo;
		this.urlValue = `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`;
		return this.urlValue;
	}

	follow(source: () => MetricsFigures): void {
		this.source = source;
	}

	private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
		const path = (request.url ?? '/').split('?')[0];
		if (path !== '/metrics') {
			response.writeHead(404, {'content-type': 'text/plain; charset=utf-8'}).end('not found: the metrics are at /metrics\n');
			return;
		}

		if (request.method !== 'GET' && request.method !== 'HEAD') {
			response.writeHead(405, {allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8'}).end('GET /metrics\n');
			return;
		}

		let text: string;
		try {
			text = renderPrometheusMetrics(this.source());
		} catch (error) {
			response.writeHead(500, {'content-type': 'text/plain; charset=utf-8'}).end(`cannot render the metrics: ${(error as Error).message}\n`);
			return;
		}

		response.writeHead(200, {'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store'});
		response.end(request.method === 'HEAD' ? undefined : text);
		this.scrapes++;
		for (const waiter of this.waiters) waiter();
	}

	/** Resolves true at the next scrape, false after `timeoutMs` or when `signal` aborts. */
	async waitForScrape(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
		if (signal?.aborted) return false;
		return new Promise<boolean>(resolve => {
			const done = (scraped: boolean): void => {
				clearTimeout(timer);
				this.waiters.delete(onScrape);
				signal?.removeEventListener('abort', onAbort);
				resolve(scraped);
			};

			const onScrape = (): void => {
				done(true);
			};

			const onAbort = (): void => {
				done(false);
			};

			const timer = setTimeout(onAbort, timeoutMs);
			this.waiters.add(onScrape);
			signal?.addEventListener('abort', onAbort, {once: true});
		});
	}

	async close(): Promise<void> {
		if (!this.server.listening) return;
		await new Promise<void>(resolve => {
			this.server.close(() => {
				resolve();
			});
			this.server.closeAllConnections();
		});
	}
}

/**
 * Headless, after the reports: when the endpoint was scraped during the run, keep the final figures
 * up until one more scrape (at most `metricsLingerMs`, or until `signal` aborts), then close.
 */
export async function finishMetrics(server: MetricsServer, say: (line: string) => void, signal?: AbortSignal): Promise<void> {
	if (server.scrapeCount > 0 && !signal?.aborted) {
		say(`metrics: the final figures stay at ${server.url ?? ''} until the next scrape (at most ${metricsLingerMs / 1000} s)`);
		await server.waitForScrape(metricsLingerMs, signal);
	}

	await server.close();
}
