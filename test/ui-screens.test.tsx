import {describe, expect, it} from 'vitest';
import {axisLabel, plotLines} from '../source/ui/components/chart.js';
import HardwareHeader from '../source/ui/components/hardware-header.js';
import HelpOverlay from '../source/ui/components/help-overlay.js';
import BaselineScreen from '../source/ui/screens/baseline-screen.js';
import DashboardScreen from '../source/ui/screens/dashboard-screen.js';
import PickerScreen from '../source/ui/screens/picker-screen.js';
import SettingsScreen from '../source/ui/screens/settings-screen.js';
import SummaryScreen from '../source/ui/screens/summary-screen.js';
import {initialBaseline} from '../source/ui/state/baseline-state.js';
import {dashboardReducer, initialDashboard, type DashboardState} from '../source/ui/state/dashboard-state.js';
import {initialPicker, pickerReducer} from '../source/ui/state/picker-state.js';
import {formFromSettings, validateForm} from '../source/ui/state/settings-form.js';
import {brokenCandidate, frame, point, report, testHardware, urlCandidate} from './helpers/ui-fixtures.js';
import {show} from './helpers/show.js';

function dashboard(overrides: Partial<DashboardState> = {}): DashboardState {
	return {...initialDashboard, frame: frame(), points: Array.from({length: 12}, (_, index) => point(index + 1, {rps: 900 + (index * 10), errors: index === 6 ? 4 : 0})), markers: [{t: 4.5, kind: 'threads', label: 'threads 3', value: 3}], ...overrides};
}

describe('hardware header', () => {
	it('shows the machine and the threads that will be used, and why', () => {
		const text = show(<HardwareHeader hardware={testHardware} threads={3} threadsReason="cgroup CPU quota of 2.5 CPUs" workerThreads width={80} />);
		expect(text).toContain('Test CPU 9000');
		expect(text).toContain('4 physical cores, 8 logical processors (hyperthreading 2.0x)');
		expect(text).toContain('cgroup quota 2.5 CPUs');
		expect(text).toContain('memory 16.0 GiB (8.0 GiB free)');
		expect(text).toContain('Node v20.20.0 linux/x64');
		expect(text).toContain('worker threads: yes');
		expect(text).toContain('→ 3 worker threads: cgroup CPU quota of 2.5 CPUs');
		for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
	});

	it('fits one line when compact', () => {
		const text = show(<HardwareHeader compact hardware={testHardware} threads={4} threadsReason="changed live from 3" workerThreads width={80} />);
		expect(text.split('\n')).toHaveLength(1);
		expect(text).toMatch(/Test 9000 · 4C\/8T · quota 2\.5 .*4 worker threads: changed live from 3/);
	});
});

describe('config picker', () => {
	it('lists configs with a preview of the selected one', () => {
		const picker = pickerReducer(initialPicker, {type: 'picker-load', items: [urlCandidate('http://127.0.0.1:9/health'), brokenCandidate()]});
		const text = show(<PickerScreen picker={picker} width={80} lines={18} />);
		expect(text).toMatch(/Choose a config {2}\(2\)/);
		expect(text).toMatch(/› {3}\[url\] +http:\/\/127\.0\.0\.1:9\/health/);
		expect(text).toMatch(/✗ \[file\] +broken\.json/);
		expect(text).toContain('GET http://127.0.0.1:9/health');
		expect(text).toContain('3 threads, 50 connections, 1m 0s');
	});

	it('shows the validation errors of a broken config instead of crashing', () => {
		const picker = pickerReducer(pickerReducer(initialPicker, {type: 'picker-load', items: [urlCandidate(), brokenCandidate()], notices: ['✗ /broken.json: 2 problems']}), {type: 'picker-move', delta: 1});
		const text = show(<PickerScreen picker={picker} width={80} lines={18} />);
		expect(text).toContain('✗ /broken.json: 2 problems');
		expect(text).toContain('conections: unknown key; did you mean "connections"?');
		expect(text).toContain('duration: expected a duration');
	});

	it('shows the filter field while filtering', () => {
		const filtering = pickerReducer(pickerReducer(pickerReducer(initialPicker, {type: 'picker-load', items: [urlCandidate(), brokenCandidate()]}), {type: 'picker-mode', mode: 'filter'}), {type: 'picker-type', text: 'brok'});
		const text = show(<PickerScreen picker={filtering} width={80} lines={18} />);
		expect(text).toContain('Filter: brok');
		expect(text).toContain('filter "brok": 1 of 2');
		expect(text).not.toContain('[url]');
	});
});

