import {readFileSync} from 'node:fs';
import {ConfigError, suggest} from './errors.js';
import {chooseBody, isEmptyBody} from './body.js';
import {parseDurationMs} from './duration.js';
import {interpolateEnv, joinPath, type ConfigIssue} from './interpolate.js';
import {flatConfigSchema, knownKeys, oauthConfigSchema, type EndpointConfig, type FlatConfig, type OauthConfig} from './schema.js';
import {resolveChecks} from './checks.js';
import {defaultPolicy, httpClients, type DataSet, type EndpointPlan, type FileSettings, type RequestPolicy, type TestPlan} from './types.js';
import type {ZodIssue} from './zod.js';
import {readDataSet} from './data-file.js';
import {templateEndpoint} from './template-plan.js';
import {applyNetworkFlags, closeHeaders, resolveNetwork, type NetworkFlags, type NetworkOptions} from './network.js';
import {planWithProxies} from './proxy.js';
import {applyHttp2Flags, http2Conflicts, resolveHttp2, type Http2Flags} from './http2.js';


/** A validated config: the plan to run, settings it carries, and the raw JSON (with `${VAR}` kept). */
export type LoadedConfig = {
	readonly plan: TestPlan;
	readonly settings: FileSettings;
	/** The config as written (before interpolation), for profiles and reports. */
	readonly raw: Record<string, unknown>;
	/** Where it came from: a file path, `--url`, or a profile name. */
	readonly source: string;
	readonly name: string | undefined;
};

/** Flags that override or stand in for a config file. */
export type ConfigOverrides = {
	readonly url?: string | undefined;
	readonly method?: string | undefined;
	/** `Name: value` strings (the repeatable -H/--header flag). */
	readonly header?: readonly string[] | undefined;
	readonly body?: string | undefined;
	readonly jsonBody?: string | undefined;
	/** `socket` or `undici`. */
	readonly httpClient?: string | undefined;
} & NetworkFlags & Http2Flags;

/** Reads and parses a JSON config file, throwing ConfigError for any problem. */
export function readConfigFile(path: string): Record<string, unknown> {
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const why = code === 'ENOENT' ? 'file not found' : (code === 'EACCES' ? 'permission denied' : (error as Error).message);
		throw new ConfigError(path, [{path: '(file)', message: `${why}; pass an existing JSON file to --config`}]);
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new ConfigError(path, [{path: '(file)', message: `not valid JSON: ${(error as Error).message}`}]);
	}

	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new ConfigError(path, [{path: '(root)', message: 'expected a JSON object such as {"url": "http://127.0.0.1:8080/"}'}]);
	}

	return parsed as Record<string, unknown>;
}

/** Applies command-line overrides to a raw config (or builds one from flags alone). */
export function applyOverrides(raw: Record<string, unknown>, overrides: ConfigOverrides, issues: ConfigIssue[]): Record<string, unknown> {
	const result: Record<string, unknown> = structuredClone(raw);
	const target: Record<string, unknown> = isRecord(result['stress_test']) ? result['stress_test'] : result;
	if (overrides.url !== undefined) {
		target['url'] = overrides.url;
		delete target['requests'];
	}

	if (overrides.method !== undefined) {
		target['method'] = overrides.method;
	}

	if (overrides.header && overrides.header.length > 0) {
		const headers: Record<string, unknown> = isRecord(target['headers']) ? {...target['headers']} : {};
		for (const line of overrides.header) {
			const colon = line.indexOf(':');
			if (colon <= 0) {
				issues.push({path: '--header', message: `"${line}" is not a header; write it as 'Name: value'`});
				continue;
			}

			headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
		}

		target['headers'] = headers;
	}

	if (overrides.body !== undefined && overrides.jsonBody !== undefined) {
		issues.push({path: '--body', message: 'give either --body or --json-body, not both'});
	} else if (overrides.body !== undefined) {
		delete target['json'];
		delete target['form'];
		target['body'] = overrides.body;
	} else if (overrides.jsonBody !== undefined) {
		try {
			target['json'] = JSON.parse(overrides.jsonBody);
			delete target['body'];
			delete target['form'];
		} catch (error) {
			issues.push({path: '--json-body', message: `not valid JSON (${(error as Error).message}); quote it for the shell, e.g. --json-body '{"a":1}'`});
		}
	}

	if (overrides.httpClient !== undefined) {
		if ((httpClients as readonly string[]).includes(overrides.httpClient)) {
			target['http_client'] = overrides.httpClient;
		} else {
			issues.push({path: '--http-client', message: `"${overrides.httpClient}" is not a client; use socket (the default) or undici`});
		}
	}

	applyNetworkFlags(target, overrides);
	applyHttp2Flags(target, overrides, issues);
	return result;
}

