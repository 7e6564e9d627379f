import {redactUrl} from '../../config/redact.js';
import type {SessionPhase} from '../../session/session.js';
import type {SavedReports} from '../../session/report-files.js';
import type {JsonReport} from '../../report/types.js';
import {baselineReducer, initialBaseline, type BaselineAction, type BaselineState} from './baseline-state.js';
import type {Candidate} from './candidate.js';
import {dashboardReducer, initialDashboard, type DashboardAction, type DashboardState} from './dashboard-state.js';
import {initialPicker, pickerReducer, type PickerAction, type PickerState} from './picker-state.js';
import {formFromSettings, initialForm, settingsFormReducer, type SettingsAction, type SettingsForm} from './settings-form.js';

export type Screen = 'picker' | 'settings' | 'baseline' | 'dashboard' | 'summary';

export type Overlay =
	| {readonly kind: 'help'}
	/** Typing a profile name (P). */
	| {readonly kind: 'prompt'; readonly text: string}
	| undefined;

export type MessageLevel = 'info' | 'warn' | 'error';
export type Message = {readonly text: string; readonly level: MessageLevel; readonly id: number};

export type Summary = {readonly report: JsonReport; readonly saved: SavedReports | undefined};

export type AppState = {
	readonly screen: Screen;
	readonly overlay: Overlay;
	readonly picker: PickerState;
	/** The config chosen (always a runnable one). */
	readonly chosen: Candidate | undefined;
	readonly form: SettingsForm;
	readonly baseline: BaselineState;
	readonly dashboard: DashboardState;
	/** The session's phase (token, baselines, load, done); undefined before a run starts. */
	readonly phase: SessionPhase | undefined;
	/** The run: stopping after q/Ctrl-C, and how many interrupts came. */
	readonly stopping: boolean;
	readonly summary: Summary | undefined;
	/** Last few messages, newest last. */
	readonly messages: readonly Message[];
	/** A config from the flags failed and no config has been chosen since: quitting exits with 2. */
	readonly configError: boolean;
	/** Set when the app should exit with this code. */
	readonly exitCode: number | undefined;
};

export type AppAction =
	| PickerAction
	| SettingsAction
	| BaselineAction
	| DashboardAction
	| {readonly type: 'choose'; readonly candidate: Candidate}
	| {readonly type: 'show-picker'}
	| {readonly type: 'run-started'; readonly quickCount: number; readonly extendedMs: number | undefined}
	| {readonly type: 'phase'; readonly phase: SessionPhase}
	| {readonly type: 'stopping'}
	| {readonly type: 'run-done'; readonly summary: Summary}
	| {readonly type: 'summary-saved'; readonly saved: SavedReports}
	| {readonly type: 'run-again'}
	| {readonly type: 'help'}
	| {readonly type: 'close-overlay'}
	| {readonly type: 'prompt-open'}
	| {readonly type: 'prompt-type'; readonly text: string}
	| {readonly type: 'prompt-delete'}
	| {readonly type: 'message'; readonly text: string; readonly level?: MessageLevel}
	| {readonly type: 'exit'; readonly code: number};

/** Messages kept on screen. */
const maxMessages = 3;

export function initialAppState(options: {chosen?: Candidate | undefined; configError?: boolean; notices?: readonly string[]; messages?: ReadonlyArray<{readonly text: string; readonly level: MessageLevel}>} = {}): AppState {
	const {chosen} = options;
	return {
		screen: chosen ? 'settings' : 'picker',
		overlay: undefined,
		picker: {...initialPicker, notices: options.notices ?? []},
		chosen,
		form: chosen?.choice.ok ? formFromSettings(chosen.choice.prepared.settings, chosen.choice.extendedBaselineMs) : initialForm,
		baseline: initialBaseline,
		dashboard: initialDashboard,
		phase: undefined,
		stopping: false,
		summary: undefined,
		messages: (options.messages ?? []).slice(-maxMessages).map((message, index) => ({...message, id: index + 1})),
		configError: options.configError ?? false,
		exitCode: undefined,
	};
}

