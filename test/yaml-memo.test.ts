/**
 * The YAML memo (lib/yaml-memo.ts) changes how fast a synth is, never what it produces, what the judge
 * reads or what it decides: with an empty memo, a filled one, or none, the outputs, the parsed documents and
 * the verdicts are the same; a changed document, or a changed CRD, misses; errors and values without an exact
 * JSON form are read the way they always were.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml as YAML } from 'cdk8s';
import { buildApp } from '../lib/app';
import { defaultConfig } from '../lib/config';
import { synthToMemory } from '../lib/outputs';
import { type ManifestDoc, UnusableInputError, manifestOutputs, parseManifests, validateManifests } from '../lib/validate';
import { checkSchemas, crdDirectory } from '../lib/validate/schema';
import { YamlMemo, isExactJson, yamlDocuments } from '../lib/yaml-memo';

let root: string;
let memo: YamlMemo;
const memoFile = () => path.join(root, '.build', 'yaml', 'memo.v8');

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-yaml-memo-'));
  memo = YamlMemo.inProject(root);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const synth = (m?: YamlMemo) => synthToMemory((outdir) => buildApp(defaultConfig(), outdir).app, 'dist', m);
/** What the judge reads of each document (a memoized one also says what it was read from). */
const read = (docs: ManifestDoc[]) => docs.map(({ file, object }) => ({ file, object }));

describe('synth', () => {
  test('GIVEN an empty memo WHEN the app is synthesized twice THEN both outputs equal the synth without a memo, and the memo holds entries', () => {
    const plain = synth();
    const cold = synth(memo);
    const filled = memo.size;
    const warm = synth(memo);
    expect(cold).toEqual(plain);
    expect(warm).toEqual(plain);
    expect(filled).toBeGreaterThan(50);
    expect(memo.size).toBe(filled);
  });

  test('GIVEN a memo saved by one run WHEN another run synthesizes THEN every object is a hit (cdk8s stringifies nothing) and the outputs equal the synth without a memo', () => {
    const plain = synth();
    synth(memo);
    memo.save();
    const next = YamlMemo.inProject(root);
    const stringify = jest.spyOn(YAML, 'stringify');
    try {
      expect(synth(next)).toEqual(plain);
      expect(stringify).not.toHaveBeenCalled();
    } finally {
      stringify.mockRestore();
    }
    expect(next.size).toBe(memo.size);
  });

  test('GIVEN a run with no miss WHEN it saves THEN the file is not rewritten', () => {
    synth(memo);
    memo.save();
    const before = fs.statSync(memoFile()).mtimeMs;
    const next = YamlMemo.inProject(root);
    synth(next);
    fs.utimesSync(memoFile(), 0, 0); // an mtime a rewrite would change
    next.save();
    expect(fs.statSync(memoFile()).mtimeMs).toBe(0);
    expect(before).toBeGreaterThan(0);
  });

  test('GIVEN a memo file that is not V8 data WHEN a run synthesizes THEN it is an empty memo: the outputs equal the synth without a memo', () => {
    fs.mkdirSync(path.dirname(memoFile()), { recursive: true });
    fs.writeFileSync(memoFile(), 'not a memo');
    expect(synth(YamlMemo.inProject(root))).toEqual(synth());
  });
});

