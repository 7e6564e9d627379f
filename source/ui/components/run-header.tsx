import {Box, Text} from 'ink';
import type {EngineState} from '../../engine/engine.js';
import {formatCount, formatRate, formatSeconds, formatSetRate} from '../../report/format.js';
import {bar, truncate} from '../format.js';
import {stageText, type LiveFrame} from '../state/dashboard-state.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly target: string;
	readonly frame: LiveFrame | undefined;
	readonly stopping: boolean;
	/** Requests per second in the last complete second. */
	readonly achievedRps: number;
	readonly width: number;
};

export const stateLabels: Readonly<Record<EngineState, string>> = {idle: 'STARTING', running: 'RUNNING', paused: 'PAUSED', stopping: 'STOPPING', done: 'DONE'};

/** Progress 0..1 by time (duration) or by requests (max requests), whichever ends the run first. */
export function runProgress(frame: LiveFrame): {fraction: number; text: string} {
	const {durationMs, maxRequests} = frame.settings;
	const byTime = durationMs === undefined ? 0 : (frame.activeS * 1000) / durationMs;
	const byCount = maxRequests === undefined ? 0 : frame.requests / maxRequests;
	if (durationMs !== undefined && byTime >= byCount) {
		const remainingS = Math.max(0, (durationMs / 1000) - frame.activeS);
		return {fraction: Math.min(1, byTime), text: `${formatSeconds(frame.activeS)} / ${formatSeconds(durationMs / 1000)} · ${formatSeconds(remainingS)} left`};
	}

	return {fraction: Math.min(1, byCount), text: `${formatCount(frame.requests)} / ${formatCount(maxRequests ?? 0)} requests · ${formatSeconds(frame.activeS)}`};
}

/** State, target, the stage (staged runs), elapsed/remaining; then the live settings and a progress bar. */
export default function RunHeader({target, frame, stopping, achievedRps, width}: Props) {
	const theme = useTheme();
	const state: EngineState = stopping && frame?.state !== 'done' ? 'stopping' : (frame?.state ?? 'idle');
	const stateColour = state === 'running' ? theme.ok : (state === 'paused' ? theme.warn : theme.error);
	const warming = frame?.warmUpRemainingS !== undefined && state === 'running';
	const progress = frame ? (warming ? {fraction: 0, text: `warm-up, not measured · ${formatSeconds(frame.warmUpRemainingS!)} left`} : runProgress(frame)) : {fraction: 0, text: 'starting…'};
	const stateText = ` ${warming ? 'WARM-UP' : stateLabels[state]} `;
	const settings = frame?.settings;
	// The stage gets what the state, the progress and a short target leave.
	const stage = frame?.stage ? stageText(frame.stage, settings?.rate !== undefined, width - stateText.length - progress.text.length - 3 - 3 - 16) : '';
	const rate = settings?.rate === undefined ? 'off' : `${formatSetRate(settings.rate)}/s`;
	const settingsText = `threads ${settings?.threads ?? '-'} · connections ${settings?.connections ?? '-'} · rate ${rate} · achieved ${formatRate(achievedRps)}/s`;
	const percent = ` ${Math.round(progress.fraction * 100)}%`;
	const barWidth = Math.max(6, width - settingsText.length - percent.length - 2);
	const targetWidth = Math.max(10, width - stateText.length - (stage === '' ? 0 : stage.length + 3) - progress.text.length - 3);
	return (
		<Box flexDirection="column" width={width}>
			<Box width={width}>
				<Text color={stateColour} inverse bold>{stateText}</Text>
				<Box flexGrow={1} marginLeft={1}>
					<Text bold wrap="truncate">{truncate(target, targetWidth)}</Text>
				</Box>
				{stage === '' ? undefined : <Text><Text bold color={theme.accent}>{stage}</Text>{' · '}</Text>}
				<Text>{progress.text}</Text>
			</Box>
			<Text wrap="truncate">
				<Text>{'threads '}</Text>
				<Text bold color={theme.accent}>{settings?.threads ?? '-'}</Text>
				<Text>{' · connections '}</Text>
				<Text bold color={theme.accent}>{settings?.connections ?? '-'}</Text>
				<Text>{' · rate '}</Text>
				<Text bold color={theme.accent}>{rate}</Text>
				<Text>{` · achieved ${formatRate(achievedRps)}/s  `}</Text>
				<Text color={theme.accent}>{bar(progress.fraction, barWidth)}</Text>
				<Text>{percent}</Text>
			</Text>
		</Box>
	);
}
