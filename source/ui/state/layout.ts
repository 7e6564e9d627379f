/** Pure layout arithmetic: how big charts and tables can be in the terminal we have. */

export type TerminalSize = {readonly columns: number; readonly rows: number};

export type DashboardLayout = {
	readonly columns: number;
	/** Lines the app may use (one less than the terminal, so Ink never scrolls or clears). */
	readonly lines: number;
	/** The two charts side by side (else stacked). */
	readonly sideBySide: boolean;
	/** Width of each chart box in columns, labels included. */
	readonly chartColumns: number;
	/** Seconds (data points) each chart shows. */
	readonly chartPoints: number;
	/** asciichart `height` (the chart is height + 1 lines). */
	readonly chartHeight: number;
	/** Endpoint rows in the per-endpoint table (0: no table). */
	readonly endpointRows: number;
	/** The corrected-latency line under the latency line (open model, when there is room). */
	readonly correctedRow: boolean;
};

/** What the dashboard has to show besides charts. */
export type DashboardContent = {
	readonly endpoints: number;
	/** The generator-saturated warning line. */
	readonly saturated: boolean;
	/** The late/dropped sends warning line (open model). */
	readonly late?: boolean;
	/** Corrected latency to show (open model). */
	readonly corrected?: boolean;
	/** The response checks line. */
	readonly checks?: boolean;
};

/** Columns asciichart uses for the y labels and the axis (7-character labels + " ┤"). */
export const chartLabelColumns = 9;

const minSize: TerminalSize = {columns: 40, rows: 12};

/** Lines the dashboard always needs besides charts, the endpoint table and the corrected-latency line. */
export function dashboardFixedLines(content: Pick<DashboardContent, 'saturated' | 'late' | 'checks'>): number {
	// hardware 1, run header 2, chart title 1, marker row 1, errors/s 1, stats 2, codes 1, workers 1, message 1, keys 1; warnings
	return 12 + (content.saturated ? 1 : 0) + (content.late ? 1 : 0) + (content.checks ? 1 : 0);
}

/**
 * Sizes the dashboard. By priority: the fixed lines and warnings, charts at their smallest, the
 * corrected-latency line, then the endpoint table and taller charts share what is left.
 */
export function dashboardLayout(size: TerminalSize, content: DashboardContent): DashboardLayout {
	const columns = Math.max(minSize.columns, size.columns);
	const lines = Math.max(minSize.rows, size.rows) - 1;
	const sideBySide = columns >= 70;
	const charts = sideBySide ? 1 : 2;
	const minChartLines = 4 * charts;
	const fixedBudget = lines - dashboardFixedLines(content) - (sideBySide ? 0 : 2);
	const correctedRow = (content.corrected ?? false) && fixedBudget - 1 >= minChartLines;
	const budget = fixedBudget - (correctedRow ? 1 : 0);
	const maxChartLines = 22 * charts;
	const wantedEndpointLines = content.endpoints > 1 ? content.endpoints + 1 : 0;
	const chartLines = Math.min(maxChartLines, Math.max(minChartLines, budget - wantedEndpointLines));
	const endpointLines = content.endpoints > 1 ? Math.max(0, Math.min(wantedEndpointLines, budget - chartLines)) : 0;
	const chartColumns = sideBySide ? Math.floor((columns - 1) / 2) : columns;
	return {
		columns,
		lines,
		sideBySide,
		chartColumns,
		chartPoints: Math.max(5, chartColumns - chartLabelColumns - 1),
		chartHeight: Math.max(3, Math.floor(chartLines / charts) - 1),
		endpointRows: endpointLines >= 2 ? endpointLines - 1 : 0,
		correctedRow,
	};
}
