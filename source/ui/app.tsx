import {Box, useApp} from 'ink';
import {useCallback, useEffect, useMemo, useReducer, useRef} from 'react';
import {defaultThreads, type Hardware} from '../engine/hardware.js';
import HardwareHeader, {hardwareHeaderLines} from './components/hardware-header.js';
import HelpOverlay from './components/help-overlay.js';
import KeyHints from './components/key-hints.js';
import MessageLine from './components/message-line.js';
import TextPrompt from './components/text-prompt.js';
import useAppKeys, {interruptApp, type KeyDeps} from './hooks/use-app-keys.js';
import useEngineFrames from './hooks/use-engine-frames.js';
import useTerminalSize from './hooks/use-terminal-size.js';
import type {RunController} from './run-controller.js';
import BaselineScreen from './screens/baseline-screen.js';
import DashboardScreen from './screens/dashboard-screen.js';
import PickerScreen from './screens/picker-screen.js';
import SettingsScreen from './screens/settings-screen.js';
import SummaryScreen from './screens/summary-screen.js';
import {appReducer, fetchingTokenFrom, keyContextOf, type AppAction, type AppState} from './state/app-state.js';
import {targetLabel, type Candidate} from './state/candidate.js';

/** Process signals as the App sees them (interactive.tsx forwards SIGINT/SIGTERM/SIGHUP). */
export type SignalSource = (handler: (signal: string) => void) => () => void;

type Props = {
	readonly hardware: Hardware;
	readonly workerThreads: boolean;
	readonly controller: RunController;
	readonly initialState: AppState;
	readonly quickBaselineCount: number;
	/** Start the chosen config at once (the flags gave a duration or a request count). */
	readonly autoStart: boolean;
	readonly loadCandidates: () => readonly Candidate[];
	readonly candidateFromUrl: (url: string) => Candidate;
	readonly onExit: (code: number) => void;
	readonly signals?: SignalSource;
};

const idleExitCode = (state: AppState): number => (state.configError ? 2 : 0);

