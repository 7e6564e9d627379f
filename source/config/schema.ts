import {array, boolean, enumOf, gte, int, lte, meta, minLength, nonnegative, number, optional, positive, record, refine, regex, strictObject, string, superRefine, union, unknown, type Infer} from './zod.js';
import {invalidHeader} from './header-check.js';
import {parseDurationMs} from './duration.js';
import {networkFields} from './network.js';
import {http2Fields} from './http2.js';
import {checkKeys, checksSchema} from './checks.js';
import {listenExpected, parseListenAddress} from './listen.js';
import {dataKeys, dataSchema} from './data-schema.js';

/*
 * The zod schemas here validate a config after `${VAR}` interpolation (load.ts), and are the
 * source of the published JSON Schema (json-schema.ts), which editors apply to the file as
 * written. `meta({...})` keys other than `description` are JSON-Schema-only hints for rules the
 * loader checks in code (refinements and load.ts); json-schema.ts lists what stays unexpressed.
 * Written with zod/mini's functions (through ./zod.js) to keep start-up fast: `a.check(b, c)` is
 * classic zod's `a.b().c()`, `optional(a)` its `a.optional()`.
 */

const methodMessage = 'expected an HTTP method such as "GET" or "POST"';
const methodSchema = string({error: methodMessage}).check(
	regex(/^[A-Za-z]+$/, {error: methodMessage}),
	meta({description: 'HTTP method, e.g. "GET" (the default) or "POST"; any case.', examples: ['GET', 'POST', 'PUT', 'DELETE']}),
);

const urlSchema = string({error: 'expected a URL string such as "http://127.0.0.1:8080/path"'}).check(
	refine(value => {
		try {
			const url = new URL(value);
			return url.protocol === 'http:' || url.protocol === 'https:';
		} catch {
			return false;
		}
	}, {error: 'expected an absolute http:// or https:// URL such as "http://127.0.0.1:8080/path"'}),
	meta({
		description: 'Absolute http:// or https:// URL; may use ${VAR} or ${VAR:-default}, and per-request placeholders (${data.COLUMN}, ${seq}, ${uuid}, ${now}, ${randomInt(1,100)}) in its path and query, percent-encoded.',
		pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
	}),
);

/** No CR, LF or NUL in a header value: checked on the text as written, `${VAR}` or not. */
export const headerValuePattern = '^[^\\r\\n\\u0000]*$';

const headersSchema = record(string(), union([string().check(meta({pattern: headerValuePattern})), number()]), {
	error: 'expected an object of header names to string values, e.g. {"Accept": "application/json"}',
}).check(
	superRefine((headers, context) => {
		for (const [name, value] of Object.entries(headers)) {
			const problem = invalidHeader(name, String(value));
			if (problem !== undefined) {
				context.addIssue({code: 'custom', path: [name], message: `${problem}; remove it or fix the header`});
			}
		}
	}),
	meta({
		description: 'Request headers: {"Name": "value"}. Content-Type is set for json and form bodies unless given here.',
		propertyNames: {type: 'string', pattern: '^[!#$%&\'*+\\-.^_`|~0-9A-Za-z]+$'},
	}),
);

const formSchema = record(string(), union([string(), number(), boolean()]), {
	error: 'expected an object of field names to string values',
}).check(meta({description: 'Form body, sent application/x-www-form-urlencoded. An empty {} counts as not set.'}));

const basicAuthSchema = strictObject({
	username: string({error: 'expected a string'}).check(meta({description: 'Basic auth user name.'})),
	password: string({error: 'expected a string (use "${ENV_VAR}" to keep it out of the file)'}).check(meta({description: 'Basic auth password; write "${ENV_VAR}" to keep it out of the file.'})),
}).check(meta({description: 'HTTP basic auth: sends Authorization: Basic base64(username:password).'}));

