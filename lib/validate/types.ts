/**
 * What the validators read and report: manifests as plain objects (never constructs), each with the file
 * it came from, and violations that name the file, the object, the field path and the rule.
 */

/** One Kubernetes object of a manifest file. */
export interface ManifestDoc {
  /** The file (relative path as given, `/` separated). */
  readonly file: string;
  /** The object, as parsed from YAML. */
  readonly object: any;
  /**
   * The name of the reading that gave the object, when it was read alone from one YAML document through the memo
   * (`YamlMemo.entryName` of what read it and of the document's exact text): objects of the same name are equal.
   * @default unknown
   */
  readonly source?: string;
}

/** One refused field of one object. */
export interface Violation {
  readonly file: string;
  readonly kind: string;
  /** Empty for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
  /** Field path, e.g. `spec.template.spec.containers[0].image`; empty for the whole object. */
  readonly path: string;
  /** `<family>/<rule>`, e.g. `pod-security/restricted:v1.37/capabilities_restricted`, `policy/image-pinned`. */
  readonly rule: string;
  readonly message: string;
}

/** The violation of a field of a document. */
export function violation(doc: ManifestDoc, path: string, rule: string, message: string): Violation {
  const m = doc.object?.metadata ?? {};
  return {
    file: doc.file,
    kind: typeof doc.object?.kind === 'string' ? doc.object.kind : doc.object?.kind === undefined ? '(no kind)' : JSON.stringify(doc.object.kind),
    namespace: typeof m.namespace === 'string' ? m.namespace : '',
    name: typeof m.name === 'string' ? m.name : '(no name)',
    path, rule, message,
  };
}

/** One line of the report: `file: Kind/namespace/name: path: [rule] message`. */
export function formatViolation(v: Violation): string {
  const object = v.namespace ? `${v.kind}/${v.namespace}/${v.name}` : `${v.kind}/${v.name}`;
  return `${v.file}: ${object}: ${v.path || '(object)'}: [${v.rule}] ${v.message}`;
}

/** An ajv-style instance path (`/spec/containers/0/image`) as a field path (`spec.containers[0].image`). */
export function fieldPath(instancePath: string): string {
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
