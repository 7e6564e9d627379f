import {Box, Text} from 'ink';
import {describeKeys, keyBindings, type KeyContext} from '../state/key-bindings.js';
import {useTheme} from '../theme.js';

type Props = {
	/** The screen's key table (the dashboard's is what the run is about). */
	readonly context: Exclude<KeyContext, 'help' | 'text'>;
	readonly width: number;
};

const titles: Readonly<Record<Props['context'], string>> = {
	picker: 'Config picker',
	settings: 'Settings',
	baseline: 'Baseline',
	dashboard: 'Running test',
	summary: 'Summary',
};

/** Every binding of the screen, from the key-binding table. */
export default function HelpOverlay({context, width}: Props) {
	const theme = useTheme();
	const bindings = keyBindings[context].filter(binding => binding.help !== undefined);
	const keysWidth = Math.max(...bindings.map(binding => describeKeys(binding.keys).length));
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={theme.accent} paddingX={1} width={Math.min(width, 86)}>
			<Text bold>{`Keys: ${titles[context]}`}</Text>
			{bindings.map(binding => (
				<Text key={binding.action} wrap="truncate">
					<Text bold color={theme.accent}>{describeKeys(binding.keys).padEnd(keysWidth + 2)}</Text>
					<Text>{binding.help}</Text>
				</Text>
			))}
			{context === 'dashboard' ? <Text color={theme.muted} wrap="wrap">{'Markers: T threads  C conns  R rate  P pause  > resume  X stop  · paused'}</Text> : undefined}
			<Text color={theme.muted}>{'? or Esc closes this help'}</Text>
		</Box>
	);
}
