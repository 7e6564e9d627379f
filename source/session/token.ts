import type {Dispatcher} from 'undici';
import {invalidHeader} from '../config/header-check.js';
import type {TokenPlan} from '../config/types.js';
import {undiciConnectOptions} from '../engine/connect-options.js';
import {authorityOf} from '../engine/proxy-tunnel.js';

/** The token endpoint failed: the run must not start. */
export class TokenError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TokenError';
	}
}

/** Token requests, kept apart from the stress figures. */
export type TokenStats = {
	requests: number;
	errors: number;
	refreshes: number;
};

type Token = {readonly header: string; readonly expiresAtMs: number | undefined; readonly generation: number};

/**
 * OAuth2 token acquisition (PyStress `token_acquisition`): fetches the token once for all workers,
 * refreshes it shortly before `expires_in` runs out and when a 401 comes back (one refresh at a
 * time, however many workers report it), and hands the Authorization header to `onToken`.
 */
export class TokenManager {
	readonly stats: TokenStats = {requests: 0, errors: 0, refreshes: 0};
	private readonly plan: TokenPlan;
	/** Created on the first token request: runs without a token never load undici. */
	private dispatcher: Dispatcher | undefined;
	private current: Token | undefined;
	private refreshing: Promise<void> | undefined;
	private timer: NodeJS.Timeout | undefined;
	private listener: ((headers: Record<string, string>) => void) | undefined;
	private readonly now: () => number;

	constructor(plan: TokenPlan, now: () => number = Date.now) {
		this.plan = plan;
		this.now = now;
	}

	/** Headers to add to every stress request. */
	get headers(): Record<string, string> {
		return this.current ? {Authorization: this.current.header} : {};
	}

	/** Called with the new headers after every refresh. */
	onToken(listener: (headers: Record<string, string>) => void): void {
		this.listener = listener;
	}

	/** Fetches the first token; throws TokenError with the endpoint's answer when it fails. */
	async start(): Promise<void> {
		await this.fetchToken();
	}

	/** Refreshes the token (a 401 came back). Concurrent calls share one request. */
	async refresh(): Promise<void> {
		if (this.refreshing) {
			return this.refreshing;
		}

		// Counted when sent, like `requests`: a report written while a refresh is in flight still
		// has requests = refreshes + 1.
		this.stats.refreshes++;
		this.refreshing = (async () => {
			try {
				await this.fetchToken();
				this.listener?.(this.headers);
			} catch {
				// Counted in stats.errors; the old token stays until the next try.
			} finally {
				this.refreshing = undefined;
			}
		})();
		return this.refreshing;
	}

	stop(): void {
		if (this.timer) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}

		void this.dispatcher?.close();
	}

	private async fetchToken(): Promise<void> {
		const {endpoint} = this.plan;
		this.stats.requests++;
		let status: number;
		let text: string;
		try {
			const {Agent, ProxyAgent, request} = await import('undici');
			const {policy} = this.plan;
			const {proxy} = endpoint;
			const connect = undiciConnectOptions(policy.network, policy.verifyTls, !endpoint.url.startsWith('http:'));
			const timeouts = {headersTimeout: policy.timeoutMs, bodyTimeout: policy.timeoutMs};
			// Through the proxy: http:// in absolute form, https:// through a CONNECT tunnel (as the load).
			this.dispatcher ??= proxy === undefined
				? new Agent({...connect, ...timeouts})
				: new ProxyAgent({uri: `http://${authorityOf(proxy.host, proxy.port)}`, ...(proxy.authorization === undefined ? {} : {token: proxy.authorization}), requestTls: connect.connect, proxyTunnel: !endpoint.url.startsWith('http:'), ...timeouts});
			const response = await request(endpoint.url, {
				method: endpoint.method as 'POST',
				headers: {Accept: 'application/json', ...endpoint.headers},
				body: endpoint.body ?? null,
				dispatcher: this.dispatcher,
			});
			status = response.statusCode;
			text = await response.body.text();
		} catch (error) {
			this.stats.errors++;
			const {code, message} = error as NodeJS.ErrnoException;
			// undici's proxy refusals carry a generic code; their message names the proxy's status.
			throw new TokenError(`token request to ${endpoint.method} ${endpoint.url} failed: ${code === undefined || code === 'UND_ERR_ABORTED' ? message : code}`);
		}

		if (status < 200 || status >= 300) {
			this.stats.errors++;
			throw new TokenError(`token endpoint ${endpoint.method} ${endpoint.url} answered ${status}: ${summarize(text)}`);
		}

		let body: {access_token?: unknown; token_type?: unknown; expires_in?: unknown};
		try {
			body = JSON.parse(text) as typeof body;
		} catch {
			this.stats.errors++;
			throw new TokenError(`token endpoint ${endpoint.url} answered ${status} without JSON: ${summarize(text)}`);
		}

		if (typeof body.access_token !== 'string' || body.access_token === '') {
			this.stats.errors++;
			throw new TokenError(`token endpoint ${endpoint.url} answered ${status} without an "access_token" (keys: ${Object.keys(body).join(', ') || 'none'})`);
		}

		const type = typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer' ? body.token_type : 'Bearer';
		if (invalidHeader('Authorization', `${type} ${body.access_token}`) !== undefined) {
			this.stats.errors++;
			throw new TokenError(`token endpoint ${endpoint.url} answered ${status} with a token_type or access_token that has a line break; it cannot be sent as a header`);
		}

		const expiresInS = Number(body.expires_in);
		const expiresAtMs = Number.isFinite(expiresInS) && expiresInS > 0 ? this.now() + (expiresInS * 1000) : undefined;
		this.current = {header: `${type} ${body.access_token}`, expiresAtMs, generation: (this.current?.generation ?? 0) + 1};
		this.schedule(expiresInS);
	}

	/** Refresh before expiry: 10% of the lifetime early, at most 30 s, at least 1 s. */
	private schedule(expiresInS: number): void {
		if (this.timer) {
			clearTimeout(this.timer);
		}

		if (!Number.isFinite(expiresInS) || expiresInS <= 0) {
			return;
		}

		const lifetimeMs = expiresInS * 1000;
		const marginMs = Math.min(30_000, Math.max(1000, lifetimeMs / 10));
		this.timer = setTimeout(() => {
			void this.refresh();
		}, Math.max(0, lifetimeMs - marginMs));
		this.timer.unref();
	}
}

/** The start of a response body, on one line, without anything that looks like a token. */
function summarize(text: string): string {
	const line = text.replaceAll(/\s+/g, ' ').trim().replaceAll(/("?(?:access_token|refresh_token|id_token)"?\s*[:=]\s*"?)[^",}\s]+/gi, '$1[redacted]');
	return line.length > 200 ? `${line.slice(0, 200)}… (${text.length} bytes)` : (line || '(empty body)');
}
