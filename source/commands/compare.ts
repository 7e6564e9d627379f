import {ConfigError} from '../config/errors.js';
import type {Command} from './context.js';

/** `pystress-tui compare`: not built yet (issue 13). */
export const compareCommand: Command = {
	takesArguments: true,
	async run() {
		throw new ConfigError('command line', [{path: 'compare', message: 'not available yet'}]);
	},
};
