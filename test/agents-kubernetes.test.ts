import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {parseAllDocuments} from 'yaml';
import {normalizeArgv} from '../source/commands/argv.js';
import {parseDurationMs} from '../source/config/duration.js';
import {flagDefinitions, type CliFlags} from '../source/commands/flags.js';
import {parseWithMeow} from '../source/commands/help.js';
import {parseFlags} from '../source/commands/parse-flags.js';
import {defaultThreads, type Hardware} from '../source/engine/hardware.js';
import {agentOutputFlags, parseStartAt} from '../source/session/agents.js';
import {prepareRun} from '../source/session/prepare.js';
import {cliPath, rootDir, runCli, runProgram} from './helpers/cli.js';
import {useTargets} from './helpers/target-server.js';

const target = useTargets(afterEach);

/** The parts of the manifests the test reads (the YAML is untyped). */
type Container = {
	name: string;
	image: string;
	args?: string[];
	command?: string[];
	env?: Array<{name: string; value?: string; valueFrom?: {fieldRef?: {fieldPath: string}}}>;
	resources?: {requests?: Record<string, string>; limits?: Record<string, string>};
	volumeMounts?: Array<{name: string; mountPath: string}>;
};
type PodSpec = {
	restartPolicy: string;
	containers: Container[];
	initContainers?: Container[];
	volumes: Array<{name: string; persistentVolumeClaim?: {claimName: string}; configMap?: {name: string}}>;
};
type Manifest = {kind: string; metadata: {name: string}; spec?: Record<string, unknown> & {template?: {spec: PodSpec}}; data?: Record<string, string>};

const manifestPath = path.join(rootDir, 'config-examples/kubernetes/pystress-job.yaml');
const startAt = '2026-11-28T22:00:00Z';

/** The manifests as `envsubst '$START_AT'` hands them to kubectl. */
function manifests(): Manifest[] {
	const text = readFileSync(manifestPath, 'utf8').replaceAll('${START_AT}', startAt);
	return parseAllDocuments(text).map(document => {
		expect(document.errors).toEqual([]);
		return document.toJS() as Manifest;
	}).filter(Boolean);
}

/** What Kubernetes does to `$(VAR)` in args: the container's env values. */
function expand(args: readonly string[], container: Container, env: Record<string, string>): string[] {
	return args.map(arg => arg.replaceAll(/\$\((\w+)\)/g, (_, name: string) => env[name] ?? container.env?.find(variable => variable.name === name)?.value ?? `$(${name})`));
}

/** The CLI's own reading of an argv (as cli.tsx does it). */
function cliFlags(argv: readonly string[]): CliFlags {
	const normalized = normalizeArgv([...argv], flagDefinitions);
	return (parseFlags<CliFlags>(normalized, flagDefinitions) ?? parseWithMeow(normalized)).flags;
}

const hardwareWithQuota = (cpuQuota: number): Hardware => ({cpuModel: 'test', physicalCores: 16, logicalProcessors: 32, availableParallelism: 32, cpuQuota, totalMemoryBytes: 2 ** 34, freeMemoryBytes: 2 ** 33, node: 'v20', platform: 'linux', arch: 'x64', coresSource: 'cpuinfo'});

