/**
 * Schema validation of every object, against published schemas only (nothing hand-written):
 * - Kubernetes kinds: the OpenAPI validators of `kubernetes-models` (an ESM-only package; the validators
 *   of the kinds present are bundled once into CommonJS with esbuild and cached in `.build/validators/`);
 * - custom resources (cert-manager, prometheus-operator): ajv against the `openAPIV3Schema` of the CRDs
 *   copied into the repository's `crds/` (each upstream with its SOURCE.md), read at run time. Like the API server's strict field validation (kubectl's
 *   default), a field the schema does not declare is refused, so a misspelled field is caught. Compiled
 *   validators are cached in `.build/validators/`, keyed by the CRD file's content hash: a CRD of 300 KB
 *   takes seconds to parse and compile, then milliseconds to load.
 * A kind that neither knows is refused: nothing goes to `kubectl apply` unchecked.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { writeFileAtomic } from '../text';
import { type ManifestDoc, type Violation, fieldPath, violation } from './types';
import type { YamlMemo } from '../yaml-memo';

/** The project root (the folder of this project's package.json), from this module's location. */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'factory-security') return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** The folder of the CRDs the project validates against and imports from: `crds/` of the project. */
export function crdDirectory(root = projectRoot()): string {
  return path.join(root, 'crds');
}

const cacheDir = (root: string) => path.join(root, '.build', 'validators');
const sha = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);


interface AjvError { instancePath: string; keyword: string; params: Record<string, any>; message?: string }

/** One schema error as a violation of the document, with a message naming the field. */
function toViolation(doc: ManifestDoc, e: AjvError, rule: string): Violation {
  let p = fieldPath(e.instancePath);
  let message = e.message ?? e.keyword;
  if (e.keyword === 'additionalProperties') {
    p = p ? `${p}.${e.params.additionalProperty}` : e.params.additionalProperty;
    message = `unknown field ${JSON.stringify(e.params.additionalProperty)}`;
  } else if (e.keyword === 'required') {
    p = p ? `${p}.${e.params.missingProperty}` : e.params.missingProperty;
    message = 'required field is missing';
  } else if (e.keyword === 'enum') {
    message = `must be one of ${(e.params.allowedValues ?? []).map((v: unknown) => JSON.stringify(v)).join(', ')}`;
  }
  return violation(doc, p, rule, message);
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes kinds (kubernetes-models)
// ---------------------------------------------------------------------------------------------------

type ModelClass = new (data: unknown) => { validate(): void };

/** Whether `kubernetes-models` has a model for this apiVersion/kind. */
function hasModel(root: string, apiVersion: string, kind: string): boolean {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(apiVersion) || !/^\w+$/.test(kind)) return false;
  return fs.existsSync(path.join(root, 'node_modules', 'kubernetes-models', apiVersion, `${kind}.js`));
}

const modelCache = new Map<string, ModelClass>();

/** The model classes of the given `apiVersion/Kind` keys, bundled once (cached on disk and in memory). */
function loadModels(root: string, keys: string[]): void {
  const missing = keys.filter((k) => !modelCache.has(k)).sort();
  if (missing.length === 0) return;
  const version = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'kubernetes-models', 'package.json'), 'utf8')).version;
  const file = path.join(cacheDir(root), `kubernetes-models-${sha(`${version}\n${missing.join('\n')}`)}.js`);
  if (!fs.existsSync(file)) {
    const contents = missing.map((k, i) => `export { ${k.slice(k.lastIndexOf('/') + 1)} as m${i} } from 'kubernetes-models/${k}';`).join('\n');
    // esbuild is a dev tool loaded only when a new set of kinds must be bundled.
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    const out = buildSync({
      stdin: { contents, resolveDir: root, loader: 'js' },
      bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'error',
    });
    writeFileAtomic(file, out.outputFiles[0].text);
  }
  const mod = require(file);
  missing.forEach((k, i) => modelCache.set(k, mod[`m${i}`]));
}

// ---------------------------------------------------------------------------------------------------
// Custom resources (CRDs)
// ---------------------------------------------------------------------------------------------------

interface CrdFile { file: string; group: string; kind: string; hash: string }

