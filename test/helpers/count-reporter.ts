import {writeSync} from 'node:fs';
import type {Reporter, TestModule} from 'vitest/node';

/**
 * Ends the run with one plain line, `N passed, N failed, N skipped`, that CI and other tools read
 * in any language (vitest's own summary is coloured and spread over several lines).
 */
export default class CountReporter implements Reporter {
	onTestRunEnd(testModules: readonly TestModule[]): void {
		let passed = 0;
		let failed = 0;
		let skipped = 0;
		for (const module of testModules) {
			for (const test of module.children.allTests()) {
				const {state} = test.result();
				if (state === 'passed') passed++;
				else if (state === 'failed') failed++;
				else skipped++;
			}
		}

		// Last, after vitest's own summary: written as the process exits.
		process.once('exit', () => {
			writeSync(1, `${passed} passed, ${failed} failed, ${skipped} skipped\n`);
		});
	}
}