/**
 * Validates a raw config (after overrides) and resolves it into a plan. `${VAR}` references are
 * resolved from `env`. Throws ConfigError listing every problem with its JSON path.
 */
export function resolveConfig(raw: Record<string, unknown>, options: {source: string; env: Readonly<Record<string, string | undefined>>; issues?: ConfigIssue[]; baseDirectory?: string | undefined}): LoadedConfig {
	const issues: ConfigIssue[] = options.issues ?? [];
	const interpolated = interpolateEnv(raw, options.env, issues) as Record<string, unknown>;
	const isOauth = 'token_acquisition' in interpolated || 'stress_test' in interpolated;
	const parsed = isOauth ? oauthConfigSchema.safeParse(interpolated) : flatConfigSchema.safeParse(interpolated);
	if (!parsed.success) {
		issues.push(...parsed.error.issues.flatMap(issue => describeIssue(issue, isOauth)));
		throw new ConfigError(options.source, dedupe(issues));
	}

	const built = isOauth ? oauthPlan(parsed.data as OauthConfig, issues, options.baseDirectory) : testPlan(parsed.data as FlatConfig, '', issues, options.baseDirectory);
	const config = parsed.data as FlatConfig & Partial<OauthConfig>;
	// Proxies: the config's (or --proxy), else the environment's; NO_PROXY from the environment.
	const plan = built && planWithProxies(built, isOauth ? config.stress_test?.proxy : config.proxy, config.token_acquisition?.proxy, options.env, issues, isOauth ? 'stress_test' : '');
	if (plan) issues.push(...http2Conflicts(plan, isOauth ? 'stress_test' : ''));
	const settingsSource: FlatConfig = isOauth ? {...(config.stress_test as FlatConfig), ...pickSettings(config)} : config;
	let settings = fileSettings(settingsSource);
	if (issues.length > 0 || !plan) {
		throw new ConfigError(options.source, dedupe(issues));
	}

	// Endpoint thresholds ("thresholds" inside a request) apply to that endpoint: NAME:expression.
	const endpointThresholds = (settingsSource.requests ?? []).flatMap((endpoint, index) => (endpoint.thresholds ?? []).map(threshold => `${plan.endpoints[index]!.name}:${threshold}`));
	if (endpointThresholds.length > 0) {
		settings = {...settings, thresholds: [...(settings.thresholds ?? []), ...endpointThresholds]};
	}

	return {plan, settings, raw, source: options.source, name: config.name ?? config.stress_test?.name};
}

function pickSettings(config: Record<string, unknown>): Record<string, unknown> {
	const keys = ['threads', 'connections', 'duration', 'total_requests', 'rate', 'baseline_duration', 'max_connections', 'ramp_up', 'warm_up', 'stages', 'thresholds', 'junit', 'summary_md', 'csv', 'metrics_listen', 'progress'];
	return Object.fromEntries(Object.entries(config).filter(([key, value]) => keys.includes(key) && value !== undefined));
}

