import {Box, Text} from 'ink';
import {useTheme} from '../theme.js';

type Props = {
	readonly label: string;
	readonly text: string;
	readonly hint?: string;
	readonly width: number;
};

/** A one-line text field with a block cursor (Enter accepts, Esc cancels). */
export default function TextPrompt({label, text, hint, width}: Props) {
	const theme = useTheme();
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={theme.accent} paddingX={1} width={Math.min(width, 80)}>
			<Text wrap="truncate">
				<Text bold>{`${label} `}</Text>
				<Text>{text}</Text>
				<Text inverse>{' '}</Text>
			</Text>
			{hint ? <Text color={theme.muted} wrap="truncate">{hint}</Text> : undefined}
		</Box>
	);
}
