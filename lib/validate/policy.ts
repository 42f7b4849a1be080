/**
 * The project's own policies (issue 7, guide: "Pod Security Context", "Resource Limits", "Network
 * Policies", "Secrets Management"), as a table of rules over the plain manifests of one synth:
 * - images pinned to a version tag or a digest (never `latest`, never untagged);
 * - requests and limits (cpu, memory) on every container, request ≤ limit, both within the namespace's
 *   LimitRange (type Container) min/max read from the manifests themselves;
 * - no pod on the `default` ServiceAccount;
 * - every pod of a namespace selected by at least one NetworkPolicy of that namespace;
 * - no `*-snippet` annotation (ingress-nginx snippets bypass the WAF and the controller's hardening);
 * - no Secret carrying data (secrets come from Vault at run time, never from dist/);
 * - every Secret, ConfigMap, ServiceAccount and PVC a pod references is created by the manifests (an
 *   ExternalSecret creates its target Secret) or declared as provided by the operator;
 * - no container argument or command expands a Secret-backed variable (`$(PASSWORD)` lands in the process
 *   list and the runtime's container config).
 */
import { imagePinProblem } from '../k8s/image';
import { selectorMatches } from '../network/evaluate';
import { podTemplateOf } from './pod-security';
import { containersOf } from './pod-security/model';
import { parseQuantity } from '../k8s/quantity';
import { type ManifestDoc, type Violation, violation } from './types';

/** An object the operator provides outside the manifests (config `providedObjects`), with the reason. */
export interface ProvidedObject {
  readonly kind: 'Secret' | 'ConfigMap' | 'ServiceAccount' | 'PersistentVolumeClaim';
  readonly name: string;
  readonly reason: string;
}

/** What a policy may know beyond the manifests. */
export interface PolicyContext {
  /** Objects the operator provides (every namespace). @default none */
  readonly provided?: readonly ProvidedObject[];
}

/** A project policy: an id (reported as `policy/<id>`) and its check over every manifest of a synth. */
export interface PolicyRule {
  readonly id: string;
  readonly description: string;
  readonly check: (docs: readonly ManifestDoc[], context?: PolicyContext) => Violation[];
}

const rule = (id: string) => `policy/${id}`;
const namespaceOf = (doc: ManifestDoc): string => doc.object?.metadata?.namespace ?? 'default';

/** Every document with a pod template, with the template. */
function workloads(docs: readonly ManifestDoc[]) {
  return docs.flatMap((doc) => {
    const pod = podTemplateOf(doc.object);
    return pod ? [{ doc, pod }] : [];
  });
}

/** Images pinned to a version tag or a digest. */
export const imagePinned: PolicyRule = {
  id: 'image-pinned',
  description: 'every container image is pinned to a version tag or a digest',
  check: (docs) => workloads(docs).flatMap(({ doc, pod }) => containersOf(pod).flatMap((c) => {
    const image = c.container.image;
    if (typeof image !== 'string') return [violation(doc, `${c.path}.image`, rule('image-pinned'), 'image must be set')];
    const problem = imagePinProblem(image);
    return problem ? [violation(doc, `${c.path}.image`, rule('image-pinned'), `image ${JSON.stringify(image)} ${problem}`)] : [];
  })),
};

/** The LimitRange bounds (type Container) of each namespace, from the manifests. */
function containerBounds(docs: readonly ManifestDoc[]): Map<string, { source: string; max: Record<string, unknown>; min: Record<string, unknown> }> {
  const out = new Map<string, { source: string; max: Record<string, unknown>; min: Record<string, unknown> }>();
  for (const doc of docs) {
    if (doc.object?.kind !== 'LimitRange') continue;
    for (const limit of doc.object.spec?.limits ?? []) {
      if (limit?.type !== 'Container') continue;
      const ns = namespaceOf(doc);
      const prev = out.get(ns);
      out.set(ns, {
        source: `LimitRange ${ns}/${doc.object.metadata?.name}`,
        max: { ...(prev?.max ?? {}), ...(limit.max ?? {}) },
        min: { ...(prev?.min ?? {}), ...(limit.min ?? {}) },
      });
    }
  }
  return out;
}

