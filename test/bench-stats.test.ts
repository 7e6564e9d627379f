/** The bench's small statistics (test/bench/stats.ts), against values worked out by hand. */
import {describe, expect, it} from 'vitest';
import {meanInterval, median, spread} from './bench/stats.js';
import {ratioLine, ratioRow} from './bench/summary.js';

describe('bench statistics', () => {
	it('a mean with its 95% interval: Student\'s t for few rounds', () => {
		// 1..5: mean 3, sample sd sqrt(2.5); t(4) = 2.776; half = 2.776 * sqrt(2.5 / 5).
		const {mean, half} = meanInterval([1, 2, 3, 4, 5]);
		expect(mean).toBe(3);
		expect(half).toBeCloseTo(2.776 * Math.sqrt(0.5), 9);
		// 15 values: t(14) = 2.145; 35 values: t(34) takes the table's 30 (2.042), a wider interval.
		const fifteen = Array.from({length: 15}, (_, index) => index % 2);
		// Eight 0s and seven 1s: mean 7/15, squared deviations 8 * (7/15)^2 + 7 * (8/15)^2 = 840/225.
		const sd15 = Math.sqrt(840 / 225 / 14);
		expect(meanInterval(fifteen).half).toBeCloseTo(2.145 * sd15 / Math.sqrt(15), 9);
		const thirtyFive = Array.from({length: 35}, (_, index) => index % 2);
		const {mean: mean35, half: half35} = meanInterval(thirtyFive);
		const sd35 = Math.sqrt(thirtyFive.reduce((sum, value) => sum + ((value - mean35) ** 2), 0) / 34);
		expect(half35).toBeCloseTo(2.042 * sd35 / Math.sqrt(35), 9);
		expect(meanInterval([2]).half).toBeNaN();
		expect(meanInterval([]).mean).toBeNaN();
	});

	it('median and spread', () => {
		expect(median([3, 1, 2])).toBe(2);
		expect(median([4, 1, 3, 2])).toBe(2.5);
		expect(spread([90, 100, 110])).toBeCloseTo(0.2, 9);
	});

	it('a ratio row gives the mean and interval from 5 rounds on, and its line prints them', () => {
		const format = (value: number): string => `${value} µs`;
		const three = ratioRow({case: 'body', measure: 'x', ours: [1, 1, 1], reference: [1, 1, 1], referenceName: 'wrk', format});
		expect(three.mean).toBeUndefined();
		expect(ratioLine(three)).not.toContain('±');
		const five = ratioRow({case: 'body', measure: 'x', ours: [101, 102, 103, 104, 105], reference: [100, 100, 100, 100, 100], referenceName: 'wrk', format, target: {text: '<= 1.00', met: ratio => ratio <= 1}});
		expect(five.mean).toBeCloseTo(1.03, 9);
		expect(five.ci95).toBeCloseTo(2.776 * Math.sqrt(0.000_25 / 5), 9);
		expect(ratioLine(five)).toBe(`median x: 1.030 (range 1.010-1.050; mean 1.030 ± 0.020 at 95%; ours 103 µs, wrk 100 µs), target <= 1.00: MISSED`);
	});
});
