import {afterEach, describe, expect, it} from 'vitest';
import {cliPath, runProgram} from './helpers/cli.js';
import {startTarget, type TargetServer} from './helpers/target-server.js';

const servers: TargetServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

/** V8's `--trace-deopt` lines that threw away Node's timer code for want of type feedback. */
function timerCodeThrownAway(trace: string): string[] {
	return trace.split('\n').filter(line => line.includes('<JSFunction listOnTimeout ') && line.includes('reason: Insufficient type feedback'));
}

describe("Node's timer code in a load worker", () => {
	// The worker's timers (the stall probe's, the snapshots') made V8 optimise Node's `listOnTimeout`
	// on lists that never empty. The first list that did, at the clock's start, threw that code away
	// and V8 compiled it again on the run's core, a second into the measured run. The worker now takes
	// the "list empty" branch while it starts (worker.ts, `exerciseEmptyTimerLists`).
	it('is compiled once: the clock start of an open-model run with a warm-up does not throw it away', async () => {
		const server = await startTarget();
		servers.push(server);
		const result = await runProgram(process.execPath, ['--trace-opt', '--trace-deopt', cliPath, '--url', `${server.url}/`, '--rate', '4000', '-c', '10', '-t', '1', '-d', '1', '--warm-up', '2s', '--headless', '--no-baseline', '--no-report']);
		expect(result.code, result.stderr).toBe(0);
		// Without this the test could not fail: V8 must have optimised the function within the run.
		expect(result.stdout).toMatch(/completed optimizing .*<JSFunction listOnTimeout /);
		expect(timerCodeThrownAway(result.stdout)).toEqual([]);
		// The requests went out: a run, not a start-up failure.
		expect(server.count).toBeGreaterThan(4000);
	});
});