function fileSettings(config: FlatConfig): FileSettings {
	const settings: {-readonly [K in keyof FileSettings]: FileSettings[K]} = {};
	if (config.threads !== undefined) settings.threads = config.threads;
	if (config.connections !== undefined) settings.connections = config.connections;
	if (config.duration !== undefined) settings.durationMs = parseDurationMs(config.duration);
	if (config.total_requests !== undefined) settings.maxRequests = config.total_requests;
	if (config.rate !== undefined) settings.rate = config.rate;
	if (config.baseline_duration !== undefined) settings.baselineDurationMs = parseDurationMs(config.baseline_duration);
	if (config.max_connections !== undefined) settings.maxConnections = config.max_connections;
	if (config.ramp_up !== undefined) settings.rampUpMs = parseDurationMs(config.ramp_up);
	if (config.warm_up !== undefined) settings.warmUpMs = parseDurationMs(config.warm_up);
	if (config.stages !== undefined) settings.stages = config.stages.map(stage => ({durationMs: parseDurationMs(stage.duration) ?? 0, target: stage.target}));
	if (config.thresholds !== undefined) settings.thresholds = config.thresholds;
	const outputs = {junit: config.junit, summaryMd: config.summary_md, csv: config.csv, metricsListen: config.metrics_listen, progress: config.progress};
	if (Object.values(outputs).some(value => value !== undefined)) settings.outputs = outputs;
	return settings;
}

function oauthPlan(config: OauthConfig, issues: ConfigIssue[], baseDirectory: string | undefined): TestPlan | undefined {
	const tokenConfig = config.token_acquisition;
	const test = testPlan(config.stress_test as FlatConfig, 'stress_test', issues, baseDirectory);
	if (tokenConfig.url === undefined) {
		issues.push({path: 'token_acquisition.url', message: 'missing; set the token endpoint URL'});
		return undefined;
	}

	const tokenEndpoint = endpointPlan({...tokenConfig, method: tokenConfig.method ?? 'POST'}, {}, undefined, 'token_acquisition', 'token', issues);
	if (!test || !tokenEndpoint) {
		return undefined;
	}

	return {...test, token: {endpoint: tokenEndpoint, policy: policyOf(tokenConfig, 'token_acquisition', issues)}};
}

