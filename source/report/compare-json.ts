/** The `compare --json` document: a pure `(result) => string`. Its shape is in the readme ("Comparing runs"). */
import type {CompareRow} from '../stats/compare.js';
import type {CompareResult, ComparedRun} from './compare-format.js';
import {settingDifferences} from './compare-input.js';

/** Version of the compare document's shape. Bump on any incompatible change. */
export const compareDocumentVersion = 1;

function runInfo(run: ComparedRun) {
	const {report} = run;
	return {
		file: run.file,
		startedAt: report.startedAt,
		durationS: report.summary.durationS,
		target: report.target,
		endpoints: report.endpoints.map(endpoint => endpoint.name),
		settings: report.settings,
		tool: report.tool,
	};
}

function row(item: CompareRow) {
	const {next, failed, ...rest} = item;
	return {...rest, new: next, ...(failed === undefined ? {} : {failed: {base: failed.base, new: failed.next}})};
}

/** Everything the text shows, as JSON. */
export function compareDocument(result: CompareResult) {
	const {comparison} = result;
	return {
		kind: 'pystress-tui-compare',
		version: compareDocumentVersion,
		base: runInfo(result.base),
		new: runInfo(result.next),
		/** The load settings the runs differ in (`connections 20 vs 5`); empty when they ran alike. */
		settingsDiffer: settingDifferences(result.base.report, result.next.report),
		method: {
			name: 'block bootstrap over one-second windows',
			confidence: 0.95,
			iterations: comparison.options.iterations,
			seed: comparison.options.seed,
			relativeFloor: comparison.options.relativeFloor,
			pointsFloor: comparison.options.pointsFloor,
			windows: {base: comparison.windows.base, new: comparison.windows.next},
			blocks: {base: comparison.blocks.base, new: comparison.blocks.next},
			spreadFrom: {base: comparison.spreadFrom.base, new: comparison.spreadFrom.next},
		},
		rows: comparison.rows.map(item => row(item)),
		shifts: comparison.shifts.map(({probabilityNextSlower, ...shift}) => ({...shift, probabilityNewSlower: probabilityNextSlower})),
		gates: result.gates.map(outcome => ({
			expression: outcome.gate.expression,
			endpoint: outcome.gate.endpoint ?? null,
			metric: outcome.gate.metric,
			corrected: outcome.row?.corrected ?? false,
			change: outcome.change,
			crossed: outcome.crossed,
			significant: outcome.row?.verdict === 'significant',
			failed: outcome.failed,
		})),
		failed: result.gates.some(outcome => outcome.failed),
	};
}

export function renderCompareJson(result: CompareResult): string {
	return `${JSON.stringify(compareDocument(result), null, 2)}\n`;
}