const positiveInt = (what: string) => number({error: `expected ${what}`}).check(int({error: `expected ${what}`}), positive({error: `expected ${what}`}));
const nonNegativeInt = (what: string) => number({error: `expected ${what}`}).check(int({error: `expected ${what}`}), nonnegative({error: `expected ${what}`}));

/** The strings parseDurationMs accepts: seconds ("30", "1.5") or units ("500ms", "1m30s"). */
const durationPattern = String.raw`^\s*(\d+(\.\d+)?|(\d+(\.\d+)?(ms|s|m|h))+)\s*$`;

const durationSchema = (description: string) => union([number().check(meta({minimum: 0})), string().check(meta({pattern: durationPattern}))]).check(
	refine(value => parseDurationMs(value) !== undefined, {
		error: 'expected a duration: seconds as a number, or a string such as "30s", "2m", "500ms"',
	}),
	meta({description: `${description} Seconds as a number, or a string such as "30s", "2m", "500ms", "1m30s".`, examples: ['30s', '2m', 10]}),
);

/**
 * JSON-Schema-only: at most one non-empty body among json, form and body (load.ts checks it).
 * An empty {} json or form counts as not set.
 */
const oneBody = {
	not: {
		anyOf: [
			{type: 'object', required: ['json', 'form'], properties: {json: {not: {type: 'object', maxProperties: 0}}, form: {type: 'object', minProperties: 1}}},
			{type: 'object', required: ['json', 'body'], properties: {json: {not: {type: 'object', maxProperties: 0}}, body: {}}},
			{type: 'object', required: ['form', 'body'], properties: {form: {type: 'object', minProperties: 1}, body: {}}},
		],
	},
};

/** JSON-Schema-only: `url` (one endpoint) or `requests` (several), not both (load.ts checks it). */
const urlOrRequests = {not: {type: 'object', required: ['url', 'requests'], properties: {url: {}, requests: {}}}};

/** Fields describing one request's content. */
const requestContent = {
	method: optional(methodSchema),
	url: optional(urlSchema),
	headers: optional(headersSchema),
	json: optional(unknown().check(meta({description: 'JSON body (sets Content-Type: application/json). An empty {} counts as not set when form or body is given.'}))),
	form: optional(formSchema),
	body: optional(string({error: 'expected a string (the raw request body)'}).check(meta({description: 'Raw request body, sent as is (Content-Type text/plain unless a header says otherwise). Placeholders such as ${data.COLUMN} are filled as they are; in json they are JSON-escaped, in form form-encoded.'}))),
	basic_auth: optional(basicAuthSchema),
};

/** Fields of how requests are sent (PyStress options). */
const policyFields = {
	timeout_ms: optional(positiveInt('a positive whole number of milliseconds').check(meta({description: 'Time limit for a whole attempt (connect, send, headers, body), in ms. Default 30000.'}))),
	retries: optional(nonNegativeInt('a whole number of retries, 0 or more').check(meta({description: 'Retries after a network error or a status in retry_on_statuses. Default 0.'}))),
	backoff_ms: optional(nonNegativeInt('a whole number of milliseconds, 0 or more').check(meta({description: 'First retry delay in ms, doubled on each retry. Default 200.'}))),
	backoff_max_ms: optional(nonNegativeInt('a whole number of milliseconds, 0 or more').check(meta({description: 'Longest retry delay in ms; not below backoff_ms. Default 2000.'}))),
	jitter_ms: optional(nonNegativeInt('a whole number of milliseconds, 0 or more').check(meta({description: 'Random extra delay, 0 to this many ms, added to each retry delay. Default 0.'}))),
	retry_on_statuses: optional(array(number().check(int(), gte(100), lte(599)), {error: 'expected a list of HTTP status codes such as [429, 503]'})
		.check(meta({description: 'HTTP statuses that are retried, e.g. [429, 503].'}))),
	verify_tls: optional(boolean({error: 'expected true or false'}).check(meta({description: 'Check TLS certificates (default true); false accepts self-signed ones.'}))),
	http_client: optional(enumOf(['socket', 'undici'], {error: 'expected "socket" (the default, fastest) or "undici"'}).check(meta({description: 'HTTP/1.1 client: "socket" (the default, fastest) or "undici" (to cross-check).'}))),
	...networkFields,
};

