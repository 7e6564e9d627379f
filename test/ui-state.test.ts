import {describe, expect, it} from 'vitest';
import {bar, compact, fitSegments, sparkline, truncate, wrapSegments} from '../source/ui/format.js';
import {runExitCode} from '../source/session/outcome.js';
import {runReportPaths} from '../source/session/report-files.js';
import {prepareRun} from '../source/session/prepare.js';
import {appReducer, fetchingTokenFrom, initialAppState, keyContextOf, type AppState} from '../source/ui/state/app-state.js';
import {baselineReducer, initialBaseline} from '../source/ui/state/baseline-state.js';
import {previewLines, settingsLabel} from '../source/ui/state/candidate.js';
import {chartSeries, dashboardReducer, initialDashboard, lateWarning, markerLegend, markerRow, peakUtilization, saturationWarning, shownMarkers, stageText} from '../source/ui/state/dashboard-state.js';
import {dashboardLayout} from '../source/ui/state/layout.js';
import {nextConnections, nextRate, nextThreads} from '../source/ui/state/live-controls.js';
import {initialPicker, pickerReducer, selectedItem, visibleItems, type PickerState} from '../source/ui/state/picker-state.js';
import {durationText, formFromSettings, settingsFormReducer, validateForm} from '../source/ui/state/settings-form.js';
import {brokenCandidate, frame, point, report, settings, testHardware, urlCandidate} from './helpers/ui-fixtures.js';

describe('live controls', () => {
	it('change threads by one, never below 1', () => {
		expect(nextThreads(2, 1)).toBe(3);
		expect(nextThreads(2, -1)).toBe(1);
		expect(nextThreads(1, -1)).toBe(1);
	});

	it('change connections by 10%, at least by 1, never below 1', () => {
		expect(nextConnections(50, 1)).toBe(55);
		expect(nextConnections(50, -1)).toBe(45);
		expect(nextConnections(4, 1)).toBe(5);
		expect(nextConnections(4, -1)).toBe(3);
		expect(nextConnections(1, -1)).toBe(1);
		expect(nextConnections(1000, 1)).toBe(1100);
	});

	it('change a set rate by 10% and leave the closed model alone', () => {
		expect(nextRate(100, 1)).toBe(110);
		expect(nextRate(100, -1)).toBe(90);
		expect(nextRate(0.1, -1)).toBe(0.1);
		expect(nextRate(undefined, 1)).toBeUndefined();
	});
});

describe('picker state', () => {
	const items = [urlCandidate('http://127.0.0.1:9/a'), brokenCandidate(), urlCandidate('http://127.0.0.1:9/orders')];
	const loaded = pickerReducer(initialPicker, {type: 'picker-load', items});

	it('moves with wrap-around', () => {
		expect(pickerReducer(loaded, {type: 'picker-move', delta: 1}).cursor).toBe(1);
		expect(pickerReducer(loaded, {type: 'picker-move', delta: -1}).cursor).toBe(2);
	});

	it('filters by every word and keeps the cursor inside the matches', () => {
		let state: PickerState = pickerReducer(loaded, {type: 'picker-move', delta: 2});
		state = pickerReducer(state, {type: 'picker-mode', mode: 'filter'});
		for (const character of 'orders') state = pickerReducer(state, {type: 'picker-type', text: character});
		expect(visibleItems(state).map(item => item.label)).toEqual(['http://127.0.0.1:9/orders']);
		expect(state.cursor).toBe(0);
		expect(selectedItem(state)?.label).toBe('http://127.0.0.1:9/orders');
		state = pickerReducer(state, {type: 'picker-delete'});
		expect(state.filter).toBe('order');
		state = pickerReducer(state, {type: 'picker-cancel'});
		expect(state.filter).toBe('');
		expect(state.mode).toBe('list');
		expect(visibleItems(state)).toHaveLength(3);
	});

	it('types a URL and adds the candidate on top, selected', () => {
		let state = pickerReducer(loaded, {type: 'picker-mode', mode: 'url'});
		expect(state.urlText).toBe('http://127.0.0.1:');
		state = pickerReducer(state, {type: 'picker-type', text: '8080/'});
		expect(state.urlText).toBe('http://127.0.0.1:8080/');
		const added = urlCandidate('http://127.0.0.1:8080/');
		state = pickerReducer(state, {type: 'picker-add', item: added});
		expect(state.mode).toBe('list');
		expect(selectedItem(state)?.id).toBe(added.id);
	});

	it('previews a config, and shows a broken one with every issue', () => {
		expect(previewLines(items[0]!)).toEqual(['GET http://127.0.0.1:9/a', '3 threads, 50 connections, 1m 0s']);
		expect(settingsLabel({threads: 1, connections: 1, durationMs: undefined, maxRequests: 1, rate: undefined, graceMs: 0})).toBe('1 thread, 1 connection, 1 request');
		const broken = previewLines(items[1]!);
		expect(broken[0]).toMatch(/2 problems \(\/broken\.json\)/);
		expect(broken).toContain('  conections: unknown key; did you mean "connections"?');
	});
});

