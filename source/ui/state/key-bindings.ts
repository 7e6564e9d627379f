/** Key bindings as data (context -> action -> keys) and a pure matcher from Ink's input to an action. */

/** Where the keyboard focus is; each context has its own table. */
export type KeyContext = 'picker' | 'text' | 'settings' | 'baseline' | 'dashboard' | 'summary' | 'help';

export type KeyAction =
	| 'up'
	| 'down'
	| 'choose'
	| 'filter'
	| 'type-url'
	| 'quit'
	| 'interrupt'
	| 'help'
	| 'back'
	| 'start'
	| 'increment'
	| 'decrement'
	| 'delete-char'
	| 'submit'
	| 'cancel'
	| 'pause'
	| 'threads-up'
	| 'threads-down'
	| 'connections-up'
	| 'connections-down'
	| 'rate-up'
	| 'rate-down'
	| 'save'
	| 'save-profile'
	| 'stop'
	| 'run-again'
	| 'close';

export type KeyBinding = {
	readonly action: KeyAction;
	/** Normalized key names: a character (`p`, `P`, `+`), `space`, `return`, `escape`, `tab`, `shift+tab`, `up`, `down`, `left`, `right`, `backspace`, `ctrl+c`. */
	readonly keys: readonly string[];
	/** What the help overlay says; bindings without help are not listed. */
	readonly help?: string;
};

const interrupt: KeyBinding = {action: 'interrupt', keys: ['ctrl+c'], help: 'quit'};

export const keyBindings: Readonly<Record<KeyContext, readonly KeyBinding[]>> = {
	picker: [
		{action: 'up', keys: ['up', 'k'], help: 'previous'},
		{action: 'down', keys: ['down', 'j'], help: 'next'},
		{action: 'choose', keys: ['return'], help: 'choose'},
		{action: 'filter', keys: ['/'], help: 'filter'},
		{action: 'type-url', keys: ['u'], help: 'type a URL'},
		{action: 'cancel', keys: ['escape'], help: 'clear the filter'},
		{action: 'help', keys: ['?'], help: 'help'},
		{action: 'quit', keys: ['q'], help: 'quit'},
		interrupt,
	],
	text: [
		{action: 'submit', keys: ['return'], help: 'accept'},
		{action: 'cancel', keys: ['escape'], help: 'cancel'},
		{action: 'delete-char', keys: ['backspace']},
		{action: 'up', keys: ['up']},
		{action: 'down', keys: ['down']},
		interrupt,
	],
	settings: [
		{action: 'up', keys: ['up', 'shift+tab'], help: 'previous field'},
		{action: 'down', keys: ['down', 'tab'], help: 'next field'},
		{action: 'increment', keys: ['right', '+'], help: 'more'},
		{action: 'decrement', keys: ['left', '-'], help: 'less'},
		{action: 'delete-char', keys: ['backspace']},
		{action: 'start', keys: ['return'], help: 'start the test'},
		{action: 'save-profile', keys: ['P'], help: 'save as a profile'},
		{action: 'back', keys: ['escape'], help: 'back to the configs'},
		{action: 'help', keys: ['?'], help: 'help'},
		{action: 'quit', keys: ['q'], help: 'quit'},
		interrupt,
	],
	baseline: [
		{action: 'stop', keys: ['q'], help: 'stop, show the summary'},
		{action: 'help', keys: ['?'], help: 'help'},
		{action: 'interrupt', keys: ['ctrl+c'], help: 'stop (twice: quit at once)'},
	],
	dashboard: [
		{action: 'pause', keys: ['p', 'space'], help: 'pause / resume'},
		{action: 'threads-up', keys: ['+'], help: 'one worker thread more'},
		{action: 'threads-down', keys: ['-'], help: 'one worker thread less'},
		{action: 'connections-up', keys: [']'], help: 'connections +10%'},
		{action: 'connections-down', keys: ['['], help: 'connections -10%'},
		{action: 'rate-up', keys: ['>'], help: 'rate +10% (when a rate is set)'},
		{action: 'rate-down', keys: ['<'], help: 'rate -10% (when a rate is set)'},
		{action: 'save', keys: ['s'], help: 'save HTML and JSON reports of the run so far'},
		{action: 'save-profile', keys: ['P'], help: 'save the current settings as a profile'},
		{action: 'stop', keys: ['q'], help: 'stop, drain, show the summary'},
		{action: 'interrupt', keys: ['ctrl+c'], help: 'stop; twice: quit at once (results still written)'},
		{action: 'help', keys: ['?'], help: 'this help'},
	],
	summary: [
		{action: 'save', keys: ['s'], help: 'save the HTML and JSON reports'},
		{action: 'run-again', keys: ['r'], help: 'run again'},
		{action: 'quit', keys: ['q'], help: 'quit'},
		{action: 'help', keys: ['?'], help: 'help'},
		interrupt,
	],
	help: [
		{action: 'close', keys: ['?', 'escape', 'q', 'return'], help: 'close the help'},
		interrupt,
	],
};

