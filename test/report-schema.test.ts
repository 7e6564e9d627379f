import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {Ajv, type ValidateFunction} from 'ajv';
import formatsPlugin from 'ajv-formats';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readReportFile} from '../source/commands/read-report.js';
import {renderJsonReport} from '../source/report/json.js';
import type {JsonReport} from '../source/report/types.js';
import {decodeHistogram, summarize} from '../source/stats/histogram.js';
import {rootDir} from './helpers/cli.js';
import {runReport, temporaryDirectory} from './helpers/sample-report.js';
import {startTarget, type TargetServer} from './helpers/target-server.js';

const schemaPath = path.join(rootDir, 'source/report/report.schema.json');

function compileSchema(): ValidateFunction {
	// Strict mode (the default) rejects unknown keywords and ambiguous types in the schema itself.
	const ajv = new Ajv({allErrors: true, strict: true});
	// ajv-formats is CommonJS: its default export is the plugin itself or sits under `.default`.
	type FormatsPlugin = (ajv: Ajv) => Ajv;
	const addFormats = ((formatsPlugin as unknown as {default?: FormatsPlugin}).default ?? formatsPlugin) as unknown as FormatsPlugin;
	addFormats(ajv);
	return ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
}

/** A deep copy to mutate. */
function copy(report: JsonReport): Record<string, any> {
	return structuredClone(report) as Record<string, any>;
}

