/** Renders an Ink element with ink-testing-library and returns its last frame; unmounted after each test. */
import {render} from 'ink-testing-library';
import type {ReactElement} from 'react';
import {afterEach} from 'vitest';
import {createTheme, ThemeContext} from '../../source/ui/theme.js';

const mounted: Array<ReturnType<typeof render>> = [];
afterEach(() => {
	for (const instance of mounted.splice(0)) instance.unmount();
});

/** Renders without colour (as NO_COLOR would) unless `colour`, returns the last frame. */
export function show(element: ReactElement, colour = false): string {
	const instance = render(<ThemeContext.Provider value={createTheme(colour)}>{element}</ThemeContext.Provider>);
	mounted.push(instance);
	return instance.lastFrame() ?? '';
}
