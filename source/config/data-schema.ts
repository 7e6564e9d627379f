import {enumOf, meta, minLength, optional, strictObject, string} from './zod.js';

/** `"data"`: a data file for `${data.column}` placeholders (config/data-file.ts reads it). */
export const dataSchema = strictObject({
	file: string({error: 'expected the path of a CSV or NDJSON file, e.g. "users.csv"'}).check(
		minLength(1, {error: 'expected the path of a CSV or NDJSON file, e.g. "users.csv"'}),
		meta({description: 'CSV file with a header row, or NDJSON (one JSON object a line; .ndjson or .jsonl). Relative to the config file.'}),
	),
	format: optional(enumOf(['csv', 'ndjson'], {error: 'expected "csv" or "ndjson"'}).check(meta({description: 'File format; by default .ndjson and .jsonl are NDJSON, anything else CSV.'}))),
	mode: optional(enumOf(['sequential', 'random', 'shuffle'], {error: 'expected "sequential" (the default), "random" or "shuffle"'}).check(meta({description: 'sequential (default): each row once a lap, in file order, across all threads; shuffle: the same in an order drawn once per run; random: any row for each request.'}))),
	on_end: optional(enumOf(['wrap', 'stop'], {error: 'expected "wrap" (the default) or "stop"'}).check(meta({description: 'After the last row: wrap (default) starts again; stop ends the run after one lap (sequential or shuffle).'}))),
}).check(meta({description: 'Rows for ${data.COLUMN} placeholders in url (path and query), headers and bodies. At the top level: shared by every request; in a request: that request\'s own.'}));

/** The keys of `"data"`, for did-you-mean suggestions. */
export const dataKeys = ['file', 'format', 'mode', 'on_end'] as const;
