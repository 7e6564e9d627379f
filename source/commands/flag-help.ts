import {kebab} from './argv.js';
import type {flagDefinitions} from './flags.js';

/*
 * What `--help` says about each flag and each sub-command, and what the shell completes for them:
 * one table that help.ts renders and completion.ts turns into bash, zsh and fish scripts. Loaded
 * only by those two (never at start-up). A flag added to flags.ts without a line here is a type
 * error; a new sub-command gets an entry in `commandHelp` (test/completion.test.ts holds it to
 * cli.tsx's command table).
 */

/** What the shell offers for a value or an argument. */
export type Completion =
	| {readonly files: string}
	| {readonly directories: true}
	| {readonly choices: readonly string[]};

/** Any file (`files: ''`), or files ending in this extension (directories too, to walk into). */
const anyFile: Completion = {files: ''};
const jsonFile: Completion = {files: 'json'};

/** The sections of --help, in order, each with an optional note under its flags. */
export const helpGroups = {
	target: {title: 'Target', note: 'Placeholders in a config\'s url, headers and bodies:\n${data.COLUMN} (its "data" CSV/NDJSON file), ${seq}, ${uuid},\n${now}, ${randomInt(1,100)}: see the readme, Data-driven requests'},
	profiles: {title: 'Profiles'},
	load: {title: 'Load'},
	network: {title: 'TLS and network'},
	thresholds: {title: 'Thresholds (exit 99 when one fails)'},
	baselines: {title: 'Baselines (before the parallel run, one connection, sequential)'},
	agents: {title: 'Distributed runs (one agent per machine or pod; merge their JSON reports afterwards)'},
	mergeCompare: {title: 'merge and compare'},
	importing: {title: 'import'},
	debugging: {title: 'Debugging'},
	output: {title: 'Output'},
	ci: {title: 'CI and monitoring outputs', note: 'each also a config key: junit, summary_md, csv, metrics_listen, progress;\nwith $GITHUB_STEP_SUMMARY set, the markdown summary is appended there'},
	demo: {title: 'demo and demo-server'},
} as const satisfies Record<string, {title: string; note?: string}>;

/** One flag's help: its section, the name of its value (none for a boolean), what it does. */
export type FlagHelp = {
	readonly group: keyof typeof helpGroups;
	readonly value?: string;
	/** One or more lines; a boolean whose default is true is shown as --no-NAME and said so. */
	readonly text: string;
	/** What the shell completes for the value (nothing: the user types it). */
	readonly complete?: Completion;
};

