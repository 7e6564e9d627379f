import {randomBytes} from 'node:crypto';
import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

/** Writes a file atomically: a temporary file beside it, then a rename. Creates the directory. */
export function writeFileAtomic(filePath: string, text: string): void {
	const directory = path.dirname(filePath);
	mkdirSync(directory, {recursive: true});
	const temporary = path.join(directory, `.${path.basename(filePath)}.${randomBytes(4).toString('hex')}.tmp`);
	try {
		writeFileSync(temporary, text);
		renameSync(temporary, filePath);
	} catch (error) {
		rmSync(temporary, {force: true});
		throw error;
	}
}
