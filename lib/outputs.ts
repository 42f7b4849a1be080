/**
 * Everything a synth produces, held in memory as `relative path → content` until it has all been
 * produced and validated, then written at once: a refused synth leaves the committed files untouched.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type App, Yaml } from 'cdk8s';
import { version as CDK8S_VERSION } from 'cdk8s/package.json';
import { writeFileAtomic } from './text';
import { type YamlMemo, isExactJson } from './yaml-memo';

/** Relative path (from the project root, `/` separated) → file content. */
export type Outputs = Map<string, string>;

/**
 * The directories that hold generated files only: every top-level directory synth writes into (dist/, nginx/,
 * ingress-nginx/, ...), as `writeOutputs` owns them. A file there that synth does not produce is
 * stale. Generated files at the root (docker-compose.security.yml) are compared one by one.
 */
export function generatedDirs(outputs: Outputs): string[] {
  return [...new Set([...outputs.keys()].filter((p) => p.includes('/')).map((p) => p.slice(0, p.indexOf('/'))))].sort();
}

/**
 * Synthesizes a cdk8s app into memory, under `dir` (e.g. `dist`): what cdk8s saves (Yaml.save, one file per chart)
 * is kept instead of written, and anything else it writes into its output folder is read back. With a memo, each
 * object cdk8s already wrote once (same content) gets its YAML from it.
 */
export function synthToMemory(makeApp: (outdir: string) => App, dir: string, memo?: YamlMemo): Outputs {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-synth-'));
  const { save, stringify } = Yaml;
  const saved = new Map<string, string>();
  try {
    // cdk8s writes every chart through Yaml.save(file, objects) → Yaml.stringify(...objects): one YAML text per object, joined by `---`.
    Yaml.save = (file: string, docs: any[]) => void saved.set(path.relative(staging, file).split(path.sep).join('/'), Yaml.stringify(...docs));
    if (memo) Yaml.stringify = (...docs: unknown[]) => docs.map((d) => yamlOf(memo, stringify, d)).join('---\n');
    makeApp(staging).synth();
    for (const file of fs.readdirSync(staging)) saved.set(file, fs.readFileSync(path.join(staging, file), 'utf8'));
    return new Map([...saved.keys()].sort().map((file) => [`${dir}/${file}`, saved.get(file)!]));
  } finally {
    Object.assign(Yaml, { save, stringify });
    // Empty after a synth whose every chart went through Yaml.save: removed without loading node's recursive rm.
    try {
      fs.rmdirSync(staging);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
}

/** What computes a memoized object's YAML: cdk8s's Yaml.stringify (its yaml is bundled, so its version pins both). */
const STRINGIFY_PURPOSE = `cdk8s ${CDK8S_VERSION} Yaml.stringify`;

/**
 * One object's YAML as cdk8s's `stringify` writes it, from the memo when the object is plain data, keyed by its JSON
 * text. (Not by its V8 serialization, though that is 5 times faster: it depends on how each value was built, not
 * only on what it is — a string can be stored as one-byte or two-byte, a number as an integer or a double — and of
 * the 65 objects of two synths in one process, 40 serialized differently.)
 */
function yamlOf(memo: YamlMemo, stringify: typeof Yaml.stringify, d: unknown): string {
  const compute = () => stringify.call(Yaml, d);
  return isExactJson(d) ? memo.text(STRINGIFY_PURPOSE, JSON.stringify(d), compute) : compute();
}

/**
 * Writes `outputs` under `root`. Each directory in `owned` is made to hold exactly the outputs under it
 * (stale files removed); files are only rewritten when their content changed.
 */
export function writeOutputs(root: string, outputs: Outputs, owned: string[]): void {
  for (const dir of owned) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const file of fs.readdirSync(abs)) {
      if (!outputs.has(`${dir}/${file}`)) fs.rmSync(path.join(abs, file), { recursive: true, force: true });
    }
  }
  for (const [rel, content] of outputs) {
    const abs = path.join(root, rel);
    // Compared as bytes: decoding a file that is not ASCII (the CRS rules) costs more than encoding the content.
    const bytes = Buffer.from(content, 'utf8');
    if (fs.existsSync(abs) && fs.readFileSync(abs).equals(bytes)) continue;
    writeFileAtomic(abs, bytes);
  }
}
