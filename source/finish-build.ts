/**
 * The end of `npm run build`, after esbuild (`node dist/finish-build.js`): the launcher at the top
 * of dist/cli.js and its mode, and the report schema beside the report writer.
 *
 * The launcher: dist/cli.js (the `pystress-tui` command) starts as a POSIX sh script whose second
 * line is, to JavaScript, a string and a comment. sh moves NODE_EXTRA_CA_CERTS to
 * PYSTRESS_NODE_EXTRA_CA_CERTS and runs the same file with node. Node 20 parses that file's
 * certificates before any script runs, TLS or not (40 ms with the system bundle); the program
 * reads it when a verified TLS connection needs it (engine/tls-trust.ts). And node runs with V8's
 * memory reducer off: 8 s after the main thread's first full collection, while it sits mostly idle
 * during a run, the reducer made two more (about 11 ms each), which stall a load worker that
 * shares its core and which the open model's corrected latency charged to the server (the load
 * workers keep their heap with heap-keeper.ts; V8 reads the flag only when an isolate starts, so
 * the program cannot set it itself). `node dist/cli.js` runs the JavaScript directly, and Node
 * reads the variable, and keeps the reducer, as usual.
 */
import {chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {deferredCaVariable} from './engine/tls-trust.js';

const launcher = [
	'#!/bin/sh',
	`":" //; [ -z "\${NODE_EXTRA_CA_CERTS:-}" ] || { ${deferredCaVariable}=$NODE_EXTRA_CA_CERTS; export ${deferredCaVariable}; unset NODE_EXTRA_CA_CERTS; }; exec node --no-memory-reducer "$0" "$@"`,
].join('\n');

const dist = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

const cli = dist('cli.js');
const text = readFileSync(cli, 'utf8');
if (!text.startsWith('#!/usr/bin/env node\n')) {
	throw new Error('dist/cli.js does not start with the hashbang of source/cli.tsx');
}

// The launcher takes two lines where the hashbang took one: the source map's lines move down one.
writeFileSync(cli, `${launcher}\n${text.slice(text.indexOf('\n') + 1)}`);
chmodSync(cli, 0o755);
const map = JSON.parse(readFileSync(`${cli}.map`, 'utf8')) as {mappings: string};
map.mappings = `;${map.mappings}`;
writeFileSync(`${cli}.map`, JSON.stringify(map));
mkdirSync(dist('report'), {recursive: true});
copyFileSync(fileURLToPath(new URL('../source/report/report.schema.json', import.meta.url)), dist('report/report.schema.json'));