const thresholdsSchema = array(string({error: 'expected a threshold string such as "p99<300ms"'}), {error: 'expected a list such as ["p99<300ms", "errors<1%"]'});

/** Run settings a file may carry; flags override them. */
const settingsFields = {
	threads: optional(positiveInt('a whole number of worker threads, 1 or more').check(meta({description: 'Worker threads (--threads).'}))),
	connections: optional(positiveInt('a whole number of connections, 1 or more').check(meta({description: 'Concurrent connections across all threads (--connections). Default 50.'}))),
	duration: optional(durationSchema('How long the run lasts (--duration).')),
	total_requests: optional(positiveInt('a whole number of requests, 1 or more').check(meta({description: 'Stop after this many requests (-n).'}))),
	rate: optional(number({error: 'expected requests per second, a number > 0'}).check(positive({error: 'expected requests per second, a number > 0'}), meta({description: 'Open model: requests per second across all workers (--rate).'}))),
	max_connections: optional(positiveInt('a whole number of connections, 1 or more').check(meta({description: 'Open model: the pool may grow to this many connections to hold the rate.'}))),
	ramp_up: optional(durationSchema('Ramp from 0 to full load over this time.')),
	warm_up: optional(durationSchema('Send at the full load for this long first, counted apart and in no figure; the duration starts after it (--warm-up).')),
	stages: optional(array(strictObject({
		duration: durationSchema('How long this stage lasts.'),
		target: number({error: 'expected a number, 0 or more'}).check(nonnegative({error: 'expected a number, 0 or more'}), meta({description: 'Connections (closed model) or requests per second (open model) at the end of the stage.'})),
	}), {error: 'expected a list of stages such as [{"duration": "30s", "target": 200}]'})
		.check(minLength(1, {error: 'expected at least one stage'}), meta({description: 'Ramp stages, e.g. [{"duration": "30s", "target": 200}].'}))),
	thresholds: optional(thresholdsSchema.check(meta({description: 'Pass/fail rules such as "p99<300ms" or "errors<1%"; a failed one exits 99.'}))),
	baseline_duration: optional(durationSchema('Extended single-connection baseline before the run (--baseline-duration).')),
	// CI and monitoring outputs (the flags of the same names override them); paths relative to the working directory.
	junit: optional(string({error: 'expected a file path such as "out/junit.xml"'}).check(meta({description: 'Write a JUnit XML report here (--junit): a testcase per threshold and response check.'}))),
	summary_md: optional(string({error: 'expected a file path such as "out/summary.md"'}).check(meta({description: 'Write a markdown summary here (--summary-md); GitHub Actions gets it in the job summary anyway.'}))),
	csv: optional(string({error: 'expected a file prefix such as "out/run" (writes out/run-stats.csv and out/run-timeline.csv)'}).check(meta({description: 'CSV prefix (--csv): writes PREFIX-stats.csv and PREFIX-timeline.csv.'}))),
	metrics_listen: optional(string({error: `expected a string: ${listenExpected}`}).check(
		refine(value => parseListenAddress(value) !== undefined, {error: listenExpected}),
		meta({description: 'Serve Prometheus metrics at http://HOST:PORT/metrics while the test runs (--metrics-listen); loopback unless a host is given.', examples: ['127.0.0.1:9464', '9464']}),
	)),
	progress: optional(enumOf(['ndjson'], {error: 'expected "ndjson" (one JSON object per second on stderr, headless)'}).check(meta({description: 'Headless progress format (--progress): "ndjson" prints one JSON object per second on stderr.'}))),
};

