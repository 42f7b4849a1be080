// Runs a TypeScript entry point fast: esbuild transpiles it (no type-checking; `npm run typecheck`
// and the tests do that) into one CommonJS file with node_modules left external, then node runs it.
// Each entry path has its own bundle (main.ts → .build/run/main.cjs, vault/main.ts →
// .build/run/vault/main.cjs), written atomically, so commands running at once never load each other's
// bundle or a half-written one.
import { buildSync } from 'esbuild';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs ENTRY.ts [ARGS...]');
  process.exit(2);
}
const relative = path.relative(process.cwd(), path.resolve(entry)).split(path.sep).map((s) => (s === '..' ? '__' : s));
const outfile = path.resolve('.build', 'run', ...relative).replace(/\.[cm]?[jt]s$/, '') + '.cjs';
const [bundle] = buildSync({
  entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  packages: 'external', sourcemap: 'inline', logLevel: 'error', write: false,
}).outputFiles;
fs.mkdirSync(path.dirname(outfile), { recursive: true });
const staged = `${outfile}.${process.pid}.tmp`;
fs.writeFileSync(staged, bundle.contents);
fs.renameSync(staged, outfile);
process.argv = [process.argv[0], outfile, ...args];
const require = createRequire(import.meta.url);
require.cache = {};
// Make `require.main === module` true in the entry.
const Module = require('module');
if (Module.runMain) Module._load(outfile, null, true);
else require(outfile);