describe('settings form', () => {
	it('fills from settings and formats durations as typed', () => {
		const form = formFromSettings({...settings, rate: 250}, 10_000);
		expect(form.values).toEqual({threads: '2', connections: '10', duration: '30s', requests: '', rate: '250', baseline: '10s'});
		expect(durationText(90_000)).toBe('1m30s');
		expect(durationText(1500)).toBe('1500ms');
	});

	it('replaces a fresh value on the first key, then appends; steps numbers', () => {
		let form = formFromSettings(settings, undefined);
		form = settingsFormReducer(form, {type: 'form-type', text: '4'});
		expect(form.values.threads).toBe('4');
		form = settingsFormReducer(form, {type: 'form-type', text: '2'});
		expect(form.values.threads).toBe('42');
		form = settingsFormReducer(form, {type: 'form-delete'});
		expect(form.values.threads).toBe('4');
		form = settingsFormReducer(form, {type: 'form-move', delta: 1});
		form = settingsFormReducer(form, {type: 'form-step', direction: 1});
		expect(form.values.connections).toBe('11');
		form = settingsFormReducer(form, {type: 'form-move', delta: -2});
		expect(form.focus).toBe(5);
	});

	it('validates every field at once', () => {
		const form = {...formFromSettings(settings, undefined), values: {threads: '0', connections: 'x', duration: '', requests: '', rate: '-1', baseline: '5q'}};
		const result = validateForm(form, settings);
		expect(result.ok).toBe(false);
		const paths = result.ok ? [] : result.issues.map(issue => issue.path);
		expect(paths).toEqual(['Worker threads', 'Connections', 'Rate (req/s)', 'Extended baseline', 'Duration']);
	});

	it('turns a valid form into run settings', () => {
		const form = {...formFromSettings(settings, undefined), values: {threads: '3', connections: '20', duration: '2m', requests: '1000', rate: 'off', baseline: '5s'}};
		expect(validateForm(form, settings)).toEqual({ok: true, settings: {threads: 3, connections: 20, durationMs: 120_000, maxRequests: 1000, rate: undefined, graceMs: 2000}, extendedBaselineMs: 5000});
	});

	it('applies the form as a patch: what it does not show (stages, max connections, max late, grace) stays as resolved', () => {
		const staged = {...settings, rate: 50, stages: [{durationMs: 1000, target: 10}, {durationMs: 1000, target: 90}], maxConnections: 40, maxLateMs: 250, graceMs: 500};
		const form = {...formFromSettings(staged, undefined), values: {...formFromSettings(staged, undefined).values, connections: '12'}};
		expect(validateForm(form, staged)).toEqual({ok: true, settings: {...staged, connections: 12}, extendedBaselineMs: undefined});
	});
});

