/**
 * scripts/check.ts (`npm run check`): the local equivalent of the synth job's `git diff --exit-code`. Every
 * test works in a temporary copy: the real dist/ is never modified.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generatedDirs, writeOutputs } from '../../lib/outputs';
import { synthesize } from '../../main';
import { findDrift, formatDrift } from '../../scripts/check';
import { ROOT } from './support';

/** What synth produces for the guide's config (the environment's FACTORY_CONFIG ignored). */
const outputs = synthesize({});
const [firstDist] = [...outputs.keys()].filter((p) => p.startsWith('dist/'));

const temps: string[] = [];
afterAll(() => { for (const t of temps) fs.rmSync(t, { recursive: true, force: true }); });

/** A temporary root holding exactly what synth produces, as a fresh commit would. */
function freshCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-check-'));
  temps.push(dir);
  writeOutputs(dir, outputs, []);
  return dir;
}

/**
 * A scratch project to run the npm script in: the sources linked from the real checkout, the generated
 * files real copies (written from synth), so the script can be run on a stale copy.
 */
function scratchProject(): string {
  const dir = freshCopy();
  const generatedTop = new Set([...outputs.keys()].map((p) => p.split('/')[0]));
  for (const entry of fs.readdirSync(ROOT)) {
    if (generatedTop.has(entry) || ['.git', '.build', 'cdktf.out', 'coverage'].includes(entry)) continue;
    fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
  }
  return dir;
}

const runCheck = (cwd: string) => spawnSync(process.execPath, ['scripts/run.cjs', 'scripts/check.ts'], {
  cwd, encoding: 'utf8', env: { ...process.env, FACTORY_CONFIG: '' },
});

describe('drift gate: findDrift compares synth output with the committed files', () => {
  test('GIVEN files exactly as synth writes them THEN there is no drift', () => {
    expect(findDrift(freshCopy(), outputs)).toEqual([]);
  });

  test('GIVEN a generated file edited by hand THEN it is reported as differs', () => {
    const dir = freshCopy();
    fs.appendFileSync(path.join(dir, firstDist), '# edited\n');
    expect(findDrift(dir, outputs)).toEqual([{ path: firstDist, kind: 'differs' }]);
  });

  test('GIVEN a generated file that is not committed THEN it is reported as missing', () => {
    const dir = freshCopy();
    fs.rmSync(path.join(dir, firstDist));
    expect(findDrift(dir, outputs)).toEqual([{ path: firstDist, kind: 'missing' }]);
  });

  test('GIVEN a leftover file in dist/ that synth no longer produces THEN it is reported as not generated', () => {
    const dir = freshCopy();
    fs.writeFileSync(path.join(dir, 'dist', '9999-removed-chart.k8s.yaml'), 'kind: ConfigMap\n');
    expect(findDrift(dir, outputs)).toEqual([{ path: 'dist/9999-removed-chart.k8s.yaml', kind: 'not generated' }]);
  });

  test('GIVEN a leftover file deep in another directory synth writes (nginx/) THEN it is reported as not generated', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-check-'));
    temps.push(dir);
    const generated = new Map([['nginx/modsecurity.conf', 'SecRuleEngine On\n'], ['docker-compose.security.yml', 'services: {}\n']]);
    writeOutputs(dir, generated, []);
    fs.mkdirSync(path.join(dir, 'nginx', 'conf.d'));
    fs.writeFileSync(path.join(dir, 'nginx', 'conf.d', 'old.conf'), 'server {}\n');
    expect(generatedDirs(generated)).toEqual(['nginx']);
    expect(findDrift(dir, generated)).toEqual([{ path: 'nginx/conf.d/old.conf', kind: 'not generated' }]);
  });

  test('GIVEN a hand-written file at the root beside a generated root file THEN it is not reported', () => {
    const dir = freshCopy();
    fs.writeFileSync(path.join(dir, 'docker-compose.override.yml'), 'services: {}\n');
    expect(findDrift(dir, outputs)).toEqual([]);
  });

  test('the report names every stale path and the command that fixes it', () => {
    const text = formatDrift([{ path: 'dist/0000-namespace.k8s.yaml', kind: 'differs' }, { path: 'nginx/modsecurity.conf', kind: 'missing' }]);
    expect(text).toContain('differs       dist/0000-namespace.k8s.yaml');
    expect(text).toContain('missing       nginx/modsecurity.conf');
    expect(text).toContain('npm run synth');
  });
});

describe('npm run check: the command developers run before pushing', () => {
  test('GIVEN a fresh copy WHEN the check runs THEN it exits 0 and says the files match', () => {
    const r = runCheck(scratchProject());
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(new RegExp(`^check: ${outputs.size} generated files match the committed ones \\(\\d+ ms\\)\\n$`));
  });

  test('GIVEN a stale dist/ file WHEN the check runs THEN it exits 1, names the file, and leaves it as it was', () => {
    const dir = scratchProject();
    const stale = path.join(dir, firstDist);
    fs.writeFileSync(stale, 'stale: true\n');
    const r = runCheck(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`differs       ${firstDist}`);
    // The check never writes: importing main.ts must not run its synth-to-disk main().
    expect(fs.readFileSync(stale, 'utf8')).toBe('stale: true\n');
  });

  test('package.json: `npm run check` runs scripts/check.ts, and `npm test` runs it before jest', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts.check).toBe('node scripts/run.cjs scripts/check.ts');
    const steps = String(scripts.test).split('&&').map((s) => s.trim());
    expect(steps).toContain('npm run check');
    expect(steps.indexOf('npm run check')).toBeLessThan(steps.findIndex((s) => s.startsWith('jest')));
  });
});
