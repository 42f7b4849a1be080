/**
 * End to end: `npm run synth` refuses a bad FACTORY_CONFIG, and its entry an injected violation, with a precise
 * message, exits non-zero, and leaves dist/ byte-identical (hashed before and after).
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist');

/** A hash of every file (name and bytes) under dist/. */
function hashDir(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(`${path.relative(dir, p)}\0`).update(fs.readFileSync(p)).update('\0');
    }
  };
  walk(dir);
  return h.digest('hex');
}

function synth(env: NodeJS.ProcessEnv) {
  const r = spawnSync('npm', ['run', '--silent', 'synth'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stderr: r.stderr };
}

/** main.ts with a wrong construct use injected (support/injected/main.ts), run the way `npm run synth` runs main.ts. */
function synthInjected() {
  const entry = path.relative(ROOT, path.join(__dirname, 'support', 'injected', 'main.ts'));
  const r = spawnSync(process.execPath, ['scripts/run.cjs', entry], { cwd: ROOT, env: { ...process.env, FACTORY_CONFIG: '' }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stderr: r.stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-e2e-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm run synth refuses before writing', () => {
  it('GIVEN a bad FACTORY_CONFIG (image on latest) THEN exit 1 naming the field AND dist/ is byte-identical', () => {
    const config = path.join(tmp, 'bad.yaml');
    fs.writeFileSync(config, 'components:\n  api:\n    image: ghcr.io/factory-de-agentes/factory:latest\n');
    const before = hashDir(DIST);
    const r = synth({ FACTORY_CONFIG: config });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/components\.api\.image: image "ghcr\.io\/factory-de-agentes\/factory:latest" is tagged "latest"/);
    expect(hashDir(DIST)).toBe(before);
  }, 120_000);

  it('GIVEN an injected hostPath workload on latest and a misspelled Certificate field THEN exit 1 with one line each AND dist/ is byte-identical', () => {
    const before = hashDir(DIST);
    const r = synthInjected();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Deployment\/factory\/injected: spec\.template\.spec\.volumes\[0\]\.hostPath: \[pod-security\/restricted:latest\/restrictedVolumes\]/);
    expect(r.stderr).toMatch(/Deployment\/factory\/injected: spec\.template\.spec\.containers\[0\]\.image: \[policy\/image-pinned\] image "nginx:latest" is tagged "latest"/);
    expect(r.stderr).toMatch(/Certificate\/factory\/injected-tls: spec\.dnsName: \[schema\/cert-manager\.io\/v1\] unknown field "dnsName"/);
    expect(r.stderr).toMatch(/synth refused: \d+ violation\(s\); nothing was written/);
    expect(hashDir(DIST)).toBe(before);
  }, 120_000);
});