/** Every flag of flags.ts, in the order --help lists them in each section. */
export const flagHelp = {
	config: {group: 'target', value: 'FILE', text: 'JSON config (PyStress format, or several weighted "requests")', complete: jsonFile},
	url: {group: 'target', value: 'URL', text: 'quick target without a file'},
	urlsFile: {group: 'target', value: 'FILE', text: 'one URL a line (# comments), each a GET endpoint of equal\nweight; -m, -H and --body apply to every one', complete: anyFile},
	method: {group: 'target', value: 'METHOD', text: 'HTTP method (default GET)', complete: {choices: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']}},
	header: {group: 'target', value: '\'N: v\'', text: 'request header, repeatable'},
	body: {group: 'target', value: 'STRING', text: 'raw request body'},
	jsonBody: {group: 'target', value: 'STRING', text: 'JSON request body (sets Content-Type)'},
	profile: {group: 'profiles', value: 'NAME', text: 'run a saved profile (flags given override it)'},
	saveProfile: {group: 'profiles', value: 'NAME', text: 'save the config and the settings flags given as a profile'},
	threads: {group: 'load', value: 'N', text: 'worker threads (default: CPUs available, cgroup quota respected)'},
	connections: {group: 'load', value: 'N', text: 'concurrent connections across all threads (default 50)'},
	duration: {group: 'load', value: 'TIME', text: 'how long: 30, 30s, 2m (default 60s)'},
	requests: {group: 'load', value: 'N', text: 'stop after N requests instead'},
	rate: {group: 'load', value: 'N', text: 'open model: N requests/s across all threads'},
	maxConnections: {group: 'load', value: 'N', text: 'open model: let the pool grow to N connections to hold the rate'},
	maxLate: {group: 'load', value: 'TIME', text: 'open model: drop (and count) sends later than this (default 1s)'},
	rampUp: {group: 'load', value: 'TIME', text: 'rise linearly from 0 to the connections (or --rate) over TIME'},
	warmUp: {group: 'load', value: 'TIME', text: 'send at the full load for TIME first, counted apart and in no\nfigure (JIT, caches, connections warm); -d starts after it'},
	stage: {group: 'load', value: 'TIME:TARGET', text: 'ramp stage, repeatable: connections, or the rate with --rate'},
	grace: {group: 'load', value: 'TIME', text: 'how long a stop waits for in-flight requests (default 2s)'},
	httpClient: {group: 'load', value: 'NAME', text: 'socket (default: prebuilt requests on plain sockets, fastest)\nor undici (undici\'s Client, to cross-check a result)', complete: {choices: ['socket', 'undici']}},
	http2: {group: 'load', text: 'send over HTTP/2: h2 by ALPN for https://, h2c (prior\nknowledge) for http://'},
	streams: {group: 'load', value: 'N', text: 'with --http2: concurrent streams on each connection (default 1;\n-c 2 --streams 50 keeps 100 requests in flight)'},
	caFile: {group: 'network', value: 'FILE', text: 'PEM CA certificates to trust (instead of the default ones)', complete: anyFile},
	certFile: {group: 'network', value: 'FILE', text: 'client certificate for mutual TLS (PEM; needs --key-file)', complete: anyFile},
	keyFile: {group: 'network', value: 'FILE', text: 'its private key (PEM; never shown or reported)', complete: anyFile},
	servername: {group: 'network', value: 'NAME', text: 'TLS server name (SNI, and the name the certificate must carry)'},
	keepalive: {group: 'network', text: 'a new connection for every request (Connection: close);\nthe connect and TLS handshake count in its latency'},
	unixSocket: {group: 'network', value: 'PATH', text: 'connect to this unix socket; the URL gives Host and path', complete: anyFile},
	proxy: {group: 'network', value: 'URL', text: 'HTTP proxy http://[user:password@]host:port (http:// targets in\nabsolute form, https:// through CONNECT); wins over HTTP(S)_PROXY;\nNO_PROXY still applies; loopback is proxied unless NO_PROXY names it'},
	threshold: {group: 'thresholds', value: 'EXPR', text: 'repeatable: \'p99<300ms\' \'p95<1s\' \'errors<1%\' \'rps>500\',\n\'checks>99.9%\' (response checks); for one endpoint\n\'NAME:p99<300ms\''},
	abortOnFail: {group: 'thresholds', text: 'stop as soon as a threshold fails'},
	baseline: {group: 'baselines', text: 'skip the quick baseline (5 requests)'},
	baselineDuration: {group: 'baselines', value: 'T', text: 'also run an extended baseline for T (e.g. 30s)'},
	agents: {group: 'agents', value: 'N', text: 'this run is one of N agents: it takes its share of the load'},
	agentIndex: {group: 'agents', value: 'I', text: 'which agent, 0..N-1 (default: $JOB_COMPLETION_INDEX);\n{index} in --json, -o and --log becomes I; headless only'},
	startAt: {group: 'agents', value: 'ISO-TIME', text: 'load the workers, then start at this wall-clock time\n(e.g. 2026-11-28T21:00:00Z; no baseline then)'},
	startLateMax: {group: 'agents', value: 'TIME', text: 'an agent later than this at --start-at exits 3 (default 2s)'},
	expectAgents: {group: 'mergeCompare', value: 'N', text: 'merge: exit 1 unless all N agents\' reports are given'},
	allowPartial: {group: 'mergeCompare', text: 'merge: merge what is there when agents are missing'},
	failOn: {group: 'mergeCompare', value: 'EXPR', text: 'compare, repeatable: \'p99>+10%\' \'rps<-5%\' \'errors>+0.5pp\'\n\'checks<-0.5pp\'; exit 99 when a significant change passes the gate'},
	out: {group: 'importing', value: 'FILE', text: 'import: write the config here (default: stdout)', complete: jsonFile},
	filter: {group: 'importing', value: 'HOST', text: 'import har: keep the requests to HOST (and its subdomains)'},
	singleRequest: {group: 'debugging', text: 'send one request (token, auth and body included) and print the\nrequest, the response and a timing breakdown; exit 0 for 2xx/3xx'},
	cpuProf: {group: 'debugging', value: 'DIR', text: 'write V8 CPU profiles into DIR, one per thread: main-PID,\nworker-N-PID (load workers), baseline-N-PID (.cpuprofile; open\nthem in Chrome DevTools or VS Code)', complete: {directories: true}},
	headless: {group: 'output', text: 'plain progress lines and a summary (automatic when stdout or stdin is not a TTY, or CI=true)'},
	output: {group: 'output', value: 'FILE', text: 'HTML report path (default reports/pystress-<time>.html)', complete: anyFile},
	json: {group: 'output', value: 'FILE', text: 'JSON report path (default reports/pystress-<time>.json; - for stdout)', complete: jsonFile},
	report: {group: 'output', text: 'write no report files but those named by --output/--json'},
	log: {group: 'output', value: 'FILE', text: 'NDJSON request log: one line per finished attempt', complete: anyFile},
	logSample: {group: 'output', value: 'RATE', text: 'keep this fraction of attempts in the log (0..1, default 1)'},
	quiet: {group: 'output', text: 'no progress lines'},
	junit: {group: 'ci', value: 'FILE', text: 'JUnit XML: a testcase for the run, each threshold and check', complete: anyFile},
	summaryMd: {group: 'ci', value: 'FILE', text: 'a markdown summary: figures, latency, endpoints, thresholds, checks', complete: anyFile},
	csv: {group: 'ci', value: 'PREFIX', text: 'PREFIX-stats.csv (per endpoint and total) and PREFIX-timeline.csv', complete: anyFile},
	metricsListen: {group: 'ci', value: 'HOST:PORT', text: 'serve Prometheus metrics at http://HOST:PORT/metrics during the run\n(loopback unless HOST is given; port 0: any free one, printed)'},
	progress: {group: 'ci', value: 'FORMAT', text: 'ndjson: headless, one JSON object per second on stderr', complete: {choices: ['ndjson']}},
	port: {group: 'demo', value: 'N', text: 'demo-server: the port to listen on'},
} as const satisfies Record<keyof typeof flagDefinitions, FlagHelp>;

/** A sub-command: its usage line(s) and what the shell completes for its arguments. */
export type CommandHelp = {
	readonly name: string;
	readonly usage: string;
	/** The first argument; `after` maps a first argument to what the second is. */
	readonly first?: Completion;
	readonly after?: Readonly<Record<string, Completion>>;
	/** Every argument after the first. */
	readonly rest?: Completion;
};

/** Every sub-command of cli.tsx (no name: a test), in the order --help lists them. */
export const commandHelp: readonly CommandHelp[] = [
	{name: 'demo', usage: 'demo               run against the built-in demo target'},
	{name: 'demo-server', usage: 'demo-server        start the demo target alone'},
	{name: 'report', usage: 'report RUN.json [-o RUN.html]   regenerate the HTML report', first: jsonFile},
	{name: 'profiles', usage: 'profiles [list | show NAME | rm NAME]', first: {choices: ['list', 'show', 'rm']}},
	{name: 'merge', usage: 'merge A.json B.json ... [--json OUT] [-o OUT.html] [--expect-agents N]\n                  [--allow-partial] [--threshold EXPR]   merge reports exactly', first: jsonFile, rest: jsonFile},
	{name: 'compare', usage: 'compare BASE.json NEW.json [--fail-on EXPR ...] [--json OUT] [-o OUT.html]', first: jsonFile, rest: jsonFile},
	{name: 'import', usage: 'import curl \'curl -X POST https://... -H ... -d ...\' [--out FILE]\n$ pystress-tui import har FILE.har [--filter HOST] [--out FILE]   a config from either', first: {choices: ['curl', 'har']}, after: {har: {files: 'har'}}},
	{name: 'completion', usage: 'completion bash|zsh|fish   print a shell completion script', first: {choices: ['bash', 'zsh', 'fish']}},
];

/** How a flag is written on the command line: `--no-baseline` for a boolean whose default is true. */
export function flagName(key: string, shape: {readonly type: string; readonly default?: unknown}): string {
	return shape.type === 'boolean' && shape.default === true ? `--no-${kebab(key)}` : `--${kebab(key)}`;
}
