import type {NetworkOptions} from './network.js';
import type {ProxyOptions, ProxyServer} from './proxy.js';
import type {Http2Options} from './http2.js';

import type {CheckPlan} from './check-plan.js';
import type {TemplateSpec} from './template.js';

/** One HTTP request the load generator sends, fully resolved. */
export type EndpointPlan = {
	readonly name: string;
	readonly method: string;
	/** Full URL, as configured (after `${VAR}` interpolation). */
	readonly url: string;
	/** `scheme://host:port` */
	readonly origin: string;
	/** Path and query string. */
	readonly path: string;
	/** Request headers, including Content-Type for bodies and Authorization for basic auth. */
	readonly headers: Readonly<Record<string, string>>;
	readonly body: string | undefined;
	/** Relative weight for the weighted random choice between endpoints. */
	readonly weight: number;
	/** Response checks (see config/checks.ts); undefined: any response passes, as before. */
	readonly checks?: CheckPlan | undefined;
	/**
	 * Placeholders (`${data.column}`, `${seq}`...) in the path, headers or body, compiled (see
	 * config/template.ts); undefined for a plain endpoint, sent as one prebuilt buffer.
	 */
	readonly template?: TemplateSpec | undefined;
	/** The HTTP proxy this endpoint's requests go through (config/proxy.ts); undefined: direct. */
	readonly proxy?: ProxyServer | undefined;
};

/** A data file's rows, for `${data.column}` placeholders (config/data-file.ts). */
export type DataSet = {
	/** The file as the config names it. */
	readonly file: string;
	readonly columns: readonly string[];
	/** Each row's values, in `columns` order. */
	readonly rows: ReadonlyArray<readonly string[]>;
	/** sequential: each row once a lap, in order, across all threads; shuffle: the same in a random order; random: any row each time. */
	readonly mode: 'sequential' | 'random' | 'shuffle';
	/** After the last row: start again (wrap), or end the run (stop). */
	readonly onEnd: 'wrap' | 'stop';
	/** shuffle: the order rows are used in (drawn once per run). */
	readonly order?: readonly number[];
};

/**
 * Which HTTP/1.1 client the load loop sends with: `socket` (default), plain sockets with prebuilt
 * requests and a byte-level response parser; `undici`, undici's Client dispatch, to cross-check.
 */
export type HttpClient = 'socket' | 'undici';

export const httpClients: readonly HttpClient[] = ['socket', 'undici'];

/** How each request is sent: timeouts, retries, TLS and the client. */
export type RequestPolicy = {
	readonly timeoutMs: number;
	readonly retries: number;
	readonly backoffMs: number;
	readonly backoffMaxMs: number;
	readonly jitterMs: number;
	readonly retryOnStatuses: readonly number[];
	readonly verifyTls: boolean;
	readonly httpClient: HttpClient;
	/** TLS and network options (config/network.ts); undefined when none is set. */
	readonly network?: NetworkOptions | undefined;
	/** HTTP/2 (config/http2.ts); undefined: HTTP/1.1 on `httpClient`. */
	readonly http2?: Http2Options | undefined;
	/** The HTTP proxies (`--proxy`, `"proxy"`, or the environment's) and NO_PROXY; each endpoint's own is `EndpointPlan.proxy`. */
	readonly proxy?: ProxyOptions | undefined;
};

/** OAuth2 token request (PyStress `token_acquisition`). */
export type TokenPlan = {
	readonly endpoint: EndpointPlan;
	readonly policy: RequestPolicy;
};

/** What to send: endpoints, policy and optional token acquisition. */
export type TestPlan = {
	readonly endpoints: readonly EndpointPlan[];
	readonly policy: RequestPolicy;
	readonly token: TokenPlan | undefined;
	/** Data files that endpoints' `template.data` point into; undefined without any. */
	readonly data?: readonly DataSet[] | undefined;
};

/** How hard and how long to send. */
export type RunSettings = {
	readonly threads: number;
	/** Total concurrent connections, split across worker threads. */
	readonly connections: number;
	/** Stop after this long (ms); undefined with `maxRequests` alone. */
	readonly durationMs: number | undefined;
	/** Stop after this many finished attempts. */
	readonly maxRequests: number | undefined;
	/** Open model: requests per second across all workers. Undefined: closed model. */
	readonly rate: number | undefined;
	/** How long `stop()` waits for in-flight requests before cancelling them. */
	readonly graceMs: number;
	/** Open model: the pool may grow to this many connections to hold the rate (default: connections). */
	readonly maxConnections?: number | undefined;
	/** Ramp: connections (closed model) or rate (open model) move through these stages. */
	readonly stages?: readonly Stage[] | undefined;
	/** Open model: sends later than this are dropped (and counted) instead of sent. */
	readonly maxLateMs?: number | undefined;
	/** Load before the measured run, counted apart (`--warm-up`); the duration starts after it. */
	readonly warmUpMs?: number | undefined;
};

/** One stage of a ramp (see engine/stages). */
export type Stage = {readonly durationMs: number; readonly target: number};

/** Run settings a config file may carry (flags override them). */
export type FileSettings = {
	readonly maxConnections?: number;
	readonly rampUpMs?: number;
	readonly warmUpMs?: number;
	readonly stages?: readonly Stage[];
	readonly thresholds?: readonly string[];
	readonly threads?: number;
	readonly connections?: number;
	readonly durationMs?: number;
	readonly maxRequests?: number;
	readonly rate?: number;
	readonly baselineDurationMs?: number;
	/** CI and monitoring outputs the file names (flags override each). */
	readonly outputs?: OutputSettings;
};

/** CI and monitoring outputs (`--junit`, `--summary-md`, `--csv`, `--metrics-listen`, `--progress`), from a config or the flags. */
export type OutputSettings = {
	readonly junit?: string | undefined;
	readonly summaryMd?: string | undefined;
	/** Prefix of PREFIX-stats.csv and PREFIX-timeline.csv. */
	readonly csv?: string | undefined;
	/** HOST:PORT as written (see config/listen.ts). */
	readonly metricsListen?: string | undefined;
	readonly progress?: 'ndjson' | undefined;
};

export const defaultPolicy: RequestPolicy = {
	timeoutMs: 30_000,
	retries: 0,
	backoffMs: 200,
	backoffMaxMs: 2000,
	jitterMs: 0,
	retryOnStatuses: [],
	verifyTls: true,
	httpClient: 'socket',
};

export const defaultConnections = 50;
export const defaultDurationMs = 60_000;
export const defaultGraceMs = 2000;
