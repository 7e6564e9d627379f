/**
 * The TCP congestion control the bench's traffic runs under, and BENCH_CC: the whole bench again
 * in a private network namespace with another one, the machine's own setting untouched.
 *
 * Why it matters: on loopback, with bbr and no fq qdisc on lo (this machine's setting), the
 * sender paces every burst with its own high-resolution timers. Serving 1 MiB bodies, nginx then
 * spends about 450 µs of CPU per MiB, against about 55 µs under cubic, Linux's default, which sends
 * what the window allows at once; the body case then measures those timers more than the client.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';

const sysctlFile = '/proc/sys/net/ipv4/tcp_congestion_control';
/** Set in the re-executed bench: the namespace is made and its congestion control set. */
const insideVariable = 'PYSTRESS_BENCH_NETNS';

/** The congestion control of this network namespace (new connections take it). */
export function congestionControl(): string {
	try {
		return readFileSync(sysctlFile, 'utf8').trim();
	} catch {
		return 'unknown';
	}
}

/** A line for the bench's header. */
export function congestionLine(): string {
	const name = congestionControl();
	const where = process.env[insideVariable] === undefined ? 'this machine\'s' : 'a private network namespace\'s (BENCH_CC)';
	const pacing = name === 'bbr' ? '; without an fq qdisc on lo, bbr paces each burst with the kernel\'s timers, which nginx pays for in the body case' : '';
	return `TCP congestion control: ${name}, ${where}${pacing}`;
}

/** The congestion controls this kernel has loaded (the names BENCH_CC may take). */
export function availableCongestionControls(): string[] {
	try {
		return readFileSync('/proc/sys/net/ipv4/tcp_available_congestion_control', 'utf8').trim().split(/\s+/);
	} catch {
		return [];
	}
}

/**
 * With BENCH_CC=NAME (`wanted`, checked against the kernel by options.ts), runs this bench again
 * inside `unshare --net` with lo up and NAME as the congestion control, and exits with its status;
 * returns when there is nothing to do (no BENCH_CC, or already inside). Needs root for the
 * namespace and `ip` (iproute2) for lo; says which is missing in one line, exit 2.
 */
export function enterCongestionNamespace(wanted: string | undefined, env: NodeJS.ProcessEnv): void {
	if (wanted === undefined || env[insideVariable] !== undefined) return;
	const fail = (message: string): never => {
		console.error(`BENCH_CC: ${message}`);
		process.exit(2);
	};

	if (process.getuid?.() !== 0) fail('needs root: the bench runs in a private network namespace (unshare --net) to set it without touching the machine\'s');
	const ip = ['/usr/sbin/ip', '/usr/bin/ip', '/sbin/ip', '/bin/ip'].find(candidate => existsSync(candidate));
	if (ip === undefined) fail('needs ip to bring lo up in the namespace: apt install iproute2');
	// In the namespace: lo up, the congestion control set (this namespace's alone), then the same bench.
	const script = `"${ip}" link set lo up && echo "$1" > ${sysctlFile} && shift && exec "$@"`;
	const result = spawnSync('unshare', ['--net', '--', 'sh', '-c', script, 'sh', wanted, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {stdio: 'inherit', env: {...env, [insideVariable]: wanted}});
	if (result.error) fail(`unshare could not run (${result.error.message}); it is in util-linux`);
	process.exit(result.status ?? 1);
}
