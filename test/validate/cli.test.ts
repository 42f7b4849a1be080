/** `npm run validate`: one line per violation, exit 1 on violations, 0 clean, 2 unusable input. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main, parseArgs } from '../../scripts/validate';
import { ALIAS_BOMB } from '../support';

const BAD_POD = `apiVersion: v1
kind: Pod
metadata: {name: bad, namespace: factory}
spec:
  serviceAccountName: bad
  containers:
  - name: app
    image: nginx:latest
    securityContext: {privileged: true}
`;

function run(args: string[]): { code: number; out: string; err: string } {
  let out = ''; let err = '';
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((s: any) => { out += s; return true; });
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((s: any) => { err += s; return true; });
  try {
    return { code: main(args), out, err };
  } finally {
    so.mockRestore(); se.mockRestore();
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-cli-'));
const write = (name: string, text: string | Buffer) => { const p = path.join(tmp, name); fs.writeFileSync(p, text); return p; };
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm run validate', () => {
  it('GIVEN the committed dist/ THEN exit 0 and no violation line', () => {
    const r = run(['dist']);
    expect([r.code, r.out]).toEqual([0, '']);
  });

  it('GIVEN a privileged pod on latest WITH --only pod-security THEN exit 1 and a line naming file, object, field and rule', () => {
    const file = write('bad.yaml', BAD_POD);
    const r = run(['--only', 'pod-security', '--level', 'baseline', '--version', 'v1.27', file]);
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\n')).toEqual([
      `${file}: Pod/factory/bad: spec.containers[0].securityContext.privileged: [pod-security/baseline:v1.27/privileged] must not be true (privileged containers are forbidden)`,
    ]);
  });

  it('GIVEN the same pod WITH --only policy THEN only policy lines (image-pinned, resources)', () => {
    const r = run(['--only', 'policy', write('bad2.yaml', BAD_POD)]);
    expect(new Set(r.out.trim().split('\n').map((l) => /\[(policy\/[\w-]+)\]/.exec(l)![1]))).toEqual(new Set(['policy/image-pinned', 'policy/resources', 'policy/network-policy', 'policy/references-resolve']));
  });

  it('GIVEN unparsable YAML THEN exit 2', () => {
    expect(run([write('broken.yaml', 'kind: Pod\nmetadata: {name: [\n')]).code).toBe(2);
  });

  it('GIVEN a YAML alias bomb THEN exit 2 (unusable input) with one line naming the file, no stack trace', () => {
    const file = write('bomb.yaml', ALIAS_BOMB);
    const r = run([file]);
    expect(r).toEqual({ code: 2, out: '', err: `validate: ${file}: YAML cannot be expanded: Excessive alias count indicates a resource exhaustion attack\n` });
  });

  it('GIVEN a control: the same aliases a few times THEN the file is read and judged (exit 1, a schema violation), not refused as unusable', () => {
    const r = run([write('aliases.yaml', 'a: &a [x]\nb: [*a, *a]\n')]);
    expect([r.code, r.err]).toEqual([1, expect.stringMatching(/^1 violation\(s\) in 1 file\(s\)\n$/)]);
  });

  it('GIVEN a binary file THEN exit 2 (unusable input) naming the file and the NUL byte, not a schema violation', () => {
    const file = write('binary.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
    expect(run([file])).toEqual({ code: 2, out: '', err: `validate: ${file}: not a text file (NUL byte at offset 7)\n` });
  });

  it('GIVEN a Latin-1 file (not UTF-8) THEN exit 2 naming the file', () => {
    const file = write('latin1.yaml', Buffer.from('kind: Pod\nmetadata: {name: caf\xe9}\n', 'latin1'));
    expect(run([file])).toEqual({ code: 2, out: '', err: `validate: ${file}: not UTF-8 text\n` });
  });

  it('GIVEN a missing path THEN exit 2 naming it', () => {
    const r = run([path.join(tmp, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope: no such file or folder/);
  });

  it.each([['--level', 'privileged'], ['--version', 'v1.99'], ['--only', 'lint'], ['--colour', 'x']])('GIVEN %s %s THEN exit 2', (flag, value) => {
    expect(run([flag, value, 'dist']).code).toBe(2);
  });

  it('GIVEN no path THEN dist/ and restricted:latest are the defaults', () => {
    expect(parseArgs([])).toEqual({ level: 'restricted', version: 37, paths: ['dist'] });
  });
});

/**
 * Guide "Pod Security Standards" (restricted), as the API server would see the file: kubectl reads
 * manifests as YAML 1.1, where yes/on/y (any case) are `true` and no/off/n are `false`.
 */
describe('npm run validate reads YAML as kubectl does (YAML 1.1 booleans)', () => {
  const pod = (hostField: string, privileged: string) => `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: factory}
spec:
  ${hostField}
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: nginx:1.27.3
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
      privileged: ${privileged}
`;
  const restricted = (file: string) => run(['--only', 'pod-security', '--level', 'restricted', file]);

  it.each(['no', 'off', 'Off', 'NO', 'n'])('GIVEN hostIPC and privileged written %s (false to kubectl) THEN the restricted pod is admitted: exit 0', (word) => {
    const r = restricted(write(`false-${word}.yaml`, pod(`hostIPC: ${word}`, word)));
    expect([r.code, r.out]).toEqual([0, '']);
  });

  it.each(['hostIPC', 'hostPID', 'hostNetwork'].flatMap((field) => ['yes', 'on', 'Yes', 'ON', 'y'].map((word) => [field, word])))(
    'GIVEN %s written %s (true to kubectl) THEN restricted refuses it: exit 1, hostNamespaces', (field, word) => {
      const file = write(`${field}-${word}.yaml`, pod(`${field}: ${word}`, 'false'));
      const r = restricted(file);
      expect(r.code).toBe(1);
      expect(r.out.trim().split('\n')).toEqual([
        `${file}: Pod/factory/p: spec.${field}: [pod-security/restricted:latest/hostNamespaces] must not be true (host namespaces are forbidden)`,
      ]);
    });

  it.each(['yes', 'on', 'Yes', 'ON', 'y'])('GIVEN privileged written %s (true to kubectl) THEN restricted refuses it: exit 1, privileged', (word) => {
    const file = write(`privileged-${word}.yaml`, pod('hostIPC: false', word));
    const r = restricted(file);
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\n')).toEqual([
      `${file}: Pod/factory/p: spec.containers[0].securityContext.privileged: [pod-security/restricted:latest/privileged] must not be true (privileged containers are forbidden)`,
    ]);
  });

  it('GIVEN hostIPC quoted "yes" (a string, which the API server refuses for a boolean) THEN the schema check refuses it: exit 1', () => {
    const file = write('quoted-yes.yaml', pod('hostIPC: "yes"', 'false'));
    const r = run(['--only', 'schema', file]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Pod\/factory\/p: spec\.hostIPC: \[schema\/v1\] must be boolean/);
  });
});
