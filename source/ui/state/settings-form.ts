import {parseDurationMs} from '../../config/duration.js';
import type {ConfigIssue} from '../../config/interpolate.js';
import type {RunSettings} from '../../config/types.js';
import {nextConnections, nextRate, nextThreads, type Direction} from './live-controls.js';

export const settingsFields = ['threads', 'connections', 'duration', 'requests', 'rate', 'baseline'] as const;
export type SettingsField = (typeof settingsFields)[number];

export const fieldLabels: Readonly<Record<SettingsField, string>> = {
	threads: 'Worker threads',
	connections: 'Connections',
	duration: 'Duration',
	requests: 'Max requests',
	rate: 'Rate (req/s)',
	baseline: 'Extended baseline',
};

export const fieldHints: Readonly<Record<SettingsField, string>> = {
	threads: 'whole number, 1 or more',
	connections: 'total across all threads',
	duration: '30, 30s, 2m, 1h (empty: until max requests)',
	requests: 'empty: no limit',
	rate: 'empty or off: closed model (as fast as it answers)',
	baseline: 'one connection before the run, e.g. 10s (empty: none)',
};

export type SettingsForm = {
	readonly values: Readonly<Record<SettingsField, string>>;
	readonly focus: number;
	/** The focused value is still as shown on arrival: the first typed character replaces it. */
	readonly fresh: boolean;
	readonly issues: readonly ConfigIssue[];
};

export type SettingsAction =
	| {readonly type: 'form-load'; readonly settings: RunSettings; readonly extendedBaselineMs: number | undefined}
	| {readonly type: 'form-move'; readonly delta: number}
	| {readonly type: 'form-type'; readonly text: string}
	| {readonly type: 'form-delete'}
	| {readonly type: 'form-step'; readonly direction: Direction}
	| {readonly type: 'form-issues'; readonly issues: readonly ConfigIssue[]};

/** A duration as the user would type it: `90s` -> `1m30s`, `60000` -> `1m`, `1500` -> `1500ms`. */
export function durationText(ms: number): string {
	if (ms % 1000 !== 0) return `${ms}ms`;
	const hours = Math.floor(ms / 3_600_000);
	const minutes = Math.floor((ms % 3_600_000) / 60_000);
	const seconds = (ms % 60_000) / 1000;
	const text = `${hours > 0 ? `${hours}h` : ''}${minutes > 0 ? `${minutes}m` : ''}${seconds > 0 ? `${seconds}s` : ''}`;
	return text === '' ? '0s' : text;
}

export function formFromSettings(settings: RunSettings, extendedBaselineMs: number | undefined): SettingsForm {
	return {
		values: {
			threads: String(settings.threads),
			connections: String(settings.connections),
			duration: settings.durationMs === undefined ? '' : durationText(settings.durationMs),
			requests: settings.maxRequests === undefined ? '' : String(settings.maxRequests),
			rate: settings.rate === undefined ? '' : String(settings.rate),
			baseline: extendedBaselineMs ? durationText(extendedBaselineMs) : '',
		},
		focus: 0,
		fresh: true,
		issues: [],
	};
}

export const initialForm: SettingsForm = formFromSettings({threads: 1, connections: 1, durationMs: 10_000, maxRequests: undefined, rate: undefined, graceMs: 2000}, undefined);

export function focusedField(form: SettingsForm): SettingsField {
	return settingsFields[form.focus] ?? 'threads';
}

function setValue(form: SettingsForm, value: string): SettingsForm {
	return {...form, values: {...form.values, [focusedField(form)]: value}, fresh: false, issues: []};
}

