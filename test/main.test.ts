/** main.ts: `npm run synth` writes dist/ only from a valid config, and is deterministic. */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { ALIAS_BOMB } from './support';

const ROOT = path.resolve(__dirname, '..');

const NOT_COPIED = new Set(['node_modules', '.git', '.build', 'cdktf.out', 'coverage']);

/**
 * A scratch copy of the working tree (every tracked-looking entry, linked node_modules), alone in an
 * empty folder, to run synth in without touching the real dist/.
 */
function scratchProject(): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-main-'));
  const dir = path.join(parent, 'main');
  fs.mkdirSync(dir);
  for (const entry of fs.readdirSync(ROOT).filter((e) => !NOT_COPIED.has(e))) {
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function hashTree(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const f of fs.readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else h.update(`${path.relative(dir, p)}\0`).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

function synth(cwd: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['scripts/run.cjs', 'main.ts'], {
    cwd, encoding: 'utf8', env: { ...process.env, FACTORY_CONFIG: '', ...env },
  });
}

let project: string;
beforeAll(() => { project = scratchProject(); });
afterAll(() => fs.rmSync(path.dirname(project), { recursive: true, force: true }));

test('GIVEN a refused FACTORY_CONFIG WHEN synth runs THEN it exits 1 naming the field and dist/ is untouched', () => {
  const config = path.join(project, 'bad.yaml');
  fs.writeFileSync(config, 'components:\n  api:\n    image: ghcr.io/factory-de-agentes/factory:latest\n');
  const before = hashTree(path.join(project, 'dist'));
  const run = synth(project, { FACTORY_CONFIG: config });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(new RegExp(`FACTORY_CONFIG=${config}`));
  expect(run.stderr).toMatch(/components\.api\.image: image ".*:latest" is tagged "latest"/);
  expect(hashTree(path.join(project, 'dist'))).toBe(before);
});

test('GIVEN a missing FACTORY_CONFIG file WHEN synth runs THEN it exits 1 and dist/ is untouched', () => {
  const before = hashTree(path.join(project, 'dist'));
  const run = synth(project, { FACTORY_CONFIG: path.join(project, 'nope.yaml') });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/nope\.yaml: \(root\): cannot read the file/);
  expect(hashTree(path.join(project, 'dist'))).toBe(before);
});

test('GIVEN a FACTORY_CONFIG that is a YAML alias bomb WHEN synth runs THEN it exits 1 with one line naming the file, no stack trace, and dist/ is untouched', () => {
  const config = path.join(project, 'bomb.yaml');
  fs.writeFileSync(config, ALIAS_BOMB);
  const before = hashTree(path.join(project, 'dist'));
  const run = synth(project, { FACTORY_CONFIG: config });
  expect([run.status, run.stderr]).toEqual([1, `synth refused: invalid configuration in FACTORY_CONFIG=${config}: (root): YAML cannot be expanded: Excessive alias count indicates a resource exhaustion attack\n`]);
  expect(hashTree(path.join(project, 'dist'))).toBe(before);
});

test('GIVEN a refused FACTORY_CONFIG WHEN plain `cdk8s synth` runs THEN it fails and dist/ is untouched (the CLI only empties its staging folder)', () => {
  const config = path.join(project, 'bad-cli.yaml');
  fs.writeFileSync(config, 'namespaces: factory\n');
  const before = hashTree(path.join(project, 'dist'));
  const run = spawnSync(path.join(project, 'node_modules', '.bin', 'cdk8s'), ['synth'], {
    cwd: project, encoding: 'utf8', env: { ...process.env, FACTORY_CONFIG: config, CDK8S_CHECK_UPGRADE: 'false' },
  });
  expect(run.status).not.toBe(0);
  expect(run.stderr + run.stdout).toMatch(/unknown key\(s\) "namespaces"/);
  expect(hashTree(path.join(project, 'dist'))).toBe(before);
});