export const endpointSchema = strictObject({
	name: optional(string({error: 'expected a string'}).check(minLength(1, {error: 'expected a non-empty name'}), meta({description: 'Endpoint name in stats and thresholds; unique in the list.'}))),
	weight: optional(number({error: 'expected a number > 0'}).check(positive({error: 'expected a number > 0'}), meta({description: 'Relative weight for the random choice between endpoints. Default 1.'}))),
	thresholds: optional(array(string({error: 'expected a threshold string such as "p99<300ms"'}), {error: 'expected a list such as ["p99<300ms"]'}).check(meta({description: 'Thresholds for this endpoint alone, e.g. ["p99<500ms"].'}))),
	...requestContent,
	checks: optional(checksSchema),
	data: optional(dataSchema),
}).check(meta({description: 'One endpoint; method, headers and basic_auth default to the top-level ones.', ...oneBody}));

const nameFields = {
	name: optional(string().check(meta({description: 'A name for this test, shown in the TUI and reports.'}))),
	description: optional(string().check(meta({description: 'Free text, for people reading the file.'}))),
};

const testFields = {
	...requestContent,
	checks: optional(checksSchema),
	data: optional(dataSchema),
	...policyFields,
	...http2Fields,
	requests: optional(array(endpointSchema, {error: 'expected a list of endpoints: [{"name": "...", "url": "...", "weight": 1}]'}).check(minLength(1, {error: 'expected at least one endpoint'}), meta({description: 'Several endpoints, chosen at random by weight for every request; instead of url.'}))),
	...nameFields,
};

/** `"$schema"`: where editors find this file's JSON Schema; ignored by the loader. */
const schemaLink = {
	$schema: optional(string({error: 'expected a string (the path or URL of config.schema.json)'}).check(meta({description: 'The JSON Schema of this file, for editors, e.g. "node_modules/pystress-tui/dist/config/config.schema.json".'}))),
};

/** A plain config: one `url`, or several endpoints under `requests`. */
export const flatConfigSchema = strictObject({
	...testFields,
	...settingsFields,
	...schemaLink,
}).check(meta({title: 'Plain config', description: 'One url (or several requests) with its options and run settings.', allOf: [urlOrRequests, oneBody]}));

/** The request part of PyStress's OAuth2 shape: `stress_test`. */
const stressTestSchema = strictObject({...testFields, ...settingsFields}).check(meta({description: 'The load test, as a plain config; every request carries the token.', allOf: [urlOrRequests, oneBody]}));

/** PyStress's OAuth2 shape: a token request, then the test. */
export const oauthConfigSchema = strictObject({
	token_acquisition: strictObject({...requestContent, ...policyFields}).check(meta({description: 'The OAuth2 token request (POST by default); the answer\'s access_token is sent as Authorization: Bearer.', required: ['url'], ...oneBody})),
	stress_test: stressTestSchema,
	...settingsFields,
	...nameFields,
	...schemaLink,
}).check(meta({title: 'OAuth2 config', description: 'PyStress\'s OAuth2 shape: token_acquisition, then stress_test.'}));

/** Either shape; the loader picks oauth when `token_acquisition` or `stress_test` is present. */
export const configSchema = union([flatConfigSchema, oauthConfigSchema]).check(meta({
	title: 'pystress-tui config',
	description: 'A pystress-tui (and PyStress) config file: see the readme\'s Configuration section.',
}));

export type FlatConfig = Infer<typeof flatConfigSchema>;
export type OauthConfig = Infer<typeof oauthConfigSchema>;
export type EndpointConfig = Infer<typeof endpointSchema>;

/** Every key a config object may hold at each level, for did-you-mean suggestions. */
export const knownKeys = {
	flat: Object.keys(flatConfigSchema.shape),
	oauth: Object.keys(oauthConfigSchema.shape),
	stressTest: Object.keys(stressTestSchema.shape),
	endpoint: Object.keys(endpointSchema.shape),
	token: [...Object.keys(requestContent), ...Object.keys(policyFields)],
	basicAuth: ['username', 'password'],
	checks: checkKeys,
	data: dataKeys,
} as const;
