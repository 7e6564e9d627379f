import {Box, Text} from 'ink';
import {previewLines, type Candidate} from '../state/candidate.js';
import {fieldHints, fieldLabels, settingsFields, type SettingsForm} from '../state/settings-form.js';
import {truncate} from '../format.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly candidate: Candidate;
	readonly form: SettingsForm;
	/** Requests of the quick baseline (0: skipped). */
	readonly quickBaselineCount: number;
	readonly logicalProcessors: number;
	readonly width: number;
};

/** The run settings, editable before starting. */
export default function SettingsScreen({candidate, form, quickBaselineCount, logicalProcessors, width}: Props) {
	const theme = useTheme();
	const labelWidth = Math.max(...settingsFields.map(field => fieldLabels[field].length)) + 2;
	const preview = previewLines(candidate, 6, false);
	const valueWidth = Math.max(8, ...settingsFields.map(field => form.values[field].length + 1));
	const threads = Number(form.values.threads);
	return (
		<Box flexDirection="column" width={width}>
			<Text bold>
				{'Settings  '}
				<Text color={theme.muted}>{`${candidate.label} (${candidate.kind})`}</Text>
			</Text>
			{preview.map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key
				<Text key={index} wrap="truncate" color={theme.muted}>{`  ${line}`}</Text>
			))}
			<Box flexDirection="column" marginTop={1}>
				{settingsFields.map((field, index) => {
					const focused = index === form.focus;
					const value = form.values[field];
					return (
						<Text key={field} wrap="truncate">
							<Text color={focused ? theme.accent : undefined} bold={focused}>{`${focused ? '›' : ' '} ${fieldLabels[field].padEnd(labelWidth)}`}</Text>
							<Text inverse={focused && form.fresh} underline={focused && !form.fresh}>{` ${value === '' ? '—' : value} `}</Text>
							{focused && !form.fresh ? <Text inverse>{' '}</Text> : undefined}
							<Text color={theme.muted}>{`${' '.repeat(Math.max(1, valueWidth - Math.max(1, value.length) - (focused && !form.fresh ? 1 : 0)))}${truncate(fieldHints[field], Math.max(0, width - labelWidth - valueWidth - 6))}`}</Text>
						</Text>
					);
				})}
			</Box>
			<Box flexDirection="column" marginTop={1}>
				{form.issues.map(issue => (
					<Text key={`${issue.path}:${issue.message}`} wrap="truncate" color={theme.error}>{`✗ ${issue.path}: ${issue.message}`}</Text>
				))}
				{threads > logicalProcessors ? <Text color={theme.warn} wrap="truncate">{`! ${threads} threads on ${logicalProcessors} logical processors: the workers will compete for CPU`}</Text> : undefined}
				<Text color={theme.muted} wrap="truncate">{quickBaselineCount > 0 ? quickBaselineLine(quickBaselineCount, candidate.choice.ok ? candidate.choice.prepared.config.plan.endpoints.length : 1) : 'No quick baseline (--no-baseline).'}</Text>
				<Text wrap="truncate">
					<Text bold color={theme.ok}>{'Enter'}</Text>
					<Text>{' starts the test · type to edit the field · ←/→ or +/- step it'}</Text>
				</Text>
			</Box>
		</Box>
	);
}

/** What the quick baseline will send: `count` requests to each endpoint, one at a time. */
function quickBaselineLine(count: number, endpoints: number): string {
	return endpoints === 1
		? `A quick baseline of ${count} sequential requests runs first.`
		: `A quick baseline of ${count} sequential requests to each of the ${endpoints} endpoints runs first.`;
}
