import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {runCli} from './helpers/cli.js';
import {startTarget, type TargetServer} from './helpers/target-server.js';

const servers: TargetServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async server => server.close()));
});

const directory = mkdtempSync(path.join(os.tmpdir(), 'pystress-agents-data-'));
writeFileSync(path.join(directory, 'items.csv'), `id\n${Array.from({length: 60}, (_, index) => `item-${index}`).join('\n')}\n`);

describe('an endpoint with placeholders', () => {
	it('is named by its URL as written, placeholders and all (not percent-encoded)', async () => {
		const server = await startTarget();
		servers.push(server);
		const config = path.join(directory, 'named.json');
		writeFileSync(config, JSON.stringify({data: {file: 'items.csv'}, url: `${server.url}/items/\${data.id}`}));
		const result = await runCli(['--config', config, '-n', '5', '-t', '1', '-c', '1', '--headless', '--no-baseline', '--no-report', '--json', '-', '-q']);
		expect(result.code, result.stderr).toBe(0);
		const report = JSON.parse(result.stdout) as {endpoints: Array<{name: string; requests: number}>};
		expect(report.endpoints[0]!.name).toBe('GET /items/${data.id}');
		expect(server.count).toBe(5);
	});
});

describe('data rows in a distributed run', () => {
	for (const mode of ['sequential', 'shuffle'] as const) {
		it(`agents take ${mode} rows in turn: three agents' -n 60 hit each of 60 rows exactly once, and \${seq} never repeats`, async () => {
			const paths: string[] = [];
			const seqs: string[] = [];
			const server = await startTarget({
				keep: 0,
				respond(request, _index, response) {
					paths.push(request.url);
					seqs.push(String(request.headers['x-seq']));
					response.writeHead(200, {'content-length': 2});
					response.end('ok');
				},
			});
			servers.push(server);
			const config = path.join(directory, `${mode}.json`);
			writeFileSync(config, JSON.stringify({data: {file: 'items.csv', mode}, url: `${server.url}/items/\${data.id}`, headers: {'X-Seq': '${seq}'}}));
			// Each agent is its own process, as on its own machine; -n 60 is shared 20 + 20 + 20.
			const results = await Promise.all([0, 1, 2].map(async index => runCli(['--config', config, '--agents', '3', '--agent-index', String(index), '-n', '60', '-t', '2', '-c', '3', '--headless', '--no-baseline', '--no-report', '-q'])));
			for (const result of results) expect(result.code, result.stderr).toBe(0);
			// The server's own record: every row once, none twice.
			expect(paths).toHaveLength(60);
			expect(new Set(paths).size).toBe(60);
			expect([...paths].sort()).toEqual(Array.from({length: 60}, (_, index) => `/items/item-${index}`).sort());
			expect(new Set(seqs).size).toBe(60);
			expect(seqs.map(Number).sort((a, b) => a - b)).toEqual(Array.from({length: 60}, (_, index) => index + 1));
		});
	}
});
