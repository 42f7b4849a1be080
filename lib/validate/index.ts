/**
 * Admission-grade validation of manifests before anything is written: Pod Security (a level at a policy
 * version), schemas, and the project's policies. Reads plain manifest objects (parsed YAML), never
 * constructs, so the same judge serves `npm run synth`, `cdk8s synth` and `npm run validate`.
 */
import * as YAML from 'yaml';
import { version as YAML_VERSION } from 'yaml/package.json';
import { LATEST_MINOR, type Level, checkPodSecurity } from './pod-security';
import { type ProvidedObject, checkPolicies } from './policy';
import { checkSchemasByDocument } from './schema';
import { type ManifestDoc, type Violation, violation } from './types';
import { yamlValue } from '../text';
import { YamlMemo, yamlDocuments } from '../yaml-memo';

export { formatViolation } from './types';
export type { ManifestDoc, Violation } from './types';

/** The families of checks, as `--only` names them. */
export const FAMILIES = ['pod-security', 'schema', 'policy'] as const;
export type Family = (typeof FAMILIES)[number];

/** What to check. */
export interface ValidateOptions {
  /** Families to run. @default all */
  readonly only?: readonly Family[];
  /** Pod Security level. @default 'restricted' (the guide's) */
  readonly level?: Level;
  /** Pod Security policy version (minor of 1.x). @default LATEST_MINOR (`latest`) */
  readonly version?: number;
  /** Objects the operator provides outside the manifests (config `providedObjects`). @default none */
  readonly provided?: readonly ProvidedObject[];
  /** Where the schema verdicts of documents already judged are kept (lib/yaml-memo.ts). @default none: every document is judged */
  readonly memo?: YamlMemo;
}

/** Input that cannot be validated at all (unparsable YAML, a missing path): exit code 2, not 1. */
export class UnusableInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnusableInputError';
  }
}

/**
 * How kubectl and the API server read manifests: sigs.k8s.io/yaml is YAML 1.1, where `yes`, `no`, `on`,
 * `off`, `y` and `n` are booleans (`hostIPC: yes` is a host-IPC pod), `0755` is octal and `<<` merges.
 * A judge that read YAML 1.2 would see the string "yes" and admit that pod.
 */
export const KUBECTL_YAML = { version: '1.1', uniqueKeys: true } as const;

/**
 * Parses manifest files (`file → YAML text`) into documents, as kubectl reads them; empty documents are
 * skipped. With a memo, each document already read once (same bytes) comes from it; anything the memo
 * cannot answer exactly, errors included, is read here again from the whole file.
 */
export function parseManifests(files: ReadonlyMap<string, string> | Iterable<[string, string]>, memo?: YamlMemo): ManifestDoc[] {
  const docs: ManifestDoc[] = [];
  for (const [file, text] of files) {
    const memoized = memo && memoizedDocs(memo, file, text);
    if (memoized) docs.push(...memoized);
    else for (const object of parseObjects(file, text)) docs.push({ file, object });
  }
  return docs;
}

/** The non-empty documents of one file's YAML text; unusable YAML throws, naming the file. */
function parseObjects(file: string, text: string): unknown[] {
  const objects: unknown[] = [];
  for (const d of YAML.parseAllDocuments(text, KUBECTL_YAML)) {
    if (d.errors.length > 0) {
      throw new UnusableInputError(`${file}: YAML syntax error: ${d.errors[0].message.split('\n')[0]}`);
    }
    const parsed = yamlValue(d);
    if ('reason' in parsed) throw new UnusableInputError(`${file}: ${parsed.reason}`);
    if (parsed.value !== null && parsed.value !== undefined) objects.push(parsed.value);
  }
  return objects;
}

/**
 * What computes a memoized parse: the YAML library and its version, how it reads (KUBECTL_YAML), and this module's own
 * code that reads a document (its source text), so that an edit of that code misses every entry it wrote before.
 */
const PARSE_PURPOSE = `yaml ${YAML_VERSION} ${JSON.stringify(KUBECTL_YAML)} ${parseObjects} ${yamlValue}`;

/** A file's documents from the memo, one document at a time, each with its source; null when one of them is not usable on its own. */
function memoizedDocs(memo: YamlMemo, file: string, text: string): ManifestDoc[] | null {
  const documents = yamlDocuments(text);
  if (documents === undefined) return null;
  const docs: ManifestDoc[] = [];
  for (const document of documents) {
    const source = YamlMemo.entryName(PARSE_PURPOSE, document);
    const parsed = memo.valueNamed(source, () => {
      try {
        return parseObjects('', document);
      } catch {
        return undefined;
      }
    });
    if (parsed === undefined) return null;
    for (const object of parsed as unknown[]) docs.push({ file, object, source });
  }
  return docs;
}

/** Runs the checks over the documents; violations in a stable order (file, then as found). */
export function validateManifests(docs: readonly ManifestDoc[], options: ValidateOptions = {}): Violation[] {
  const only = new Set(options.only ?? FAMILIES);
  const level = options.level ?? 'restricted';
  const minor = options.version ?? LATEST_MINOR;
  const out: Violation[] = [];
  // As the API server does, admission checks only read objects that match their schema: an object of another
  // shape is refused by the schema check (or, when that family is not asked for, reported as unchecked).
  const wellFormed: ManifestDoc[] = [];
  const byDocument = checkSchemasByDocument(docs, undefined, options.memo);
  for (const [i, doc] of docs.entries()) {
    const schemaViolations = byDocument[i];
    if (schemaViolations.length === 0) wellFormed.push(doc);
    else if (only.has('schema')) out.push(...schemaViolations);
    else out.push(violation(doc, '', 'schema/unchecked', `not checked: the object does not match its schema (${schemaViolations.length} violation(s); run with --only schema)`));
  }
  if (only.has('pod-security')) {
    const versionName = minor === LATEST_MINOR ? 'latest' : `v1.${minor}`;
    for (const doc of wellFormed) {
      for (const f of checkPodSecurity(doc.object, level, minor)) {
        out.push(violation(doc, f.path, `pod-security/${level}:${versionName}/${f.checkId}`, f.message));
      }
    }
  }
  if (only.has('policy')) out.push(...checkPolicies(wellFormed, { provided: options.provided }));
  const fileOrder = new Map<string, number>();
  docs.forEach((d) => { if (!fileOrder.has(d.file)) fileOrder.set(d.file, fileOrder.size); });
  return out.map((v, i) => ({ v, i }))
    .sort((a, b) => (fileOrder.get(a.v.file)! - fileOrder.get(b.v.file)!) || a.i - b.i)
    .map(({ v }) => v);
}

/** The Kubernetes manifests among synth outputs (`dist/*.k8s.yaml`), in output order. */
export function manifestOutputs(outputs: ReadonlyMap<string, string>): [string, string][] {
  return [...outputs].filter(([file]) => /\.k8s\.ya?ml$/.test(file));
}
