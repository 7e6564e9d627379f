import type {Candidate} from './candidate.js';

/** `list`: moving through the configs; `filter`: typing after `/`; `url`: typing a URL after `u`. */
export type PickerMode = 'list' | 'filter' | 'url';

export type PickerState = {
	readonly items: readonly Candidate[];
	/** Index into the visible (filtered) items. */
	readonly cursor: number;
	readonly filter: string;
	readonly mode: PickerMode;
	readonly urlText: string;
	/** A problem to show above the list (a config from the flags that failed, a broken profile store). */
	readonly notices: readonly string[];
};

export type PickerAction =
	| {readonly type: 'picker-load'; readonly items: readonly Candidate[]; readonly notices?: readonly string[]}
	| {readonly type: 'picker-move'; readonly delta: number}
	| {readonly type: 'picker-mode'; readonly mode: PickerMode}
	| {readonly type: 'picker-type'; readonly text: string}
	| {readonly type: 'picker-delete'}
	| {readonly type: 'picker-cancel'}
	/** Adds (or replaces, by id) a candidate at the top and selects it: a typed URL. */
	| {readonly type: 'picker-add'; readonly item: Candidate};

export const initialPicker: PickerState = {items: [], cursor: 0, filter: '', mode: 'list', urlText: '', notices: []};

/** Items matching the filter (every word, case-insensitive, in label, detail or kind). */
export function visibleItems(state: PickerState): readonly Candidate[] {
	const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
	if (words.length === 0) return state.items;
	return state.items.filter(item => {
		const text = `${item.kind} ${item.label} ${item.detail}`.toLowerCase();
		return words.every(word => text.includes(word));
	});
}

export function selectedItem(state: PickerState): Candidate | undefined {
	return visibleItems(state)[state.cursor];
}

function clampCursor(state: PickerState): PickerState {
	const count = visibleItems(state).length;
	const cursor = count === 0 ? 0 : Math.min(Math.max(0, state.cursor), count - 1);
	return cursor === state.cursor ? state : {...state, cursor};
}

export function pickerReducer(state: PickerState, action: PickerAction): PickerState {
	switch (action.type) {
		case 'picker-load': {
			return clampCursor({...state, items: action.items, notices: action.notices ?? state.notices});
		}

		case 'picker-move': {
			const count = visibleItems(state).length;
			if (count === 0) return state;
			return {...state, cursor: (((state.cursor + action.delta) % count) + count) % count};
		}

		case 'picker-mode': {
			return {...state, mode: action.mode, ...(action.mode === 'url' ? {urlText: state.urlText || 'http://127.0.0.1:'} : {})};
		}

		case 'picker-type': {
			if (state.mode === 'filter') return clampCursor({...state, filter: state.filter + action.text, cursor: 0});
			if (state.mode === 'url') return {...state, urlText: state.urlText + action.text.trim()};
			return state;
		}

		case 'picker-delete': {
			if (state.mode === 'filter') return clampCursor({...state, filter: state.filter.slice(0, -1)});
			if (state.mode === 'url') return {...state, urlText: state.urlText.slice(0, -1)};
			return state;
		}

		case 'picker-cancel': {
			return state.mode === 'url' ? {...state, mode: 'list'} : clampCursor({...state, mode: 'list', filter: ''});
		}

		case 'picker-add': {
			const items = [action.item, ...state.items.filter(item => item.id !== action.item.id)];
			return {...state, items, mode: 'list', filter: '', cursor: 0};
		}
	}
}
