import {Box, Text} from 'ink';
import type {Hardware} from '../../engine/hardware.js';
import {formatBytes} from '../../report/format.js';
import {fitSegments, truncate, wrapSegments} from '../format.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly hardware: Hardware;
	/** Worker threads that will be used (or are used) and why. */
	readonly threads: number;
	readonly threadsReason: string;
	readonly workerThreads: boolean;
	readonly width: number;
	/** One line (dashboard, summary) instead of the full block. */
	readonly compact?: boolean;
};

/** `2.0x` hyperthreading ratio (logical processors per physical core). */
export function hyperthreading(hardware: Hardware): string {
	const ratio = hardware.physicalCores > 0 ? hardware.logicalProcessors / hardware.physicalCores : 1;
	return ratio > 1 ? `hyperthreading ${ratio.toFixed(1)}x` : 'no hyperthreading';
}

export function hardwareSegments(hardware: Hardware, workerThreads: boolean, compact: boolean): string[] {
	const quota = hardware.cpuQuota === null ? 'no cgroup CPU quota' : `cgroup quota ${Number(hardware.cpuQuota.toFixed(2))} CPUs`;
	if (compact) {
		return [
			hardware.cpuModel.replaceAll(/\((R|TM)\)|\bCPU\b|\bProcessor\b/g, '').replaceAll(/\s+/g, ' ').trim(),
			`${hardware.physicalCores}C/${hardware.logicalProcessors}T`,
			hardware.cpuQuota === null ? 'no quota' : `quota ${Number(hardware.cpuQuota.toFixed(2))}`,
			formatBytes(hardware.totalMemoryBytes),
			`node ${hardware.node}`,
		];
	}

	return [
		hardware.cpuModel,
		`${hardware.physicalCores} physical cores, ${hardware.logicalProcessors} logical processors (${hyperthreading(hardware)})`,
		quota,
		`memory ${formatBytes(hardware.totalMemoryBytes)} (${formatBytes(hardware.freeMemoryBytes)} free)`,
		`Node ${hardware.node} ${hardware.platform}/${hardware.arch}`,
		workerThreads ? 'worker threads: yes' : 'worker threads: NOT AVAILABLE',
	];
}

/** Lines the header takes at this width. */
export function hardwareHeaderLines(hardware: Hardware, workerThreads: boolean, width: number, compact: boolean): number {
	return compact ? 1 : wrapSegments(hardwareSegments(hardware, workerThreads, false), width).length + 1;
}

/** The machine the load comes from, and the worker threads it gets. Heads every screen. */
export default function HardwareHeader({hardware, threads, threadsReason, workerThreads, width, compact = false}: Props) {
	const theme = useTheme();
	const threadsText = `${threads} worker thread${threads === 1 ? '' : 's'}: ${threadsReason}`;
	if (compact) {
		const line = fitSegments(hardwareSegments(hardware, workerThreads, true), width - threadsText.length - 3);
		return (
			<Text wrap="truncate">
				<Text color={theme.muted}>{line}</Text>
				<Text color={theme.muted}>{' · '}</Text>
				<Text color={theme.accent}>{truncate(threadsText, Math.max(10, width - line.length - 3))}</Text>
			</Text>
		);
	}

	return (
		<Box flexDirection="column" width={width}>
			{wrapSegments(hardwareSegments(hardware, workerThreads, false), width).map(line => (
				<Text key={line} wrap="truncate" color={theme.muted}>{line}</Text>
			))}
			<Text wrap="truncate" color={theme.accent} bold>{`→ ${threadsText}`}</Text>
		</Box>
	);
}
