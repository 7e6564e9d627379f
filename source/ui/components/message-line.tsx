import {Text} from 'ink';
import type {Message} from '../state/app-state.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly messages: readonly Message[];
	readonly width: number;
};

/** The newest message (feedback for a key, an error), one line; blank when there is none. */
export default function MessageLine({messages, width}: Props) {
	const theme = useTheme();
	const message = messages.at(-1);
	if (!message) return <Text> </Text>;
	const colour = message.level === 'error' ? theme.error : (message.level === 'warn' ? theme.warn : theme.ok);
	const prefix = message.level === 'error' ? 'error: ' : (message.level === 'warn' ? '! ' : '');
	return (
		<Text wrap="truncate" color={colour}>
			{`${prefix}${message.text}`.slice(0, Math.max(1, width))}
		</Text>
	);
}
