// Runs a TypeScript entry point fast: esbuild transpiles it (no type-checking; `npm run typecheck`
// and the tests do that) into one CommonJS file with node_modules left external, then node runs it.
import { buildSync } from 'esbuild';
import { createRequire } from 'module';
import * as path from 'path';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs ENTRY.ts [ARGS...]');
  process.exit(2);
}
const outfile = path.resolve('.build', path.basename(entry).replace(/\.ts$/, '.cjs'));
buildSync({
  entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  packages: 'external', sourcemap: 'inline', logLevel: 'error',
});
process.argv = [process.argv[0], outfile, ...args];
const require = createRequire(import.meta.url);
require.cache = {};
// Make `require.main === module` true in the entry.
const Module = require('module');
Module.runMain ? Module._load(outfile, null, true) : require(outfile);