/**
 * The CRD files of the folder, indexed by group and kind (read with a regex: parsing is slow). What a file
 * yields is kept in `.build/validators/crd-index.json` under its size and mtime, so an unchanged CRD folder
 * (1.3 MB) is only listed and stat'ed, and an edited CRD is read again.
 */
function crdIndex(root: string, dir: string): CrdFile[] {
  const indexFile = path.join(cacheDir(root), 'crd-index.json');
  let stored: Record<string, { stamp: string; entry: CrdFile | null }> = {};
  try {
    stored = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
  } catch {
    // no index yet
  }
  const seen: typeof stored = {};
  const out: CrdFile[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    // In code-unit order: the first localeCompare of a process loads ICU's collation data (~14 ms).
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(entry.name)) {
        const stat = fs.statSync(p);
        const stamp = `${stat.size}:${stat.mtimeMs}`;
        let known = stored[p]?.stamp === stamp ? stored[p] : undefined;
        if (!known) {
          const text = fs.readFileSync(p, 'utf8');
          const group = /^ {2}group: (\S+)$/m.exec(text)?.[1];
          const kind = /^ {2}names:\n(?: {4}.*\n)*? {4}kind: (\S+)$/m.exec(text)?.[1];
          const isCrd = /^kind: CustomResourceDefinition$/m.test(text) && group && kind;
          known = { stamp, entry: isCrd ? { file: p, group, kind, hash: sha(text) } : null };
        }
        seen[p] = known;
        if (known.entry) out.push(known.entry);
      }
    }
  };
  walk(dir);
  if (JSON.stringify(seen) !== JSON.stringify(stored)) {
    try {
      writeFileAtomic(indexFile, JSON.stringify(seen));
    } catch {
      // an index is an optimisation: a read-only checkout still validates
    }
  }
  return out;
}

/**
 * A CRD pattern (Go RE2) as a JavaScript one: Go's leading case-insensitive flag `(?i)` (the PrometheusRule
 * CRD's `^(?i)(abort|warn)?$`), which JavaScript refuses, becomes `[aA]`-style classes for its letters.
 */
export function goPattern(pattern: string): string {
  const m = /^(\^?)\(\?i\)(.*)$/.exec(pattern);
  if (!m) return pattern;
  if (/[\\[]/.test(m[2])) throw new Error(`CRD pattern ${pattern}: (?i) with escapes or classes is not translated`);
  return m[1] + m[2].replace(/[a-zA-Z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

/**
 * An openAPIV3Schema made strict the way the API server's strict field validation is: every object
 * schema that declares its properties refuses the others (unless it preserves unknown fields).
 */
export function strictSchema(schema: any): any {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith('x-kubernetes-')) continue;
    out[k] = k === 'properties'
      ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, strictSchema(pv)]))
      : k === 'pattern' && typeof v === 'string' ? goPattern(v) : strictSchema(v);
  }
  if (out.properties && out.additionalProperties === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

type CompiledValidator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
const crdCache = new Map<string, CompiledValidator | null>();
const CRD_TRANSFORM_VERSION = 3;

/** The keys a document has, recursively: `true` for a scalar, `{key: shape}` for an object, `{'[]': shape}` for an array. */
type Shape = true | { [key: string]: Shape };

/** The shape of a document: every array's items merged into one shape, keys in code-unit order. */
function shapeOf(value: unknown): Shape {
  return sortedShape(addShape(true, value));
}

/**
 * `shape` merged with the shape of `value`, in place (what `mergeShapes(shape, shapeOf(value))` gives, keys
 * unsorted): the nodes it creates have no prototype (a `__proto__` key is a key) and are referenced once.
 */
function addShape(shape: Shape, value: unknown): Shape {
  if (!value || typeof value !== 'object') return shape;
  const node: Record<string, Shape> = shape === true ? Object.create(null) : shape;
  if (Array.isArray(value)) {
    let items = node['[]'] ?? true;
    for (const item of value) items = addShape(items, item);
    node['[]'] = items;
  } else {
    for (const k of Object.keys(value)) node[k] = addShape(node[k] ?? true, (value as Record<string, unknown>)[k]);
  }
  return node;
}

function sortedShape(shape: Shape): Shape {
  return shape === true ? true : Object.fromEntries(Object.keys(shape).sort().map((k) => [k, sortedShape(shape[k])]));
}

function mergeShapes(a: Shape, b: Shape): Shape {
  if (a === true) return b;
  if (b === true) return a;
  const out: Record<string, Shape> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeShapes(out[k], v) : v;
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => (x < y ? -1 : 1)));
}

