/**
 * The commands that start node with `NODE_EXTRA_CA_CERTS` empty: node 20 reads and parses the certificates that
 * variable names, with every bundled one, at the start of each process, before any code runs (0.05 s of each start
 * on this team's machines). Synth, validate and vault:synth open no connection, so their npm scripts and cdk8s.yaml's
 * `app` clear it for their own process; npm, and every other command, keep it. These tests prove that those
 * processes never load TLS, so clearing the variable changes nothing but their start.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const CLEARED = /^NODE_EXTRA_CA_CERTS= node scripts\/run\.cjs (\S+)/;

const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
const cdk8sApp = /^app: (.*)$/m.exec(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8'))?.[1] ?? '';
/** Entry point of each command that clears the variable, by where it is declared. */
const cleared = Object.fromEntries(
  [...Object.entries(scripts).map(([name, cmd]) => [`npm run ${name}`, cmd]), ['cdk8s.yaml app', cdk8sApp]]
    .flatMap(([where, cmd]) => {
      const m = CLEARED.exec(cmd);
      return m ? [[where, m[1]]] : [];
    }),
);

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-no-tls-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The node built-in modules a process loaded (`process.moduleLoadList` at its exit), from a preloaded probe. */
function modulesLoaded(args: string[]): string[] {
  const out = path.join(dir, `modules-${args.join('_').replace(/\W/g, '_')}.txt`);
  const probe = path.join(dir, 'probe.cjs');
  fs.writeFileSync(probe, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));\n`);
  const run = spawnSync(process.execPath, ['-r', probe, ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, FACTORY_CONFIG: '', CDKTF_OUTDIR: path.join(dir, 'cdktf.out') },
  });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return fs.readFileSync(out, 'utf8').split('\n');
}

const tlsModules = (modules: string[]) => modules.filter((m) => /tls/i.test(m));

test('GIVEN package.json and cdk8s.yaml THEN synth, validate, vault:synth and the cdk8s app start node with NODE_EXTRA_CA_CERTS empty', () => {
  expect(cleared).toEqual({
    'npm run synth': 'main.ts',
    'npm run validate': 'scripts/validate.ts',
    'npm run vault:synth': 'vault/main.ts',
    'cdk8s.yaml app': 'main.ts',
  });
});

test('GIVEN a process that makes an https request possible (control) THEN the probe sees TLS loaded', () => {
  expect(tlsModules(modulesLoaded(['-e', "require('https')"]))).toContain('NativeModule _tls_common');
});

test.each(['main.ts', 'scripts/validate.ts', 'vault/main.ts'])('GIVEN %s run as its npm script runs it THEN it never loads TLS', (entry) => {
  expect(tlsModules(modulesLoaded([path.join('scripts', 'run.cjs'), entry]))).toEqual([]);
});
