import {describe, expect, it} from 'vitest';
import {defaultPolicy, type EndpointPlan, type TestPlan} from '../source/config/types.js';
import {planFingerprint} from '../source/session/plan-fingerprint.js';

const endpoint = (overrides: Partial<EndpointPlan> = {}): EndpointPlan => ({
	name: 'login',
	method: 'POST',
	url: 'http://127.0.0.1:8080/login',
	origin: 'http://127.0.0.1:8080',
	path: '/login',
	headers: {'Content-Type': 'application/json', Authorization: 'Bearer agent-0-token'},
	body: '{"user":"load","password":"hunter2"}',
	weight: 1,
	...overrides,
});

const plan = (endpoints: EndpointPlan[] = [endpoint()], policy = defaultPolicy): TestPlan => ({endpoints, policy, token: undefined});

describe('planFingerprint (what merge compares)', () => {
	it('is 16 hex digits and the same for the same plan', () => {
		expect(planFingerprint(plan())).toMatch(/^[\da-f]{16}$/);
		expect(planFingerprint(plan())).toBe(planFingerprint(plan()));
	});

	it('ignores secrets (each agent may read its own token and password) and header order and case', () => {
		const other = endpoint({headers: {authorization: 'Bearer agent-1-token', 'content-type': 'application/json'}, body: '{"user":"load","password":"other"}'});
		expect(planFingerprint(plan([other]))).toBe(planFingerprint(plan()));
	});

	it('changes with anything that changes what is sent: URL, method, a plain header, the body, a weight, an endpoint, the policy', () => {
		const base = planFingerprint(plan());
		const variants = [
			plan([endpoint({url: 'http://127.0.0.1:8080/login?v=2'})]),
			plan([endpoint({method: 'PUT'})]),
			plan([endpoint({headers: {...endpoint().headers, 'X-Tenant': 'b'}})]),
			plan([endpoint({body: '{"user":"other","password":"hunter2"}'})]),
			plan([endpoint({weight: 2})]),
			plan([endpoint(), endpoint({name: 'home', url: 'http://127.0.0.1:8080/', body: undefined})]),
			plan([endpoint()], {...defaultPolicy, timeoutMs: 5000}),
			plan([endpoint()], {...defaultPolicy, httpClient: 'undici'}),
		];
		const prints = variants.map(variant => planFingerprint(variant));
		expect(prints.every(print => print !== base)).toBe(true);
		expect(new Set(prints).size).toBe(prints.length);
	});
});
