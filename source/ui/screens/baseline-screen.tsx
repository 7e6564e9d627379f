import {Box, Text} from 'ink';
import {formatCount, formatMs, formatRate, formatSeconds} from '../../report/format.js';
import {bar} from '../format.js';
import type {BaselineState} from '../state/baseline-state.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly baseline: BaselineState;
	readonly target: string;
	readonly stopping: boolean;
	readonly width: number;
	readonly lines: number;
	/** Set while the OAuth2 token is fetched (before the baselines): where from, redacted. */
	readonly tokenFrom?: string | undefined;
};

/**
 * What comes before the parallel run: the OAuth2 token being fetched, then the quick and extended
 * baselines (one connection, sequential) with their latencies as they come.
 */
export default function BaselineScreen({baseline, target, stopping, width, lines, tokenFrom}: Props) {
	const theme = useTheme();
	const {quickCount, samples, quick, extendedTotalS, extendedProgress, extended} = baseline;
	const barWidth = Math.max(10, Math.min(40, width - 40));
	const baselines = quickCount > 0 || extendedTotalS > 0;
	const sampleRows = Math.max(1, lines - 9 - (tokenFrom === undefined ? 0 : 2));
	const shown = samples.slice(-sampleRows);
	// With several endpoints the session sends more than asked (each endpoint in turn): its samples say how many.
	const quickTotal = samples.at(-1)?.count ?? quickCount;
	return (
		<Box flexDirection="column" width={width}>
			<Text wrap="truncate">
				<Text bold>{baselines ? 'Baseline  ' : 'Starting  '}</Text>
				<Text color={theme.muted}>{`${target}${baselines ? ' · one connection, sequential' : ''}${stopping ? ' · STOPPING' : ''}`}</Text>
			</Text>
			{tokenFrom === undefined ? undefined : (
				<Box marginTop={1}>
					<Text wrap="truncate" color={theme.accent}>{`fetching OAuth2 token from ${tokenFrom}…`}</Text>
				</Box>
			)}
			{quickCount > 0 ? (
				<Box flexDirection="column" marginTop={1}>
					<Text wrap="truncate">
						<Text>{'Quick baseline     '}</Text>
						<Text color={theme.accent}>{bar(quick ? 1 : samples.length / quickTotal, barWidth)}</Text>
						<Text>{` ${samples.length}/${quickTotal}`}</Text>
						{quick?.stoppedAtTimeout ? <Text color={theme.warn}>{'  stopped at the first timeout: the rest would time out too; going on to the run'}</Text> : undefined}
						{quick && !quick.stoppedAtTimeout ? <Text color={theme.ok}>{`  done: ${quick.rps > 0 ? `${formatRate(quick.rps)} req/s` : 'req/s n/a'}, p50 ${formatMs(quick.latencyMs.p50)}, max ${formatMs(quick.latencyMs.max)}`}</Text> : undefined}
					</Text>
					{shown.map(sample => (
						<Text key={sample.index} wrap="truncate">
							<Text color={theme.muted}>{`  #${String(sample.index + 1).padEnd(3)} ${sample.endpoint.padEnd(16).slice(0, 16)} `}</Text>
							<Text color={sample.status >= 200 && sample.status < 400 ? theme.ok : theme.error}>{(sample.status === 0 ? sample.errorKind ?? 'error' : String(sample.status)).padEnd(8)}</Text>
							<Text bold>{formatMs(sample.latencyMicros / 1000)}</Text>
						</Text>
					))}
				</Box>
			) : undefined}
			{extendedTotalS > 0 ? (
				<Box flexDirection="column" marginTop={1}>
					<Text wrap="truncate">
						<Text>{'Extended baseline  '}</Text>
						<Text color={theme.accent}>{bar((extended ? extendedTotalS : extendedProgress?.elapsedS ?? 0) / extendedTotalS, barWidth)}</Text>
						<Text>{` ${formatSeconds(extended ? extendedTotalS : extendedProgress?.elapsedS ?? 0)}/${formatSeconds(extendedTotalS)}`}</Text>
					</Text>
					{extendedProgress || extended ? (
						<Text wrap="truncate" color={extended ? theme.ok : undefined}>
							{extended
								? `  done: ${formatCount(extended.requests)} requests, ${formatRate(extended.rps)} req/s, p50 ${formatMs(extended.latencyMs.p50)}, p99 ${formatMs(extended.latencyMs.p99)}`
								: `  ${formatCount(extendedProgress!.requests)} requests, p50 ${formatMs(extendedProgress!.p50Ms)}, p99 ${formatMs(extendedProgress!.p99Ms)}`}
						</Text>
					) : <Text color={theme.muted}>{quickCount > 0 && !quick ? '  waits for the quick baseline' : '  starting…'}</Text>}
				</Box>
			) : undefined}
			<Box marginTop={1}>
				<Text color={theme.muted} wrap="truncate">{baselines ? 'The parallel run starts when the baselines are done; the summary compares it with them.' : 'The parallel run starts once the token is in.'}</Text>
			</Box>
		</Box>
	);
}
