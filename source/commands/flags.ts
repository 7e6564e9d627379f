import type {TypedFlags} from 'meow';

/**
 * Every flag of the command line, as meow reads them. Each also has an entry in flag-help.ts (its
 * --help text and shell completion; a missing one is a type error) and a PYSTRESS_* variable
 * (env-flags.ts). Read at start-up: keep this file to the definitions.
 */
export const flagDefinitions = {
	config: {type: 'string'},
	url: {type: 'string', shortFlag: 'u'},
	method: {type: 'string', shortFlag: 'm'},
	header: {type: 'string', shortFlag: 'H', isMultiple: true},
	body: {type: 'string'},
	jsonBody: {type: 'string'},
	threads: {type: 'string', shortFlag: 't'},
	connections: {type: 'string', shortFlag: 'c'},
	duration: {type: 'string', shortFlag: 'd'},
	requests: {type: 'string', shortFlag: 'n'},
	rate: {type: 'string', shortFlag: 'R'},
	grace: {type: 'string'},
	httpClient: {type: 'string'},
	caFile: {type: 'string'},
	certFile: {type: 'string'},
	keyFile: {type: 'string'},
	servername: {type: 'string'},
	keepalive: {type: 'boolean', default: true},
	unixSocket: {type: 'string'},
	proxy: {type: 'string'},
	http2: {type: 'boolean', default: false},
	streams: {type: 'string'},
	urlsFile: {type: 'string'},
	maxConnections: {type: 'string'},
	maxLate: {type: 'string'},
	rampUp: {type: 'string'},
	warmUp: {type: 'string'},
	stage: {type: 'string', isMultiple: true},
	threshold: {type: 'string', isMultiple: true},
	abortOnFail: {type: 'boolean', default: false},
	singleRequest: {type: 'boolean', default: false},
	headless: {type: 'boolean', default: false},
	json: {type: 'string'},
	output: {type: 'string', shortFlag: 'o'},
	report: {type: 'boolean', default: true},
	log: {type: 'string'},
	logSample: {type: 'string'},
	quiet: {type: 'boolean', shortFlag: 'q', default: false},
	port: {type: 'string'},
	baseline: {type: 'boolean', default: true},
	profile: {type: 'string'},
	saveProfile: {type: 'string'},
	baselineDuration: {type: 'string'},
	cpuProf: {type: 'string'},
	// Distributed runs (agents) and the merge/compare sub-commands.
	agents: {type: 'string'},
	agentIndex: {type: 'string'},
	startAt: {type: 'string'},
	startLateMax: {type: 'string'},
	expectAgents: {type: 'string'},
	allowPartial: {type: 'boolean', default: false},
	failOn: {type: 'string', isMultiple: true},
	// CI and monitoring outputs.
	junit: {type: 'string'},
	summaryMd: {type: 'string'},
	csv: {type: 'string'},
	metricsListen: {type: 'string'},
	progress: {type: 'string'},
	// import curl|har.
	out: {type: 'string'},
	filter: {type: 'string'},
} as const;

/** `--json -` (read by cli.tsx as a marker) or a path that is this process's stdout: '-'. */
export const stdoutMarker = '\u0000stdout';

/** The parsed flags, typed. */
export type CliFlags = TypedFlags<typeof flagDefinitions>;
