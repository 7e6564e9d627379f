import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		root: new URL('..', import.meta.url).pathname,
		include: ['test/**/*.test.{ts,tsx}'],
		pool: 'forks',
		testTimeout: 60_000,
		hookTimeout: 60_000,
		// Load tests need the two cores to themselves: run files one after another.
		fileParallelism: false,
		// vitest's own summary, then one plain `N passed, N failed, N skipped` line.
		reporters: ['default', './test/helpers/count-reporter.ts'],
		// Ink renders only the last frame when it believes it runs in CI (is-in-ci reads CI at
		// import): the TUI tests drive a live terminal, so they must not look like CI.
		env: {CI: 'false'},
	},
});
