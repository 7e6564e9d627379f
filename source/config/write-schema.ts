/**
 * Writes the config JSON Schema: `node dist/config/write-schema.js [FILE]`, by default next to
 * this script (`dist/config/config.schema.json`, run by `npm run build`). Refresh the committed
 * copy after a change to schema.ts with `npx tsx source/config/write-schema.ts
 * source/config/config.schema.json` (test/config-schema.test.ts fails until it matches).
 */
import {writeFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {configJsonSchemaText} from './json-schema.js';

const target = process.argv[2] ?? fileURLToPath(new URL('config.schema.json', import.meta.url));
writeFileSync(target, configJsonSchemaText());
