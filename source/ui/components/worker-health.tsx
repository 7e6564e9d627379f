import {Box, Text} from 'ink';
import type {WorkerHealth as Health} from '../../engine/engine.js';
import {bar} from '../format.js';
import {peakUtilization, saturationThreshold} from '../state/dashboard-state.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly workers: readonly Health[];
	/** Peak utilisation to warn about (saturated now or a moment ago), undefined when fine. */
	readonly saturatedPeak: number | undefined;
	readonly width: number;
};

/** `w0 ███░ 72%` per worker while they fit; else one bar per worker and the peak. */
export function healthText(workers: readonly Health[], width: number): string {
	const full = workers.map(worker => `w${worker.workerId} ${bar(worker.eventLoopUtilization, 6)} ${Math.round(worker.eventLoopUtilization * 100)}%`).join('  ');
	if (full.length <= width) return full;
	const blocks = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
	const mini = workers.map(worker => blocks[Math.min(7, Math.floor(worker.eventLoopUtilization * 8))]).join('');
	return `${workers.length} workers ${mini} peak ${Math.round(peakUtilization(workers) * 100)}%`;
}

/** Generator health: per-worker event-loop utilisation, with a warning when the load generator is saturated. */
export default function WorkerHealth({workers, saturatedPeak, width}: Props) {
	const theme = useTheme();
	const saturated = peakUtilization(workers) >= saturationThreshold;
	const label = 'generator ELU ';
	return (
		<Box flexDirection="column" width={width}>
			<Text wrap="truncate">
				<Text color={theme.muted}>{label}</Text>
				<Text color={saturated ? theme.error : theme.ok}>{workers.length === 0 ? 'starting…' : healthText(workers, width - label.length)}</Text>
			</Text>
			{saturatedPeak === undefined ? undefined : (
				<Text wrap="truncate" color={theme.error} inverse bold>
					{` ! GENERATOR SATURATED (${Math.round(saturatedPeak * 100)}% event loop): measuring the client, not the server `}
				</Text>
			)}
		</Box>
	);
}
