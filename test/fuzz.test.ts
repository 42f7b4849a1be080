/**
 * Property-based tests (fast-check) of every input: bad input is refused, never crashes, never injects.
 * - FACTORY_CONFIG: any field of the guide's config set to any JSON value, or to its own value with a
 *   newline, quotes, `;`, braces or `$(…)` and a marker appended. Either the config is refused with a
 *   ConfigError naming the file, or it synthesizes output (Kubernetes YAML, nginx, SecLang, Helm values,
 *   Compose, Terraform JSON) that passes the project's own validation and in which the marker never starts a
 *   line of a line-oriented file nor becomes a YAML/JSON key.
 * - `npm run validate`: arbitrary bytes, arbitrary YAML documents and the committed manifests with one field
 *   set to an arbitrary value exit 0, 1 or 2 with a one-line reason, never 3 (an internal error).
 * Bounded: a fixed seed (FACTORY_FUZZ_SEED to replay another; fast-check prints the seed and the shrunk
 * case on failure) and a few hundred cases.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import fc from 'fast-check';
import * as YAML from 'yaml';
import { ConfigError, defaultConfig, parseConfig } from '../lib/config';
import { formatViolation, manifestOutputs, parseManifests, validateManifests } from '../lib/validate';
import { main as validateMain } from '../scripts/validate';
import { FactoryVaultStack } from '../vault/stack';
import { synthesizeConfig } from '../main';
import { committedManifests } from './support';

const SEED = Number(process.env.FACTORY_FUZZ_SEED ?? 20261201);
const SOURCE = 'FACTORY_CONFIG=fuzz.yaml';
const MARK = 'FUZZ_INJECTED';

/** Every path of a value: objects by key, arrays by index, the root excluded. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
  return [];
}

function getAt(value: any, p: (string | number)[]): unknown {
  return p.reduce((v, k) => v?.[k], value);
}

function setAt(value: any, p: (string | number)[], v: unknown): any {
  const copy = structuredClone(value);
  let o = copy;
  for (const k of p.slice(0, -1)) o = o[k];
  o[p[p.length - 1]] = v;
  return copy;
}

const DEFAULTS = defaultConfig();
const PATHS = pathsOf(DEFAULTS);

/** Text a config value could smuggle into a rendered file: a line break, quotes, separators, braces, substitution. */
const INJECTIONS = [
  `\n${MARK} on;`, `\r\n${MARK}: x`, `";\n${MARK} "`, `'\n${MARK}: '`, `}\n${MARK} {`, `\n}\n${MARK} {\n`,
  `; ${MARK}`, `$(${MARK})`, '`id`', '${jndi:x}', `" ${MARK}="`, `\\n${MARK}`, `\u2028${MARK}`, `\n  ${MARK}: true`,
];

/**
 * A mutation: a path of the default config and what it becomes: any JSON value, an injection string, or a
 * value of the field's own type (its own string with an injection appended, a nearby number, the other
 * boolean), so that many mutations get past the format checks and reach the renderers.
 */
const mutation = fc.constantFrom(...PATHS).chain((p) => {
  const original = getAt(DEFAULTS, p);
  const sameType: fc.Arbitrary<unknown>[] =
    typeof original === 'string' ? [fc.constantFrom(...INJECTIONS).map((i) => original + i), fc.string({ maxLength: 12 }).map((x) => original + x)]
      : typeof original === 'number' ? [fc.integer({ min: -2, max: 2 }).map((d) => original + d), fc.integer()]
        : typeof original === 'boolean' ? [fc.boolean()]
          : [];
  return fc.record({
    path: fc.constant(p),
    value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...INJECTIONS), fc.string({ unit: 'binary', maxLength: 40 }), ...sameType, ...sameType),
  });
});

/** The texts of the outputs, for the injection check: lines of plain files, scalars and keys of YAML/JSON. */
function inspect(file: string, content: string): { lines: string[]; keys: string[]; scalars: string[] } {
  const keys: string[] = []; const scalars: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') scalars.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { keys.push(k); walk(x); }
  };
  if (/\.ya?ml$/.test(file)) {
    for (const d of YAML.parseAllDocuments(content, { version: '1.1' })) walk(d.toJS());
    return { lines: [], keys, scalars };
  }
  if (/\.json$/.test(file)) {
    walk(JSON.parse(content));
    return { lines: [], keys, scalars };
  }
  return { lines: content.split(/\r?\n/), keys, scalars };
}

