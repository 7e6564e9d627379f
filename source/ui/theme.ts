import {createContext, useContext} from 'react';

/** A basic ANSI colour name (the 16-colour palette only: no truecolor needed). */
export type Colour = 'green' | 'red' | 'yellow' | 'cyan' | 'magenta' | 'blue' | 'gray' | 'white';

/** Colours by role; every role is undefined when colour is off (NO_COLOR), so components add none. */
export type Theme = {
	readonly colour: boolean;
	readonly accent: Colour | undefined;
	readonly ok: Colour | undefined;
	readonly warn: Colour | undefined;
	readonly error: Colour | undefined;
	readonly muted: Colour | undefined;
	readonly series: readonly [Colour | undefined, Colour | undefined];
};

export function createTheme(colour: boolean): Theme {
	return colour
		? {colour, accent: 'cyan', ok: 'green', warn: 'yellow', error: 'red', muted: 'gray', series: ['cyan', 'magenta']}
		: {colour, accent: undefined, ok: undefined, warn: undefined, error: undefined, muted: undefined, series: [undefined, undefined]};
}

/** Colour is on unless NO_COLOR is set (to anything, https://no-color.org) or the output is not a terminal. */
export function colourEnabled(env: Readonly<Record<string, string | undefined>>, isTty: boolean): boolean {
	return env['NO_COLOR'] === undefined && isTty && env['TERM'] !== 'dumb';
}

export const ThemeContext = createContext<Theme>(createTheme(false));

export function useTheme(): Theme {
	return useContext(ThemeContext);
}