/**
 * The schema with the `properties` a document does not have removed (recursively, through items, maps and
 * combinators). Validation is unchanged: a property the document lacks is never validated, `required` is
 * kept, and strictSchema still refuses every key the CRD does not declare. It keeps a validator small when a
 * CRD declares far more than an object uses (the SecretStore CRD: every provider, 690 KB).
 */
export function pruneToShape(schema: any, shape: Shape): any {
  if (Array.isArray(schema)) return schema.map((s) => pruneToShape(s, shape));
  if (!schema || typeof schema !== 'object' || shape === true) return schema;
  const out: any = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).filter(([k]) => k in shape).map(([k, v]) => [k, pruneToShape(v, shape[k])]));
  }
  if (schema.items && shape['[]'] !== undefined) out.items = pruneToShape(schema.items, shape['[]']);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    const values = Object.entries(shape).filter(([k]) => !(schema.properties && k in schema.properties)).map(([, v]) => v);
    out.additionalProperties = pruneToShape(schema.additionalProperties, values.reduce<Shape>(mergeShapes, true));
  }
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(schema[k])) out[k] = schema[k].map((s: any) => pruneToShape(s, shape));
  return out;
}

/** The validator of a custom resource for the shape of one document, or null when no CRD (version) defines the kind. */
function crdValidator(root: string, crds: readonly CrdFile[], o: any): CompiledValidator | null {
  const { apiVersion, kind } = o;
  const shape = shapeOf(o);
  const shapeJson = JSON.stringify(shape);
  const [group, version] = apiVersion.split('/');
  const crd = crds.find((c) => c.group === group && c.kind === kind);
  const key = `${apiVersion}/${kind}/${crd?.hash}/${shapeJson}`;
  if (crdCache.has(key)) return crdCache.get(key)!;
  let validator: CompiledValidator | null = null;
  if (crd && version) {
    const ajvVersion = require('ajv/package.json').version;
    const file = path.join(cacheDir(root), `crd-${kind}-${version}-${sha(`${CRD_TRANSFORM_VERSION}\n${ajvVersion}\n${crd.hash}\n${shapeJson}`)}.js`);
    if (!fs.existsSync(file)) {
      const def = YAML.parse(fs.readFileSync(crd.file, 'utf8'));
      const v = (def?.spec?.versions ?? []).find((x: any) => x?.name === version);
      if (v?.schema?.openAPIV3Schema) {
        const Ajv = require('ajv').default;
        const standalone = require('ajv/dist/standalone').default;
        const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: false, code: { source: true } });
        writeFileAtomic(file, standalone(ajv, ajv.compile(strictSchema(pruneToShape(v.schema.openAPIV3Schema, shape)))));
      }
    }
    if (fs.existsSync(file)) validator = require(file);
  }
  crdCache.set(key, validator);
  return validator;
}

// ---------------------------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------------------------

/** Validates every document against its schema. */
export function checkSchemas(docs: readonly ManifestDoc[], root = projectRoot(), memo?: YamlMemo): Violation[] {
  return checkSchemasByDocument(docs, root, memo).flat();
}

/** A document's schema verdict as the memo keeps it: `[path, rule, message]` of each violation. */
type Verdict = [string, string, string][];

/**
 * What computes a schema verdict, as a memo purpose: the validators' versions (kubernetes-models, ajv, the CRD
 * transform), every CRD the folder holds (group, kind and content hash) and this module's checking code (its source
 * text), hashed once; an edit of any of them misses every verdict stored before.
 */
