import {Box, Text} from 'ink';
import {formatCount, formatMs, formatPercent, formatRate} from '../../report/format.js';
import type {LatencySummary} from '../../stats/histogram.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly requests: number;
	readonly errors: number;
	readonly currentRps: number;
	readonly meanRps: number;
	readonly passRate: number;
	readonly latency: LatencySummary;
	readonly width: number;
};

/** Two lines: counts and rates; latency min/p50/p90/p99/max. */
export default function StatTable({requests, errors, currentRps, meanRps, passRate, latency, width}: Props) {
	const theme = useTheme();
	const passColour = passRate >= 0.99 ? theme.ok : (passRate >= 0.9 ? theme.warn : theme.error);
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
			</Text>
			<Text wrap="truncate">
				<Text color={theme.muted}>{'latency  min '}</Text>
				<Text>{formatMs(latency.min)}</Text>
				<Text color={theme.muted}>{'  p50 '}</Text>
				<Text bold>{formatMs(latency.p50)}</Text>
				<Text color={theme.muted}>{'  p90 '}</Text>
				<Text>{formatMs(latency.p90)}</Text>
				<Text color={theme.muted}>{'  p99 '}</Text>
				<Text bold>{formatMs(latency.p99)}</Text>
				<Text color={theme.muted}>{'  max '}</Text>
				<Text>{formatMs(latency.max)}</Text>
			</Text>
		</Box>
	);
}
