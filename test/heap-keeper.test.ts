import v8 from 'node:v8';
import {describe, expect, it} from 'vitest';
import {HeapKeeper} from '../source/engine/heap-keeper.js';

const mb = 1024 * 1024;

/** Bytes in use outside the young generation, as the keeper counts them. */
function oldBytes(): number {
	return v8.getHeapSpaceStatistics()
		.filter(space => space.space_name !== 'new_space' && space.space_name !== 'new_large_object_space')
		.reduce((sum, space) => sum + space.space_used_size, 0);
}

/** Leaves about 16 MB of garbage in the old generation (arrays this big go straight to the large-object space). */
function leaveOldGarbage(): number {
	let arrays: number[][] | undefined = Array.from({length: 2}, () => new Array<number>(1_000_000).fill(1.5));
	const length = arrays.reduce((sum, array) => sum + array.length, 0);
	arrays = undefined;
	return length;
}

describe('heap keeper (a load worker\'s old generation over a long run)', () => {
	it('collects old garbage once it grows past the budget, no more often than the spacing', () => {
		const keeper = new HeapKeeper(0, 4 * mb, 1000);
		expect(keeper.active).toBe(true);
		expect(keeper.check(0)).toBe(false);

		// Not within the spacing after its start, however much garbage.
		expect(leaveOldGarbage()).toBe(2_000_000);
		expect(keeper.check(999)).toBe(false);
		const before = oldBytes();
		expect(keeper.check(10_000)).toBe(true);
		expect(oldBytes()).toBeLessThan(before - (12 * mb));

		// Within the spacing it waits, even past the budget; after it, it collects again.
		leaveOldGarbage();
		expect(keeper.check(10_500)).toBe(false);
		expect(keeper.check(11_000)).toBe(true);
		// Nothing new: no collection.
		expect(keeper.check(20_000)).toBe(false);
	});
});
