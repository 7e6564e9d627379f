/*
 * The one module through which the config code uses zod: the `zod/mini` functions it needs, by
 * name, with English messages. `npm run build` bundles it with the rest of the program (esbuild,
 * tree-shaken), so a run loads about 105 KB of zod instead of classic zod's 95 modules (64 of them
 * locales): about 8 ms instead of 60 (see test/bench/findings.md, "Start-up changes, by session").
 * Add a function here before using it.
 */
import {config} from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini sets no locale: without this, every built-in message would read "Invalid input".
config(en());

export {
	array,
	boolean,
	check,
	enum as enumOf,
	gte,
	int,
	lte,
	meta,
	minLength,
	nonnegative,
	number,
	optional,
	positive,
	record,
	refine,
	regex,
	strictObject,
	string,
	superRefine,
	toJSONSchema,
	union,
	unknown,
} from 'zod/mini';
export type {infer as Infer} from 'zod/mini';
export type {$ZodIssue as ZodIssue} from 'zod/v4/core';
