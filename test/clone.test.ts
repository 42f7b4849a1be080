/**
 * A user's clone works (README "Quick start"): the repository carries everything it builds and tests
 * with. The committed HEAD, cloned into an empty folder with nothing beside it (node_modules linked to
 * save the install), synthesizes exactly the committed files, and `npx cdk8s import` reproduces imports/
 * from crds/. Beside it, no tracked file names the folder where the team receives upstream material.
 */
import { type SpawnSyncReturns, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const NAME = 'factory-security';

function sh(cwd: string, cmd: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd, encoding: 'utf8', env: { ...process.env, FACTORY_CONFIG: '', CDK8S_CHECK_UPGRADE: 'false' },
  });
}

const git = (cwd: string, ...args: string[]) => {
  const r = sh(cwd, 'git', args);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
};

describe('a fresh clone, alone in an empty folder', () => {
  let parent: string;
  let clone: string;
  let synth: SpawnSyncReturns<string>;
  let statusAfterSynth: string;
  let imported: SpawnSyncReturns<string>;
  let statusAfterImport: string;
  let vault: SpawnSyncReturns<string>;

  beforeAll(() => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-clone-'));
    clone = path.join(parent, NAME);
    git(parent, 'clone', '--quiet', ROOT, NAME);
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'));
    fs.appendFileSync(path.join(clone, '.git', 'info', 'exclude'), '/node_modules\n');
    // Synth must write every output itself: remove the committed ones first.
    fs.rmSync(path.join(clone, 'dist'), { recursive: true });
    synth = sh(clone, 'npm', ['run', 'synth']);
    statusAfterSynth = git(clone, 'status', '--porcelain', '--untracked-files=all');
    fs.rmSync(path.join(clone, 'imports'), { recursive: true });
    imported = sh(clone, 'npx', ['cdk8s', 'import']);
    statusAfterImport = git(clone, 'status', '--porcelain', '--untracked-files=all');
    vault = sh(clone, 'npm', ['run', 'vault:synth']);
  }, 120000);
  afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

  test('GIVEN the committed HEAD cloned into an empty folder THEN nothing is beside the clone', () => {
    expect(fs.readdirSync(parent)).toEqual([NAME]);
  });

  test('WHEN `npm run synth` runs THEN it exits 0 (every CRD and schema it validates with is in the clone)', () => {
    expect({ status: synth.status, stderr: synth.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test('WHEN `npm run synth` has rewritten dist/ THEN every file is byte-identical to the committed one (git status clean)', () => {
    expect(fs.readdirSync(path.join(clone, 'dist')).length).toBeGreaterThan(0);
    expect(statusAfterSynth).toBe('');
  });

  test('WHEN `npx cdk8s import` regenerates imports/ from crds/ THEN it exits 0 and reproduces the committed classes byte for byte', () => {
    expect(imported.status).toBe(0);
    expect(fs.readdirSync(path.join(clone, 'imports')).length).toBe(4);
    expect(statusAfterImport).toBe('');
  });

  test('WHEN `npm run vault:synth` runs THEN it exits 0 and writes the Terraform JSON', () => {
    expect(vault.status).toBe(0);
    expect(fs.existsSync(path.join(clone, 'cdktf.out', 'stacks', 'factory-vault', 'cdk.tf.json'))).toBe(true);
  });
});

describe('nothing outside the repository is named', () => {
  // Built from pieces so that this file does not name it either.
  const SHARED = 'sha' + 'red';
  const named = [
    new RegExp(String.raw`\.\.[\\/]+${SHARED}\b`), // the relative path, either separator
    new RegExp(String.raw`(['"\x60])\.\.\1\s*,\s*(?:(['"\x60])\.\.\2\s*,\s*)*(['"\x60])${SHARED}\3`), // the same as path segments of path.join
  ];
  const namesShared = (text: string) => named.some((re) => re.test(text));

  test('GIVEN the patterns THEN they catch both spellings (control)', () => {
    expect([`x ../${SHARED}/crds`, `path.join(__dirname, '..', '..', '${SHARED}', 'crds')`, 'shared drive'].map(namesShared)).toEqual([true, true, false]);
  });

  /** The one file that may: CI's entry point runs the extra CRS 4.22 suite on the release received there. */
  const MAY_NAME_IT = new Set(['.ci/run']);

  test('GIVEN every tracked file THEN none names the team folder beside the checkout (a user\'s clone has nothing beside it), but CI\'s extra suite', () => {
    const tracked = git(ROOT, 'ls-files', '-z').split('\0').filter((f) => f && !MAY_NAME_IT.has(f));
    expect(tracked.length).toBeGreaterThan(100);
    const offenders = tracked.filter((f) => {
      const file = path.join(ROOT, f);
      return fs.existsSync(file) && fs.statSync(file).isFile() && namesShared(fs.readFileSync(file, 'utf8'));
    });
    expect(offenders).toEqual([]);
  });
});
