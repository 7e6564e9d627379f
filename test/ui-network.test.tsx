/**
 * The TLS and network options and the proxy on the TUI's screens: the settings screen (and the
 * picker's preview) list them, the run header names them in a few words; the proxy's password never.
 */
import {describe, expect, it} from 'vitest';
import {prepareRun} from '../source/session/prepare.js';
import RunHeader from '../source/ui/components/run-header.js';
import SettingsScreen from '../source/ui/screens/settings-screen.js';
import SummaryScreen from '../source/ui/screens/summary-screen.js';
import {previewLines, targetLabel, type Candidate} from '../source/ui/state/candidate.js';
import {formFromSettings} from '../source/ui/state/settings-form.js';
import {show} from './helpers/show.js';
import {frame, report, testHardware} from './helpers/ui-fixtures.js';

function candidate(flags: Record<string, unknown>, env: Record<string, string> = {}): Candidate {
	const prepared = prepareRun({url: 'http://127.0.0.1:9/api', ...flags}, testHardware, env);
	return {id: 'url:x', kind: 'url', label: 'x', detail: 'typed URL', choice: {ok: true, prepared, extendedBaselineMs: undefined, path: undefined}};
}

const password = 'pw-never-shown';

describe('network options on the TUI screens', () => {
	const networked = candidate({keepalive: false, servername: 'api.internal', proxy: `http://user:${password}@127.0.0.1:3128`});

	it('the settings screen lists keep-alive, the server name and the proxy (password redacted)', () => {
		const prepared = networked.choice.ok ? networked.choice.prepared : undefined;
		const form = formFromSettings(prepared!.settings, undefined);
		const text = show(<SettingsScreen candidate={networked} form={form} quickBaselineCount={5} logicalProcessors={8} width={140} />);
		expect(text).toContain('Network: keep-alive off · SNI api.internal');
		expect(text).toContain('Proxy: http://user:redacted@127.0.0.1:3128');
		expect(text).not.toContain(password);
	});

	it('the run header names them in a few words', () => {
		const prepared = networked.choice.ok ? networked.choice.prepared : undefined;
		const text = show(<RunHeader target={targetLabel(prepared!)} frame={frame()} stopping={false} achievedRps={0} width={160} />);
		expect(text).toContain('keep-alive off · SNI api.internal · proxy 127.0.0.1:3128');
		expect(text).not.toContain(password);
	});

	it('the summary screen shows connect, TLS handshake and first byte when the report has them (an older one: nothing)', () => {
		const phase = (p50: number, p99: number, count: number) => ({count, min: p50 / 2, mean: p50, p50, p90: p99 / 2, p95: p99 / 2, p99, p999: p99, max: p99, stdev: 0.1});
		const base = report();
		const measured = {...base, summary: {...base.summary, connectMs: phase(0.5, 2.9, 40), tlsHandshakeMs: phase(1.2, 3.1, 40), ttfbMs: phase(52.5, 56.9, 990)}};
		const text = show(<SummaryScreen summary={{report: measured, saved: {written: [], errors: []}}} target="t" width={140} lines={30} />);
		expect(text).toContain('connect p50 0.500 ms, p99 2.90 ms (40) · TLS p50 1.20 ms, p99 3.10 ms (40) · first byte p50 52.5 ms, p99 56.9 ms (990)');
		const older = show(<SummaryScreen summary={{report: base, saved: {written: [], errors: []}}} target="t" width={140} lines={30} />);
		expect(older).not.toContain('first byte');
	});

	it('a proxy from the environment says so; a plain run shows no network line', () => {
		const fromEnv = previewLines(candidate({}, {http_proxy: 'http://127.0.0.1:3128', NO_PROXY: 'example.com'}));
		expect(fromEnv).toContain('Proxy: http://127.0.0.1:3128 (http) from the environment; NO_PROXY example.com');
		const plain = previewLines(candidate({}));
		expect(plain.some(line => line.startsWith('Network') || line.startsWith('Proxy'))).toBe(false);
	});
});
