import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {rootDir} from './helpers/cli.js';

/** Every module each source folder imports: `[file, specifier]` pairs (`typesOnly` skips `import type`). */
function importsOf(folder: string, typesToo = true): Array<[string, string]> {
	const directory = path.join(rootDir, 'source', folder);
	const files = readdirSync(directory, {recursive: true, encoding: 'utf8'}).filter(file => /\.tsx?$/.test(file));
	return files.flatMap(file => {
		const text = readFileSync(path.join(directory, file), 'utf8');
		return [...text.matchAll(/(?:^|\n)\s*(?:import|export)(\s+type)?[^'"]*?from\s+'([^']+)'/g), ...text.matchAll(/import\(()'([^']+)'\)/g)]
			.filter(match => typesToo || !match[1])
			.map(match => [`${folder}/${file}`, match[2]!] as [string, string]);
	});
}

function violations(folder: string, allowed: (specifier: string) => boolean): string[] {
	return importsOf(folder).filter(([, specifier]) => !allowed(specifier)).map(([file, specifier]) => `${file} imports ${specifier}`);
}

const isNode = (specifier: string): boolean => specifier.startsWith('node:');
const isLocal = (specifier: string): boolean => specifier.startsWith('./');

describe('imports flow one way (ui -> engine/stats/config/report; engine -> stats/config; report -> stats)', () => {
	it('the engine knows nothing of Ink, React, the UI, reports or sessions', () => {
		expect(violations('engine', specifier => isNode(specifier) || isLocal(specifier) || specifier === 'undici' || /^\.\.\/(stats|config)\//.test(specifier))).toEqual([]);
	});

	it('stats are pure: hdr-histogram-js and each other only', () => {
		// Its modules, too (stats/histogram.ts imports two of them rather than the index).
		expect(violations('stats', specifier => isLocal(specifier) || specifier === 'hdr-histogram-js' || specifier.startsWith('hdr-histogram-js/dist/'))).toEqual([]);
	});

	it('reports depend on stats only (and node for the one atomic write, csv-stringify for the CSV files)', () => {
		expect(violations('report', specifier => isNode(specifier) || isLocal(specifier) || specifier.startsWith('../stats/') || specifier === 'csv-stringify/sync')).toEqual([]);
	});

	it('config does not reach into the engine, UI, sessions or reports', () => {
		expect(violations('config', specifier => isNode(specifier) || isLocal(specifier) || specifier.startsWith('zod/') || ['leven', 'conf', 'csv-parse/sync'].includes(specifier))).toEqual([]);
	});

	it('zod comes through one module, config/zod.ts (zod/mini, bundled by `npm run build`): classic zod loads 95 modules', () => {
		const folders = readdirSync(path.join(rootDir, 'source'), {withFileTypes: true}).filter(entry => entry.isDirectory()).map(entry => entry.name);
		const zodImports = folders.flatMap(folder => importsOf(folder)).filter(([, specifier]) => specifier === 'zod' || specifier.startsWith('zod/'));
		expect(zodImports.filter(([file]) => file !== 'config/zod.ts')).toEqual([]);
		expect(zodImports.filter(([, specifier]) => !['zod/mini', 'zod/v4/locales/en.js', 'zod/v4/core'].includes(specifier))).toEqual([]);
	});

	it('the UI sends no requests itself', () => {
		expect(importsOf('ui', false).filter(([, specifier]) => specifier === 'undici' || /engine\/(load-loop|worker|baseline)\.js$/.test(specifier))).toEqual([]);
	});

	it('the session layer serves both front ends and knows neither (nor the sub-commands, nor Ink)', () => {
		expect(violations('session', specifier => isNode(specifier) || isLocal(specifier) || /^\.\.\/(engine|stats|config|report)\//.test(specifier) || specifier === 'undici')).toEqual([]);
	});

	it('headless mode is a front end: it renders and forwards to the session, never the UI or the sub-commands', () => {
		expect(violations('headless', specifier => isLocal(specifier) || /^\.\.\/(session|report|stats|config|engine)\//.test(specifier))).toEqual([]);
		expect(importsOf('headless', false).filter(([, specifier]) => /engine\/(load-loop|worker|baseline|engine)\.js$/.test(specifier))).toEqual([]);
	});

	it('the UI never reaches into headless mode or the sub-commands', () => {
		expect(importsOf('ui').filter(([, specifier]) => /\/(headless|commands)\//.test(specifier) || /cli\.js$/.test(specifier))).toEqual([]);
	});

	it('only cli.tsx routes to the sub-commands', () => {
		const outside = ['engine', 'stats', 'config', 'report', 'session', 'headless', 'ui'].flatMap(folder => importsOf(folder)).filter(([, specifier]) => /\/commands\//.test(specifier));
		expect(outside).toEqual([]);
		expect(violations('commands', specifier => isNode(specifier) || isLocal(specifier) || ['leven', 'meow', 'shell-quote'].includes(specifier) || /^\.\.\/(session|headless|report|stats|config|engine|demo|interactive)(\/|\.js$)/.test(specifier))).toEqual([]);
	});
});

/** The packages a module pulls in at run time, through its own imports and theirs (`import type` excluded). */
function runtimePackagesOf(entry: string): Set<string> {
	const packages = new Set<string>();
	const seen = new Set<string>();
	const visit = (file: string): void => {
		if (seen.has(file)) return;
		seen.add(file);
		const text = readFileSync(file, 'utf8');
		for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)(\s+type)?[^'"]*?from\s+'([^']+)'/g)) {
			const specifier = match[2]!;
			if (match[1]) continue;
			if (specifier.startsWith('.')) {
				visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
			} else {
				packages.add(specifier);
			}
		}
	};

	visit(path.join(rootDir, 'source', entry));
	return packages;
}

describe('a load worker starts light', () => {
	it('loads no package but Node\'s own (undici only on demand, by dynamic import): not hdr-histogram-js, zod or Ink', () => {
		expect([...runtimePackagesOf('engine/worker.ts')].filter(specifier => !specifier.startsWith('node:'))).toEqual([]);
	});
});
