import {Text} from 'ink';
import {keyBindings, type KeyAction, type KeyContext} from '../state/key-bindings.js';
import {useTheme} from '../theme.js';

type Props = {
	readonly context: KeyContext;
	readonly width: number;
	/** Extra context: the picker in filter or URL mode. */
	readonly textHint?: string;
};

type Hint = {readonly actions: readonly KeyAction[]; readonly label: string};

/** The always-visible bar: the most useful keys of each context, in order (the rest in ? help). */
const hintBar: Readonly<Record<KeyContext, readonly Hint[]>> = {
	picker: [{actions: ['up', 'down'], label: 'move'}, {actions: ['choose'], label: 'choose'}, {actions: ['filter'], label: 'filter'}, {actions: ['type-url'], label: 'URL'}, {actions: ['help'], label: 'help'}, {actions: ['quit'], label: 'quit'}],
	text: [{actions: ['submit'], label: 'accept'}, {actions: ['cancel'], label: 'cancel'}, {actions: ['delete-char'], label: 'delete'}],
	settings: [{actions: ['up', 'down'], label: 'field'}, {actions: ['decrement', 'increment'], label: 'less/more'}, {actions: ['start'], label: 'start'}, {actions: ['save-profile'], label: 'profile'}, {actions: ['back'], label: 'configs'}, {actions: ['help'], label: 'help'}, {actions: ['quit'], label: 'quit'}],
	baseline: [{actions: ['stop'], label: 'stop'}, {actions: ['help'], label: 'help'}],
	dashboard: [
		{actions: ['pause'], label: 'pause'},
		{actions: ['threads-up', 'threads-down'], label: 'threads'},
		{actions: ['connections-up', 'connections-down'], label: 'conns'},
		{actions: ['rate-up', 'rate-down'], label: 'rate'},
		{actions: ['save'], label: 'save'},
		{actions: ['save-profile'], label: 'profile'},
		{actions: ['stop'], label: 'stop'},
		{actions: ['help'], label: 'help'},
	],
	summary: [{actions: ['save'], label: 'save'}, {actions: ['run-again'], label: 'run again'}, {actions: ['quit'], label: 'quit'}, {actions: ['help'], label: 'help'}],
	help: [{actions: ['close'], label: 'close help'}],
};

const shortKey: Readonly<Record<string, string>> = {up: '↑', down: '↓', left: '←', right: '→', return: 'Enter', escape: 'Esc', backspace: '⌫', space: 'space', 'shift+tab': 'S-Tab', tab: 'Tab', 'ctrl+c': '^C'};

/** `p`, `+/-`, `↑/↓`: the first key of each action. */
export function hintKeys(context: KeyContext, actions: readonly KeyAction[]): string {
	return actions
		.map(action => keyBindings[context].find(binding => binding.action === action)?.keys[0])
		.filter((key): key is string => key !== undefined)
		.map(key => shortKey[key] ?? key)
		.join('/');
}

/** The hint bar as plain text, cut to the width (whole hints only). */
export function hintText(context: KeyContext, width: number): string {
	let text = '';
	for (const hint of hintBar[context]) {
		const part = `${hintKeys(context, hint.actions)} ${hint.label}`;
		const next = text === '' ? part : `${text}  ${part}`;
		if (next.length > width) break;
		text = next;
	}

	return text;
}

export default function KeyHints({context, width, textHint}: Props) {
	const theme = useTheme();
	const text = hintText(context, width - (textHint ? textHint.length + 2 : 0));
	return (
		<Text wrap="truncate" inverse={!theme.colour} color={theme.muted}>
			{textHint ? `${textHint}  ${text}` : text}
		</Text>
	);
}
