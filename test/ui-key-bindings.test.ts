import {describe, expect, it} from 'vitest';
import {hintText} from '../source/ui/components/key-hints.js';
import {describeKeys, keyBindings, keyName, matchKey, splitInput, typedText, type KeyContext} from '../source/ui/state/key-bindings.js';

describe('key names', () => {
	it('normalizes Ink input and flags', () => {
		expect(keyName('p', {})).toBe('p');
		expect(keyName('P', {shift: true})).toBe('P');
		expect(keyName(' ', {})).toBe('space');
		expect(keyName('c', {ctrl: true})).toBe('ctrl+c');
		expect(keyName('', {upArrow: true})).toBe('up');
		expect(keyName('', {downArrow: true})).toBe('down');
		expect(keyName('', {return: true})).toBe('return');
		expect(keyName('', {escape: true})).toBe('escape');
		expect(keyName('', {tab: true, shift: true})).toBe('shift+tab');
		// Terminals send DEL for Backspace; Ink calls it delete.
		expect(keyName('', {delete: true})).toBe('backspace');
	});

	it('says what a key types into a text field', () => {
		expect(typedText('a', {})).toBe('a');
		expect(typedText('127.0.0.1:80/x', {})).toBe('127.0.0.1:80/x');
		expect(typedText('c', {ctrl: true})).toBeUndefined();
		expect(typedText('', {return: true})).toBeUndefined();
		expect(typedText('\u001B', {})).toBeUndefined();
	});
});

describe('a chunk of several keys', () => {
	it('is split into single key presses, control characters included', () => {
		const presses = splitInput('/ab\r\u007Fp\u0003', {});
		expect(presses.map(press => keyName(press.input, press.key))).toEqual(['/', 'a', 'b', 'return', 'backspace', 'p', 'ctrl+c']);
		expect(splitInput('P', {shift: true})).toEqual([{input: 'P', key: {shift: true}}]);
		expect(splitInput('', {upArrow: true})).toEqual([{input: '', key: {upArrow: true}}]);
		expect(splitInput('Ab', {})[0]).toEqual({input: 'A', key: {shift: true}});
	});
});

describe('dashboard bindings', () => {
	const dashboard = (name: string) => matchKey('dashboard', name);

	it('are exactly the documented keys', () => {
		expect(dashboard('p')).toBe('pause');
		expect(dashboard('space')).toBe('pause');
		expect(dashboard('+')).toBe('threads-up');
		expect(dashboard('-')).toBe('threads-down');
		expect(dashboard(']')).toBe('connections-up');
		expect(dashboard('[')).toBe('connections-down');
		expect(dashboard('>')).toBe('rate-up');
		expect(dashboard('<')).toBe('rate-down');
		expect(dashboard('s')).toBe('save');
		expect(dashboard('P')).toBe('save-profile');
		expect(dashboard('q')).toBe('stop');
		expect(dashboard('ctrl+c')).toBe('interrupt');
		expect(dashboard('?')).toBe('help');
		const bound = keyBindings.dashboard.flatMap(binding => binding.keys).sort();
		expect(bound).toEqual(['+', '-', '<', '>', '?', 'P', '[', ']', 'ctrl+c', 'p', 'q', 's', 'space'].sort());
	});

	it('ignore unbound keys', () => {
		expect(dashboard('x')).toBeUndefined();
		expect(dashboard('S')).toBeUndefined();
		expect(dashboard('=')).toBeUndefined();
	});
});

describe('every context', () => {
	const contexts = Object.keys(keyBindings) as KeyContext[];

	it('binds Ctrl-C, and no key twice', () => {
		for (const context of contexts) {
			expect(matchKey(context, 'ctrl+c'), context).toBe('interrupt');
			const keys = keyBindings[context].flatMap(binding => binding.keys);
			expect(new Set(keys).size, context).toBe(keys.length);
		}
	});

	it('maps the picker and summary keys', () => {
		expect(matchKey('picker', 'j')).toBe('down');
		expect(matchKey('picker', 'down')).toBe('down');
		expect(matchKey('picker', 'k')).toBe('up');
		expect(matchKey('picker', '/')).toBe('filter');
		expect(matchKey('picker', 'u')).toBe('type-url');
		expect(matchKey('picker', 'return')).toBe('choose');
		expect(matchKey('summary', 's')).toBe('save');
		expect(matchKey('summary', 'r')).toBe('run-again');
		expect(matchKey('summary', 'q')).toBe('quit');
		expect(matchKey('settings', 'return')).toBe('start');
		expect(matchKey('help', 'escape')).toBe('close');
		// In a text field, letters type: only control keys are bound.
		expect(matchKey('text', 'q')).toBeUndefined();
		expect(matchKey('text', 'p')).toBeUndefined();
	});

	it('describes keys for the help and fits the hint bar in 80 columns', () => {
		expect(describeKeys(['p', 'space'])).toBe('p / space');
		expect(describeKeys(['ctrl+c'])).toBe('Ctrl-C');
		const bar = hintText('dashboard', 80);
		expect(bar.length).toBeLessThanOrEqual(80);
		for (const part of ['p pause', '+/- threads', ']/[ conns', '>/< rate', 's save', 'P profile', 'q stop', '? help']) {
			expect(bar).toContain(part);
		}

		expect(hintText('dashboard', 30).length).toBeLessThanOrEqual(30);
	});
});
