import {Box, Text} from 'ink';
import {formatCount, formatMs, formatPercent, formatRate} from '../../report/format.js';
import type {LatencySummary} from '../../stats/histogram.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly requests: number;
	readonly errors: number;
	readonly currentRps: number;
	readonly meanRps: number;
	/** null before any request finished. */
	readonly passRate: number | null;
	/** Requests sent and not yet answered (a hung target shows here before anywhere else). */
	readonly inFlight?: number;
	/** Latency from the actual send. */
	readonly latency: LatencySummary;
	/** Open model: latency from the intended send time (coordinated-omission corrected); a line of its own when given. */
	readonly corrected?: LatencySummary | undefined;
	readonly width: number;
};

/** Labels wide enough for the longest, so the two latency lines line up. */
const sentLabel = 'latency (sent)  ';
const correctedLabel = 'corrected       ';

/** Two lines: counts and rates; latency min/p50/p90/p99/max. In the open model a third: the corrected latency (min is left out of both). */
export default function StatTable({requests, errors, currentRps, meanRps, passRate, inFlight = 0, latency, corrected, width}: Props) {
	const theme = useTheme();
	const passColour = passRate === null ? theme.muted : (passRate >= 0.99 ? theme.ok : (passRate >= 0.9 ? theme.warn : theme.error));
	return (
		<Box flexDirection="column" width={width}>
			<Text wrap="truncate">
				<Text color={theme.muted}>{'requests '}</Text>
				<Text bold>{formatCount(requests)}</Text>
				<Text color={theme.muted}>{'  rps now '}</Text>
				<Text bold>{formatRate(currentRps)}</Text>
				<Text color={theme.muted}>{'  mean '}</Text>
				<Text bold>{formatRate(meanRps)}</Text>
				<Text color={theme.muted}>{'  pass '}</Text>
				<Text bold color={passColour}>{formatPercent(passRate)}</Text>
				<Text color={theme.muted}>{'  errors '}</Text>
				<Text bold color={errors > 0 ? theme.error : undefined}>{formatCount(errors)}</Text>
				<Text color={theme.muted}>{'  in flight '}</Text>
				<Text>{formatCount(inFlight)}</Text>
			</Text>
			<LatencyLine label={corrected ? sentLabel : 'latency  '} latency={latency} withMin={!corrected} width={width} />
			{corrected ? <LatencyLine label={correctedLabel} latency={corrected} note="← from the intended send time" width={width} /> : undefined}
		</Box>
	);
}

type LineProps = {
	readonly label: string;
	readonly latency: LatencySummary;
	readonly withMin?: boolean;
	/** Muted text after the figures, shown only when it fits. */
	readonly note?: string;
	readonly width: number;
};

function LatencyLine({label, latency, withMin = false, note, width}: LineProps) {
	const theme = useTheme();
	const figures = [
		...(withMin ? [{name: 'min', value: latency.min, bold: false}] : []),
		{name: 'p50', value: latency.p50, bold: true},
		{name: 'p90', value: latency.p90, bold: false},
		{name: 'p99', value: latency.p99, bold: true},
		{name: 'max', value: latency.max, bold: false},
	];
	// No response yet (or none at all): dashes, never a latency of zero.
	const cells = figures.map(({name, value, bold}, index) => ({name: `${index > 0 ? '  ' : ''}${name} `, value: latency.count > 0 ? formatMs(value) : '–', bold}));
	const length = label.length + cells.reduce((sum, cell) => sum + cell.name.length + cell.value.length, 0);
	const shownNote = note && length + 2 + note.length <= width ? `  ${note}` : undefined;
	return (
		<Text wrap="truncate">
			<Text color={theme.muted}>{label}</Text>
			{cells.map(cell => (
				<Text key={cell.name}>
					<Text color={theme.muted}>{cell.name}</Text>
					<Text bold={cell.bold}>{cell.value}</Text>
				</Text>
			))}
			{shownNote ? <Text color={theme.muted}>{shownNote}</Text> : undefined}
		</Text>
	);
}