function verdictPurpose(root: string, crds: readonly CrdFile[]): string {
  const version = (pkg: string) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
    } catch {
      return 'absent'; // a root without it judges without it (hasModel finds no model)
    }
  };
  const code = [schemaViolations, toViolation, fieldPath, hasModel, loadModels, crdIndex, crdValidator, strictSchema, pruneToShape, mergeShapes, goPattern, shapeOf, addShape, sortedShape].join('\n');
  const described = [`kubernetes-models ${version('kubernetes-models')}`, `ajv ${version('ajv')}`, `crd transform ${CRD_TRANSFORM_VERSION}`,
    ...crds.map((c) => `${c.group}/${c.kind} ${c.hash}`), code].join('\n');
  return `schema verdict ${sha(described)}`;
}

/**
 * The schema violations of each document, in the documents' order (the validators of all their kinds loaded at once).
 * With a memo, a document whose reading was judged before (`ManifestDoc.source`: the same text read by the same code,
 * so the same object), under the same validators and checking code, gets its verdict from it, and the validators of a
 * kind are loaded only when a document of that kind must be judged.
 */
export function checkSchemasByDocument(docs: readonly ManifestDoc[], root = projectRoot(), memo?: YamlMemo): Violation[][] {
  // The CRD folder is indexed once per check, when a document (or the memo's purpose) needs it.
  let crds: CrdFile[] | undefined;
  const crdFiles = () => (crds ??= crdIndex(root, crdDirectory(root)));
  const purpose = memo && docs.some((d) => d.source !== undefined) ? verdictPurpose(root, crdFiles()) : undefined;
  const kept = (doc: ManifestDoc) => purpose !== undefined && doc.source !== undefined;
  // A lookup whose computation stores nothing: a verdict when one is kept, undefined otherwise.
  const stored = docs.map((doc) => (kept(doc) ? memo!.value(purpose!, doc.source!, () => undefined) as Verdict | undefined : undefined));
  const modelKeys = new Set<string>();
  docs.forEach((doc, i) => {
    const { apiVersion, kind } = doc.object ?? {};
    if (!stored[i] && typeof apiVersion === 'string' && typeof kind === 'string' && hasModel(root, apiVersion, kind)) modelKeys.add(`${apiVersion}/${kind}`);
  });
  loadModels(root, [...modelKeys]);
  return docs.map((doc, i) => {
    const verdict = stored[i];
    if (verdict) return verdict.map(([p, rule, message]) => violation(doc, p, rule, message));
    const found = schemaViolations(root, doc, crdFiles);
    if (kept(doc)) memo!.value(purpose!, doc.source!, (): Verdict => found.map((v) => [v.path, v.rule, v.message]));
    return found;
  });
}

/** The schema violations of one document (its kind's validator already loaded when kubernetes-models has it). */
function schemaViolations(root: string, doc: ManifestDoc, crdFiles: () => CrdFile[]): Violation[] {
  const out: Violation[] = [];
  const o = doc.object;
  if (!o || typeof o !== 'object' || Array.isArray(o)) {
    out.push(violation(doc, '', 'schema/object', 'a manifest document must be an object'));
    return out;
  }
  if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
    out.push(violation(doc, typeof o.apiVersion !== 'string' ? 'apiVersion' : 'kind', 'schema/object', 'apiVersion and kind must be set'));
    return out;
  }
  if (typeof o.metadata?.name !== 'string' || o.metadata.name === '') {
    out.push(violation(doc, 'metadata.name', 'schema/object', 'every object must have a name'));
  }
  const model = modelCache.get(`${o.apiVersion}/${o.kind}`);
  if (model) {
    try {
      new model(o).validate();
    } catch (e: any) {
      for (const err of (e?.errors ?? [{ instancePath: '', keyword: 'error', params: {}, message: String(e?.message ?? e) }]) as AjvError[]) {
        out.push(toViolation(doc, err, `schema/${o.apiVersion}`));
      }
    }
    return out;
  }
  const crd = o.apiVersion.includes('/') ? crdValidator(root, crdFiles(), o) : null;
  if (crd) {
    if (!crd(o)) for (const err of crd.errors ?? []) out.push(toViolation(doc, err, `schema/${o.apiVersion}`));
    return out;
  }
  out.push(violation(doc, 'kind', 'schema/unknown-kind',
    `no schema for ${o.apiVersion} ${o.kind} (neither a Kubernetes kind nor a CRD in ${path.relative(root, crdDirectory(root))})`));
  return out;
}