describe('dashboard state', () => {
	it('keeps a bounded ring of points and the markers still on it', () => {
		let state = {...initialDashboard, capacity: 5};
		state = dashboardReducer(state, {type: 'frame', frame: frame(), points: [1, 2, 3, 4].map(t => point(t)), markers: [{t: 1.5, kind: 'threads', label: 'threads 3', value: 3}]});
		state = dashboardReducer(state, {type: 'frame', frame: frame(), points: [5, 6, 7].map(t => point(t)), markers: [{t: 6.2, kind: 'pause', label: 'paused'}]});
		expect(state.points.map(item => item.t)).toEqual([3, 4, 5, 6, 7]);
		expect(state.markers.map(marker => marker.kind)).toEqual(['pause']);
	});

	it('keeps the saturation warning for a few seconds after the last saturated frame', () => {
		const workers = (elu: number) => [{workerId: 0, connections: 1, inFlight: 1, eventLoopUtilization: elu}];
		const at = (state: typeof initialDashboard, activeS: number, elu: number) => dashboardReducer(state, {type: 'frame', frame: frame({activeS, workers: workers(elu)}), points: [], markers: []});
		let state = at(initialDashboard, 1, 0.5);
		expect(saturationWarning(state)).toBeUndefined();
		state = at(state, 10, 0.95);
		expect(saturationWarning(state)).toBe(0.95);
		state = at(state, 13, 0.4);
		expect(saturationWarning(state)).toBe(0.95);
		state = at(state, 16, 0.4);
		expect(saturationWarning(state)).toBeUndefined();
	});

	it('places markers and paused seconds under the time axis', () => {
		const points = [point(1), point(2), point(3, {paused: true}), point(4)];
		expect(markerRow(points, [{t: 1.5, kind: 'threads', label: ''}, {t: 2.2, kind: 'pause', label: ''}, {t: 3.9, kind: 'resume', label: ''}])).toBe(' TP>');
		expect(markerRow(points, [])).toBe('  · ');
	});

	it('says what each marker letter stands for, in time order', () => {
		expect(markerLegend([{t: 10, kind: 'stop', label: 'stop (duration)'}, {t: 3.2, kind: 'threads', label: 'threads 3', value: 3}])).toBe('T 3.2s threads 3 · X 10.0s stop (duration)');
		expect(markerLegend([])).toBe('');
	});

	it('keeps the markers that fall on the seconds shown', () => {
		const points = [point(5), point(6), point(7)];
		const markers = [{t: 3.5, kind: 'threads', label: 'threads 3'}, {t: 4.2, kind: 'pause', label: 'paused'}, {t: 7.5, kind: 'stop', label: 'stop (user)'}] as const;
		// 4.2 lies in the first second shown, (4, 5]; 7.5 after the last one goes under it (markerRow).
		expect(shownMarkers(points, markers).map(marker => marker.t)).toEqual([4.2, 7.5]);
		expect(markerRow(points, markers)).toBe('P X');
		expect(shownMarkers([], markers)).toEqual([]);
	});

	it('cuts chart series to the chart width', () => {
		const points = Array.from({length: 10}, (_, index) => point(index + 1, {rps: index, errors: index % 2}));
		const series = chartSeries(points, 4);
		expect(series.rps).toEqual([6, 7, 8, 9]);
		expect(series.errors).toEqual([0, 1, 0, 1]);
		expect(peakUtilization(frame().workers)).toBe(0.51);
	});

	it('warns about late sends in the open model only, in warn colour until one is dropped', () => {
		const open = {...settings, rate: 200};
		expect(lateWarning(frame({late: 10}), 200)).toBeUndefined();
		expect(lateWarning(frame({settings: open}), 200)).toBeUndefined();
		expect(lateWarning(frame({settings: open, late: 10}), 200)).toEqual({level: 'warn', text: '⚠ 10 sends late: all 10 connections were busy — raise --connections or set --max-connections'});
		expect(lateWarning(frame({settings: open, late: 10, dropped: 2}), 200)?.level).toBe('error');
		expect(lateWarning(frame({settings: open, dropped: 2}), 200)?.text).toMatch(/^⚠ 2 dropped: /);
		// Narrower: the live key, then only the counts.
		expect(lateWarning(frame({settings: open, late: 1204, dropped: 36}), 80)?.text).toBe('⚠ 1,204 sends late, 36 dropped: all 10 connections busy — press ] for more');
		expect(lateWarning(frame({settings: open, late: 1204, dropped: 36}), 60)?.text).toBe('⚠ 1,204 sends late, 36 dropped: all 10 connections busy');
	});

	it('names the start-up and --warm-up, not more connections, when most late sends came in the first second of a run without a warm-up', () => {
		const open = {...settings, rate: 20_000};
		const startUp = [point(1.001, {late: 580}), point(2.002, {late: 114}), point(3.004, {late: 113})];
		expect(lateWarning(frame({settings: open, late: 807}), 200, startUp)).toEqual({level: 'warn', text: '⚠ 807 sends late, 580 in the first second: start-up — --warm-up 2s keeps it out of the figures'});
		expect(lateWarning(frame({settings: open, late: 807}), 50, startUp)?.text).toBe('⚠ 807 sends late, 580 at start-up');
		// Later late sends outweigh the first second's: the pool is what is short.
		const steady = [point(1.001, {late: 100}), point(2.002, {late: 114}), point(3.004, {late: 113})];
		expect(lateWarning(frame({settings: open, late: 327}), 200, steady)?.text).toMatch(/raise --connections/);
		// With a warm-up the start-up was never measured.
		expect(lateWarning(frame({settings: {...open, warmUpMs: 2000}, late: 807}), 200, startUp)?.text).toMatch(/raise --connections/);
		// A ring that no longer holds the first second cannot tell.
		expect(lateWarning(frame({settings: open, late: 807}), 200, startUp.slice(1))?.text).toMatch(/raise --connections/);
	});

	it('names the stage and its target in the model\'s unit', () => {
		expect(stageText({index: 1, count: 3, value: 150, target: 200}, false)).toBe('stage 2/3 → 200 conns');
		expect(stageText({index: 0, count: 2, value: 10, target: 1500}, true)).toBe('stage 1/2 → 1,500/s');
		expect(stageText({index: 0, count: 2, value: 10, target: 12.5}, true)).toBe('stage 1/2 → 12.5/s');
		expect(stageText({index: 2, count: 2, value: 300, target: 300}, true)).toBe('stages done');
	});
});