/** Requests and limits on every container, request ≤ limit, within the LimitRange. */
export const resourcesBounded: PolicyRule = {
  id: 'resources',
  description: 'every container sets cpu and memory requests and limits, request ≤ limit, within the namespace LimitRange',
  check: (docs) => {
    const bounds = containerBounds(docs);
    return workloads(docs).flatMap(({ doc, pod }) => containersOf(pod)
      // Ephemeral containers cannot set resources.
      .filter((c) => !c.path.includes('.ephemeralContainers['))
      .flatMap((c) => {
        const out: Violation[] = [];
        const res = c.container.resources ?? {};
        const bound = bounds.get(namespaceOf(doc));
        for (const resource of ['cpu', 'memory']) {
          const values: Record<string, number | undefined> = {};
          for (const kind of ['requests', 'limits']) {
            const path = `${c.path}.resources.${kind}.${resource}`;
            const raw = res[kind]?.[resource];
            if (raw === undefined) {
              out.push(violation(doc, path, rule('resources'), `${resource} ${kind === 'requests' ? 'request' : 'limit'} must be set`));
              continue;
            }
            const value = parseQuantity(raw);
            if (value === undefined) {
              out.push(violation(doc, path, rule('resources'), `${JSON.stringify(raw)} is not a quantity`));
              continue;
            }
            values[kind] = value;
            const max = parseQuantity(bound?.max[resource]);
            if (max !== undefined && value > max) {
              out.push(violation(doc, path, rule('resources'), `${raw} is above the max ${bound!.max[resource]} of ${bound!.source}`));
            }
            const min = parseQuantity(bound?.min[resource]);
            if (min !== undefined && value < min) {
              out.push(violation(doc, path, rule('resources'), `${raw} is below the min ${bound!.min[resource]} of ${bound!.source}`));
            }
          }
          if (values.requests !== undefined && values.limits !== undefined && values.requests > values.limits) {
            out.push(violation(doc, `${c.path}.resources.requests.${resource}`, rule('resources'),
              `request ${res.requests[resource]} is above the limit ${res.limits[resource]}`));
          }
        }
        return out;
      }));
  },
};

/** No pod runs as the namespace's `default` ServiceAccount. */
export const ownServiceAccount: PolicyRule = {
  id: 'service-account',
  description: 'no pod runs on the default ServiceAccount',
  check: (docs) => workloads(docs).flatMap(({ doc, pod }) => {
    const sa = pod.spec.serviceAccountName ?? pod.spec.serviceAccount;
    if (typeof sa === 'string' && sa !== '' && sa !== 'default') return [];
    return [violation(doc, `${pod.prefix}spec.serviceAccountName`, rule('service-account'),
      sa === 'default' ? 'must not be the "default" ServiceAccount' : 'must name the pod\'s own ServiceAccount (unset means "default")')];
  }),
};

