import {Text} from 'ink';
import type {LateWarning as Warning} from '../state/dashboard-state.js';
import {useTheme} from '../theme.js';

type Props = {
	/** From `lateWarning(frame, width)`. */
	readonly warning: Warning;
};

/** Open model: sends that went out late or were dropped because every connection was busy (warn colour; error colour once any was dropped). */
export default function LateWarning({warning}: Props) {
	const theme = useTheme();
	return (
		<Text wrap="truncate" bold color={warning.level === 'error' ? theme.error : theme.warn}>
			{warning.text}
		</Text>
	);
}