describe('parse', () => {
  const FILE = 'a.yaml';
  const doc = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  on: yes\n`;

  test('GIVEN the synthesized manifests WHEN parsed with an empty memo and again with the filled memo THEN both equal the parse without a memo', () => {
    const files = manifestOutputs(synth());
    const plain = parseManifests(files);
    expect(read(parseManifests(files, memo))).toEqual(plain);
    expect(memo.size).toBeGreaterThan(50);
    memo.save();
    expect(read(parseManifests(files, YamlMemo.inProject(root)))).toEqual(plain);
  });

  test('GIVEN a memo filled by one stream WHEN a document of it changes THEN the changed document is read anew (YAML 1.1 `on: yes` stays a boolean key)', () => {
    parseManifests([[FILE, `${doc('one')}---\n${doc('two')}`]], memo);
    const docs = parseManifests([[FILE, `${doc('one')}---\n${doc('three')}`]], memo);
    expect(docs.map((d) => d.object.metadata.name)).toEqual(['one', 'three']);
    expect(docs[1].object.data).toEqual({ true: true });
  });

  test('GIVEN a stream whose second document is not YAML WHEN parsed with a memo THEN the error is the one without a memo, with the line in the whole file', () => {
    const text = `${doc('one')}---\nkind: [unclosed\n`;
    const error = (m?: YamlMemo) => {
      try {
        parseManifests([[FILE, text]], m);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const plain = error();
    expect(plain).toBeInstanceOf(UnusableInputError);
    expect((error(memo) as Error).message).toBe((plain as Error).message);
    expect((plain as Error).message).toMatch(/^a\.yaml: YAML syntax error: .* at line 9, column 1/); // line 2 of the document alone
  });

  test('GIVEN a document with a YAML 1.1 timestamp (a Date, no exact JSON) WHEN parsed twice with a memo THEN it is a Date both times and nothing is stored for it', () => {
    const text = 'kind: X\nwhen: 2001-12-14\n';
    expect(parseManifests([[FILE, text]], memo)[0].object.when).toBeInstanceOf(Date);
    expect(parseManifests([[FILE, text]], memo)[0].object.when).toBeInstanceOf(Date);
    expect(memo.size).toBe(0);
  });
});

describe('schema verdicts', () => {
  const FILE = 'd.yaml';
  const deployment = (replicas: string) => [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: d', 'spec:', `  replicas: ${replicas}`,
    '  selector:', '    matchLabels:', '      app: d', '  template:', '    metadata:', '      labels:', '        app: d',
    '    spec:', '      containers:', '        - name: c', '          image: x:1', '',
  ].join('\n');
  const check = (text: string, m: YamlMemo, file = FILE, at = process.cwd()) => checkSchemas(parseManifests([[file, text]], m), at, m);

  test('GIVEN the synthesized manifests judged with a memo WHEN judged again from the saved memo THEN the verdicts equal those without a memo, and every one is a hit (nothing to save)', () => {
    const docs = (m?: YamlMemo) => parseManifests(manifestOutputs(synth()), m);
    const plain = validateManifests(docs());
    const parsed = docs(memo);
    const conversions = memo.size;
    expect(validateManifests(parsed, { memo })).toEqual(plain);
    expect(memo.size - conversions).toBeGreaterThan(50); // a verdict per document (65, a few alike)
    memo.save();
    const next = YamlMemo.inProject(root);
    expect(validateManifests(docs(next), { memo: next })).toEqual(plain);
    fs.utimesSync(memoFile(), 0, 0); // an mtime a rewrite would change
    next.save();
    expect(fs.statSync(memoFile()).mtimeMs).toBe(0);
  });

  test('GIVEN a memo holding a Deployment judged valid WHEN its text changes replicas to a string THEN the change is judged anew and refused at spec.replicas', () => {
    expect(check(deployment('2'), memo)).toEqual([]);
    expect(check(deployment('"two"'), memo)).toEqual([expect.objectContaining({ path: 'spec.replicas', rule: 'schema/apps/v1', message: 'must be integer' })]);
    expect(check(deployment('2'), memo)).toEqual([]); // control: the valid text keeps its verdict
  });

  test('GIVEN a refused Deployment whose verdict was saved WHEN the same text is judged from another file THEN the same refusal is reported, naming the other file', () => {
    const first = check(deployment('"two"'), memo);
    memo.save();
    const again = check(deployment('"two"'), YamlMemo.inProject(root), 'other.yaml');
    expect(again).toEqual(first.map((v) => ({ ...v, file: 'other.yaml' })));
    expect(first).toHaveLength(1);
  });

  test('GIVEN a Certificate judged valid against a CRD WHEN the CRD renames the field it uses THEN the next check (same memo) refuses it: the CRD is part of the verdict', () => {
    // GIVEN a project root holding only the Certificate CRD, and a Certificate with dnsNames that it accepts
    const crd = path.join(crdDirectory(root), 'certificates.yaml');
    fs.mkdirSync(path.dirname(crd), { recursive: true });
    fs.copyFileSync(path.join(crdDirectory(), 'cert-manager', 'cert-manager.io_certificates.yaml'), crd);
    const cert = 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: t\nspec:\n  secretName: t\n  dnsNames: [a.example.com]\n  issuerRef:\n    name: i\n';
    expect(check(cert, memo, FILE, root)).toEqual([]);
    // WHEN the CRD renames the field
    fs.writeFileSync(crd, fs.readFileSync(crd, 'utf8').replace(/^( +)dnsNames:$/m, '$1dnsNamez:'));
    fs.utimesSync(crd, new Date(), new Date(Date.now() + 60_000));
    // THEN the kept verdict is not served
    expect(check(cert, memo, FILE, root)).toEqual([expect.objectContaining({ path: 'spec.dnsNames', message: 'unknown field "dnsNames"' })]);
  });
});

describe('isExactJson', () => {
  test('GIVEN plain data WHEN asked THEN it is', () => {
    expect(isExactJson({ a: [1, 'x', true, null, { b: -1.5 }], '': {} })).toBe(true);
  });

  test.each([
    ['an undefined property', { a: undefined }],
    ['a Date', { a: new Date(0) }],
    ['NaN', [Number.NaN]],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['-0', [-0]],
    ['a Map', { a: new Map() }],
    ['a hole in an array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a __proto__ key', JSON.parse('{"__proto__": 1}')],
    ['a class instance', { a: new (class X {})() }],
  ])('GIVEN a value with %s WHEN asked THEN it is not plain data', (_name, value) => {
    expect(isExactJson(value)).toBe(false);
  });
});

describe('yamlDocuments', () => {
  test('GIVEN a stream WHEN split THEN each part starts at a `---` line (with a space, a tab or nothing after it), and the parts make the stream', () => {
    const text = 'a: 1\n---\nb: 2\n--- |\n  text\n---\tc: 3\n';
    expect(yamlDocuments(text)).toEqual(['a: 1\n', '---\nb: 2\n', '--- |\n  text\n', '---\tc: 3\n']);
  });

  test('GIVEN `---` that is not a marker (indented, or followed by text) WHEN split THEN the stream stays one document', () => {
    const text = 'a: |\n  ---\n  x\nb: ---x\n----\n';
    expect(yamlDocuments(text)).toEqual([text]);
  });

  test.each([
    ['a %YAML directive', '%YAML 1.1\n---\na: 1\n'],
    ['a directive after a BOM', '\uFEFF%TAG ! tag:x,2000:\n---\na: 1\n'],
    ['a directive between documents', 'a: 1\n...\n%YAML 1.1\n---\nb: 2\n'],
    ['a document end marker', 'a: 1\n...\n---\nb: 2\n'],
  ])('GIVEN a stream with %s WHEN split THEN it is not (undefined)', (_name, text) => {
    expect(yamlDocuments(text)).toBeUndefined();
  });
});