/** Every pod selected by at least one NetworkPolicy of its namespace. */
export const networkPolicyCoverage: PolicyRule = {
  id: 'network-policy',
  description: 'every pod is selected by at least one NetworkPolicy of its namespace',
  check: (docs) => {
    const all = docs.filter((d) => d.object?.kind === 'NetworkPolicy');
    // A selector with an unknown operator selects nothing: reported on its policy, then left out.
    const badOperators = (p: ManifestDoc): string[] => (p.object.spec?.podSelector?.matchExpressions ?? [])
      .map((e: any) => e.operator).filter((o: unknown) => !['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(String(o)));
    const broken = all.filter((p) => badOperators(p).length > 0).map((p) => violation(p, 'spec.podSelector.matchExpressions', rule('network-policy'),
      `unknown label selector operator(s) ${badOperators(p).map((o) => JSON.stringify(o)).join(', ')} (allowed: In, NotIn, Exists, DoesNotExist)`));
    const policies = all.filter((p) => badOperators(p).length === 0);
    return [...broken, ...workloads(docs).flatMap(({ doc, pod }) => {
      const ns = namespaceOf(doc);
      const labels = pod.metadata.labels ?? {};
      const covered = policies.some((p) => namespaceOf(p) === ns && selectorMatches(p.object.spec?.podSelector ?? {}, labels));
      return covered ? [] : [violation(doc, `${pod.prefix}metadata.labels`, rule('network-policy'),
        `no NetworkPolicy of namespace "${ns}" selects these pods (labels ${JSON.stringify(labels)})`)];
    })];
  },
};

/** No `*-snippet` annotation (ingress-nginx snippets inject raw nginx configuration). */
export const noSnippetAnnotations: PolicyRule = {
  id: 'no-snippet-annotation',
  description: 'no object carries a *-snippet annotation',
  check: (docs) => docs.flatMap((doc) => Object.keys(doc.object?.metadata?.annotations ?? {})
    .filter((k) => k.endsWith('-snippet'))
    .map((k) => violation(doc, `metadata.annotations[${JSON.stringify(k)}]`, rule('no-snippet-annotation'),
      'snippet annotations inject raw nginx configuration and are forbidden'))),
};

/** No Secret carrying data in the manifests. */
export const noSecretData: PolicyRule = {
  id: 'no-secret-data',
  description: 'no Secret carries data or stringData',
  check: (docs) => docs.filter((d) => d.object?.kind === 'Secret').flatMap((doc) => ['data', 'stringData']
    .filter((f) => doc.object[f] && Object.keys(doc.object[f]).length > 0)
    .map((f) => violation(doc, f, rule('no-secret-data'), `a Secret in the manifests must not carry ${f} (keys: ${Object.keys(doc.object[f]).sort().join(', ')}); secrets come from Vault`))),
};

/** Objects every namespace has without anyone creating them. */
const BUILT_IN = new Set(['ServiceAccount/default', 'ConfigMap/kube-root-ca.crt']);

/** The objects of a pod template it cannot start without, with the field that names each. */
function podReferences(pod: NonNullable<ReturnType<typeof podTemplateOf>>): { kind: ProvidedObject['kind']; name: unknown; path: string }[] {
  const out: { kind: ProvidedObject['kind']; name: unknown; path: string }[] = [];
  const spec = pod.spec;
  const at = (rest: string) => `${pod.prefix}spec.${rest}`;
  if (spec.serviceAccountName !== undefined) out.push({ kind: 'ServiceAccount', name: spec.serviceAccountName, path: at('serviceAccountName') });
  (spec.imagePullSecrets ?? []).forEach((s: any, i: number) => out.push({ kind: 'Secret', name: s?.name, path: at(`imagePullSecrets[${i}].name`) }));
  (spec.volumes ?? []).forEach((v: any, i: number) => {
    if (v?.secret && v.secret.optional !== true) out.push({ kind: 'Secret', name: v.secret.secretName, path: at(`volumes[${i}].secret.secretName`) });
    if (v?.configMap && v.configMap.optional !== true) out.push({ kind: 'ConfigMap', name: v.configMap.name, path: at(`volumes[${i}].configMap.name`) });
    if (v?.persistentVolumeClaim) out.push({ kind: 'PersistentVolumeClaim', name: v.persistentVolumeClaim.claimName, path: at(`volumes[${i}].persistentVolumeClaim.claimName`) });
    (v?.projected?.sources ?? []).forEach((s: any, j: number) => {
      if (s?.secret && s.secret.optional !== true) out.push({ kind: 'Secret', name: s.secret.name, path: at(`volumes[${i}].projected.sources[${j}].secret.name`) });
      if (s?.configMap && s.configMap.optional !== true) out.push({ kind: 'ConfigMap', name: s.configMap.name, path: at(`volumes[${i}].projected.sources[${j}].configMap.name`) });
    });
  });
  for (const c of containersOf(pod)) {
    (c.container.env ?? []).forEach((e: any, i: number) => {
      const ref = e?.valueFrom?.secretKeyRef ?? e?.valueFrom?.configMapKeyRef;
      if (ref && ref.optional !== true) out.push({ kind: e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', name: ref.name, path: `${c.path}.env[${i}].valueFrom.${e.valueFrom.secretKeyRef ? 'secretKeyRef' : 'configMapKeyRef'}.name` });
    });
    (c.container.envFrom ?? []).forEach((e: any, i: number) => {
      const ref = e?.secretRef ?? e?.configMapRef;
      if (ref && ref.optional !== true) out.push({ kind: e.secretRef ? 'Secret' : 'ConfigMap', name: ref.name, path: `${c.path}.envFrom[${i}].${e.secretRef ? 'secretRef' : 'configMapRef'}.name` });
    });
  }
  return out;
}

/** Every Secret, ConfigMap, ServiceAccount and PVC a pod references exists: in the manifests, as an ExternalSecret's target, or provided. */
export const referencesResolve: PolicyRule = {
  id: 'references-resolve',
  description: 'every Secret, ConfigMap, ServiceAccount and PVC a pod references is created by the manifests or declared provided',
  check: (docs, context) => {
    const created = new Set<string>();
    for (const d of docs) {
      const o = d.object;
      if (typeof o?.kind !== 'string' || typeof o?.metadata?.name !== 'string') continue;
      created.add(`${namespaceOf(d)}/${o.kind}/${o.metadata.name}`);
      if (o.kind === 'ExternalSecret') created.add(`${namespaceOf(d)}/Secret/${o.spec?.target?.name ?? o.metadata.name}`);
    }
    const provided = new Set((context?.provided ?? []).map((p) => `${p.kind}/${p.name}`));
    return workloads(docs).flatMap(({ doc, pod }) => podReferences(pod).flatMap((r) => {
      const key = `${r.kind}/${String(r.name)}`;
      if (BUILT_IN.has(key) || provided.has(key) || created.has(`${namespaceOf(doc)}/${key}`)) return [];
      return [violation(doc, r.path, rule('references-resolve'),
        `${r.kind} ${JSON.stringify(r.name)} is created by nothing in the manifests (nor by an ExternalSecret) and is not in providedObjects; the pod cannot start`)];
    }));
  },
};

/** No argument or command expands a variable that comes from a Secret. */
export const noSecretInArgs: PolicyRule = {
  id: 'no-secret-in-args',
  description: 'no container argument or command expands a Secret-backed variable',
  check: (docs) => workloads(docs).flatMap(({ doc, pod }) => containersOf(pod).flatMap((c) => {
    const secretVars = new Set((c.container.env ?? []).filter((e: any) => e?.valueFrom?.secretKeyRef).map((e: any) => e.name));
    return (['command', 'args'] as const).flatMap((field) => (Array.isArray(c.container[field]) ? c.container[field] : []).flatMap((arg: unknown, i: number) => {
      const expanded = typeof arg === 'string' ? [...arg.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1]).filter((v) => secretVars.has(v)) : [];
      return expanded.map((v) => violation(doc, `${c.path}.${field}[${i}]`, rule('no-secret-in-args'),
        `$(${v}) expands a Secret-backed variable into the ${field}: it shows in the process list and the container config on the node; read it from a file`));
    }));
  })),
};

/** Every project policy, in report order. */
export const POLICY_RULES: readonly PolicyRule[] = [
  imagePinned, resourcesBounded, ownServiceAccount, networkPolicyCoverage, noSnippetAnnotations, noSecretData, referencesResolve, noSecretInArgs,
];

/** Runs every project policy. */
export function checkPolicies(docs: readonly ManifestDoc[], context: PolicyContext = {}): Violation[] {
  return POLICY_RULES.flatMap((r) => r.check(docs, context));
}
