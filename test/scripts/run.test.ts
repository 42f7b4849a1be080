/**
 * scripts/run.cjs (every `npm run` entry goes through it): one bundle per entry path, so `npm run synth`
 * (main.ts) and `npm run vault:synth` (vault/main.ts) never overwrite each other's bundle; each bundle runs
 * with a V8 code cache keyed by its file (device, inode, size, mtime: a rebuild renames a new file in).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const RUN = path.resolve(__dirname, '..', '..', 'scripts', 'run.cjs');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-run-'));
  for (const name of ['main', 'vault']) {
    const entry = path.join(dir, name === 'main' ? 'main.ts' : 'vault/main.ts');
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    fs.writeFileSync(entry, `const who: string = '${name}';\nprocess.stdout.write(who);\n`);
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The key a code cache starts with: the file's device, inode, size and mtime, then a NUL. */
const cacheKey = (file: string) => {
  const s = fs.statSync(file);
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}\0`;
};

const run = (entry: string) => spawnSync(process.execPath, [RUN, entry], { cwd: dir, encoding: 'utf8' });

test('GIVEN main.ts and vault/main.ts WHEN both ran THEN each keeps its own bundle, named after its path', () => {
  expect([run('main.ts').stdout, run('vault/main.ts').stdout]).toEqual(['main', 'vault']);
  expect(fs.readFileSync(path.join(dir, '.build', 'run', 'main.cjs'), 'utf8')).toContain('"main"');
  expect(fs.readFileSync(path.join(dir, '.build', 'run', 'vault', 'main.cjs'), 'utf8')).toContain('"vault"');
});

test('GIVEN the two entries started at once THEN each runs its own code', async () => {
  const start = (entry: string) => new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, entry], { cwd: dir });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${entry} exited ${code}`))));
  });
  expect(await Promise.all([start('main.ts'), start('vault/main.ts'), start('main.ts'), start('vault/main.ts')])).toEqual(['main', 'vault', 'main', 'vault']);
});

test('GIVEN the runs THEN no staging file is left beside the bundles, their input lists and source maps', () => {
  const files = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [e.name]));
  expect(files(path.join(dir, '.build', 'run')).sort()).toEqual([
    'main.cjs', 'main.cjs', 'main.cjs.inputs.json', 'main.cjs.inputs.json', 'main.cjs.map', 'main.cjs.map', 'main.cjs.v8cache', 'main.cjs.v8cache',
  ]);
});

test('GIVEN unchanged inputs WHEN the entry runs again THEN the bundle is reused, not rebuilt', () => {
  const bundle = path.join(dir, '.build', 'run', 'main.cjs');
  const before = fs.statSync(bundle).mtimeMs;
  expect(run('main.ts').stdout).toBe('main');
  expect(fs.statSync(bundle).mtimeMs).toBe(before);
});

test('GIVEN an input edited WHEN the entry runs again THEN the bundle is rebuilt and runs the new code', () => {
  fs.writeFileSync(path.join(dir, 'main.ts'), `const who: string = 'edited';\nprocess.stdout.write(who);\n`);
  expect(run('main.ts').stdout).toBe('edited');
  expect(fs.readFileSync(path.join(dir, '.build', 'run', 'main.cjs'), 'utf8')).toContain('"edited"');
});

test('GIVEN a run THEN the bundle\'s code cache is written, keyed by the bundle file\'s device, inode, size and mtime', () => {
  const bundle = path.join(dir, '.build', 'run', 'main.cjs');
  const key = cacheKey(bundle);
  const cache = fs.readFileSync(`${bundle}.v8cache`);
  expect(cache.subarray(0, key.length).toString()).toBe(key);
  expect(cache.length).toBeGreaterThan(key.length + 20);
});

test('GIVEN the bundle\'s stamp changed (its mtime) WHEN the entry runs THEN the cache of the old stamp is not used but written anew', () => {
  const bundle = path.join(dir, '.build', 'run', 'main.cjs');
  const old = fs.readFileSync(`${bundle}.v8cache`);
  const t = new Date(Date.now() - 60_000);
  fs.utimesSync(bundle, t, t);
  expect(run('main.ts').stdout).toBe('edited');
  const cache = fs.readFileSync(`${bundle}.v8cache`);
  expect(cache.subarray(0, old.indexOf(0) + 1).toString()).not.toBe(old.subarray(0, old.indexOf(0) + 1).toString());
  expect(cache.subarray(0, cache.indexOf(0) + 1).toString()).toBe(cacheKey(bundle));
});

test('GIVEN an edit that keeps the bundle\'s length (V8 checks only that) WHEN the entry runs THEN the new code runs, not the cached one', () => {
  // GIVEN a cached run of one text, then an edit of one letter
  fs.writeFileSync(path.join(dir, 'main.ts'), `const who: string = 'same-a';\nprocess.stdout.write(who);\n`);
  expect(run('main.ts').stdout).toBe('same-a');
  const bundle = path.join(dir, '.build', 'run', 'main.cjs');
  const size = fs.statSync(bundle).size;
  fs.writeFileSync(path.join(dir, 'main.ts'), `const who: string = 'same-b';\nprocess.stdout.write(who);\n`);
  // WHEN it runs again THEN the new text is printed from a bundle of the same length
  expect(run('main.ts').stdout).toBe('same-b');
  expect(fs.statSync(bundle).size).toBe(size);
});

describe('a package two dependents carry at the same version is bundled once', () => {
  let pkgDir: string;
  /** A package folder: package.json with its version, index.js exporting where it lives. */
  const pkg = (at: string, name: string, version: string, body: string) => {
    fs.mkdirSync(path.join(at, name), { recursive: true });
    fs.writeFileSync(path.join(at, name, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
    fs.writeFileSync(path.join(at, name, 'index.js'), body);
  };
  beforeAll(() => {
    pkgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-run-dedupe-'));
    const top = path.join(pkgDir, 'node_modules');
    pkg(top, 'dep', '1.0.0', 'module.exports = "top 1.0.0";');
    // carrier ships its own dep at the same version (as cdk8s ships yaml); other ships another version.
    pkg(top, 'carrier', '1.0.0', 'module.exports = require("dep");');
    pkg(path.join(top, 'carrier', 'node_modules'), 'dep', '1.0.0', 'module.exports = "nested 1.0.0";');
    pkg(top, 'other', '1.0.0', 'module.exports = require("dep");');
    pkg(path.join(top, 'other', 'node_modules'), 'dep', '2.0.0', 'module.exports = "nested 2.0.0";');
    fs.writeFileSync(path.join(pkgDir, 'main.ts'), 'process.stdout.write([require("carrier"), require("other")].join(","));\n');
  });
  afterAll(() => fs.rmSync(pkgDir, { recursive: true, force: true }));

  test('GIVEN a nested copy at the top-level version THEN the top-level copy is bundled in its place; GIVEN another version THEN the nested copy stays', () => {
    const r = spawnSync(process.execPath, [RUN, 'main.ts'], { cwd: pkgDir, encoding: 'utf8' });
    expect(r.stdout).toBe('top 1.0.0,nested 2.0.0');
    const inputs = Object.keys(JSON.parse(fs.readFileSync(path.join(pkgDir, '.build', 'run', 'main.cjs.inputs.json'), 'utf8')));
    expect(inputs.filter((f) => f.includes(path.join('carrier', 'node_modules')))).toEqual([]);
  });
});