/** The root: keeps the app state, wires keys, signals and engine frames, and picks the screen. */
export default function App({hardware, workerThreads, controller, initialState, quickBaselineCount, autoStart, loadCandidates, candidateFromUrl, onExit, signals}: Props) {
	const {exit} = useApp();
	const size = useTerminalSize();
	const [state, rawDispatch] = useReducer(appReducer, initialState);
	// The latest state, updated as actions are dispatched (keys can arrive faster than renders).
	const stateRef = useRef<AppState>(initialState);
	const dispatch = useCallback((action: AppAction) => {
		stateRef.current = appReducer(stateRef.current, action);
		rawDispatch(action);
	}, []);
	controller.dispatch = dispatch;
	const deps = useMemo<KeyDeps>(() => ({controller, candidateFromUrl, idleExitCode}), [controller, candidateFromUrl]);
	useAppKeys(stateRef, dispatch, deps);
	useEngineFrames(state.screen === 'dashboard' || state.screen === 'baseline' ? controller.engine : undefined, dispatch);

	const loaded = useRef(false);
	useEffect(() => {
		if (state.screen === 'picker' && !loaded.current) {
			loaded.current = true;
			dispatch({type: 'picker-load', items: loadCandidates()});
		}
	}, [state.screen, loadCandidates, dispatch]);

	useEffect(() => {
		const chosen = initialState.chosen;
		if (autoStart && chosen?.choice.ok) {
			controller.start({candidate: chosen, settings: chosen.choice.prepared.settings, extendedBaselineMs: chosen.choice.extendedBaselineMs});
		}
	}, []); // eslint-disable-line react-hooks/exhaustive-deps

	useEffect(() => signals?.(signal => {
		if (signal === 'SIGINT') {
			interruptApp(stateRef.current, dispatch, deps);
		} else if (!controller.terminate()) {
			dispatch({type: 'exit', code: stateRef.current.screen === 'summary' ? controller.exitCode : idleExitCode(stateRef.current)});
		}
	}), [signals, controller, dispatch, deps]);

	useEffect(() => {
		if (state.exitCode !== undefined) {
			onExit(state.exitCode);
			exit();
		}
	}, [state.exitCode, onExit, exit]);

	const width = size.columns;
	const lines = Math.max(10, size.rows - 1);
	const context = keyContextOf(state);
	const chosen = state.chosen?.choice.ok ? state.chosen.choice : undefined;
	const target = chosen ? targetLabel(chosen.prepared) : '';
	const compact = state.screen === 'dashboard' || state.screen === 'summary';
	const threads = threadsShown(state, hardware, controller);
	// Header (plus a blank line under the full one), message line and key hints.
	const bodyLines = lines - hardwareHeaderLines(hardware, workerThreads, width, compact) - (compact ? 0 : 1) - 2 - (state.overlay?.kind === 'prompt' ? 4 : 0);
	const screenContext = state.overlay?.kind === 'help' ? (state.screen === 'picker' ? 'picker' : state.screen) : undefined;
	return (
		<Box flexDirection="column" width={width} height={lines} overflow="hidden">
			<Box flexShrink={0}>
				<HardwareHeader hardware={hardware} threads={threads.count} threadsReason={threads.reason} workerThreads={workerThreads} width={width} compact={compact} />
			</Box>
			{/* The screen keeps its natural height (no shrinking, which would overlap lines); what does not fit is clipped. */}
			<Box flexDirection="column" flexGrow={1} flexShrink={1} overflow="hidden" marginTop={compact ? 0 : 1}>
				<Box flexDirection="column" flexShrink={0}>
					{screenContext ? <HelpOverlay context={screenContext} width={width} /> : undefined}
					{!screenContext && state.screen === 'picker' ? <PickerScreen picker={state.picker} width={width} lines={bodyLines} /> : undefined}
					{!screenContext && state.screen === 'settings' && state.chosen ? <SettingsScreen candidate={state.chosen} form={state.form} quickBaselineCount={quickBaselineCount} logicalProcessors={hardware.logicalProcessors} width={width} /> : undefined}
					{!screenContext && state.screen === 'baseline' ? <BaselineScreen baseline={state.baseline} target={target} stopping={state.stopping} width={width} lines={bodyLines} tokenFrom={fetchingTokenFrom(state)} /> : undefined}
					{!screenContext && state.screen === 'dashboard' ? <DashboardScreen dashboard={state.dashboard} target={target} stopping={state.stopping} size={size} /> : undefined}
					{!screenContext && state.screen === 'summary' && state.summary ? <SummaryScreen summary={state.summary} target={target} width={width} lines={bodyLines} /> : undefined}
				</Box>
			</Box>
			<Box flexDirection="column" flexShrink={0}>
				{state.overlay?.kind === 'prompt' ? <TextPrompt label="Save the settings as profile:" text={state.overlay.text} hint="letters, digits, . _ - · Enter saves · Esc cancels" width={width} /> : undefined}
				<MessageLine messages={state.messages} width={width} />
				<KeyHints context={context} width={width} />
			</Box>
		</Box>
	);
}

function threadsShown(state: AppState, hardware: Hardware, controller: RunController): {count: number; reason: string} {
	const choice = state.chosen?.choice;
	const frameThreads = state.dashboard.frame?.settings.threads;
	if ((state.screen === 'dashboard' || state.screen === 'baseline') && frameThreads !== undefined) {
		const started = controller.runSettings?.threads;
		if (started !== undefined && frameThreads !== started) return {count: frameThreads, reason: `changed live from ${started}`};
		return {count: frameThreads, reason: choice?.ok && frameThreads === choice.prepared.settings.threads ? choice.prepared.threadsReason : 'set in the settings'};
	}

	if (state.screen === 'summary' && state.summary) {
		const {settings} = state.summary.report;
		return {count: settings.final.threads, reason: settings.final.threads === settings.threads ? 'used for the whole run' : `changed live from ${settings.threads}`};
	}

	if (choice?.ok) {
		const typed = Number(state.form.values.threads);
		const count = Number.isInteger(typed) && typed > 0 ? typed : choice.prepared.settings.threads;
		return {count, reason: count === choice.prepared.settings.threads ? choice.prepared.threadsReason : 'set in the settings'};
	}

	const fallback = defaultThreads(hardware);
	return {count: fallback.threads, reason: fallback.reason};
}