describe('layout', () => {
	it('fits the dashboard in 80x24 with charts side by side and the endpoint table', () => {
		const layout = dashboardLayout({columns: 80, rows: 24}, {endpoints: 5, saturated: false});
		expect(layout).toMatchObject({lines: 23, sideBySide: true, chartColumns: 39, chartHeight: 4, endpointRows: 5});
		expect(layout.chartPoints).toBe(29);
	});

	it('grows charts on a big terminal and stacks them on a narrow one', () => {
		expect(dashboardLayout({columns: 200, rows: 60}, {endpoints: 1, saturated: false}).chartHeight).toBe(21);
		expect(dashboardLayout({columns: 130, rows: 40}, {endpoints: 5, saturated: false}).chartHeight).toBe(20);
		const narrow = dashboardLayout({columns: 60, rows: 30}, {endpoints: 1, saturated: true});
		expect(narrow.sideBySide).toBe(false);
		expect(narrow.chartColumns).toBe(60);
	});

	it('makes room for the warnings and the corrected line, shrinking charts and endpoints first', () => {
		const all = dashboardLayout({columns: 80, rows: 24}, {endpoints: 5, saturated: true, late: true, corrected: true});
		expect(all).toMatchObject({correctedRow: true, chartHeight: 3, endpointRows: 3});
		// Too short for everything: the corrected line goes before the charts get smaller than their minimum.
		const short = dashboardLayout({columns: 80, rows: 18}, {endpoints: 5, saturated: true, late: true, corrected: true});
		expect(short).toMatchObject({correctedRow: false, chartHeight: 3, endpointRows: 0});
		expect(dashboardLayout({columns: 80, rows: 24}, {endpoints: 1, saturated: false}).correctedRow).toBe(false);
	});
});

describe('app state', () => {
	const chosen = urlCandidate();

	it('starts at the picker without a config, at the settings with one', () => {
		expect(initialAppState().screen).toBe('picker');
		const state = initialAppState({chosen});
		expect(state.screen).toBe('settings');
		expect(state.form.values.threads).toBe('3');
	});

	it('goes settings -> baseline -> dashboard -> summary -> settings again', () => {
		let state: AppState = initialAppState({chosen});
		state = appReducer(state, {type: 'run-started', quickCount: 5, extendedMs: undefined});
		expect(state.screen).toBe('baseline');
		expect(state.baseline.quickCount).toBe(5);
		state = appReducer(state, {type: 'phase', phase: 'load'});
		expect(state.screen).toBe('dashboard');
		state = appReducer(state, {type: 'stopping'});
		expect(state.stopping).toBe(true);
		state = appReducer(state, {type: 'run-done', summary: {report: report(), saved: {written: ['a.json'], errors: []}}});
		expect(state.screen).toBe('summary');
		expect(state.stopping).toBe(false);
		state = appReducer(state, {type: 'run-again'});
		expect(state.screen).toBe('settings');
	});

	it('skips the baseline screen without baselines, and never chooses a broken config', () => {
		const state = appReducer(initialAppState({chosen}), {type: 'run-started', quickCount: 0, extendedMs: 0});
		expect(state.screen).toBe('dashboard');
		const picker = initialAppState({configError: true});
		expect(appReducer(picker, {type: 'choose', candidate: brokenCandidate()})).toBe(picker);
		expect(appReducer(picker, {type: 'choose', candidate: chosen}).configError).toBe(false);
	});

	it('picks the key context from overlays and modes', () => {
		const state = initialAppState({chosen});
		expect(keyContextOf(state)).toBe('settings');
		expect(keyContextOf(appReducer(state, {type: 'help'}))).toBe('help');
		const prompt = appReducer(state, {type: 'prompt-open'});
		expect(keyContextOf(prompt)).toBe('text');
		const typed = appReducer(appReducer(prompt, {type: 'prompt-type', text: 'ab'}), {type: 'prompt-delete'});
		expect(typed.overlay).toEqual({kind: 'prompt', text: 'a'});
		const filter = appReducer(initialAppState(), {type: 'picker-mode', mode: 'filter'});
		expect(keyContextOf(filter)).toBe('text');
	});

	it('follows the token phase, and says where the token comes from (redacted)', () => {
		const prepared = prepareRun({}, testHardware, {}, {
			token_acquisition: {url: 'https://auth.example/oauth/token?client_secret=s3cr3t&scope=load', method: 'POST', form: {grant_type: 'client_credentials'}},
			stress_test: {url: 'http://127.0.0.1:9/api'},
		});
		const withToken = {...chosen, choice: {ok: true as const, prepared, extendedBaselineMs: undefined, path: undefined}};
		let state = appReducer(initialAppState({chosen: withToken}), {type: 'run-started', quickCount: 0, extendedMs: 0});
		expect(fetchingTokenFrom(state)).toBeUndefined();
		state = appReducer(state, {type: 'phase', phase: 'token'});
		expect(state.screen).toBe('baseline');
		expect(fetchingTokenFrom(state)).toBe('https://auth.example/oauth/token?client_secret=%5Bredacted%5D&scope=load');
		state = appReducer(state, {type: 'phase', phase: 'load'});
		expect(state.screen).toBe('dashboard');
		expect(fetchingTokenFrom(state)).toBeUndefined();
	});

	it('keeps the last three messages', () => {
		let state = initialAppState();
		for (const text of ['a', 'b', 'c', 'd']) state = appReducer(state, {type: 'message', text});
		expect(state.messages.map(message => message.text)).toEqual(['b', 'c', 'd']);
		expect(new Set(state.messages.map(message => message.id)).size).toBe(3);
	});

	it('collects baseline samples and results', () => {
		let state = baselineReducer(initialBaseline, {type: 'baseline-reset', quickCount: 5, extendedMs: 10_000});
		expect(state.extendedTotalS).toBe(10);
		state = baselineReducer(state, {type: 'baseline-sample', sample: {index: 0, endpoint: 'GET /', latencyMicros: 1500, status: 200, errorKind: undefined}});
		state = baselineReducer(state, {type: 'baseline-progress', elapsedS: 2, totalS: 10, requests: 300, p50Ms: 1, p99Ms: 3});
		expect(state.samples).toHaveLength(1);
		expect(state.extendedProgress).toEqual({elapsedS: 2, requests: 300, p50Ms: 1, p99Ms: 3});
	});
});

