import {z} from 'zod';
import {invalidHeader} from './header-check.js';
import {parseDurationMs} from './duration.js';

const methodSchema = z
	.string({error: 'expected an HTTP method such as "GET" or "POST"'})
	.regex(/^[A-Za-z]+$/, {error: 'expected an HTTP method such as "GET" or "POST"'});

const urlSchema = z.string({error: 'expected a URL string such as "http://127.0.0.1:8080/path"'}).refine(value => {
	try {
		const url = new URL(value);
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}, {error: 'expected an absolute http:// or https:// URL such as "http://127.0.0.1:8080/path"'});

const headersSchema = z.record(z.string(), z.union([z.string(), z.number()]), {
	error: 'expected an object of header names to string values, e.g. {"Accept": "application/json"}',
}).superRefine((headers, context) => {
	for (const [name, value] of Object.entries(headers)) {
		const problem = invalidHeader(name, String(value));
		if (problem !== undefined) {
			context.addIssue({code: 'custom', path: [name], message: `${problem}; remove it or fix the header`});
		}
	}
});

const formSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]), {
	error: 'expected an object of field names to string values',
});

const basicAuthSchema = z.strictObject({
	username: z.string({error: 'expected a string'}),
	password: z.string({error: 'expected a string (use "${ENV_VAR}" to keep it out of the file)'}),
});

const positiveInt = (what: string) => z.number({error: `expected ${what}`}).int({error: `expected ${what}`}).positive({error: `expected ${what}`});
const nonNegativeInt = (what: string) => z.number({error: `expected ${what}`}).int({error: `expected ${what}`}).nonnegative({error: `expected ${what}`});

const durationSchema = z.union([z.number(), z.string()]).refine(value => parseDurationMs(value) !== undefined, {
	error: 'expected a duration: seconds as a number, or a string such as "30s", "2m", "500ms"',
});

/** Fields describing one request's content. */
const requestContent = {
	method: methodSchema.optional(),
	url: urlSchema.optional(),
	headers: headersSchema.optional(),
	json: z.unknown().optional(),
	form: formSchema.optional(),
	body: z.string({error: 'expected a string (the raw request body)'}).optional(),
	basic_auth: basicAuthSchema.optional(),
};

/** Fields of how requests are sent (PyStress options). */
const policyFields = {
	timeout_ms: positiveInt('a positive whole number of milliseconds').optional(),
	retries: nonNegativeInt('a whole number of retries, 0 or more').optional(),
	backoff_ms: nonNegativeInt('a whole number of milliseconds, 0 or more').optional(),
	backoff_max_ms: nonNegativeInt('a whole number of milliseconds, 0 or more').optional(),
	jitter_ms: nonNegativeInt('a whole number of milliseconds, 0 or more').optional(),
	retry_on_statuses: z
		.array(z.number().int().min(100).max(599), {error: 'expected a list of HTTP status codes such as [429, 503]'})
		.optional(),
	verify_tls: z.boolean({error: 'expected true or false'}).optional(),
	http_client: z.enum(['socket', 'undici'], {error: 'expected "socket" (the default, fastest) or "undici"'}).optional(),
};

/** Run settings a file may carry; flags override them. */
const settingsFields = {
	threads: positiveInt('a whole number of worker threads, 1 or more').optional(),
	connections: positiveInt('a whole number of connections, 1 or more').optional(),
	duration: durationSchema.optional(),
	total_requests: positiveInt('a whole number of requests, 1 or more').optional(),
	rate: z.number({error: 'expected requests per second, a number > 0'}).positive({error: 'expected requests per second, a number > 0'}).optional(),
	max_connections: positiveInt('a whole number of connections, 1 or more').optional(),
	ramp_up: durationSchema.optional(),
	stages: z
		.array(z.strictObject({duration: durationSchema, target: z.number({error: 'expected a number, 0 or more'}).nonnegative({error: 'expected a number, 0 or more'})}), {error: 'expected a list of stages such as [{"duration": "30s", "target": 200}]'})
		.min(1, {error: 'expected at least one stage'})
		.optional(),
	thresholds: z.array(z.string({error: 'expected a threshold string such as "p99<300ms"'}), {error: 'expected a list such as ["p99<300ms", "errors<1%"]'}).optional(),
	baseline_duration: durationSchema.optional(),
};

export const endpointSchema = z.strictObject({
	name: z.string({error: 'expected a string'}).min(1, {error: 'expected a non-empty name'}).optional(),
	weight: z.number({error: 'expected a number > 0'}).positive({error: 'expected a number > 0'}).optional(),
	thresholds: z.array(z.string({error: 'expected a threshold string such as "p99<300ms"'}), {error: 'expected a list such as ["p99<300ms"]'}).optional(),
	...requestContent,
});

const testFields = {
	...requestContent,
	...policyFields,
	requests: z.array(endpointSchema, {error: 'expected a list of endpoints: [{"name": "...", "url": "...", "weight": 1}]'}).min(1, {error: 'expected at least one endpoint'}).optional(),
	name: z.string().optional(),
	description: z.string().optional(),
};

/** A plain config: one `url`, or several endpoints under `requests`. */
export const flatConfigSchema = z.strictObject({
	...testFields,
	...settingsFields,
});

/** PyStress's OAuth2 shape: a token request, then the test. */
export const oauthConfigSchema = z.strictObject({
	token_acquisition: z.strictObject({...requestContent, ...policyFields}),
	stress_test: z.strictObject({...testFields, ...settingsFields}),
	...settingsFields,
	name: z.string().optional(),
	description: z.string().optional(),
});

export type FlatConfig = z.infer<typeof flatConfigSchema>;
export type OauthConfig = z.infer<typeof oauthConfigSchema>;
export type EndpointConfig = z.infer<typeof endpointSchema>;

/** Every key a config object may hold at each level, for did-you-mean suggestions. */
export const knownKeys = {
	flat: Object.keys(flatConfigSchema.shape),
	oauth: Object.keys(oauthConfigSchema.shape),
	endpoint: Object.keys(endpointSchema.shape),
	token: [...Object.keys(requestContent), ...Object.keys(policyFields)],
	basicAuth: ['username', 'password'],
} as const;
