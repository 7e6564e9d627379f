import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import type {ConfigIssue} from './interpolate.js';
import type {DataSet} from './types.js';

/** `"data"` as written in a config (schema.ts). */
export type DataConfig = {
	readonly file: string;
	readonly format?: 'csv' | 'ndjson' | undefined;
	readonly mode?: 'sequential' | 'random' | 'shuffle' | undefined;
	readonly on_end?: 'wrap' | 'stop' | undefined;
};

/** File names read as NDJSON (one JSON object a line) unless `format` says otherwise. */
const ndjsonExtensions = new Set(['.ndjson', '.jsonl']);

/**
 * Reads a data file for `${data.column}` placeholders: CSV with a header row (csv-parse), or NDJSON
 * (one JSON object a line; a key is a column, a value that is not a string is written as JSON).
 * Relative paths are relative to `baseDirectory` (the config file's folder). Problems go to
 * `issues` under `where` (the `data` key's JSON path); undefined when the file cannot be used.
 */
export function readDataSet(config: DataConfig, baseDirectory: string | undefined, where: string, issues: ConfigIssue[]): DataSet | undefined {
	const file = path.resolve(baseDirectory ?? '', config.file);
	const mode = config.mode ?? 'sequential';
	const onEnd = config.on_end ?? 'wrap';
	if (onEnd === 'stop' && mode === 'random') {
		issues.push({path: `${where}.on_end`, message: '"stop" needs mode "sequential" or "shuffle" (random rows never run out); use "wrap" or change the mode'});
		return undefined;
	}

	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		issues.push({path: `${where}.file`, message: `cannot read ${config.file} (${unreadable(error)}; a relative path is relative to the config file)`});
		return undefined;
	}

	const format = config.format ?? (ndjsonExtensions.has(path.extname(file).toLowerCase()) ? 'ndjson' : 'csv');
	const table = format === 'csv' ? csvTable(text, config.file, `${where}.file`, issues) : ndjsonTable(text, config.file, `${where}.file`, issues);
	if (table === undefined) {
		return undefined;
	}

	if (table.rows.length === 0) {
		issues.push({path: `${where}.file`, message: `${config.file} has no data rows${format === 'csv' ? ' (only a header, or nothing)' : ''}; add rows or point to another file`});
		return undefined;
	}

	return {file: config.file, columns: table.columns, rows: table.rows, mode, onEnd, ...(mode === 'shuffle' ? {order: shuffled(table.rows.length)} : {})};
}

/**
 * The config with each data file's path made absolute against `baseDirectory` (the config file's
 * folder), for a profile, which runs from any directory. Unchanged when it names none.
 */
export function absoluteDataPaths(config: Record<string, unknown>, baseDirectory: string): Record<string, unknown> {
	const withData = (level: unknown): unknown => {
		if (!isRecord(level)) return level;
		let result = level;
		const data = level['data'];
		if (isRecord(data) && typeof data['file'] === 'string') {
			result = {...result, data: {...data, file: path.resolve(baseDirectory, data['file'])}};
		}

		if (Array.isArray(level['requests'])) {
			result = {...result, requests: level['requests'].map(request => withData(request))};
		}

		return result;
	};

	const top = withData(config) as Record<string, unknown>;
	return isRecord(top['stress_test']) ? {...top, stress_test: withData(top['stress_test'])} : top;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Why a file could not be read, in a few words. */
export function unreadable(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') return 'file not found';
	if (code === 'EACCES') return 'permission denied';
	if (code === 'EISDIR') return 'a directory, not a file';
	return (error as Error).message;
}

type Table = {columns: string[]; rows: string[][]};

function csvTable(text: string, name: string, where: string, issues: ConfigIssue[]): Table | undefined {
	let records: string[][];
	try {
		// Loaded only for a CSV file (some 4 ms), so that runs without one start as fast as before.
		const {parse} = createRequire(import.meta.url)('csv-parse/sync') as typeof import('csv-parse/sync');
		records = parse(text, {bom: true, skip_empty_lines: true}) as string[][];
	} catch (error) {
		issues.push({path: where, message: `${name} is not valid CSV: ${(error as Error).message}`});
		return undefined;
	}

	const [header, ...rows] = records;
	if (header === undefined) {
		issues.push({path: where, message: `${name} is empty; write a header row (the column names) and data rows`});
		return undefined;
	}

	const columns = header.map(column => column.trim());
	const duplicate = columns.find((column, index) => columns.indexOf(column) !== index);
	if (duplicate !== undefined) {
		issues.push({path: where, message: `${name} names the column "${duplicate}" twice in its header; give each column its own name`});
		return undefined;
	}

	return {columns, rows};
}

function ndjsonTable(text: string, name: string, where: string, issues: ConfigIssue[]): Table | undefined {
	const columns: string[] = [];
	const index = new Map<string, number>();
	const objects: Array<Record<string, unknown>> = [];
	const lines = text.split('\n');
	for (const [number, line] of lines.entries()) {
		if (line.trim() === '') continue;
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch (error) {
			issues.push({path: where, message: `${name} line ${number + 1} is not valid JSON (${(error as Error).message}); write one JSON object a line`});
			return undefined;
		}

		if (value === null || typeof value !== 'object' || Array.isArray(value)) {
			issues.push({path: where, message: `${name} line ${number + 1} is not a JSON object; write one object a line, e.g. {"id": 1}`});
			return undefined;
		}

		for (const key of Object.keys(value)) {
			if (!index.has(key)) {
				index.set(key, columns.length);
				columns.push(key);
			}
		}

		objects.push(value as Record<string, unknown>);
	}

	// A key a line lacks reads as an empty string there.
	const rows = objects.map(object => columns.map(column => cell(object[column])));
	return {columns, rows};
}

function cell(value: unknown): string {
	if (value === undefined || value === null) return '';
	return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The same order on every agent of a distributed run: the agents take a shuffled data set's rows in
 * turn (engine/request-template.ts), which covers each row once a lap only if they share the order.
 * A fixed-seed generator (mulberry32) over the row count.
 */
export function sharedShuffle(count: number): number[] {
	let state = (0x9E_37_79_B9 ^ count) >>> 0;
	return shuffled(count, () => {
		state = (state + 0x6D_2B_79_F5) >>> 0;
		let mixed = state;
		mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
		mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
		return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
	});
}

/** 0..count-1 in a random order (Fisher-Yates); `random` gives numbers in [0, 1). */
export function shuffled(count: number, random: () => number = Math.random): number[] {
	const order = Array.from({length: count}, (_, index) => index);
	for (let index = count - 1; index > 0; index--) {
		const other = Math.floor(random() * (index + 1));
		[order[index], order[other]] = [order[other]!, order[index]!];
	}

	return order;
}
