import {mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {Browser} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {escapeHtml} from '../source/report/format.js';
import {niceStep, ticksUpTo} from '../source/report/html-charts.js';
import {decadeLabel} from '../source/report/html-plots.js';
import {renderHtmlReport} from '../source/report/html.js';
import type {JsonReport} from '../source/report/types.js';
import {mergeReports} from '../source/session/merge-reports.js';
import {launchChromium, openFile} from './helpers/chromium.js';
import {rootDir} from './helpers/cli.js';
import {imgPayload, mixedResponder, polylinePoints, runReport, scriptPayload, temporaryDirectory, withHostileFields, writeHostileConfig} from './helpers/sample-report.js';
import {startTarget, type TargetServer} from './helpers/target-server.js';

const sectionIds = ['target', 'quick-stats', 'hardware', 'settings', 'latency', 'charts', 'spectrum', 'status-codes', 'errors', 'endpoints', 'baseline', 'thresholds', 'generator', 'config'];
const updateMedia = process.env['UPDATE_MEDIA'] === '1';
const mediaDir = path.join(rootDir, 'media');

/** Renders a report into `directory` and returns the file's path. */
function writeReport(directory: string, name: string, report: JsonReport, transform: (html: string) => string = html => html): string {
	const file = path.join(directory, `${name}.html`);
	writeFileSync(file, transform(renderHtmlReport(report)));
	return file;
}

function expectCleanSvg(html: string): void {
	expect(html).not.toMatch(/NaN|Infinity|undefined/);
	for (const points of polylinePoints(html)) {
		for (const pair of points) {
			expect(pair).toHaveLength(2);
			expect(pair.every(value => Number.isFinite(value))).toBe(true);
		}
	}
}

describe('HTML report', () => {
	let directory: string;
	let target: TargetServer;
	let demo: JsonReport;
	let hostile: JsonReport;

	beforeAll(async () => {
		directory = temporaryDirectory();
		target = await startTarget({respond: mixedResponder});
		// A longer run only when refreshing the screenshots, so the charts have more than three points.
		demo = await runReport(['demo', '-d', updateMedia ? '10' : '3', '--stage', updateMedia ? '3s:8' : '1s:8', '--stage', updateMedia ? '3s:32' : '1s:32', '--stage', updateMedia ? '4s:4' : '1s:4', '--threshold', 'p99<2s', '--threshold', 'flaky:errors<1%'], directory);
		const config = writeHostileConfig(directory);
		const run = await runReport(['--config', config, '-d', '2', '-c', '4', '-t', '1', '-R', '150', '-H', `X-Test: ${scriptPayload}`], directory, {TARGET: target.url});
		hostile = withHostileFields(run);
	});

	afterAll(async () => {
		await target?.close();
		rmSync(directory, {recursive: true, force: true});
	});

	describe('markup', () => {
		it('renders every section of a real multi-endpoint run', () => {
			const html = renderHtmlReport(demo);
			expect(html.startsWith('<!doctype html>')).toBe(true);
			expect(html).toContain(`<title>pystress-tui report — ${demo.target.url} (+${demo.endpoints.length - 1} more endpoints)</title>`);
			for (const id of sectionIds) {
				expect(html, id).toContain(`id="${id}"`);
			}

			for (const endpoint of demo.endpoints) {
				expect(html).toContain(`>${endpoint.name}</td>`);
			}

			expect(html).toContain(`v${demo.tool.version}`);
			expect(html).toContain(`datetime="${demo.startedAt}"`);
			expect(html).toContain(`datetime="${demo.endedAt}"`);
			expect(html).toMatch(/stopped: duration/);
			expect(html).toContain(escapeHtml(demo.hardware.cpuModel));
			expect(html).toContain('<pre class="config">');
			expectCleanSvg(html);
		});

		it('is self-contained: no script, no external URL, a CSP that blocks fetches', () => {
			const html = renderHtmlReport(demo);
			expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
			expect(html).not.toMatch(/\s(?:src|href)="(?!#)/);
			expect(html).toContain('content="default-src \'none\'');
		});

		it('draws the timeline, the markers and the spectrum from the data', () => {
			const html = renderHtmlReport(demo);
			const lines = polylinePoints(html);
			// Throughput, errors, p50, p90, p99 over time plus the spectrum.
			expect(lines.length).toBeGreaterThanOrEqual(6);
			expect(lines.filter(points => points.length === demo.timeline.length).length).toBeGreaterThanOrEqual(5);
			expect(lines.some(points => points.length === demo.percentiles.length)).toBe(true);
			for (const marker of demo.markers) {
				expect(html).toContain(marker.label);
			}

			// Latency over time (wide and compact drawings), throughput and errors.
			expect(html.match(/<line class="marker /g)?.length).toBe(demo.markers.length * 4);
			expect(html).toContain('>99%</text>');
		});

		it('shows the corrected latency only in the open model', () => {
			expect(renderHtmlReport(hostile)).toContain('corrected (from intended send)');
			expect(renderHtmlReport(hostile)).toContain('<polyline class="line series-corrected dashed"');
			expect(renderHtmlReport(demo)).not.toContain('class="line series-corrected');
		});

		it('shows a merged report\'s Agents section (one row per input, names escaped) and only then', () => {
			const later = {...demo, startedAt: new Date(Date.parse(demo.startedAt) + 1500).toISOString(), endedAt: new Date(Date.parse(demo.endedAt) + 1500).toISOString(), agent: {index: 1, count: 2}};
			const {report} = mergeReports([{file: `${scriptPayload}.json`, report: {...demo, agent: {index: 0, count: 2}}, writtenVersion: 3}, {file: 'agent-1.json', report: later, writtenVersion: 3}]);
			const html = renderHtmlReport(report);
			expect(html).toContain('<section class="card" id="agents"><h2>Agents</h2>');
			expect(html).toContain('href="#agents"');
			expect(html).toContain('start skew 1,500 ms (over 1 s: seconds mix different moments)');
			expect(html).toContain(`<td>${escapeHtml(scriptPayload)}.json</td><td>0 of 2</td>`);
			expect(html).toContain('<td>agent-1.json</td><td>1 of 2</td><td class="num">+1,500 ms</td>');
			expect(html).not.toContain(scriptPayload);
			expectCleanSvg(html);
			expect(renderHtmlReport(demo)).not.toContain('id="agents"');
		});

		it('omits the baseline and threshold sections when the report has none', () => {
			const {baseline: _baseline, speedup: _speedup, thresholds: _thresholds, ...rest} = demo;
			const html = renderHtmlReport(rest);
			expect(html).not.toContain('id="baseline"');
			expect(html).not.toContain('id="thresholds"');
			expect(html).not.toContain('href="#baseline"');
		});

		it('escapes everything that came from the user or the target', () => {
			const html = renderHtmlReport(hostile);
			expect(html).not.toContain(scriptPayload);
			expect(html).not.toContain('<img');
			expect(html).not.toContain('<script');
			expect(html).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;');
			expect(html).toContain('&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;');
		});

		it('handles an empty timeline, a single point, zero requests and all-equal values', () => {
			const empty: JsonReport = {...demo, timeline: [], markers: []};
			const single: JsonReport = {...demo, timeline: demo.timeline.slice(0, 1)};
			const flat: JsonReport = {...demo, timeline: demo.timeline.map(point => ({...point, rps: 100, p50: 5, p90: 5, p99: 5, errors: 0})), percentiles: demo.percentiles.map(point => ({...point, latencyMs: 5}))};
			const zeroLatency = {count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, stdev: 0};
			const nothing: JsonReport = {
				...demo,
				summary: {...demo.summary, requests: 0, responses: 0, errors: 0, rps: 0, passRate: 0, bytesRead: 0, durationS: 0, statusCodes: {}, errorKinds: {}, latencyMs: zeroLatency},
				endpoints: demo.endpoints.map(endpoint => ({...endpoint, requests: 0, responses: 0, errors: 0, rps: 0, passRate: 0, latencyMs: zeroLatency})),
				timeline: [],
				markers: [{t: 0, kind: 'stop', label: 'stop (signal)'}],
				percentiles: [],
			};
			for (const report of [empty, single, flat, nothing]) {
				expectCleanSvg(renderHtmlReport(report));
			}

			expect(renderHtmlReport(empty)).toContain('no samples');
			expect(renderHtmlReport(single)).toMatch(/<circle class="dot series-rps"/);
			expect(renderHtmlReport(nothing)).toContain('no latency samples');
			expect(renderHtmlReport(nothing)).toContain('No HTTP responses were received.');
			expect(polylinePoints(renderHtmlReport(flat)).every(points => points.every(([, y]) => y === points[0]![1]))).toBe(true);
		});

		it('picks nice axis ticks and HdrHistogram percentile labels', () => {
			expect(niceStep(0)).toBe(1);
			expect(niceStep(0.07)).toBeCloseTo(0.1);
			expect(niceStep(1700)).toBe(2000);
			expect(ticksUpTo(0, 4, String).map(tick => tick.value)).toEqual([0, 0.25, 0.5, 0.75, 1]);
			expect(ticksUpTo(83, 4, String).at(-1)!.value).toBe(100);
			expect([0, 1, 2, 3, 4].map(decade => decadeLabel(decade))).toEqual(['0%', '90%', '99%', '99.9%', '99.99%']);
		});
	});

	describe('in Chromium', () => {
		let browser: Browser;

		beforeAll(async () => {
			browser = await launchChromium();
		});

		afterAll(async () => {
			await browser?.close();
		});

		it('loads nothing but itself, logs no error and shows every section and chart', async () => {
			const file = writeReport(directory, 'demo', demo);
			const context = await browser.newContext({viewport: {width: 1280, height: 900}});
			const {page, log, url} = await openFile(context, file);
			for (const id of sectionIds) {
				await expect(page.locator(`#${id}`).isVisible(), id).resolves.toBe(true);
			}

			const chartPoints = await page.locator('#charts polyline, #spectrum polyline').evaluateAll(lines => lines.map(line => line.getAttribute('points') ?? ''));
			expect(chartPoints.length).toBeGreaterThanOrEqual(6);
			expect(chartPoints.every(points => !points.includes('NaN') && points.trim().split(' ').length >= Math.min(2, demo.timeline.length))).toBe(true);
			const box = await page.locator('#chart-latency .chart-wide svg').boundingBox();
			expect(box?.width).toBeGreaterThan(900);
			expect(box?.height).toBeGreaterThan(200);
			await expect(page.title()).resolves.toContain('pystress-tui report — http://127.0.0.1:');

			const shots = updateMedia ? mediaDir : directory;
			mkdirSync(shots, {recursive: true});
			await page.screenshot({path: path.join(shots, 'report.png'), fullPage: true});
			await page.emulateMedia({colorScheme: 'dark'});
			const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
			expect(background).not.toBe('rgb(244, 247, 245)');
			await page.screenshot({path: path.join(shots, 'report-dark.png'), fullPage: true});

			expect(log.requests).toEqual([url]);
			expect(log.consoleErrors).toEqual([]);
			expect(log.pageErrors).toEqual([]);
			await context.close();
		});

		it('shows its content with JavaScript disabled', async () => {
			const file = writeReport(directory, 'no-js', demo);
			const context = await browser.newContext({javaScriptEnabled: false});
			const {page, log} = await openFile(context, file);
			await expect(page.locator('#target .target-url').textContent()).resolves.toBe(demo.target.url);
			await expect(page.locator('#endpoints tbody tr').count()).resolves.toBe(demo.endpoints.length);
			await expect(page.locator('#latency').isVisible()).resolves.toBe(true);
			await expect(page.locator('#chart-spectrum svg polyline').first().isVisible()).resolves.toBe(true);
			expect(log.requests).toHaveLength(1);
			await context.close();
		});

		it('fits a 400 px wide screen without sideways scrolling of the page', async () => {
			const file = writeReport(directory, 'narrow', demo);
			const context = await browser.newContext({viewport: {width: 400, height: 800}});
			const {page, log} = await openFile(context, file);
			const widths = await page.evaluate(() => ({page: document.documentElement.scrollWidth, body: document.body.scrollWidth}));
			expect(widths.page).toBeLessThanOrEqual(400);
			expect(widths.body).toBeLessThanOrEqual(400);
			await expect(page.locator('#quick-stats').isVisible()).resolves.toBe(true);
			// The compact drawings replace the wide ones, so chart text keeps a readable size.
			await expect(page.locator('#chart-latency .chart-wide').isVisible()).resolves.toBe(false);
			const compact = await page.locator('#chart-latency .chart-compact svg').boundingBox();
			expect(compact?.width).toBeGreaterThanOrEqual(460);
			await page.screenshot({path: path.join(directory, 'report-400.png'), fullPage: true});
			expect(log.consoleErrors).toEqual([]);
			await context.close();
		});

		it('prints: hides the navigation and produces a PDF', async () => {
			const file = writeReport(directory, 'print', demo);
			const context = await browser.newContext();
			const {page} = await openFile(context, file);
			await page.emulateMedia({media: 'print'});
			await expect(page.locator('nav').isVisible()).resolves.toBe(false);
			await expect(page.locator('#charts').isVisible()).resolves.toBe(true);
			const pdf = await page.pdf({format: 'A4', printBackground: true});
			expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
			await context.close();
		});

		it('renders hostile names, URLs, headers and error kinds as text (even without the CSP)', async () => {
			const withoutCsp = (html: string): string => html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
			for (const [name, transform] of [['xss', (html: string) => html], ['xss-no-csp', withoutCsp]] as const) {
				const file = writeReport(directory, name, hostile, transform);
				const context = await browser.newContext();
				const {page, log} = await openFile(context, file);
				await expect(page.evaluate(() => (window as unknown as {__xss?: number}).__xss)).resolves.toBeUndefined();
				await expect(page.locator('script, img, iframe, object, embed').count()).resolves.toBe(0);
				expect(log.dialogs).toEqual([]);
				expect(log.requests).toHaveLength(1);
				await expect(page.locator('#endpoints').getByText(scriptPayload, {exact: true}).isVisible()).resolves.toBe(true);
				await expect(page.locator('#endpoints').getByText(imgPayload, {exact: true}).isVisible()).resolves.toBe(true);
				await expect(page.locator('#target .target-url').textContent()).resolves.toContain(`?q=${scriptPayload}`);
				await expect(page.locator('#config pre').textContent()).resolves.toContain(`"X-Test": "${scriptPayload}"`);
				await expect(page.locator('#errors').textContent()).resolves.toContain(imgPayload);
				await expect(page.locator('#chart-latency svg').first().textContent()).resolves.toContain(scriptPayload);
				await context.close();
			}
		});

		it('renders the edge cases without errors', async () => {
			const zeroLatency = {count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, stdev: 0};
			const nothing: JsonReport = {
				...demo,
				summary: {...demo.summary, requests: 0, responses: 0, errors: 0, rps: 0, passRate: 0, statusCodes: {}, errorKinds: {}, latencyMs: zeroLatency},
				timeline: [],
				percentiles: [],
				generator: {peakEventLoopUtilization: 0.97, saturated: true},
			};
			const file = writeReport(directory, 'nothing', nothing);
			const context = await browser.newContext();
			const {page, log} = await openFile(context, file);
			await expect(page.getByText('Load generator saturated.').isVisible()).resolves.toBe(true);
			await expect(page.locator('#spectrum').textContent()).resolves.toContain('no latency samples');
			expect(log.consoleErrors).toEqual([]);
			expect(log.pageErrors).toEqual([]);
			await context.close();
		});
	});
});
