// Runs a TypeScript entry point fast: esbuild transpiles it (no type-checking; `npm test` does that) and
// bundles it with the libraries it imports into one CommonJS file, then node runs it with V8's code cache.
// - Each entry path has its own bundle (main.ts → .build/run/main.cjs, vault/main.ts →
//   .build/run/vault/main.cjs), written atomically, so commands running at once never load each other's
//   bundle or a half-written one.
// - A bundle is rebuilt only when one of its inputs changed: beside it, `<bundle>.inputs.json` lists every
//   source file esbuild read (and tsconfig.json) with its size and mtime; when all still match, esbuild
//   is not even loaded. Only esbuild itself and ajv (loaded by the schema check only when a validator must be
//   compiled) stay outside the bundle.
// - Code cache: every file under .build/ (the bundles, and the compiled schema validators) is compiled with
//   the V8 code cache kept beside it (`<file>.v8cache`, keyed by the file's device, inode, size and mtime,
//   which every rewrite changes, since files there are only replaced by a rename: V8 itself only checks the
//   source length). A run without a usable cache writes one when the process exits, after
//   the code ran, so the functions it compiled on the way are cached too; the next run skips parsing and
//   compiling them.
'use strict';
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.cjs ENTRY.ts [ARGS...]');
  process.exit(2);
}
const relative = path.relative(process.cwd(), path.resolve(entry)).split(path.sep).map((s) => (s === '..' ? '__' : s));
const outfile = path.resolve('.build', 'run', ...relative).replace(/\.[cm]?[jt]s$/, '') + '.cjs';
const inputsFile = `${outfile}.inputs.json`;
// The bundle also depends on how it is built: this file, and the tsconfig.json whose paths esbuild follows.
const BUILD_INPUTS = [__filename, path.resolve('tsconfig.json')];

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

/** The package whose folder holds `file` (its folder, name and version), or null. */
function packageOf(file) {
  const m = /^(.*[\\/]node_modules[\\/])((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
  if (!m) return null;
  try {
    return { dir: m[1] + m[2], name: m[2].split(path.sep).join('/'), version: JSON.parse(fs.readFileSync(path.join(m[1], m[2], 'package.json'), 'utf8')).version };
  } catch {
    return null;
  }
}

/**
 * One copy of a package that two dependents carry at the same version (cdk8s ships its own yaml 2.9.1 as a
 * bundled dependency, the project depends on yaml 2.9.1): a nested copy is resolved to the top-level one when
 * their versions are equal, so the bundle holds and loads it once. A different version stays apart.
 */
const sameVersionOnce = {
  name: 'same-version-once',
  setup(b) {
    const top = path.resolve('node_modules');
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.sameVersionOnce) return undefined;
      const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { sameVersionOnce: true } });
      if (resolved.errors.length > 0 || !resolved.path.includes(`${path.sep}node_modules${path.sep}`)) return resolved;
      const nested = packageOf(resolved.path);
      if (!nested || nested.dir === path.join(top, nested.name)) return resolved; // already the top-level copy
      const topLevel = packageOf(path.join(top, nested.name, 'package.json'));
      if (!topLevel || topLevel.version !== nested.version) return resolved;
      return { path: path.join(topLevel.dir, path.relative(nested.dir, resolved.path)) };
    });
  },
};

async function build() {
  const { build: esbuild } = require('esbuild');
  const result = await esbuild({
    entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['esbuild', 'ajv', 'ajv/*'], sourcemap: 'linked', minifyWhitespace: true, minifySyntax: true, logLevel: 'error', write: false, metafile: true,
    plugins: [sameVersionOnce],
  });
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  const inputs = Object.fromEntries([...Object.keys(result.metafile.inputs).map((f) => path.resolve(f)), ...BUILD_INPUTS].map((f) => [f, stamp(f)]));
  // The source map is written beside the bundle (node reads it only with --enable-source-maps).
  for (const file of result.outputFiles) writeAtomic(file.path, file.contents);
  writeAtomic(inputsFile, JSON.stringify(inputs));
}

const BUILD_DIR = path.resolve('.build') + path.sep;
/** Scripts compiled without a usable code cache: [cache file, cache key, script], cached at exit. */
const uncached = [];

// The CommonJS wrapper of a module, read into one buffer with the file between its two halves: a source built by
// concatenation is a rope, which V8 copies flat before it looks the script up (a megabyte per bundle).
const WRAP_HEAD = Buffer.from('(function (exports, require, module, __filename, __dirname) { ');
const WRAP_TAIL = Buffer.from('\n});');

/**
 * A file under .build/ as the source of its module function (the file inside the CommonJS wrapper), and the key of
 * its code cache (device, inode, size, mtime), read from one open file so the two cannot disagree: files there are
 * only ever replaced by a rename, which gives a new inode.
 */
function readWrapped(filename) {
  const fd = fs.openSync(filename, 'r');
  try {
    const s = fs.fstatSync(fd);
    const buf = Buffer.allocUnsafe(WRAP_HEAD.length + s.size + WRAP_TAIL.length);
    WRAP_HEAD.copy(buf, 0);
    let read = 0;
    for (let n; read < s.size; read += n) {
      n = fs.readSync(fd, buf, WRAP_HEAD.length + read, s.size - read, read);
      if (n === 0) throw new Error(`${filename}: ${s.size} bytes expected, ${read} read`);
    }
    WRAP_TAIL.copy(buf, WRAP_HEAD.length + s.size);
    return { source: buf.toString('utf8'), key: Buffer.from(`${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}\0`) };
  } finally {
    fs.closeSync(fd);
  }
}

const origLoadJs = Module._extensions['.js'];
Module._extensions['.js'] = function loadWithCodeCache(module, filename) {
  if (!filename.startsWith(BUILD_DIR)) return origLoadJs.call(this, module, filename);
  const { source, key } = readWrapped(filename);
  const cacheFile = `${filename}.v8cache`;
  let cachedData;
  try {
    const stored = fs.readFileSync(cacheFile);
    if (stored.subarray(0, key.length).equals(key)) cachedData = stored.subarray(key.length);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(source, { filename, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) uncached.push([cacheFile, key, script]);
  const fn = script.runInThisContext({ displayErrors: true });
  // process.mainModule is this module for the entry, so `require.main === module` holds in it.
  return fn.call(module.exports, module.exports, Module.createRequire(filename), module, filename, path.dirname(filename));
};
process.on('exit', () => {
  for (const [cacheFile, key, script] of uncached) {
    try {
      writeAtomic(cacheFile, Buffer.concat([key, script.createCachedData()]));
    } catch {
      // a cache is an optimisation: a read-only checkout still runs
    }
  }
});

function run() {
  process.argv = [process.argv[0], outfile, ...args];
  Module._load(outfile, null, true);
}

if (upToDate()) run();
else build().then(run, (e) => {
  console.error(e);
  process.exit(1);
});