/** A shell glob with `*` as a regular expression. */
const globPattern = (glob: string): RegExp => new RegExp(`^${glob.split('*').map(part => part.replaceAll(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);

describe('config-examples/kubernetes: the Indexed Job agrees with the flags', () => {
	const all = manifests();
	const job = (name: string): Manifest => {
		const found = all.find(manifest => manifest.kind === 'Job' && manifest.metadata.name === name);
		expect(found, name).toBeDefined();
		return found!;
	};

	const agents = job('pystress-agents');
	const merge = job('pystress-merge');
	const agentPod = agents.spec!.template!.spec;
	const agent = agentPod.containers[0]!;
	const agentFlags = cliFlags(expand(agent.args!, agent, {}));
	const count = Number(agentFlags.agents);

	it('N agents at once, indexed, never retried, on a CPU quota the thread default follows', () => {
		expect(agents.spec!['completionMode']).toBe('Indexed');
		expect(count).toBeGreaterThan(1);
		expect(agents.spec!['completions']).toBe(count);
		expect(agents.spec!['parallelism']).toBe(count);
		expect(agents.spec!['backoffLimitPerIndex']).toBe(0);
		expect(agentPod.restartPolicy).toBe('Never');
		expect(agentPod.containers).toHaveLength(1);
		const {requests, limits} = agent.resources!;
		expect(limits!['cpu']).toBe(requests!['cpu']);
		expect(limits!['memory']).toBe(requests!['memory']);
		// The quota (the CPU limit) sets the threads: one per CPU of the quota.
		expect(defaultThreads(hardwareWithQuota(Number(limits!['cpu']))).threads).toBe(Number(limits!['cpu']));
	});

	it('the index comes from JOB_COMPLETION_INDEX and the start is one ISO time for all', () => {
		expect(agentFlags.agentIndex).toBeUndefined();
		const index = agent.env!.find(variable => variable.name === 'JOB_COMPLETION_INDEX');
		// Kubernetes sets it in an Indexed Job; the manifest spells out the same source.
		expect(index?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.annotations[\'batch.kubernetes.io/job-completion-index\']');
		expect(agentFlags.startAt).toBe(startAt);
		expect(parseStartAt(agentFlags.startAt!)).toBe(Date.parse(startAt));
		expect(agentFlags.headless).toBe(true);
	});

	it('every agent resolves to its own index and share, and writes where the merge step reads', () => {
		const configMap = all.find(manifest => manifest.kind === 'ConfigMap')!;
		const configMount = agent.volumeMounts!.find(mount => agentPod.volumes.find(volume => volume.name === mount.name)?.configMap?.name === configMap.metadata.name)!;
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-k8s-'));
		for (const [file, text] of Object.entries(configMap.data!)) writeFileSync(path.join(directory, file), text);
		// The config file the agents read, from the ConfigMap, at the path they read it from.
		expect(agentFlags.config!.startsWith(`${configMount.mountPath}/`)).toBe(true);
		const flags = {...agentFlags, config: path.join(directory, path.relative(configMount.mountPath, agentFlags.config!))};

		const [mergeContainer] = merge.spec!.template!.spec.containers;
		const mergeCommand = mergeContainer!.command!.at(-1)!.replace(/^exec /, '').split(/\s+/);
		expect(mergeCommand.slice(0, 2)).toEqual(['pystress-tui', 'merge']);
		const firstFlag = mergeCommand.findIndex(token => token.startsWith('-'));
		const inputs = mergeCommand.slice(2, firstFlag);
		const mergeFlags = cliFlags(mergeCommand.slice(firstFlag));
		expect(Number(mergeFlags.expectAgents)).toBe(count);
		expect(mergeFlags.allowPartial).toBe(false);

		// Both jobs mount the same claim at the same path: the reports are on the shared volume.
		const claimMount = (pod: PodSpec, container: Container): string => {
			const mount = container.volumeMounts!.find(each => pod.volumes.find(volume => volume.name === each.name)?.persistentVolumeClaim)!;
			return `${pod.volumes.find(volume => volume.name === mount.name)!.persistentVolumeClaim!.claimName}:${mount.mountPath}`;
		};

		expect(claimMount(merge.spec!.template!.spec, mergeContainer!)).toBe(claimMount(agentPod, agent));
		const totals = {connections: 0, rate: 0};
		const reports: string[] = [];
		for (let index = 0; index < count; index++) {
			const prepared = prepareRun(flags, hardwareWithQuota(2), {JOB_COMPLETION_INDEX: String(index)});
			expect(prepared.agent).toMatchObject({index, count});
			expect(prepared.startAt?.atMs).toBe(Date.parse(startAt));
			totals.connections += prepared.settings.connections;
			totals.rate += prepared.settings.rate ?? 0;
			const outputs = agentOutputFlags(flags, prepared.agent);
			expect(outputs.json).not.toContain('{index}');
			reports.push(outputs.json!);
			// Each agent's report is one of the merge step's inputs, and on the shared volume.
			expect(inputs.some(input => globPattern(input).test(outputs.json!)), outputs.json).toBe(true);
		}

		expect(new Set(reports).size).toBe(count);
		expect(totals.connections).toBe(Number(agentFlags.connections));
		expect(totals.rate).toBeCloseTo(Number(agentFlags.rate), 9);
	});

	it('the merge waits for N reports and for the run\'s length; its wait script ends as soon as they are there', () => {
		const wait = merge.spec!.template!.spec.initContainers![0]!;
		const env = Object.fromEntries(wait.env!.map(variable => [variable.name, variable.value!]));
		expect(Number(env['AGENTS'])).toBe(count);
		expect(env['START_AT']).toBe(startAt);
		expect(Number(env['RUN_SECONDS']) * 1000).toBe(parseDurationMs(agentFlags.duration!));
		// Run the script itself, /results pointing at a folder that already holds N reports.
		const results = mkdtempSync(path.join(os.tmpdir(), 'pystress-k8s-results-'));
		for (let index = 0; index < count; index++) writeFileSync(path.join(results, `agent-${index}.json`), '{}');
		const script = wait.command!.at(-1)!.replaceAll('/results', results);
		const output = execFileSync('sh', ['-c', script], {env: {...process.env, ...env}, timeout: 10_000, encoding: 'utf8'});
		expect(output).toContain('agent-0.json');
	});
});

describe('config-examples/kubernetes: its commands, run here', () => {
	it('the agents\' args (a loopback target, a short run appended: the last value of a flag wins) and the merge step\'s command give one merged report', async () => {
		const server = await target();
		const all = manifests();
		const agents = all.find(manifest => manifest.metadata.name === 'pystress-agents')!;
		const merge = all.find(manifest => manifest.metadata.name === 'pystress-merge')!;
		const agent = agents.spec!.template!.spec.containers[0]!;
		const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-k8s-run-'));
		writeFileSync(path.join(directory, 'test.json'), JSON.stringify({url: `${server.url}/`}));
		const results = path.join(directory, 'results');
		const here = (arg: string): string => arg.replace(/^\/config\//, `${directory}/`).replace(/^\/results\//, `${results}/`);
		const args = expand(agent.args!, agent, {START_AT: new Date(Date.now() + 3000).toISOString()}).map(arg => here(arg));
		const count = Number(agents.spec!['completions']);
		const runs = await Promise.all(Array.from({length: count}, async (_, index) => runCli([...args, '-d', '1', '--rate', '30', '-c', '3', '--max-connections', '6', '-q'], {env: {JOB_COMPLETION_INDEX: String(index)}})));
		for (const run of runs) expect(run.code, run.stderr).toBe(0);
		const command = merge.spec!.template!.spec.containers[0]!.command!.at(-1)!.replaceAll('/results', results).replace('pystress-tui', `"${process.execPath}" "${cliPath}"`);
		const merged = await runProgram('sh', ['-c', command]);
		expect(merged.code, merged.stderr).toBe(0);
		const report = JSON.parse(readFileSync(path.join(results, 'merged.json'), 'utf8')) as {summary: {requests: number}};
		expect(report.summary.requests).toBe(server.count);
		expect(server.count).toBeGreaterThan(20);
		expect(merged.stdout).toContain(`merged from ${count} reports (${count} agents expected)`);
	}, 60_000);
});