function testPlan(config: FlatConfig, base: string, issues: ConfigIssue[], baseDirectory?: string): TestPlan | undefined {
	const http2 = resolveHttp2(config, base, issues);
	const policy: RequestPolicy = http2 === undefined ? policyOf(config, base, issues) : {...policyOf(config, base, issues), http2};
	const sharedHeaders = stringHeaders(config.headers);
	if (config.url !== undefined && config.requests !== undefined) {
		issues.push({path: joinPath(base, 'requests'), message: 'give either "url" (one endpoint) or "requests" (several), not both'});
		return undefined;
	}

	if (config.url === undefined && config.requests === undefined) {
		issues.push({path: joinPath(base, 'url'), message: 'missing; set "url" (e.g. "http://127.0.0.1:8080/") or a "requests" list, or pass --url'});
		return undefined;
	}

	if (config.requests !== undefined) {
		// A body is per endpoint: at the top level of a requests list it would be silently unsent.
		for (const key of ['json', 'form', 'body'] as const) {
			if (config[key] !== undefined && !isEmptyBody(config[key])) {
				issues.push({path: joinPath(base, key), message: `a request body at the top level is sent by no endpoint when there is a "requests" list; move it into the endpoints that send it`});
			}
		}
	}

	const endpointConfigs: EndpointConfig[] = config.requests ?? [{method: config.method, url: config.url, json: config.json, form: config.form, body: config.body, basic_auth: config.basic_auth}];
	// Data files: the top-level one is shared by every request without its own (config/template-plan.ts).
	const dataSets: DataSet[] = [];
	const sharedData = config.data === undefined ? undefined : readDataSet(config.data, baseDirectory, joinPath(base, 'data'), issues);
	if (sharedData !== undefined) dataSets.push(sharedData);
	const endpoints: EndpointPlan[] = [];
	const names = new Map<string, number>();
	for (const [index, endpoint] of endpointConfigs.entries()) {
		const path = config.requests ? joinPath(joinPath(base, 'requests'), index) : base;
		const merged: EndpointConfig = {
			...endpoint,
			method: endpoint.method ?? config.method,
			basic_auth: endpoint.basic_auth ?? config.basic_auth,
		};
		const plan = endpointPlan(merged, sharedHeaders, config.requests ? undefined : config.name, path, `requests[${index}]`, issues);
		if (!plan) {
			continue;
		}

		const seen = names.get(plan.name);
		if (seen === undefined) {
			names.set(plan.name, index);
		} else {
			issues.push({path: joinPath(path, 'name'), message: `"${plan.name}" is also the name of requests[${seen}]; give each endpoint its own name`});
		}

		const checks = resolveChecks(config.checks, config.requests ? endpoint.checks : undefined);
		endpoints.push(checks === undefined ? plan : {...plan, checks});
	}

	if (endpoints.length !== endpointConfigs.length) {
		return undefined;
	}

	const closed = closeHeaders(endpoints, policy.network).map((plan, index) => {
		const endpoint = endpointConfigs[index]!;
		const path = config.requests ? joinPath(joinPath(base, 'requests'), index) : base;
		// 'unreadable': the file's problem is listed already; its placeholders add none.
		let data: Parameters<typeof templateEndpoint>[1] = sharedData === undefined ? (config.data === undefined ? undefined : 'unreadable') : {set: sharedData, index: 0};
		if (endpoint.data !== undefined) {
			const own = readDataSet(endpoint.data, baseDirectory, joinPath(path, 'data'), issues);
			data = own === undefined ? 'unreadable' : {set: own, index: dataSets.push(own) - 1};
		}

		return templateEndpoint(plan, data, {endpoint: path, shared: base, ownHeaders: new Set(Object.keys(endpoint.headers ?? {})), bodyKey: chooseBody(endpoint).kind, form: endpoint.form}, issues);
	});
	return {endpoints: closed, policy, token: undefined, ...(dataSets.length > 0 ? {data: dataSets} : {})};
}

function endpointPlan(config: EndpointConfig, sharedHeaders: Record<string, string>, fallbackName: string | undefined, path: string, label: string, issues: ConfigIssue[]): EndpointPlan | undefined {
	if (config.url === undefined) {
		issues.push({path: joinPath(path, 'url'), message: `missing; every endpoint needs a URL (${label})`});
		return undefined;
	}

	const body = chooseBody(config);
	if (body.conflict) {
		const [first, second] = body.conflict;
		issues.push({path: joinPath(path, second), message: `give one body: "${first}" and "${second}" are both set; remove one of them (an empty {} counts as not set)`});
		return undefined;
	}

	const url = new URL(config.url);
	const method = (config.method ?? 'GET').toUpperCase();
	const headers: Record<string, string> = {...sharedHeaders, ...stringHeaders(config.headers)};
	let payload: string | undefined;
	if (body.kind === 'json') {
		payload = JSON.stringify(config.json);
		setDefaultHeader(headers, 'Content-Type', 'application/json');
	} else if (body.kind === 'form') {
		payload = new URLSearchParams(Object.entries(config.form ?? {}).map(([key, value]) => [key, String(value)])).toString();
		setDefaultHeader(headers, 'Content-Type', 'application/x-www-form-urlencoded');
	} else if (body.kind === 'body') {
		payload = config.body;
		setDefaultHeader(headers, 'Content-Type', 'text/plain; charset=utf-8');
	}

	if (config.basic_auth) {
		const token = Buffer.from(`${config.basic_auth.username}:${config.basic_auth.password}`).toString('base64');
		setDefaultHeader(headers, 'Authorization', `Basic ${token}`);
	}

	return {
		// A placeholder shows as written (the URL parser percent-encodes its braces).
		name: config.name ?? fallbackName ?? `${method} ${url.pathname.replaceAll(/\$%7B(.*?)%7D/g, '${$1}')}`,
		method,
		url: config.url,
		origin: url.origin,
		path: `${url.pathname}${url.search}`,
		headers,
		body: payload,
		weight: config.weight ?? 1,
	};
}