function step(field: SettingsField, value: string, direction: Direction): string {
	const number = Number(value);
	switch (field) {
		case 'threads': {
			return Number.isInteger(number) && number > 0 ? String(nextThreads(number, direction)) : '1';
		}

		case 'connections': {
			return Number.isInteger(number) && number > 0 ? String(nextConnections(number, direction)) : '1';
		}

		case 'rate': {
			return number > 0 ? String(nextRate(number, direction)) : (direction > 0 ? '100' : '');
		}

		case 'requests': {
			const current = Number.isInteger(number) && number > 0 ? number : 0;
			const next = Math.max(0, current + (direction * Math.max(100, Math.round(current * 0.1))));
			return next === 0 ? '' : String(next);
		}

		case 'duration':
		case 'baseline': {
			const ms = parseDurationMs(value) ?? 0;
			const next = Math.max(0, ms + (direction * (ms >= 60_000 ? 30_000 : 5000)));
			return next === 0 ? '' : durationText(next);
		}
	}
}

export function settingsFormReducer(form: SettingsForm, action: SettingsAction): SettingsForm {
	switch (action.type) {
		case 'form-load': {
			return formFromSettings(action.settings, action.extendedBaselineMs);
		}

		case 'form-move': {
			const count = settingsFields.length;
			return {...form, focus: (((form.focus + action.delta) % count) + count) % count, fresh: true};
		}

		case 'form-type': {
			const text = action.text.replaceAll(/[^\w.]/g, '');
			if (text === '') return form;
			return setValue(form, form.fresh ? text : form.values[focusedField(form)] + text);
		}

		case 'form-delete': {
			return setValue(form, form.fresh ? '' : form.values[focusedField(form)].slice(0, -1));
		}

		case 'form-step': {
			const field = focusedField(form);
			return {...setValue(form, step(field, form.values[field], action.direction)), fresh: true};
		}

		case 'form-issues': {
			return {...form, issues: action.issues};
		}
	}
}

export type FormResult =
	| {readonly ok: true; readonly settings: RunSettings; readonly extendedBaselineMs: number | undefined}
	| {readonly ok: false; readonly issues: readonly ConfigIssue[]};

const off = (value: string): boolean => value.trim() === '' || value.trim() === 'off' || value.trim() === '0';

/**
 * Validates the form (every problem at once) and applies it as a patch over `base`, the resolved
 * run: the six fields the form shows change, everything else the run carries (stages, ramp-up,
 * max_connections, max_late, grace) stays as resolved.
 */
export function validateForm(form: SettingsForm, base: RunSettings): FormResult {
	const issues: ConfigIssue[] = [];
	const {values} = form;
	const integer = (field: SettingsField, what: string): number | undefined => {
		const number = Number(values[field].trim());
		if (values[field].trim() === '' || !Number.isInteger(number) || number < 1) {
			issues.push({path: fieldLabels[field], message: `"${values[field]}" is not valid; expected ${what}`});
			return undefined;
		}

		return number;
	};

	const duration = (field: SettingsField): number | undefined => {
		if (off(values[field])) return undefined;
		const ms = parseDurationMs(values[field]);
		if (ms === undefined || ms <= 0) {
			issues.push({path: fieldLabels[field], message: `"${values[field]}" is not a duration; write seconds (30) or with a unit: 500ms, 30s, 2m, 1h`});
			return undefined;
		}

		return ms;
	};

	const threads = integer('threads', 'a whole number of worker threads, 1 or more');
	const connections = integer('connections', 'a whole number of connections, 1 or more');
	const durationMs = duration('duration');
	const maxRequests = off(values.requests) ? undefined : integer('requests', 'a whole number of requests, or empty for no limit');
	let rate: number | undefined;
	if (!off(values.rate)) {
		rate = Number(values.rate);
		if (!Number.isFinite(rate) || rate <= 0) {
			issues.push({path: fieldLabels.rate, message: `"${values.rate}" is not valid; expected requests per second (> 0), or empty for the closed model`});
		}
	}

	const extendedBaselineMs = duration('baseline');
	if (off(values.duration) && off(values.requests)) {
		issues.push({path: fieldLabels.duration, message: 'set a duration or a number of requests, or the test never ends'});
	}

	if (issues.length > 0 || threads === undefined || connections === undefined) {
		return {ok: false, issues};
	}

	return {ok: true, settings: {...base, threads, connections, durationMs, maxRequests, rate}, extendedBaselineMs};
}
