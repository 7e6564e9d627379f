import {randomBytes} from 'node:crypto';
import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

/**
 * Creates a directory and its parents. Refuses /proc and /sys up front: Node 20's recursive
 * mkdir never returns there (it loops on the kernel's answer).
 */
export function ensureDirectory(directory: string): void {
	const absolute = path.resolve(directory);
	if (/^\/(proc|sys)(\/|$)/.test(absolute)) {
		throw Object.assign(new Error(`cannot create files under ${absolute}`), {code: 'EACCES'});
	}

	mkdirSync(absolute, {recursive: true});
}

/** Writes a file atomically: a temporary file beside it, then a rename. Creates the directory. */
export function writeFileAtomic(filePath: string, text: string): void {
	const directory = path.dirname(filePath);
	ensureDirectory(directory);
	const temporary = path.join(directory, `.${path.basename(filePath)}.${randomBytes(4).toString('hex')}.tmp`);
	try {
		writeFileSync(temporary, text);
		renameSync(temporary, filePath);
	} catch (error) {
		rmSync(temporary, {force: true});
		throw error;
	}
}
