/** Real JSON reports for the report tests: the built CLI run against loopback targets. */
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {JsonReport} from '../../source/report/types.js';
import {runCli} from './cli.js';
import type {Responder} from './target-server.js';

export const scriptPayload = '<script>window.__xss=1</script>';
export const imgPayload = '<img src=x onerror="window.__xss=2">';

/** A fresh temporary directory. */
export function temporaryDirectory(prefix = 'pystress-report-'): string {
	return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Runs the built CLI headless in `directory` (so default report files land there, not in the repo)
 * with `--json`, and returns the parsed report. Exit 0 and 99 (a threshold failed) both count.
 */
export async function runReport(args: readonly string[], directory: string, env: Record<string, string> = {}): Promise<JsonReport> {
	const jsonPath = path.join(directory, `report-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.json`);
	const result = await runCli([...args, '--headless', '-q', '--json', jsonPath], {cwd: directory, env, timeoutMs: 60_000});
	if (!existsSync(jsonPath) || (result.code !== 0 && result.code !== 99)) {
		throw new Error(`pystress-tui ${args.join(' ')} exited ${result.code} without a report:\n${result.stderr}\n${result.stdout}`);
	}

	return JSON.parse(readFileSync(jsonPath, 'utf8')) as JsonReport;
}

/**
 * A target that answers with a mix: mostly 200, some 302, 404 and 500, and resets every tenth
 * connection (so the report has every status class and a transport error kind).
 */
export const mixedResponder: Responder = (_request, index, response) => {
	const slot = index % 10;
	if (slot === 9) {
		response.socket?.destroy();
		return;
	}

	const status = slot === 6 ? 302 : (slot === 7 ? 404 : (slot === 8 ? 500 : 200));
	const headers: Record<string, string | number> = {'content-type': 'text/plain', 'content-length': 2};
	if (status === 302) {
		headers['location'] = '/';
	}

	response.writeHead(status, headers);
	response.end('ok');
};

/**
 * Writes a config whose endpoint names, URL query, header and name hold script/img payloads, for
 * `--config`, and returns its path. `${TARGET}` is resolved from the environment by the CLI.
 */
export function writeHostileConfig(directory: string): string {
	const config = {
		name: `hostile ${imgPayload}`,
		requests: [
			{name: scriptPayload, url: `\${TARGET}/a?q=${scriptPayload}`, weight: 2, headers: {'X-Evil': imgPayload}},
			{name: imgPayload, url: '${TARGET}/b', weight: 1},
		],
	};
	const file = path.join(directory, 'hostile.json');
	writeFileSync(file, JSON.stringify(config, null, 2));
	return file;
}

/** Puts the payloads into the fields a config cannot reach (error kinds, stop reason, marker labels). */
export function withHostileFields(report: JsonReport): JsonReport {
	return {
		...report,
		stopReason: `${report.stopReason} ${imgPayload}`,
		summary: {...report.summary, errorKinds: {...report.summary.errorKinds, [scriptPayload]: 2, [imgPayload]: 1}},
		markers: [...report.markers, {t: 0.5, kind: 'stage', label: scriptPayload}],
		thresholds: [{expression: `${imgPayload}:p99<1s`, endpoint: imgPayload, actual: 1, unit: 'ms', passed: true}],
	};
}

/** Every `points` attribute of the SVG polylines in `html`, as [x, y] pairs. */
export function polylinePoints(html: string): number[][][] {
	return [...html.matchAll(/<polyline[^>]*\spoints="([^"]*)"/g)].map(match => match[1]!.split(' ').filter(Boolean).map(pair => pair.split(',').map(Number)));
}