describe('report.schema.json', () => {
	let validate: ValidateFunction;
	let directory: string;
	let target: TargetServer;
	let single: JsonReport;
	let demo: JsonReport;
	let open: JsonReport;
	let merged: JsonReport;

	const errorsOf = (value: unknown): string => (validate(value) ? '' : JSON.stringify(validate.errors, null, 2));

	beforeAll(async () => {
		validate = compileSchema();
		directory = temporaryDirectory();
		target = await startTarget();
		single = await runReport(['--url', `${target.url}/`, '-d', '2', '-c', '4', '-t', '1'], directory);
		open = await runReport(['--url', `${target.url}/open`, '-d', '2', '-c', '4', '-t', '1', '-R', '200', '--threshold', 'p99<5s'], directory);
		demo = await runReport(['demo', '-d', '2', '--stage', '1s:8', '--stage', '1s:16'], directory);
		// With a warm-up: its block is in the schema, and merge carries it over.
		const again = await runReport(['--url', `${target.url}/open`, '-d', '2', '-c', '4', '-t', '1', '-R', '200', '--threshold', 'p99<5s', '--warm-up', '500ms'], directory);
		expect(again.warmUp?.requests).toBeGreaterThan(0);
		expect(errorsOf(again)).toBe('');
		const inputs = [open, again].map((report, index) => {
			const file = path.join(directory, `agent-${index}.json`);
			writeFileSync(file, JSON.stringify(report));
			return file;
		});
		merged = await runReport(['merge', ...inputs], directory);
	});

	afterAll(async () => {
		await target?.close();
		rmSync(directory, {recursive: true, force: true});
	});

	it('accepts a real single-endpoint report', () => {
		expect(single.endpoints).toHaveLength(1);
		expect(single.summary.requests).toBeGreaterThan(0);
		expect(errorsOf(single)).toBe('');
	});

	it('accepts a real multi-endpoint demo report with stage markers', () => {
		expect(demo.endpoints.length).toBeGreaterThan(1);
		expect(demo.markers.some(marker => marker.kind === 'stage')).toBe(true);
		expect(errorsOf(demo)).toBe('');
	});

	it('accepts a real open-model report with the corrected fields and thresholds', () => {
		expect(open.summary.correctedLatencyMs).toBeDefined();
		expect(open.correctedPercentiles?.length).toBeGreaterThan(0);
		expect(typeof open.correctedHistogram).toBe('string');
		expect(open.thresholds?.[0]?.passed).toBe(true);
		expect(errorsOf(open)).toBe('');
	});

	it('accepts a merged report (agents section, merged open-model histograms)', () => {
		expect(merged.merge?.agents).toHaveLength(2);
		// One input warmed up: its warm-up is the merged run's, in no figure.
		expect(merged.warmUp?.requests).toBeGreaterThan(0);
		expect(merged.summary.requests).toBe(open.summary.requests + merged.merge!.agents[1]!.requests);
		expect(errorsOf(merged)).toBe('');
		const extra = copy(merged);
		extra['merge'].agents[0].surprise = 1;
		expect(validate(extra)).toBe(false);
	});

	it('accepts every optional section (baseline, speedup, thresholds, token)', () => {
		const full: JsonReport = {
			...single,
			baseline: {quick: single.baseline?.quick ?? {requests: 5, errors: 0, durationS: 0.1, rps: 50, latencyMs: single.summary.latencyMs, samplesMs: [1, 2, 3, 4, 5]}, extended: {requests: 100, errors: 1, durationS: 1, rps: 100, latencyMs: single.summary.latencyMs}},
			speedup: {against: 'extended', throughput: 3.2, latencyGrowthP50: 1.1, latencyGrowthP99: 2.5, perConnectionEfficiency: 0.8, perThreadRps: 1234},
			thresholds: [{expression: 'p99<300ms', actual: 12.5, unit: 'ms', passed: true}, {expression: 'home:errors<1%', endpoint: 'home', actual: 2, unit: '%', passed: false, note: 'includes 3 incomplete'}, {expression: 'p50<1s', actual: null, unit: 'ms', passed: false, note: 'no data'}],
			token: {requests: 2, errors: 0, refreshes: 1},
		};
		expect(errorsOf(full)).toBe('');
	});

	it('gives every second and every endpoint its own histogram, with counts that match its figures (schema 3)', () => {
		for (const report of [single, open, demo]) {
			expect(report.schemaVersion).toBe(3);
			expect(report.planFingerprint).toMatch(/^[\da-f]{16}$/);
			expect(report.timeline.length).toBeGreaterThan(0);
			for (const point of report.timeline) {
				expect(decodeHistogram(point.histogram!).totalCount).toBe(point.responses);
			}

			for (const endpoint of report.endpoints) {
				expect(decodeHistogram(endpoint.histogram).totalCount).toBe(endpoint.responses);
			}
		}

		for (const point of open.timeline) {
			expect(decodeHistogram(point.correctedHistogram!).totalCount).toBe(point.responses);
		}

		const [endpoint] = open.endpoints;
		expect(summarize(decodeHistogram(endpoint!.correctedHistogram!))).toEqual(endpoint!.correctedLatencyMs);
		// The JSON file: one line per second, parsing back to exactly the report.
		const text = renderJsonReport(open);
		expect(JSON.parse(text)).toEqual(open);
		expect(text.split('\n').filter(line => line.startsWith('    {"t":'))).toHaveLength(open.timeline.length);
		// The fingerprint leaves out load settings: the open run differs only in path and rate, the single run in neither.
		expect(open.planFingerprint).not.toBe(single.planFingerprint);
	});

	it('reads reports of schema versions 1 and 2 (upgraded) and refuses others with one line naming the version', () => {
		const path2 = path.join(directory, 'v2.json');
		const {planFingerprint: _fingerprint, ...rest} = copy(single);
		const version2 = {...rest, schemaVersion: 2, timeline: single.timeline.map(({histogram: _h, correctedHistogram: _c, ...point}) => point), endpoints: single.endpoints.map(({correctedHistogram: _c, ...endpoint}) => endpoint)};
		writeFileSync(path2, JSON.stringify(version2));
		const read = readReportFile(path2);
		expect(read.writtenVersion).toBe(2);
		expect(read.report.schemaVersion).toBe(3);
		expect(read.report.summary).toEqual(single.summary);

		const path1 = path.join(directory, 'v1.json');
		const {retries: _r, incomplete: _i, errorRate: _e, connectionEvents: _c, ...summary1} = single.summary;
		writeFileSync(path1, JSON.stringify({...version2, schemaVersion: 1, summary: summary1}));
		const read1 = readReportFile(path1);
		expect(read1.writtenVersion).toBe(1);
		expect(read1.report.summary).toMatchObject({retries: 0, incomplete: 0, connectionEvents: {}});

		const path4 = path.join(directory, 'v4.json');
		writeFileSync(path4, JSON.stringify({...single, schemaVersion: 4}));
		expect(() => readReportFile(path4)).toThrow(/v4\.json: schemaVersion: expected a pystress-tui JSON report with schemaVersion 1, 2, 3 \(found 4\)/);
	});

	it('rejects an extra top-level key', () => {
		const report = copy(single);
		report['surprise'] = true;
		expect(validate(report)).toBe(false);
		expect(validate.errors?.some(error => error.keyword === 'additionalProperties' && error.params['additionalProperty'] === 'surprise')).toBe(true);
	});

	it('rejects a wrong type', () => {
		const report = copy(single);
		report['summary'].requests = String(single.summary.requests);
		expect(validate(report)).toBe(false);
		expect(validate.errors?.some(error => error.instancePath === '/summary/requests' && error.keyword === 'type')).toBe(true);
	});

	it('rejects a missing required field, a NaN that JSON turned into null, and drift inside nested objects', () => {
		const missing = copy(single);
		delete missing['hardware'];
		expect(validate(missing)).toBe(false);

		const nan = JSON.parse(JSON.stringify({...single, summary: {...single.summary, rps: Number.NaN}})) as unknown;
		expect(validate(nan)).toBe(false);

		const nested = copy(demo);
		nested['endpoints'][0].extra = 1;
		expect(validate(nested)).toBe(false);

		const badMarker = copy(demo);
		badMarker['markers'].push({t: 1, kind: 'explode', label: 'x'});
		expect(validate(badMarker)).toBe(false);

		const badVersion = copy(single);
		badVersion['schemaVersion'] = 2;
		expect(validate(badVersion)).toBe(false);
	});

	it('lists exactly the top-level fields of a real report plus the optional ones', () => {
		const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as {required: string[]; properties: Record<string, unknown>};
		const optional = ['agent', 'merge', 'correctedPercentiles', 'correctedHistogram', 'baseline', 'speedup', 'thresholds', 'token', 'warmUp'];
		expect(new Set(schema.required)).toEqual(new Set(Object.keys(single).filter(key => !optional.includes(key))));
		expect(Object.keys(schema.properties).sort()).toEqual([...schema.required, ...optional].sort());
	});
});
