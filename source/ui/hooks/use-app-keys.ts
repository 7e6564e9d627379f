import {useInput} from 'ink';
import type {RefObject} from 'react';
import type {RunController} from '../run-controller.js';
import {keyContextOf, type AppAction, type AppState} from '../state/app-state.js';
import type {Candidate} from '../state/candidate.js';
import {keyName, matchKey, splitInput, typedText, type KeyAction} from '../state/key-bindings.js';
import {selectedItem} from '../state/picker-state.js';
import {validateForm} from '../state/settings-form.js';

export type KeyDeps = {
	readonly controller: RunController;
	readonly candidateFromUrl: (url: string) => Candidate;
	/** Exit code when quitting with no run behind (2 while a config from the flags is still broken). */
	readonly idleExitCode: (state: AppState) => number;
};

/** Ctrl-C, SIGINT: stop a run (twice: quit at once); with no run, quit. */
export function interruptApp(state: AppState, dispatch: (action: AppAction) => void, deps: KeyDeps): void {
	if (deps.controller.interrupt()) return;
	dispatch({type: 'exit', code: state.screen === 'summary' ? deps.controller.exitCode : deps.idleExitCode(state)});
}

function startRun(state: AppState, dispatch: (action: AppAction) => void, deps: KeyDeps): void {
	const candidate = state.chosen;
	if (!candidate?.choice.ok) return;
	const result = validateForm(state.form, candidate.choice.prepared.settings);
	if (!result.ok) {
		dispatch({type: 'form-issues', issues: result.issues});
		return;
	}

	deps.controller.start({candidate, settings: result.settings, extendedBaselineMs: result.extendedBaselineMs});
}

function submitText(state: AppState, dispatch: (action: AppAction) => void, deps: KeyDeps): void {
	const {overlay, picker} = state;
	if (overlay?.kind === 'prompt') {
		dispatch({type: 'close-overlay'});
		const name = overlay.text.trim();
		if (name === '') return;
		const result = state.chosen?.choice.ok ? validateForm(state.form, state.chosen.choice.prepared.settings) : undefined;
		deps.controller.saveProfile(name, state.chosen, result?.ok ? result.settings : undefined, result?.ok ? result.extendedBaselineMs : (state.chosen?.choice.ok ? state.chosen.choice.extendedBaselineMs : undefined));
		return;
	}

	if (picker.mode === 'url') {
		const candidate = deps.candidateFromUrl(picker.urlText.trim());
		dispatch({type: 'picker-add', item: candidate});
		if (candidate.choice.ok) dispatch({type: 'choose', candidate});
		return;
	}

	dispatch({type: 'picker-mode', mode: 'list'});
}

/** Applies one key action to the app. Exported for tests; the hook below feeds it from Ink. */
export function applyKey(state: AppState, action: KeyAction | undefined, text: string | undefined, dispatch: (action: AppAction) => void, deps: KeyDeps): void {
	const {controller} = deps;
	const context = keyContextOf(state);
	if (action === 'interrupt') {
		interruptApp(state, dispatch, deps);
		return;
	}

	if (action === 'help' || action === 'close') {
		dispatch({type: action === 'help' ? 'help' : 'close-overlay'});
		return;
	}

	switch (context) {
		case 'text': {
			const prompt = state.overlay?.kind === 'prompt';
			if (action === 'submit') submitText(state, dispatch, deps);
			else if (action === 'cancel') dispatch(prompt ? {type: 'close-overlay'} : {type: 'picker-cancel'});
			else if (action === 'delete-char') dispatch(prompt ? {type: 'prompt-delete'} : {type: 'picker-delete'});
			else if ((action === 'up' || action === 'down') && !prompt) dispatch({type: 'picker-move', delta: action === 'up' ? -1 : 1});
			else if (text !== undefined) dispatch(prompt ? {type: 'prompt-type', text} : {type: 'picker-type', text});
			return;
		}

		case 'picker': {
			if (action === 'up' || action === 'down') dispatch({type: 'picker-move', delta: action === 'up' ? -1 : 1});
			else if (action === 'filter') dispatch({type: 'picker-mode', mode: 'filter'});
			else if (action === 'type-url') dispatch({type: 'picker-mode', mode: 'url'});
			else if (action === 'cancel') dispatch({type: 'picker-cancel'});
			else if (action === 'quit') dispatch({type: 'exit', code: deps.idleExitCode(state)});
			else if (action === 'choose') {
				const item = selectedItem(state.picker);
				if (item?.choice.ok) dispatch({type: 'choose', candidate: item});
				else if (item) dispatch({type: 'message', level: 'error', text: `${item.label} cannot run: fix the problems shown, or choose another config`});
			}

			return;
		}

		case 'settings': {
			if (action === 'up' || action === 'down') dispatch({type: 'form-move', delta: action === 'up' ? -1 : 1});
			else if (action === 'increment' || action === 'decrement') dispatch({type: 'form-step', direction: action === 'increment' ? 1 : -1});
			else if (action === 'delete-char') dispatch({type: 'form-delete'});
			else if (action === 'start') startRun(state, dispatch, deps);
			else if (action === 'save-profile') dispatch({type: 'prompt-open'});
			else if (action === 'back') dispatch({type: 'show-picker'});
			else if (action === 'quit') dispatch({type: 'exit', code: deps.idleExitCode(state)});
			else if (action === undefined && text !== undefined) dispatch({type: 'form-type', text});
			return;
		}

		case 'baseline': {
			if (action === 'stop') controller.stop();
			return;
		}

		case 'dashboard': {
			if (action === 'pause') controller.togglePause();
			else if (action === 'threads-up' || action === 'threads-down') controller.changeThreads(action === 'threads-up' ? 1 : -1);
			else if (action === 'connections-up' || action === 'connections-down') controller.changeConnections(action === 'connections-up' ? 1 : -1);
			else if (action === 'rate-up' || action === 'rate-down') controller.changeRate(action === 'rate-up' ? 1 : -1);
			else if (action === 'save') controller.save();
			else if (action === 'save-profile') dispatch({type: 'prompt-open'});
			else if (action === 'stop') controller.stop();
			return;
		}

		case 'summary': {
			if (action === 'save') controller.save();
			else if (action === 'run-again') dispatch({type: 'run-again'});
			else if (action === 'quit') dispatch({type: 'exit', code: controller.exitCode});
			return;
		}

		case 'help': {
			return;
		}
	}
}

/** Routes Ink key presses through the key-binding table. `stateRef` holds the latest state (keys may arrive faster than renders). */
export default function useAppKeys(stateRef: RefObject<AppState>, dispatch: (action: AppAction) => void, deps: KeyDeps): void {
	useInput((input, key) => {
		// Several keys at once (typed fast, or pasted) arrive as one input: one key each.
		for (const press of splitInput(input, key)) {
			const state = stateRef.current;
			applyKey(state, matchKey(keyContextOf(state), keyName(press.input, press.key)), typedText(press.input, press.key), dispatch, deps);
		}
	});
}
