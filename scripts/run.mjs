// Runs a TypeScript entry point fast: esbuild transpiles it (no type-checking; `npm test` does that) into
// one CommonJS file with node_modules left external, then node runs it.
// - Each entry path has its own bundle (main.ts → .build/run/main.cjs, vault/main.ts →
//   .build/run/vault/main.cjs), written atomically, so commands running at once never load each other's
//   bundle or a half-written one.
// - A bundle is rebuilt only when one of its inputs changed: beside it, `<bundle>.inputs.json` lists every
//   source file esbuild read (and tsconfig.json) with its size and mtime; when all still match, esbuild
//   is not even loaded.
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { fileURLToPath } from 'url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs ENTRY.ts [ARGS...]');
  process.exit(2);
}
const relative = path.relative(process.cwd(), path.resolve(entry)).split(path.sep).map((s) => (s === '..' ? '__' : s));
const outfile = path.resolve('.build', 'run', ...relative).replace(/\.[cm]?[jt]s$/, '') + '.cjs';
const inputsFile = `${outfile}.inputs.json`;
// The bundle also depends on how it is built: this file, and the tsconfig.json whose paths esbuild follows.
const BUILD_INPUTS = [fileURLToPath(import.meta.url), path.resolve('tsconfig.json')];

/** `size:mtime` of a file, or null when it is gone. */
function stamp(file) {
  try {
    const s = fs.statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

function upToDate() {
  let recorded;
  try {
    recorded = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
  } catch {
    return false;
  }
  return fs.existsSync(outfile) && Object.entries(recorded).every(([file, s]) => stamp(file) === s);
}

function writeAtomic(file, content) {
  const staged = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(staged, content);
  fs.renameSync(staged, file);
}

async function build() {
  const { build: esbuild } = await import('esbuild');
  const result = await esbuild({
    entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    packages: 'external', sourcemap: 'linked', logLevel: 'error', write: false, metafile: true,
  });
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  const inputs = Object.fromEntries([...Object.keys(result.metafile.inputs).map((f) => path.resolve(f)), ...BUILD_INPUTS].map((f) => [f, stamp(f)]));
  // The source map is written beside the bundle (node reads it only with --enable-source-maps).
  for (const file of result.outputFiles) writeAtomic(file.path, file.contents);
  writeAtomic(inputsFile, JSON.stringify(inputs));
}

if (!upToDate()) await build();
process.argv = [process.argv[0], outfile, ...args];
const require = createRequire(import.meta.url);
require.cache = {};
// Make `require.main === module` true in the entry.
const Module = require('module');
if (Module.runMain) Module._load(outfile, null, true);
else require(outfile);
