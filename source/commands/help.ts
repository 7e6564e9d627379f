import meow from 'meow';
import {flagDefinitions, type CliFlags} from './flags.js';

/** `--help`: every flag, what it does and its default. */
export const helpText = `
	Usage
	  $ pystress-tui [--config FILE | --url URL | --urls-file FILE] [options]
	  $ pystress-tui demo               run against the built-in demo target
	  $ pystress-tui demo-server        start the demo target alone
	  $ pystress-tui report RUN.json [-o RUN.html]   regenerate the HTML report
	  $ pystress-tui profiles [list | show NAME | rm NAME]
	  $ pystress-tui merge A.json B.json ... [--json OUT] [-o OUT.html] [--expect-agents N]
	                    [--allow-partial] [--threshold EXPR]   merge reports exactly
	  $ pystress-tui compare BASE.json NEW.json [--fail-on EXPR ...] [--json OUT] [-o OUT.html]

	In a terminal it opens the interactive TUI (config picker, settings, live dashboard);
	with --headless, or when stdout is not a terminal, it prints plain lines.

	Target
	  --config FILE          JSON config (PyStress format, or several weighted "requests")
	  -u, --url URL          quick target without a file
	  --urls-file FILE       one URL a line (# comments), each a GET endpoint of equal
	                         weight; -m, -H and --body apply to every one
	  -m, --method METHOD    HTTP method (default GET)
	  -H, --header 'N: v'    request header, repeatable
	  --body STRING          raw request body
	  --json-body STRING     JSON request body (sets Content-Type)
	                         Placeholders in a config's url, headers and bodies:
	                         \${data.COLUMN} (its "data" CSV/NDJSON file), \${seq}, \${uuid},
	                         \${now}, \${randomInt(1,100)}: see the readme, Data-driven requests

	Profiles
	  --profile NAME         run a saved profile (flags given override it)
	  --save-profile NAME    save the config and the settings flags given as a profile

	Load
	  -t, --threads N        worker threads (default: CPUs available, cgroup quota respected)
	  -c, --connections N    concurrent connections across all threads (default 50)
	  -d, --duration TIME    how long: 30, 30s, 2m (default 60s)
	  -n, --requests N       stop after N requests instead
	  -R, --rate N           open model: N requests/s across all threads
	  --max-connections N    open model: let the pool grow to N connections to hold the rate
	  --max-late TIME        open model: drop (and count) sends later than this (default 1s)
	  --ramp-up TIME         rise linearly from 0 to the connections (or --rate) over TIME
	  --warm-up TIME         send at the full load for TIME first, counted apart and in no
	                         figure (JIT, caches, connections warm); -d starts after it
	  --stage TIME:TARGET    ramp stage, repeatable: connections, or the rate with --rate
	  --grace TIME           how long a stop waits for in-flight requests (default 2s)
	  --http-client NAME     socket (default: prebuilt requests on plain sockets, fastest)
	                         or undici (undici's Client, to cross-check a result)

	TLS and network
	  --ca-file FILE         PEM CA certificates to trust (with the system ones)
	  --cert-file FILE       client certificate for mutual TLS (PEM; needs --key-file)
	  --key-file FILE        its private key (PEM; never shown or reported)
	  --servername NAME      TLS server name (SNI, and the name the certificate must carry)
	  --no-keepalive         a new connection for every request (Connection: close);
	                         the connect and TLS handshake count in its latency
	  --unix-socket PATH     connect to this unix socket; the URL gives Host and path

	Thresholds (exit 99 when one fails)
	  --threshold EXPR       repeatable: 'p99<300ms' 'p95<1s' 'errors<1%' 'rps>500',
	                         'checks>99.9%' (response checks); for one endpoint
	                         'NAME:p99<300ms'
	  --abort-on-fail        stop as soon as a threshold fails

	Baselines (before the parallel run, one connection, sequential)
	  --no-baseline          skip the quick baseline (5 requests)
	  --baseline-duration T  also run an extended baseline for T (e.g. 30s)

	Distributed runs (one agent per machine or pod; merge their JSON reports afterwards)
	  --agents N             this run is one of N agents: it takes its share of the load
	  --agent-index I        which agent, 0..N-1 (default: $JOB_COMPLETION_INDEX);
	                         {index} in --json, -o and --log becomes I; headless only
	  --start-at ISO-TIME    load the workers, then start at this wall-clock time
	                         (e.g. 2026-11-28T21:00:00Z; no baseline then)
	  --start-late-max TIME  an agent later than this at --start-at exits 3 (default 2s)

	merge and compare
	  --expect-agents N      merge: exit 1 unless all N agents' reports are given
	  --allow-partial        merge: merge what is there when agents are missing
	  --fail-on EXPR         compare, repeatable: 'p99>+10%' 'rps<-5%' 'errors>+0.5pp';
	                         exit 99 when a significant change passes the gate

	Debugging
	  --single-request       send one request (token, auth and body included) and print the
	                         request, the response and a timing breakdown; exit 0 for 2xx/3xx
	  --cpu-prof DIR         write V8 CPU profiles into DIR, one per thread: main-PID,
	                         worker-N-PID (load workers), baseline-N-PID (.cpuprofile; open
	                         them in Chrome DevTools or VS Code)

	Output
	  --headless             plain progress lines and a summary (automatic when stdout is not a TTY)
	  -o, --output FILE      HTML report path (default reports/pystress-<time>.html)
	  --json FILE            JSON report path (default reports/pystress-<time>.json; - for stdout)
	  --no-report            write no report files but those named by --output/--json
	  --log FILE             NDJSON request log: one line per finished attempt
	  --log-sample RATE      keep this fraction of attempts in the log (0..1, default 1)
	  -q, --quiet            no progress lines

	A flag that takes one value keeps the last one when given twice (-d 1 -d 2 runs 2 s).

	Exit codes: 0 done, 1 runtime failure (no response at all, unwritable report),
	2 usage or config error, 3 later than --start-late-max for --start-at (nothing sent),
	99 a threshold failed (never an agent: merge judges), 130/143 stopped by SIGINT/SIGTERM
	(headless; the report of what was measured is still written).
`;

/**
 * Reads argv with meow: `--help` and `--version` (which meow answers and exits), and any argv the
 * fast reader (`parse-flags.ts`) leaves to it. Loaded only then: meow costs start-up time.
 */
export function parseWithMeow(argv: readonly string[]): {input: string[]; flags: CliFlags} {
	const cli = meow(helpText, {importMeta: import.meta, argv: [...argv], allowUnknownFlags: false, flags: flagDefinitions});
	return {input: cli.input, flags: cli.flags};
}