describe('settings screen', () => {
	it('shows every field with the focused one marked, and the problems', () => {
		const candidate = urlCandidate();
		const base = formFromSettings(candidate.choice.ok ? candidate.choice.prepared.settings : frame().settings, 5000);
		const form = {...base, values: {...base.values, connections: 'lots'}};
		const result = validateForm(form, frame().settings);
		const text = show(<SettingsScreen candidate={candidate} form={{...form, issues: result.ok ? [] : result.issues}} quickBaselineCount={5} logicalProcessors={8} width={80} />);
		expect(text).toMatch(/› Worker threads +3/);
		expect(text).toMatch(/Connections +lots/);
		expect(text).toMatch(/Duration +1m/);
		expect(text).toMatch(/Extended baseline +5s/);
		expect(text).toContain('✗ Connections: "lots" is not valid');
		expect(text).toContain('A quick baseline of 5 sequential requests runs first.');
	});
});

describe('baseline screen', () => {
	it('shows the quick baseline samples and the extended progress as they come', () => {
		const baseline = {
			...initialBaseline,
			quickCount: 5,
			samples: [{index: 0, endpoint: 'GET /', latencyMicros: 1234, status: 200, errorKind: undefined}, {index: 1, endpoint: 'GET /', latencyMicros: 30_000_000, status: 0, errorKind: 'timeout'}],
			extendedTotalS: 10,
			extendedProgress: {elapsedS: 4, requests: 812, p50Ms: 1.1, p99Ms: 4.5},
		};
		const text = show(<BaselineScreen baseline={baseline} target="GET http://127.0.0.1:9/" stopping={false} width={80} lines={18} />);
		expect(text).toMatch(/Quick baseline +█+░+ 2\/5/);
		expect(text).toMatch(/#1 +GET \/ +200 +1\.23 ms/);
		expect(text).toMatch(/#2 +GET \/ +timeout +30\.0 s/);
		expect(text).toMatch(/Extended baseline +█+░+ 4\.0s\/10\.0s/);
		expect(text).toContain('812 requests, p50 1.10 ms, p99 4.50 ms');
	});

	it('says where the OAuth2 token comes from while it is fetched', () => {
		const text = show(<BaselineScreen baseline={initialBaseline} target="GET http://127.0.0.1:9/" stopping={false} width={100} lines={18} tokenFrom="https://auth.example/token?client_secret=%5Bredacted%5D" />);
		expect(text).toMatch(/^Starting {2}GET http:\/\/127\.0\.0\.1:9\/$/m);
		expect(text).toContain('fetching OAuth2 token from https://auth.example/token?client_secret=%5Bredacted%5D…');
		expect(text).toContain('The parallel run starts once the token is in.');
		expect(text).not.toContain('one connection, sequential');
		// With baselines to come, they show under it.
		const withBaseline = show(<BaselineScreen baseline={{...initialBaseline, quickCount: 5}} target="t" stopping={false} width={80} lines={18} tokenFrom="https://auth.example/token" />);
		expect(withBaseline).toMatch(/fetching OAuth2 token from https:\/\/auth\.example\/token…\n\n\s*Quick baseline +░+ 0\/5/);
	});
});

describe('dashboard', () => {
	it('shows state, progress, settings, charts with markers, stats, codes, endpoints and workers in 80x24', () => {
		const text = show(<DashboardScreen dashboard={dashboard()} target="GET http://127.0.0.1:9/api" stopping={false} size={{columns: 80, rows: 24}} />);
		const lines = text.split('\n');
		expect(lines[0]).toMatch(/^ RUNNING  GET http:\/\/127\.0\.0\.1:9\/api +12\.0s \/ 30\.0s · 18\.0s left$/);
		expect(lines[1]).toMatch(/^threads 2 · connections 10 · rate off · achieved 1,010\/s +█+░+ 40%$/);
		// The marker under the charts is named in the first chart's title.
		expect(text).toMatch(/requests\/s · T 4\.5s threads 3 +latency ms \(log\) {2}━ p50 {2}━ p99/);
		expect(text).toMatch(/ {9} {3}T/);
		expect(text).toMatch(/errors\/s +▁+█▁+ 0 in the last second/);
		expect(text).toMatch(/requests 12,345 {2}rps now 1,010 {2}mean 1,029 {2}pass 98\.0% {2}errors 45/);
		expect(text).toMatch(/latency {2}min 0\.100 ms {2}p50 1\.50 ms {2}p90 4\.00 ms {2}p99 9\.50 ms {2}max 31\.0 ms/);
		expect(text).toMatch(/status 200 12,000 \(97\.2%\) {2}503 300 \(2\.4%\) +errors timeout 45/);
		expect(text).toMatch(/checkout +POST +4,345/);
		expect(text).toMatch(/generator ELU w0 █+░+ 42% {2}w1 █+░+ 51%/);
		expect(text).not.toContain('SATURATED');
		// Room left for the hardware line, the message line and the key hints.
		expect(lines.length).toBeLessThanOrEqual(23 - 3);
		for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
	});

	it('says PAUSED and STOPPING', () => {
		expect(show(<DashboardScreen dashboard={dashboard({frame: frame({state: 'paused'})})} target="t" stopping={false} size={{columns: 80, rows: 24}} />)).toMatch(/^ PAUSED /);
		expect(show(<DashboardScreen dashboard={dashboard()} target="t" stopping size={{columns: 80, rows: 24}} />)).toMatch(/^ STOPPING /);
	});

	it('warns when the load generator is saturated', () => {
		const saturated = frame({workers: [{workerId: 0, connections: 5, inFlight: 5, eventLoopUtilization: 0.95}, {workerId: 1, connections: 5, inFlight: 5, eventLoopUtilization: 0.6}]});
		const state = dashboardReducer(dashboard(), {type: 'frame', frame: saturated, points: [], markers: []});
		const text = show(<DashboardScreen dashboard={state} target="t" stopping={false} size={{columns: 80, rows: 24}} />);
		expect(text).toContain('! GENERATOR SATURATED (95% event loop): measuring the client, not the server');
	});

	it('shows rate target and achieved in the open model', () => {
		const text = show(<DashboardScreen dashboard={dashboard({frame: frame({settings: {...frame().settings, rate: 500}})})} target="t" stopping={false} size={{columns: 80, rows: 24}} />);
		expect(text).toMatch(/rate 500\/s · achieved 1,010\/s/);
	});

	it('shows the corrected latency next to the sent one in the open model', () => {
		const open = frame({settings: {...frame().settings, rate: 500}, correctedLatency: {count: 12_300, min: 0.2, mean: 40, p50: 2.5, p90: 80, p95: 120, p99: 450, p999: 900, max: 1234, stdev: 30}});
		const text = show(<DashboardScreen dashboard={dashboard({frame: open})} target="t" stopping={false} size={{columns: 80, rows: 24}} />);
		expect(text).toMatch(/^latency \(sent\) {2}p50 1\.50 ms {2}p90 4\.00 ms {2}p99 9\.50 ms {2}max 31\.0 ms$/m);
		expect(text).toMatch(/^corrected {7}p50 2\.50 ms {2}p90 80\.0 ms {2}p99 450 ms {2}max 1,234 ms$/m);
		// The closed model keeps the one latency line.
		expect(show(<DashboardScreen dashboard={dashboard()} target="t" stopping={false} size={{columns: 80, rows: 24}} />)).not.toMatch(/corrected|latency \(sent\)/);
		// Wide enough: says what corrected means.
		expect(show(<DashboardScreen dashboard={dashboard({frame: open})} target="t" stopping={false} size={{columns: 120, rows: 30}} />)).toMatch(/corrected .*max 1,234 ms {2}← from the intended send time/);
	});

	it('warns about late and dropped sends in the open model, and still fits 80x24 with every warning', () => {
		const rate = {...frame().settings, rate: 500};
		const late = frame({settings: rate, late: 1204, dropped: 0, correctedLatency: frame().latency});
		// (Colours are checked on lateWarning's level: ink-testing-library renders without them.)
		const lateText = show(<DashboardScreen dashboard={dashboard({frame: late})} target="t" stopping={false} size={{columns: 80, rows: 24}} />);
		expect(lateText).toMatch(/^⚠ 1,204 sends late: all 10 connections busy — press \] or raise --connections$/m);
		const saturatedWorkers = [{workerId: 0, connections: 5, inFlight: 5, eventLoopUtilization: 0.97}];
		const dropped = dashboardReducer(dashboard(), {type: 'frame', frame: frame({settings: rate, late: 1204, dropped: 36, correctedLatency: frame().latency, workers: saturatedWorkers}), points: [], markers: []});
		const plain = show(<DashboardScreen dashboard={dropped} target="t" stopping={false} size={{columns: 80, rows: 24}} />);
		expect(plain).toMatch(/^⚠ 1,204 sends late, 36 dropped: all 10 connections busy — press \] for more$/m);
		expect(plain).toContain('GENERATOR SATURATED');
		expect(plain).toMatch(/^corrected /m);
		expect(plain).toMatch(/generator ELU/);
		expect(plain.split('\n').length).toBeLessThanOrEqual(23 - 3);
		for (const line of plain.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
		// A wide terminal names the flags; --max-connections set: raise that.
		expect(show(<DashboardScreen dashboard={dropped} target="t" stopping={false} size={{columns: 130, rows: 40}} />)).toContain('⚠ 1,204 sends late, 36 dropped: all 10 connections were busy — raise --connections or set --max-connections');
		const capped = frame({settings: {...rate, maxConnections: 40}, late: 5, dropped: 0});
		expect(show(<DashboardScreen dashboard={dashboard({frame: capped})} target="t" stopping={false} size={{columns: 130, rows: 40}} />)).toContain('⚠ 5 sends late: all 40 connections were busy — raise --max-connections');
		// Nothing late: no warning.
		expect(show(<DashboardScreen dashboard={dashboard({frame: frame({settings: rate})})} target="t" stopping={false} size={{columns: 80, rows: 24}} />)).not.toContain('⚠');
	});

	it('shows the current stage in the header, and when the stages are done', () => {
		const closed = show(<DashboardScreen dashboard={dashboard({frame: frame({stage: {index: 1, count: 3, value: 150, target: 200}})})} target="GET http://127.0.0.1:9/api" stopping={false} size={{columns: 80, rows: 24}} />);
		// The target gives way to the stage.
		expect(closed.split('\n')[0]).toMatch(/^ RUNNING  GET http:\/\/127\.0\.… +stage 2\/3 → 200 conns · 12\.0s \/ 30\.0s · 18\.0s left$/);
		const open = show(<DashboardScreen dashboard={dashboard({frame: frame({settings: {...frame().settings, rate: 300}, stage: {index: 0, count: 2, value: 120, target: 300}})})} target="t" stopping={false} size={{columns: 80, rows: 24}} />);
		expect(open.split('\n')[0]).toMatch(/stage 1\/2 → 300\/s · 12\.0s/);
		const done = show(<DashboardScreen dashboard={dashboard({frame: frame({stage: {index: 3, count: 3, value: 200, target: 200}})})} target="t" stopping={false} size={{columns: 80, rows: 24}} />);
		expect(done.split('\n')[0]).toMatch(/stages done · 12\.0s/);
		expect(show(<DashboardScreen dashboard={dashboard()} target="t" stopping={false} size={{columns: 80, rows: 24}} />)).not.toMatch(/stage/);
	});

	it('labels the bottom of an axis 0, never -0.00 (asciichart computes it a hair below zero)', () => {
		expect(axisLabel(-1.4e-13, 'rate').trim()).toBe('0');
		expect(axisLabel(-1.4e-13, 'ms').trim()).toBe('0.00');
		expect(axisLabel(2001, 'rate').trim()).toBe('2.0k');
	});

	it('plots latencies on a log scale, so p50 and p99 both show', () => {
		const lines = plotLines([[0.3, 0.3, 0.3], [75, 75, 75]], 6, 'ms');
		expect(lines[0]).toMatch(/^ {3}75\.0 ┼──/);
		expect(lines.at(-1)).toMatch(/^ {3}0\.30 ┼──/);
		expect(lines).toHaveLength(7);
	});

	it('uses colours only when they are on (NO_COLOR)', () => {
		expect(show(<DashboardScreen dashboard={dashboard()} target="t" stopping={false} size={{columns: 80, rows: 24}} />, false)).not.toMatch(/\u001B\[3\dm/);
	});
});

describe('summary', () => {
	it('counts one thread and one connection in the singular', () => {
		const settings = {threads: 1, connections: 1, durationS: 10, maxRequests: null, rate: null, httpClient: 'socket' as const, final: {threads: 1, connections: 2, rate: null}};
		const text = show(<SummaryScreen summary={{report: report({settings}), saved: {written: [], errors: []}}} target="t" width={80} lines={20} />);
		expect(text).toMatch(/1 thread, 1 connection, closed model\nchanged live to 1 thread, 2 connections, closed model/);
	});

	it('shows the final stats, baseline and speedup, live changes, and where the reports are', () => {
		const text = show(<SummaryScreen summary={{report: report(), saved: {written: ['reports/run.json', 'reports/run.html'], errors: []}}} target="GET http://127.0.0.1:9/api" width={80} lines={20} />);
		expect(text).toMatch(/SUMMARY {2}GET http:\/\/127\.0\.0\.1:9\/api · stopped: duration · 10\.0s/);
		expect(text).toMatch(/2 threads, 10 connections, closed model\nchanged live to 3 threads, 11 connections, closed model/);
		expect(text).toMatch(/1,000 requests · 990 responses · 10 errors · 100 req\/s · pass 98\.0%/);
		expect(text).toMatch(/latency +min +mean +p50 +p90 +p99 +p99\.9 +max/);
		expect(text).toMatch(/7\.25 ms/);
		expect(text).toContain('quick baseline 5 req, 100 req/s, p50 0.900 ms');
		expect(text).toContain('speedup vs quick: throughput 8.50x');
		expect(text).toContain('report: reports/run.json');
		expect(text).toContain('report: reports/run.html');
	});

	it('lists the thresholds with their outcome', () => {
		const text = show(<SummaryScreen summary={{report: report({thresholds: [{expression: 'p99 < 200ms', actual: 7.25, unit: 'ms', passed: true}, {expression: 'errors < 0.5%', actual: 1, unit: '%', passed: false}]}), saved: undefined}} target="t" width={80} lines={20} />);
		expect(text).toContain('✓ p99 < 200ms (actual 7.25 ms)  ✗ errors < 0.5% (actual 1%)');
	});

	it('says when nothing was written, and shows write errors', () => {
		expect(show(<SummaryScreen summary={{report: report(), saved: undefined}} target="t" width={80} lines={20} />)).toContain('press s to save one');
		expect(show(<SummaryScreen summary={{report: report(), saved: {written: [], errors: ['cannot write /x.json (EACCES)']}}} target="t" width={80} lines={20} />)).toContain('error: cannot write /x.json (EACCES)');
	});
});

describe('help overlay', () => {
	it('lists every dashboard binding from the table', () => {
		const text = show(<HelpOverlay context="dashboard" width={80} />);
		for (const expected of [/p \/ space +pause \/ resume/, /\+ +one worker thread more/, /- +one worker thread less/, /\] +connections \+10%/, /\[ +connections -10%/, /> +rate \+10%/, /< +rate -10%/, /s +save HTML and JSON reports/, /P +save the current settings as a profile/, /q +stop, drain, show the summary/, /Ctrl-C +stop; twice: quit at once/, /\? +this help/]) {
			expect(text).toMatch(expected);
		}
	});
});
