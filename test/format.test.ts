import {describe, expect, it} from 'vitest';
import {formatCount, formatMs, formatRate} from '../source/report/format.js';

// The reference: what format.ts wrote before it grouped digits by hand (Intl loads ICU's data).
const intl = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});

/** A deterministic spread of numbers: every magnitude, halves, negatives, past 2^53 and 1e21. */
function samples(): number[] {
	const values = [0, -0, 0.5, 1.5, 2.5, -0.5, -0.3, -2.5, 0.499_999_999_999_999_94, 999.5, 1e21, 1.5e21, 2 ** 53, 2 ** 53 + 2, 2 ** 60, 2 ** 70, 1.797_693_134_862_315_7e308, 5e-324, 123_456_789.5, -1_234_567.49];
	let seed = 12_345;
	const random = (): number => {
		seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
		return seed / 2_147_483_648;
	};

	for (let index = 0; index < 20_000; index++) {
		const magnitude = 10 ** Math.floor(random() * 25);
		const value = random() * magnitude;
		values.push(value, -value, Math.floor(value) + 0.5, Math.round(value));
	}

	return values;
}

describe('number formatting', () => {
	it('prints whole numbers as Intl.NumberFormat en-US does, for every magnitude, half and sign', () => {
		for (const value of samples()) {
			expect(formatCount(value), String(value)).toBe(intl.format(value));
		}

		for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
			expect(formatCount(value)).toBe(intl.format(value));
		}
	});

	it('uses it for rates from 100 and milliseconds from 100', () => {
		expect(formatRate(99.94)).toBe('99.9');
		expect(formatRate(123_456.5)).toBe('123,457');
		expect(formatMs(1234.5)).toBe('1,235 ms');
		expect(formatMs(99.5)).toBe('99.5 ms');
	});
});
