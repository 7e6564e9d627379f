import {Box, Text} from 'ink';
import {formatCount} from '../../report/format.js';
import Chart from '../components/chart.js';
import ChecksLine from '../components/checks-line.js';
import EndpointTable from '../components/endpoint-table.js';
import LateWarning from '../components/late-warning.js';
import RunHeader from '../components/run-header.js';
import StatTable from '../components/stat-table.js';
import StatusCodes from '../components/status-codes.js';
import WorkerHealth from '../components/worker-health.js';
import {sparkline} from '../format.js';
import {chartSeries, currentRps, emptyLatency, lateWarning, markerLegend, markerRow, saturationWarning, shownMarkers, type DashboardState} from '../state/dashboard-state.js';
import {chartLabelColumns, dashboardLayout, type TerminalSize} from '../state/layout.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly dashboard: DashboardState;
	readonly target: string;
	readonly stopping: boolean;
	readonly size: TerminalSize;
};

/**
 * The running test: header (with the stage), live charts with markers, stats (with the corrected
 * latency in the open model), late/dropped sends, status codes, endpoints, generator health.
 */
export default function DashboardScreen({dashboard, target, stopping, size}: Props) {
	const theme = useTheme();
	const {frame, points, markers} = dashboard;
	const saturatedPeak = saturationWarning(dashboard);
	const saturated = saturatedPeak !== undefined;
	const late = lateWarning(frame, Math.max(40, size.columns), points);
	const layout = dashboardLayout(size, {endpoints: frame?.endpoints.length ?? 0, saturated, late: late !== undefined, corrected: frame?.correctedLatency !== undefined, checks: frame?.checks !== undefined});
	const series = chartSeries(points, layout.chartPoints);
	const marks = markerRow(series.points, markers);
	// The latest three markers on the chart, named in its title (the rest are in the reports).
	const shown = shownMarkers(series.points, markers).slice(-3);
	const rpsTitle = shown.length > 0 ? `requests/s · ${markerLegend(shown)}` : 'requests/s';
	const achieved = currentRps(points);
	const errorsNow = series.errors.at(-1) ?? 0;
	const width = layout.columns;
	return (
		<Box flexDirection="column" width={width}>
			<RunHeader target={target} frame={frame} stopping={stopping} achievedRps={achieved} width={width} />
			<Box flexDirection={layout.sideBySide ? 'row' : 'column'}>
				<Chart title={rpsTitle} series={[series.rps]} height={layout.chartHeight} width={layout.chartColumns} unit="rate" markers={marks} />
				<Box marginLeft={layout.sideBySide ? 1 : 0}>
					<Chart title="latency ms (log)" legend={['p50', 'p99']} series={[series.p50, series.p99]} height={layout.chartHeight} width={layout.chartColumns} unit="ms" markers={marks} />
				</Box>
			</Box>
			<Text wrap="truncate">
				<Text color={theme.muted}>{'errors/s'.padEnd(chartLabelColumns)}</Text>
				<Text color={errorsNow > 0 ? theme.error : theme.muted}>{sparkline(series.errors, layout.chartPoints)}</Text>
				<Text color={errorsNow > 0 ? theme.error : undefined}>{` ${formatCount(errorsNow)} in the last second`}</Text>
			</Text>
			<StatTable
				requests={frame?.requests ?? 0}
				errors={frame?.errors ?? 0}
				currentRps={achieved}
				meanRps={frame && frame.activeS > 0 ? frame.requests / frame.activeS : 0}
				passRate={frame ? frame.passRate : null}
				inFlight={frame?.workers.reduce((sum, worker) => sum + worker.inFlight, 0) ?? 0}
				latency={frame?.latency ?? emptyLatency}
				corrected={layout.correctedRow ? frame?.correctedLatency : undefined}
				width={width}
			/>
			{late ? <LateWarning warning={late} /> : undefined}
			<StatusCodes statusCodes={frame?.statusCodes ?? {}} errorKinds={frame?.errorKinds ?? {}} requests={frame?.requests ?? 0} />
			{frame?.checks ? <ChecksLine checks={frame.checks} endpoints={frame.endpoints} /> : undefined}
			{layout.endpointRows > 0 && frame ? <EndpointTable endpoints={frame.endpoints} durationS={frame.activeS} rows={layout.endpointRows} width={width} /> : undefined}
			<WorkerHealth workers={frame?.workers ?? []} saturatedPeak={saturatedPeak} width={width} />
		</Box>
	);
}
