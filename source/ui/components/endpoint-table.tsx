import {Box, Text} from 'ink';
import {formatCount, formatMs, formatPercent, formatRate, formatRatio, table} from '../../report/format.js';
import {truncate} from '../format.js';
import type {EndpointFrame} from '../state/dashboard-state.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly endpoints: readonly EndpointFrame[];
	readonly durationS: number;
	/** Data rows that fit (the last one says how many more when cut). */
	readonly rows: number;
	readonly width: number;
};

/** The per-endpoint table as text lines (header first). */
export function endpointLines(endpoints: readonly EndpointFrame[], durationS: number, rows: number, width: number): string[] {
	const shown = endpoints.length > rows ? endpoints.slice(0, Math.max(0, rows - 1)) : endpoints;
	// After a run with a baseline: each endpoint's latency growth (under load ÷ alone).
	const growth = endpoints.some(endpoint => endpoint.growthP50 !== undefined);
	const body = shown.map(endpoint => [
		truncate(endpoint.name, 18),
		endpoint.method,
		formatCount(endpoint.requests),
		formatRate(durationS > 0 ? endpoint.requests / durationS : 0),
		formatCount(endpoint.errors),
		formatPercent(endpoint.passRate),
		endpoint.requests > endpoint.errors ? formatMs(endpoint.p50) : 'n/a',
		endpoint.requests > endpoint.errors ? formatMs(endpoint.p99) : 'n/a',
		...(growth ? [formatRatio(endpoint.growthP50 ?? null), formatRatio(endpoint.growthP99 ?? null)] : []),
	]);
	const lines = table([['endpoint', 'method', 'requests', 'req/s', 'errors', 'pass', 'p50', 'p99', ...(growth ? ['growth p50', 'growth p99'] : [])], ...body], '').split('\n');
	if (endpoints.length > shown.length) lines.push(`… ${endpoints.length - shown.length} more endpoints (enlarge the terminal to see them)`);
	return lines.map(line => truncate(line, width));
}

export default function EndpointTable({endpoints, durationS, rows, width}: Props) {
	const theme = useTheme();
	const [header, ...lines] = endpointLines(endpoints, durationS, rows, width);
	return (
		<Box flexDirection="column" width={width}>
			<Text color={theme.muted}>{header}</Text>
			{lines.map(line => (
				<Text key={line} wrap="truncate">{line}</Text>
			))}
		</Box>
	);
}
