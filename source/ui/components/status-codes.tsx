import {Text} from 'ink';
import {formatCount, formatPercent} from '../../report/format.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly statusCodes: Readonly<Record<string, number>>;
	readonly errorKinds: Readonly<Record<string, number>>;
	readonly requests: number;
};

/** Status codes by count, then error kinds (timeouts, refused, ...), on one line. */
export default function StatusCodes({statusCodes, errorKinds, requests}: Props) {
	const theme = useTheme();
	const codes = Object.entries(statusCodes).sort(([, a], [, b]) => b - a);
	const kinds = Object.entries(errorKinds).sort(([, a], [, b]) => b - a);
	const share = (count: number): string => (requests > 0 ? ` (${formatPercent(count / requests)})` : '');
	return (
		<Text wrap="truncate">
			<Text color={theme.muted}>{'status '}</Text>
			{codes.length === 0 ? <Text color={theme.muted}>{'-'}</Text> : undefined}
			{codes.map(([code, count]) => (
				<Text key={code} color={Number(code) >= 200 && Number(code) < 400 ? theme.ok : theme.error}>{`${code} ${formatCount(count)}${share(count)}  `}</Text>
			))}
			<Text color={theme.muted}>{kinds.length === 0 ? ' errors none' : ' errors '}</Text>
			{kinds.map(([kind, count]) => (
				<Text key={kind} color={theme.error}>{`${kind} ${formatCount(count)}  `}</Text>
			))}
		</Text>
	);
}
