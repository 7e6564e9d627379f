import {ConfigError} from '../config/errors.js';
import type {Command} from './context.js';

/** `pystress-tui merge`: not built yet (issue 13). */
export const mergeCommand: Command = {
	takesArguments: true,
	async run() {
		throw new ConfigError('command line', [{path: 'merge', message: 'not available yet'}]);
	},
};
