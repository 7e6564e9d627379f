import {renderStatsCsv, renderTimelineCsv} from '../report/csv.js';
import {renderJunitReport} from '../report/junit.js';
import {renderMarkdownSummary} from '../report/markdown-summary.js';
import type {JsonReport} from '../report/types.js';
import {appendText, describeWriteError, writeFileAtomic} from '../report/write.js';
import {saveReports, type HtmlRenderer, type ReportPaths, type SavedReports} from './report-files.js';
import type {RunOutputs} from './run-outputs.js';

/*
 * Writing a run's files at its end, for both front ends, whatever ended it (a stop, a signal, a
 * failed threshold): the reports, then the CI outputs that session/run-outputs.ts resolved.
 */

/** `PREFIX-stats.csv` and `PREFIX-timeline.csv`. */
export function csvPaths(prefix: string): {stats: string; timeline: string} {
	return {stats: `${prefix}-stats.csv`, timeline: `${prefix}-timeline.csv`};
}

/**
 * The end of a run's files: the JSON and HTML reports (see `saveReports`), then the JUnit report,
 * the CSV files, the markdown summary (naming the files written before it) and the GitHub step
 * summary (appended: other steps write there too). A failed write is an error line (exit 1), never
 * thrown; the others are still written.
 */
export function saveRunFiles(report: JsonReport, paths: ReportPaths, renderHtml: HtmlRenderer | undefined, outputs: RunOutputs | undefined): SavedReports {
	const saved = saveReports(report, paths, renderHtml);
	if (outputs === undefined) return saved;
	const written = [...saved.written];
	const errors = [...saved.errors];
	const labels: Record<string, string> = {...saved.labels};
	const write = (label: string, filePath: string, render: () => string, append = false): void => {
		try {
			const text = render();
			if (append) {
				appendText(filePath, text);
			} else {
				writeFileAtomic(filePath, text);
			}

			written.push(filePath);
			labels[filePath] = label;
		} catch (error) {
			errors.push(`cannot ${append ? 'append to' : 'write'} ${filePath} (${describeWriteError(error)})`);
		}
	};

	if (outputs.junit !== undefined) write('JUnit report', outputs.junit, () => renderJunitReport(report));
	if (outputs.csv !== undefined) {
		const csv = csvPaths(outputs.csv);
		write('CSV stats', csv.stats, () => renderStatsCsv(report));
		write('CSV timeline', csv.timeline, () => renderTimelineCsv(report));
	}

	const files = [...written];
	if (outputs.summaryMd !== undefined) write('Markdown summary', outputs.summaryMd, () => renderMarkdownSummary(report, files));
	if (outputs.stepSummary !== undefined) write('GitHub step summary (appended)', outputs.stepSummary, () => renderMarkdownSummary(report, files), true);
	return {written, errors, labels};
}