function policyOf(config: FlatConfig | OauthConfig['token_acquisition'], base: string, issues: ConfigIssue[]): RequestPolicy {
	const policy: RequestPolicy = {
		timeoutMs: config.timeout_ms ?? defaultPolicy.timeoutMs,
		retries: config.retries ?? defaultPolicy.retries,
		backoffMs: config.backoff_ms ?? defaultPolicy.backoffMs,
		backoffMaxMs: config.backoff_max_ms ?? Math.max(defaultPolicy.backoffMaxMs, config.backoff_ms ?? 0),
		jitterMs: config.jitter_ms ?? defaultPolicy.jitterMs,
		retryOnStatuses: config.retry_on_statuses ?? defaultPolicy.retryOnStatuses,
		verifyTls: config.verify_tls ?? defaultPolicy.verifyTls,
		httpClient: ('http_client' in config ? config.http_client : undefined) ?? defaultPolicy.httpClient,
		...optionalNetwork(resolveNetwork(config, base, issues)),
	};
	if (policy.backoffMaxMs < policy.backoffMs) {
		issues.push({path: joinPath(base, 'backoff_max_ms'), message: `is ${policy.backoffMaxMs}, below backoff_ms (${policy.backoffMs}); raise it or lower backoff_ms`});
	}

	return policy;
}

function optionalNetwork(network: NetworkOptions | undefined): Pick<RequestPolicy, 'network'> {
	return network === undefined ? {} : {network};
}

function stringHeaders(headers: Record<string, string | number> | undefined): Record<string, string> {
	return headers ? Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, String(value)])) : {};
}

function setDefaultHeader(headers: Record<string, string>, name: string, value: string): void {
	const lower = name.toLowerCase();
	if (!Object.keys(headers).some(key => key.toLowerCase() === lower)) {
		headers[name] = value;
	}
}

function describeIssue(issue: ZodIssue, isOauth: boolean): ConfigIssue[] {
	const path = issue.path.reduce<string>((joined, key) => joinPath(joined, typeof key === 'number' ? key : String(key)), '');
	if (issue.code === 'unrecognized_keys') {
		const candidates = keysAt(issue.path, isOauth);
		return issue.keys.map(key => {
			const suggestion = suggest(key, candidates);
			const hint = suggestion ? `did you mean "${suggestion}"?` : `known keys: ${candidates.join(', ')}`;
			return {path: joinPath(path, key), message: `unknown key; ${hint}`};
		});
	}

	if (issue.code === 'invalid_union' || issue.code === 'invalid_type') {
		return [{path: path || '(root)', message: issue.message.replace(/^Invalid input: /, '')}];
	}

	return [{path: path || '(root)', message: issue.message}];
}

function keysAt(path: readonly PropertyKey[], isOauth: boolean): readonly string[] {
	const last = path.at(-1);
	if (last === 'basic_auth') return knownKeys.basicAuth;
	if (last === 'checks') return knownKeys.checks;
	if (last === 'data') return knownKeys.data;
	if (typeof last === 'number' && path.at(-2) === 'requests') return knownKeys.endpoint;
	if (last === 'token_acquisition') return knownKeys.token;
	if (last === 'stress_test') return knownKeys.stressTest;
	return isOauth ? knownKeys.oauth : knownKeys.flat;
}


function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function dedupe(issues: readonly ConfigIssue[]): ConfigIssue[] {
	const seen = new Set<string>();
	return issues.filter(issue => {
		const key = `${issue.path}\u0000${issue.message}`;
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}
