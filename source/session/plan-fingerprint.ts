import {createHash} from 'node:crypto';
import {redactHeaders, redactSecrets, redactUrl} from '../config/redact.js';
import type {EndpointPlan, TestPlan} from '../config/types.js';

/** A body as hashed: a JSON body with its secret-looking fields redacted, any other as it is. */
function bodyForFingerprint(body: string | undefined): unknown {
	if (body === undefined) return null;
	try {
		return redactSecrets(JSON.parse(body));
	} catch {
		return body;
	}
}

function endpointForFingerprint(endpoint: EndpointPlan): unknown {
	const headers = redactHeaders(endpoint.headers);
	return {
		name: endpoint.name,
		method: endpoint.method,
		url: redactUrl(endpoint.url),
		headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]).sort(([a], [b]) => a!.localeCompare(b!))),
		body: bodyForFingerprint(endpoint.body),
		weight: endpoint.weight,
	};
}

/**
 * A stable digest (16 hex digits of SHA-256) of what a run sends: every endpoint (name, method,
 * URL, headers and body with secrets redacted, weight), the request policy (timeouts, retries,
 * TLS verification, HTTP client) and the token request's endpoint. Load settings (threads,
 * connections, rate, duration, request count, stages, thresholds, baseline) are left out: the
 * agents of one distributed run split them. Secrets are redacted before hashing, so the digest
 * reveals none, and agents that each read their own token still agree.
 */
export function planFingerprint(plan: TestPlan): string {
	const {policy} = plan;
	const canonical = JSON.stringify({
		endpoints: plan.endpoints.map(endpoint => endpointForFingerprint(endpoint)),
		policy: {
			timeoutMs: policy.timeoutMs,
			retries: policy.retries,
			backoffMs: policy.backoffMs,
			backoffMaxMs: policy.backoffMaxMs,
			jitterMs: policy.jitterMs,
			retryOnStatuses: [...policy.retryOnStatuses].sort((a, b) => a - b),
			verifyTls: policy.verifyTls,
			httpClient: policy.httpClient,
			// TLS and network options, only when set (earlier fingerprints stay as they were); files
			// by whether they are given, not by path (agents may keep them in different places).
			...(policy.network === undefined ? {} : {network: {
				keepalive: policy.network.keepalive,
				servername: policy.network.servername ?? null,
				unixSocket: policy.network.unixSocket ?? null,
				ca: policy.network.caFile !== undefined,
				clientCertificate: policy.network.certFile !== undefined,
			}}),
			// HTTP/2 only when set (earlier fingerprints stay as they were).
			...(policy.http2 === undefined ? {} : {http2: {streams: policy.http2.streams}}),
		},
		token: plan.token ? endpointForFingerprint(plan.token.endpoint) : null,
	});
	return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