/** Lines where the marker starts a directive, a key or a line of an embedded file (a ConfigMap's nginx or SecLang). */
function injectedLines(outputs: Map<string, string>, mutated: unknown): string[] {
  const found: string[] = [];
  const startsWithMark = (line: string) => line.replace(/^[\s"'{};]+/, '').startsWith(MARK);
  for (const [file, content] of outputs) {
    const { lines, keys, scalars } = inspect(file, content);
    for (const l of lines) if (startsWithMark(l)) found.push(`${file}: ${l}`);
    for (const k of keys) if (k.includes(MARK)) found.push(`${file}: key ${JSON.stringify(k)}`);
    // A scalar that is the value itself is data carried verbatim (quoted by YAML/JSON); an embedded file is not.
    for (const s of scalars) {
      if (s === mutated || !s.includes('\n')) continue;
      for (const l of s.split(/\r?\n/)) if (startsWithMark(l)) found.push(`${file}: embedded line ${JSON.stringify(l)}`);
    }
  }
  return found;
}

describe('FACTORY_CONFIG fuzz: refused as a config error naming the file, or safe output', () => {
  it('GIVEN the default config THEN it has the fields the fuzz mutates (control: a vacuous path list would pass)', () => {
    expect(PATHS.length).toBeGreaterThan(100);
    expect(PATHS).toContainEqual(['host']);
  });

  it('GIVEN an injection appended to the host THEN the refusal names the file and the field (control of the refusal branch)', () => {
    expect(() => parseConfig(setAt(DEFAULTS, ['host'], `factory.example.com\n${MARK} on;`), SOURCE)).toThrow(/FACTORY_CONFIG=fuzz\.yaml: host: /);
  });

  it('GIVEN a line that starts with the marker in a rendered nginx file THEN the check finds it (control of the injection check)', () => {
    expect(injectedLines(new Map([['nginx/nginx.conf', `server {\n  ${MARK} on;\n}\n`]]), 'x')).toHaveLength(1);
    expect(injectedLines(new Map([['dist/x.k8s.yaml', `data:\n  nginx.conf: "a\\n${MARK} on;"\n`]]), 'x')).toHaveLength(1);
    expect(injectedLines(new Map([['dist/x.k8s.yaml', `metadata:\n  annotations:\n    reason: "ok\\n${MARK} on;"\n`]]), `ok\n${MARK} on;`)).toHaveLength(0);
  });

  it('GIVEN arbitrary mutations of any field WHEN loaded and synthesized THEN each is a ConfigError naming the file, or valid output with nothing injected', () => {
    let accepted = 0;
    fc.assert(fc.property(mutation, ({ path: p, value: v }) => {
      let config;
      try {
        config = parseConfig(setAt(DEFAULTS, p, v), SOURCE);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        expect(e.message).toContain(`invalid configuration in ${SOURCE}`);
        return;
      }
      accepted++;
      const outputs = synthesizeConfig(config);
      expect(validateManifests(parseManifests(manifestOutputs(outputs)), { provided: config.providedObjects }).map(formatViolation)).toEqual([]);
      const app = Testing.app();
      outputs.set('cdktf.out/cdk.tf.json', Testing.synth(new FactoryVaultStack(app, 'factory-vault', { config })));
      expect(injectedLines(outputs, v)).toEqual([]);
    }), { seed: SEED, numRuns: 250 });
    // Both branches ran: some mutations were accepted and went through the renderers.
    expect(accepted).toBeGreaterThanOrEqual(10);
  });
});

describe('npm run validate fuzz: exit 0, 1 or 2 with a reason, never an internal error', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-fuzz-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  let n = 0;

  function validateBytes(bytes: Uint8Array | string): { code: number; err: string } {
    const file = path.join(tmp, `input-${n++}.yaml`);
    fs.writeFileSync(file, bytes);
    let err = '';
    const so = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const se = jest.spyOn(process.stderr, 'write').mockImplementation((s: any) => { err += s; return true; });
    try {
      return { code: validateMain(['--only', 'pod-security', '--only', 'schema', '--only', 'policy', file]), err };
    } finally {
      so.mockRestore(); se.mockRestore();
    }
  }
  const judged = (r: { code: number; err: string }) => {
    expect([0, 1, 2]).toContain(r.code);
    if (r.code === 2) expect(r.err).toMatch(/^validate: [^\n]+\n$/);
  };

  it('GIVEN arbitrary bytes THEN validate judges or refuses them', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => judged(validateBytes(bytes))), { seed: SEED, numRuns: 100 });
  });

  it('GIVEN arbitrary YAML documents THEN validate judges or refuses them', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 3 }),
      (docs) => judged(validateBytes(docs.map((d) => YAML.stringify(d)).join('---\n'))),
    ), { seed: SEED, numRuns: 100 });
  });

  it('GIVEN a committed manifest with one field set to an arbitrary value THEN validate judges it (the checkers never crash on a shape)', () => {
    const docs = committedManifests();
    const cases = docs.flatMap((d, i) => pathsOf(d).map((p) => [i, p] as const));
    fc.assert(fc.property(fc.constantFrom(...cases), fc.jsonValue({ maxDepth: 2 }), ([i, p], v) => {
      const r = validateBytes(YAML.stringify(setAt(docs[i], p, v)));
      expect(r.code).not.toBe(3);
      judged(r);
    }), { seed: SEED, numRuns: 250 });
  });
});
