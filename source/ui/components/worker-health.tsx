import {Box, Text} from 'ink';
import type {WorkerHealth as Health} from '../../engine/engine.js';
import {mostOfStall, stallThresholdFor, type StallPart} from '../../stats/snapshot.js';
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

/** Stalls at or above this share of an interval colour the stall figures as a warning. */
const stallShareWarning = 0.1;

/** What the most stalled worker's threads mostly did, in the generator line. */
const stallPartText: Record<StallPart, string> = {running: 'mostly running', waiting: 'mostly waiting for a core', asleep: 'mostly asleep'};

/**
 * The workers' own event-loop stalls over the last interval: the largest share of it stalled (and,
 * from 1% and where measured, what that worker's thread mostly did meanwhile) and the longest gap
 * between turns (what the open model's corrected latency would charge to the server). A gap no
 * longer than twice the probe's period is the probe's own rhythm (10 ms in the closed model), so it
 * shows as under that bound. Empty when no worker measured them yet.
 */
export function stallFigures(workers: readonly Health[]): {text: string; share: number} | undefined {
	let share = 0;
	let part: StallPart | undefined;
	let gapMs: number | undefined;
	let boundMs = 0;
	for (const worker of workers) {
		if (worker.maxEventLoopDelayMs === undefined) continue;
		gapMs = Math.max(gapMs ?? 0, worker.maxEventLoopDelayMs);
		boundMs = Math.max(boundMs, stallThresholdFor(worker.probeMs ?? 0));
		const workerShare = worker.windowMs ? (worker.eventLoopStallMs ?? 0) / worker.windowMs : 0;
		if (workerShare > share) {
			share = workerShare;
			part = mostOfStall(worker.eventLoopStallMs ?? 0, worker.stallRunningMs, worker.stallWaitingMs);
		}
	}

	if (gapMs === undefined) return undefined;
	const gap = gapMs <= boundMs ? `< ${boundMs}` : (gapMs < 10 ? gapMs.toFixed(1) : String(Math.round(gapMs)));
	const cause = part === undefined || share < 0.01 ? '' : ` (${stallPartText[part]})`;
	return {text: ` · stalls ${Math.round(share * 100)}%${cause}, gap ${gap} ms`, share};
}

/** Generator health: per-worker event-loop utilisation and stalls, with a warning when the load generator is saturated. */
export default function WorkerHealth({workers, saturatedPeak, width}: Props) {
	const theme = useTheme();
	const saturated = peakUtilization(workers) >= saturationThreshold;
	const label = 'generator ELU ';
	const stalls = stallFigures(workers);
	const stallWidth = stalls?.text.length ?? 0;
	return (
		<Box flexDirection="column" width={width}>
			<Text wrap="truncate">
				<Text color={theme.muted}>{label}</Text>
				<Text color={saturated ? theme.error : theme.ok}>{workers.length === 0 ? 'starting…' : healthText(workers, width - label.length - stallWidth)}</Text>
				{stalls ? <Text color={stalls.share >= stallShareWarning ? theme.warn : theme.muted}>{stalls.text}</Text> : undefined}
			</Text>
			{saturatedPeak === undefined ? undefined : (
				<Text wrap="truncate" color={theme.error} inverse bold>
					{` ! GENERATOR SATURATED (${Math.round(saturatedPeak * 100)}% event loop): measuring the client, not the server `}
				</Text>
			)}
		</Box>
	);
}
