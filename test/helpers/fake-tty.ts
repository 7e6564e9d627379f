import {EventEmitter} from 'node:events';

/** A terminal-like output stream that keeps everything written (for runInteractive tests). */
export class FakeTtyOut extends EventEmitter {
	isTTY = true;
	columns: number;
	rows: number;
	output = '';

	constructor(columns = 100, rows = 30) {
		super();
		this.columns = columns;
		this.rows = rows;
	}

	write = (chunk: string | Uint8Array, encoding?: unknown, callback?: () => void): boolean => {
		this.output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
		const done = typeof encoding === 'function' ? encoding as () => void : callback;
		done?.();
		return true;
	};

	/** The output with escape sequences removed. */
	get text(): string {
		// eslint-disable-next-line no-control-regex
		return this.output.replaceAll(/\u001B\[[\d;?]*[a-zA-Z]/g, '');
	}

	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

/** A terminal-like input stream in raw mode (keys written by the test). */
export class FakeTtyIn extends EventEmitter {
	isTTY = true;
	isRaw = false;
	private data: string | undefined;

	setRawMode(raw: boolean): this {
		this.isRaw = raw;
		return this;
	}

	setEncoding(): this {
		return this;
	}

	resume(): this {
		return this;
	}

	pause(): this {
		return this;
	}

	ref(): this {
		return this;
	}

	unref(): this {
		return this;
	}

	read(): string | null {
		const {data} = this;
		this.data = undefined;
		return data ?? null;
	}

	press(data: string): void {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	}
}
