import {Text} from 'ink';
import {formatCount, formatPercent} from '../../report/format.js';
import {checksPassRate, type CheckCounts} from '../../stats/checks.js';
import {useTheme} from '../theme.js';

type Props = {
	/** The whole run's check counts. */
	readonly checks: CheckCounts;
	/** Each endpoint's, to name where checks fail (endpoints without checks: undefined). */
	readonly endpoints: ReadonlyArray<{readonly name: string; readonly checks?: CheckCounts | undefined}>;
};

/** Response checks on one line: the share passed, then the failing checks by count, with their endpoint when the run has several. */
export default function ChecksLine({checks, endpoints}: Props) {
	const theme = useTheme();
	const rate = checksPassRate(checks);
	const checked = endpoints.filter(endpoint => endpoint.checks !== undefined);
	const failing = checked
		.flatMap(endpoint => Object.entries(endpoint.checks!.byName).filter(([, count]) => count > 0).map(([name, count]) => ({label: endpoints.length > 1 ? `${endpoint.name}: ${name}` : name, count})))
		.sort((a, b) => b.count - a.count);
	const colour = rate === null ? theme.muted : (checks.failed === 0 ? theme.ok : theme.error);
	return (
		<Text wrap="truncate">
			<Text color={theme.muted}>{'checks '}</Text>
			<Text bold color={colour}>{`${formatPercent(rate)} passed`}</Text>
			<Text color={theme.muted}>{` (${formatCount(checks.failed)} of ${formatCount(checks.passed + checks.failed)} failed)`}</Text>
			{failing.map(({label, count}) => (
				<Text key={label} color={theme.error}>{`  ${label} ${formatCount(count)}`}</Text>
			))}
		</Text>
	);
}
