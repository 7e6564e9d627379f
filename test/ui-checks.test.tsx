import {describe, expect, it} from 'vitest';
import type {EndpointPlan} from '../source/config/types.js';
import {createRunTotals} from '../source/stats/aggregate.js';
import DashboardScreen from '../source/ui/screens/dashboard-screen.js';
import SummaryScreen from '../source/ui/screens/summary-screen.js';
import {initialDashboard} from '../source/ui/state/dashboard-state.js';
import {collectFrame, type EngineView} from '../source/ui/state/live-frame.js';
import {show} from './helpers/show.js';
import {frame, point, report} from './helpers/ui-fixtures.js';

const checks = {passed: 980, failed: 20, byName: {status: 0, 'json $.ok': 20}};
const checkedFrame = frame({
	checks,
	endpoints: [
		{name: 'home', method: 'GET', requests: 8000, errors: 5, passRate: 0.99, p50: 1, p99: 8},
		{name: 'checkout', method: 'POST', requests: 4345, errors: 40, passRate: 0.95, p50: 3, p99: 12, checks},
	],
});
const dashboard = (liveFrame = checkedFrame) => ({...initialDashboard, frame: liveFrame, points: Array.from({length: 12}, (_, index) => point(index + 1)), markers: []});

describe('response checks in the TUI', () => {
	it('the dashboard shows the checks line (share passed, failing checks by endpoint) and still fits 80x24', () => {
		const text = show(<DashboardScreen dashboard={dashboard()} target="t" stopping={false} size={{columns: 80, rows: 24}} />);
		expect(text).toMatch(/^checks 98\.0% passed \(20 of 1,000 failed\) {2}checkout: json \$\.ok 20$/m);
		expect(text.split('\n').length).toBeLessThanOrEqual(23);
		const plain = show(<DashboardScreen dashboard={dashboard(frame())} target="t" stopping={false} size={{columns: 80, rows: 24}} />);
		expect(plain).not.toMatch(/^checks /m);
		// The checks line takes a chart line: the dashboard is as tall with or without it.
		expect(text.split('\n').length).toBe(plain.split('\n').length);
	});

	it('the summary screen shows the run\'s checks', () => {
		const base = report();
		const endpoint = {...base.summary, name: 'api', method: 'GET', url: 'http://127.0.0.1:9/api', weight: 1, histogram: '', checks};
		const withChecks = report({summary: {...base.summary, checks}, endpoints: [endpoint]});
		const text = show(<SummaryScreen summary={{report: withChecks, saved: {written: [], errors: []}}} target="t" width={80} lines={24} />);
		expect(text).toMatch(/^checks 98\.0% passed \(20 of 1,000 failed\) {2}json \$\.ok 20/m);
		expect(show(<SummaryScreen summary={{report: base, saved: {written: [], errors: []}}} target="t" width={80} lines={24} />)).not.toMatch(/^checks /m);
	});

	it('a live frame has checks (zeros before the first response) only when an endpoint has checks', () => {
		const plan = (withChecks: boolean): EndpointPlan => ({name: 'a', method: 'GET', url: 'http://x/', origin: 'http://x', path: '/', headers: {}, body: undefined, weight: 1, ...(withChecks ? {checks: {status: [200]}} : {})});
		const view = (withChecks: boolean): EngineView => ({state: 'running', currentSettings: frame().settings, activeS: 1, totals: createRunTotals(1), workerHealth: [], plan: {endpoints: [plan(withChecks)], policy: undefined as never, token: undefined}, stage: undefined} as unknown as EngineView);
		expect(collectFrame(view(true)).checks).toEqual({passed: 0, failed: 0, byName: {}});
		expect(collectFrame(view(true)).endpoints[0]!.checks).toEqual({passed: 0, failed: 0, byName: {}});
		expect(collectFrame(view(false)).checks).toBeUndefined();
		expect(collectFrame(view(false)).endpoints[0]!.checks).toBeUndefined();
	});
});