/** The subset of Ink's `Key` the matcher reads. */
export type KeyFlags = {
	readonly upArrow?: boolean;
	readonly downArrow?: boolean;
	readonly leftArrow?: boolean;
	readonly rightArrow?: boolean;
	readonly return?: boolean;
	readonly escape?: boolean;
	readonly ctrl?: boolean;
	readonly shift?: boolean;
	readonly tab?: boolean;
	readonly backspace?: boolean;
	readonly delete?: boolean;
};

/** Normalizes Ink's (input, key) into one key name (see KeyBinding.keys). */
export function keyName(input: string, key: KeyFlags): string {
	if (key.upArrow) return 'up';
	if (key.downArrow) return 'down';
	if (key.leftArrow) return 'left';
	if (key.rightArrow) return 'right';
	if (key.return) return 'return';
	if (key.tab) return key.shift ? 'shift+tab' : 'tab';
	// Terminals send DEL (0x7f) for Backspace; Ink reports it as `delete`.
	if (key.backspace || key.delete) return 'backspace';
	if (key.escape) return 'escape';
	if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
	if (input === ' ') return 'space';
	return input;
}

/** The action bound to a key name in a context, or undefined. */
export function matchKey(context: KeyContext, name: string): KeyAction | undefined {
	return keyBindings[context].find(binding => binding.keys.includes(name))?.action;
}

/** Text a key types into a text field (printable, no control keys), or undefined. */
export function typedText(input: string, key: KeyFlags): string | undefined {
	if (key.ctrl || key.return || key.escape || key.tab || key.backspace || key.delete || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) {
		return undefined;
	}

	// eslint-disable-next-line no-control-regex
	return input !== '' && !/[\u0000-\u001F\u007F]/.test(input) ? input : undefined;
}

/** One key of a chunk of input: what Ink would have reported had it come alone. */
export type KeyPress = {readonly input: string; readonly key: KeyFlags};

const controlKeys: Readonly<Record<string, KeyFlags>> = {'\r': {return: true}, '\n': {return: true}, '\t': {tab: true}, '\u007F': {backspace: true}, '\b': {backspace: true}};

/**
 * Splits what Ink delivers as one input (keys typed faster than the terminal is read, or a paste:
 * `/storefront\r`) into single key presses, control characters included.
 */
export function splitInput(input: string, key: KeyFlags): KeyPress[] {
	const special = key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.return || key.escape || key.tab || key.backspace || key.delete || key.ctrl;
	if ([...input].length <= 1 || special) return [{input, key}];
	return [...input].map(character => {
		const control = controlKeys[character];
		if (control) return {input: '', key: control};
		const code = character.codePointAt(0) ?? 0;
		// Ctrl-A .. Ctrl-Z
		if (code >= 1 && code <= 26) return {input: String.fromCodePoint(code + 96), key: {ctrl: true}};
		return {input: character, key: {shift: /[A-Z]/.test(character)}};
	});
}

/** `p / space`: how the help overlay shows keys. */
export function describeKeys(keys: readonly string[]): string {
	return keys.map(key => (key === 'ctrl+c' ? 'Ctrl-C' : (key === 'return' ? 'Enter' : (key === 'escape' ? 'Esc' : key)))).join(' / ');
}
