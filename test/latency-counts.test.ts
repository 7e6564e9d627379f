import * as hdr from 'hdr-histogram-js';
import {describe, expect, it} from 'vitest';
import {createHistogram, encodeHistogram, highestTrackableMicros, recordMicros, summarize, type Histogram} from '../source/stats/histogram.js';
import {addPairs, countsIndex, LatencyCounts, lowestValueAt} from '../source/stats/latency-counts.js';

/** The reference: hdr-histogram-js's own index for a value, in the layout createHistogram uses. */
const reference = createHistogram() as Histogram & {countsArrayIndex(value: number): number; valueFromIndex(index: number): number};

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state + 0x6D2B79F5) | 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** Every power of two and its neighbours, the sub-bucket edges of the first buckets, and random values on a log scale. */
function sampleValues(): number[] {
	const values = new Set<number>();
	for (let value = 1; value <= 5000; value++) values.add(value);
	for (let power = 0; power <= 31; power++) {
		for (const delta of [-2, -1, 0, 1, 2]) {
			const value = (2 ** power) + delta;
			if (value >= 1 && value <= highestTrackableMicros) values.add(value);
		}
	}

	const next = random(7);
	for (let index = 0; index < 200_000; index++) {
		values.add(Math.max(1, Math.floor(Math.exp(next() * Math.log(highestTrackableMicros)))));
	}

	values.add(highestTrackableMicros);
	return [...values];
}

describe('LatencyCounts: the worker\'s hand-written recording, checked against hdr-histogram-js', () => {
	const values = sampleValues();

	it('gives every value the index hdr-histogram-js gives it', () => {
		const wrong = values.filter(value => countsIndex(value) !== reference.countsArrayIndex(value));
		expect(wrong.slice(0, 5)).toEqual([]);
	});

	it('gives each index the lowest value hdr-histogram-js gives it', () => {
		const wrong: Array<{index: number; ours: number; reference: number}> = [];
		for (let index = 0; index <= countsIndex(highestTrackableMicros); index++) {
			if (lowestValueAt(index) !== reference.valueFromIndex(index)) {
				wrong.push({index, ours: lowestValueAt(index), reference: reference.valueFromIndex(index)});
			}
		}

		expect(wrong.slice(0, 5)).toEqual([]);
	});

	it.each([
		['one value', [420]],
		['one value many times', Array.from({length: 50}, () => 999)],
		['min and max in one bucket', [3000, 3001, 3001, 3000, 3002]],
		['fast loopback latencies', Array.from({length: 20_000}, (_, index) => 40 + ((index * 7919) % 900))],
		['a long tail, clamped at both ends', [0, -5, 1, 2, 2047, 2048, 2049, 123_456, 98_765_432, highestTrackableMicros, highestTrackableMicros * 2]],
		['random on a log scale', sampleValues().slice(-50_000)],
	])('adds up to exactly the histogram of recording each value: %s', (_name, latencies) => {
		const direct = createHistogram();
		const counts = new LatencyCounts();
		for (const latency of latencies) {
			recordMicros(direct, latency);
			counts.record(latency);
		}

		const built = createHistogram();
		addPairs(built, counts.take());
		expect(built.totalCount).toBe(direct.totalCount);
		expect(built.minNonZeroValue).toBe(direct.minNonZeroValue);
		expect(built.maxValue).toBe(direct.maxValue);
		expect(summarize(built)).toEqual(summarize(direct));
		// The standard encoding covers every count.
		expect(encodeHistogram(built)).toBe(encodeHistogram(direct));
		const decoded = hdr.decodeFromCompressedBase64(encodeHistogram(built), 32, false);
		expect(decoded.totalCount).toBe(latencies.length);
	});

	it('starts a new interval after take(), and an empty interval gives no pairs', () => {
		const counts = new LatencyCounts();
		counts.record(100);
		counts.record(5_000_000);
		expect(counts.take().length).toBe(4);
		expect(counts.count).toBe(0);
		expect(counts.take().length).toBe(0);
		counts.record(7);
		expect([...counts.take()]).toEqual([7, 1]);
	});
});
