import {describe, expect, it} from 'vitest';
import {ArgvError, normalizeArgv, type FlagShape} from '../source/commands/argv.js';

const flags: Record<string, FlagShape> = {
	duration: {type: 'string', shortFlag: 'd'},
	header: {type: 'string', shortFlag: 'H', isMultiple: true},
	baseline: {type: 'boolean'},
	jsonBody: {type: 'string'},
	quiet: {type: 'boolean', shortFlag: 'q'},
};

describe('normalizeArgv', () => {
	it('keeps the last value of a single-value flag in every spelling', () => {
		expect(normalizeArgv(['-d', '1', '--duration=5', '--duration', '2', 'demo'], flags)).toEqual(['--duration', '2', 'demo']);
		expect(normalizeArgv(['--json-body', '{}', '--json-body={"a":1}'], flags)).toEqual(['--json-body={"a":1}']);
		expect(normalizeArgv(['--baseline', '--no-baseline', '-q', '-q'], flags)).toEqual(['--no-baseline', '-q']);
	});

	it('keeps every value of a repeatable flag, values that look like flags, and anything after --', () => {
		expect(normalizeArgv(['-H', 'A: 1', '--header', 'B: 2', '-d', '-5', '--', '--whatever'], flags)).toEqual(['-H', 'A: 1', '--header', 'B: 2', '-d', '-5', '--', '--whatever']);
		expect(normalizeArgv(['--help'], flags)).toEqual(['--help']);
	});

	it('names an unknown flag with the closest known one, and a flag missing its value', () => {
		expect(() => normalizeArgv(['--durtion', '2'], flags)).toThrow(new ArgvError('--durtion', 'unknown flag; did you mean --duration? (see --help)'));
		expect(() => normalizeArgv(['--zzzzzzzz'], flags)).toThrow(/not a pystress-tui flag/);
		expect(() => normalizeArgv(['-x'], flags)).toThrow(ArgvError);
		expect(() => normalizeArgv(['-d'], flags)).toThrow(/-d: needs a value/);
	});
});