export function appReducer(state: AppState, action: AppAction): AppState {
	switch (action.type) {
		case 'choose': {
			if (!action.candidate.choice.ok) return state;
			const {prepared, extendedBaselineMs} = action.candidate.choice;
			return {...state, screen: 'settings', chosen: action.candidate, form: formFromSettings(prepared.settings, extendedBaselineMs), configError: false, overlay: undefined, messages: []};
		}

		case 'show-picker': {
			return {...state, screen: 'picker', overlay: undefined, messages: []};
		}

		case 'run-started': {
			return {
				...state,
				screen: action.quickCount > 0 || (action.extendedMs ?? 0) > 0 ? 'baseline' : 'dashboard',
				baseline: baselineReducer(state.baseline, {type: 'baseline-reset', quickCount: action.quickCount, extendedMs: action.extendedMs}),
				dashboard: dashboardReducer(state.dashboard, {type: 'dashboard-reset'}),
				phase: undefined,
				stopping: false,
				summary: undefined,
				overlay: undefined,
			};
		}

		case 'phase': {
			const {phase} = action;
			if (phase === 'load') return {...state, phase, screen: 'dashboard'};
			// The token is fetched before the baselines: the baseline screen says so (also without baselines).
			if (phase === 'quick-baseline' || phase === 'extended-baseline' || phase === 'token') return {...state, phase, screen: 'baseline'};
			return {...state, phase};
		}

		case 'stopping': {
			return {...state, stopping: true};
		}

		case 'run-done': {
			return {...state, screen: 'summary', summary: action.summary, stopping: false, overlay: state.overlay?.kind === 'help' ? undefined : state.overlay, messages: state.messages.filter(message => message.level === 'error')};
		}

		case 'summary-saved': {
			return state.summary ? {...state, summary: {...state.summary, saved: action.saved}} : state;
		}

		case 'run-again': {
			const choice = state.chosen?.choice;
			return {...state, screen: 'settings', phase: undefined, overlay: undefined, form: choice?.ok ? {...state.form, focus: 0, fresh: true, issues: []} : state.form};
		}

		case 'help': {
			return {...state, overlay: state.overlay?.kind === 'help' ? undefined : {kind: 'help'}};
		}

		case 'close-overlay': {
			return {...state, overlay: undefined};
		}

		case 'prompt-open': {
			return {...state, overlay: {kind: 'prompt', text: ''}};
		}

		case 'prompt-type': {
			return state.overlay?.kind === 'prompt' ? {...state, overlay: {kind: 'prompt', text: (state.overlay.text + action.text).slice(0, 64)}} : state;
		}

		case 'prompt-delete': {
			return state.overlay?.kind === 'prompt' ? {...state, overlay: {kind: 'prompt', text: state.overlay.text.slice(0, -1)}} : state;
		}

		case 'message': {
			const message: Message = {text: action.text, level: action.level ?? 'info', id: (state.messages.at(-1)?.id ?? 0) + 1};
			return {...state, messages: [...state.messages, message].slice(-maxMessages)};
		}

		case 'exit': {
			return {...state, exitCode: action.code};
		}

		case 'picker-load':
		case 'picker-move':
		case 'picker-mode':
		case 'picker-type':
		case 'picker-delete':
		case 'picker-cancel':
		case 'picker-add': {
			return {...state, picker: pickerReducer(state.picker, action)};
		}

		case 'form-load':
		case 'form-move':
		case 'form-type':
		case 'form-delete':
		case 'form-step':
		case 'form-issues': {
			return {...state, form: settingsFormReducer(state.form, action)};
		}

		case 'baseline-reset':
		case 'baseline-sample':
		case 'baseline-progress':
		case 'baseline-done': {
			return {...state, baseline: baselineReducer(state.baseline, action)};
		}

		case 'dashboard-reset':
		case 'frame': {
			return {...state, dashboard: dashboardReducer(state.dashboard, action)};
		}
	}
}

/** While the session fetches the OAuth2 token: the token endpoint (credentials and secret parameters redacted); else undefined. */
export function fetchingTokenFrom(state: AppState): string | undefined {
	const choice = state.chosen?.choice;
	if (state.phase !== 'token' || !choice?.ok) return undefined;
	const url = choice.prepared.config.plan.token?.endpoint.url;
	return url === undefined ? undefined : redactUrl(url);
}

/** Which key table applies now. */
export function keyContextOf(state: AppState): 'picker' | 'text' | 'settings' | 'baseline' | 'dashboard' | 'summary' | 'help' {
	if (state.overlay?.kind === 'help') return 'help';
	if (state.overlay?.kind === 'prompt') return 'text';
	if (state.screen === 'picker') return state.picker.mode === 'list' ? 'picker' : 'text';
	return state.screen;
}
