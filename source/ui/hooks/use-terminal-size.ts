import {useStdout} from 'ink';
import {useEffect, useState} from 'react';
import type {TerminalSize} from '../state/layout.js';

/** Assumed when the output is not a terminal (tests, pipes). */
export const fallbackSize: TerminalSize = {columns: 80, rows: 24};

function read(stdout: NodeJS.WriteStream): TerminalSize {
	return {columns: stdout.columns || fallbackSize.columns, rows: stdout.rows || fallbackSize.rows};
}

/** The terminal size, updated on resize. */
export default function useTerminalSize(): TerminalSize {
	const {stdout} = useStdout();
	const [size, setSize] = useState<TerminalSize>(() => read(stdout));
	useEffect(() => {
		const onResize = (): void => {
			setSize(read(stdout));
		};

		stdout.on('resize', onResize);
		onResize();
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);
	return size;
}