describe('exit codes', () => {
	it('follow headless mode', () => {
		expect(runExitCode(report(), {written: ['a'], errors: []})).toBe(0);
		expect(runExitCode(report(), {written: [], errors: ['cannot write a']})).toBe(1);
		expect(runExitCode(report({summary: {...report().summary, responses: 0}}), undefined)).toBe(1);
		expect(runExitCode(report({thresholds: [{expression: 'p99 < 1ms', actual: 7, unit: 'ms', passed: false}]}), undefined)).toBe(99);
		expect(runExitCode(undefined, undefined)).toBe(0);
	});

	it('put reports where headless mode would', () => {
		const now = new Date('2024-05-01T10:00:00.000Z');
		expect(runReportPaths({jsonPath: undefined, htmlPath: undefined, noReport: false}, now)).toEqual({final: {json: 'reports/pystress-2024-05-01T10-00-00.json', html: 'reports/pystress-2024-05-01T10-00-00.html'}, save: {json: 'reports/pystress-2024-05-01T10-00-00.json', html: 'reports/pystress-2024-05-01T10-00-00.html'}});
		expect(runReportPaths({jsonPath: undefined, htmlPath: undefined, noReport: true}, now).final).toEqual({json: undefined, html: undefined});
		expect(runReportPaths({jsonPath: undefined, htmlPath: undefined, noReport: true}, now).save.json).toBe('reports/pystress-2024-05-01T10-00-00.json');
		expect(runReportPaths({jsonPath: '-', htmlPath: 'out.html', noReport: false}, now).final).toEqual({json: undefined, html: 'out.html'});
	});
});

describe('text helpers', () => {
	it('draw bars and sparklines and fit text', () => {
		expect(bar(0.5, 10)).toBe('█████░░░░░');
		expect(bar(2, 4)).toBe('████');
		expect(sparkline([0, 1, 8], 3)).toBe('▁▂█');
		expect(sparkline([0, 0], 5)).toBe('▁▁');
		expect(truncate('abcdef', 4)).toBe('abc…');
		expect(wrapSegments(['aaaa', 'bbbb', 'cccc'], 11)).toEqual(['aaaa · bbbb', 'cccc']);
		expect(fitSegments(['aaaa', 'bbbb', 'cccc'], 12)).toBe('aaaa · bbbb');
		expect(compact(1234)).toBe('1.2k');
		expect(compact(56_789)).toBe('57k');
		expect(compact(0.5)).toBe('0.50');
	});
});
