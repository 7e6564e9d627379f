/**
 * llhttp's own response test cases (`test/response/*.md` of nodejs/llhttp 9.4.2, commit 01e105a,
 * copied unchanged into test/fixtures/llhttp/ with llhttp's MIT licence): each case's input bytes,
 * decoded as llhttp's test runner (`test/md-test.ts`) decodes them. Their expected parser events
 * are left aside: what a client should make of the bytes comes from node:http, the oracle.
 */
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import vm from 'node:vm';

export type LlhttpCase = {
	/** `sample.md:12 Simple response`: the file, the line of the input's fence and the heading. */
	readonly name: string;
	/** llhttp's `type` metadata: `response`, or a lenient mode (`response-lenient-headers` ...). */
	readonly type: string;
	/** The parser was told the response has no body (llhttp's `skipBody`): as an answer to HEAD. */
	readonly skipBody: boolean;
	readonly bytes: Buffer;
};

export const llhttpDirectory = fileURLToPath(new URL('../fixtures/llhttp/response/', import.meta.url));

/** The input of an ```http fence, as llhttp's md-test.ts turns it into bytes (latin1: one char, one byte). */
export function decodeInput(fence: string): Buffer {
	let input = fence.replace(/\n$/, '');
	// Escaped newlines join lines; the rest become CRLF.
	input = input.replaceAll(/\\(\r\n|\r|\n)/g, '');
	input = input.replaceAll(/\r\n|\r|\n/g, '\r\n');
	input = input.replaceAll('\\r', '\r');
	input = input.replaceAll('\\n', '\n');
	input = input.replaceAll('\\t', '\t');
	input = input.replaceAll('\\f', '\f');
	input = input.replaceAll(/\\x([\da-fA-F]+)/g, (_all, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
	input = input.replaceAll(/\\([0-7]{1,3})/g, (_all, digits: string) => String.fromCharCode(Number.parseInt(digits, 8)));
	// Inline JavaScript, as llhttp's runner evaluates it (`${'a'.repeat(70000)}` and the like).
	input = input.replaceAll(/\$\{(.+?)\}/g, (_all, code: string) => String(vm.runInNewContext(code)));
	return Buffer.from(input, 'latin1');
}

/** Every case of one md file whose metadata says `response...`. */
export function parseCases(file: string, text: string): LlhttpCase[] {
	const cases: LlhttpCase[] = [];
	const lines = text.split('\n');
	let heading = '';
	let meta: {type?: string; skipBody?: boolean} | undefined;
	for (let index = 0; index < lines.length; index++) {
		const line = lines[index]!;
		const title = /^##+\s+(.*)$/.exec(line);
		if (title) heading = title[1]!.trim();
		const comment = /^<!--\s*meta=(\{.*\})\s*-->\s*$/.exec(line);
		if (comment) meta = JSON.parse(comment[1]!) as {type?: string; skipBody?: boolean};
		if (line.trim() === '```http') {
			const start = index + 1;
			let end = start;
			while (end < lines.length && lines[end]!.trim() !== '```') end++;
			if (meta?.type?.startsWith('response')) {
				cases.push({name: `${file}:${start} ${heading}`, type: meta.type, skipBody: meta.skipBody === true, bytes: decodeInput(`${lines.slice(start, end).join('\n')}\n`)});
			}

			meta = undefined;
			index = end;
		}
	}

	return cases;
}

/** All the response cases, file by file. */
export function llhttpResponseCases(): LlhttpCase[] {
	return readdirSync(llhttpDirectory).filter(file => file.endsWith('.md')).sort().flatMap(file => parseCases(file, readFileSync(path.join(llhttpDirectory, file), 'utf8')));
}
