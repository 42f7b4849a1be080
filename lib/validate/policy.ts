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
 *   ExternalSecret creates its target Secret, a cert-manager Certificate its spec.secretName) or declared as provided by the operator;
 * - no container argument or command expands a Secret-backed variable (`$(PASSWORD)` lands in the process
 *   list and the runtime's container config);
 * - reliability (issue 17): every Deployment/StatefulSet of more than one replica has a PodDisruptionBudget
 *   selecting exactly its pods; every emptyDir has a sizeLimit; every container requests and limits
 *   ephemeral-storage (in the resources rule); liveness and readiness probes differ; a StatefulSet keeps its
 *   data on claim templates and is governed by a headless Service.
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
  description: 'every container sets cpu, memory and ephemeral-storage requests and limits, request ≤ limit, within the namespace LimitRange',
  check: (docs) => {
    const bounds = containerBounds(docs);
    return workloads(docs).flatMap(({ doc, pod }) => containersOf(pod)
      // Ephemeral containers cannot set resources.
      .filter((c) => !c.path.includes('.ephemeralContainers['))
      .flatMap((c) => {
        const out: Violation[] = [];
        const res = c.container.resources ?? {};
        const bound = bounds.get(namespaceOf(doc));
        for (const resource of ['cpu', 'memory', 'ephemeral-storage']) {
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
      // cert-manager writes a Certificate's key pair into its spec.secretName, in the Certificate's namespace.
      if (o.kind === 'Certificate' && o.apiVersion === 'cert-manager.io/v1' && typeof o.spec?.secretName === 'string') created.add(`${namespaceOf(d)}/Secret/${o.spec.secretName}`);
    }
    const provided = new Set((context?.provided ?? []).map((p) => `${p.kind}/${p.name}`));
    return workloads(docs).flatMap(({ doc, pod }) => podReferences(pod).flatMap((r) => {
      const key = `${r.kind}/${String(r.name)}`;
      if (BUILT_IN.has(key) || provided.has(key) || created.has(`${namespaceOf(doc)}/${key}`)) return [];
      return [violation(doc, r.path, rule('references-resolve'),
        `${r.kind} ${JSON.stringify(r.name)} is created by nothing in the manifests (nor by an ExternalSecret or a cert-manager Certificate) and is not in providedObjects; the pod cannot start`)];
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

/** Whether a label selector selects these labels; a selector with an unknown operator selects nothing. */
function selects(selector: unknown, labels: Record<string, string>): boolean {
  if (!selector || typeof selector !== 'object') return false;
  try {
    return selectorMatches(selector as Parameters<typeof selectorMatches>[0], labels);
  } catch {
    return false;
  }
}

/** Deployments and StatefulSets of more than one replica: a drain must not evict them all at once. */
export const disruptionBudget: PolicyRule = {
  id: 'disruption-budget',
  description: 'every Deployment or StatefulSet of more than one replica has a PodDisruptionBudget selecting exactly its pods',
  check: (docs) => {
    const budgets = docs.filter((d) => d.object?.kind === 'PodDisruptionBudget');
    const all = workloads(docs);
    return all.filter(({ doc }) => ['Deployment', 'StatefulSet'].includes(doc.object.kind) && Number(doc.object.spec?.replicas ?? 1) > 1)
      .flatMap(({ doc, pod }) => {
        const ns = namespaceOf(doc);
        const labels = pod.metadata.labels ?? {};
        const mine = budgets.filter((b) => namespaceOf(b) === ns && selects(b.object.spec?.selector, labels));
        if (mine.length === 0) {
          return [violation(doc, 'spec.replicas', rule('disruption-budget'), `${doc.object.spec.replicas} replicas and no PodDisruptionBudget of namespace "${ns}" selects its pods: one node drain can evict them all`)];
        }
        const others = all.filter((o) => o.doc !== doc && namespaceOf(o.doc) === ns);
        return mine.flatMap((b) => others.filter((o) => selects(b.object.spec?.selector, o.pod.metadata.labels ?? {}))
          .map((o) => violation(b, 'spec.selector', rule('disruption-budget'), `also selects the pods of ${o.doc.object.kind}/${o.doc.object.metadata?.name}: a budget must select exactly one workload's pods`)));
      });
  },
};

/** emptyDirs bounded: one pod filling the node's disk gets its neighbours evicted. */
export const emptyDirSizeLimit: PolicyRule = {
  id: 'emptydir-size-limit',
  description: 'every emptyDir volume has a sizeLimit',
  check: (docs) => workloads(docs).flatMap(({ doc, pod }) => (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : [])
    .map((v: any, i: number) => ({ v, i }))
    .filter(({ v }: { v: any }) => v && typeof v === 'object' && v.emptyDir && typeof v.emptyDir === 'object' && v.emptyDir.sizeLimit === undefined)
    .map(({ v, i }: { v: any; i: number }) => violation(doc, `${pod.prefix}spec.volumes[${i}].emptyDir.sizeLimit`, rule('emptydir-size-limit'), `emptyDir "${v.name}" has no sizeLimit: it may fill the node's disk`))),
};

/** Liveness restarts, readiness takes out of the Service: one check for both restarts every replica when a dependency is slow. */
export const distinctProbes: PolicyRule = {
  id: 'distinct-probes',
  description: 'no container has identical liveness and readiness probes',
  check: (docs) => workloads(docs).flatMap(({ doc, pod }) => containersOf(pod)
    .filter((c) => c.container.livenessProbe !== undefined && JSON.stringify(c.container.livenessProbe) === JSON.stringify(c.container.readinessProbe))
    .map((c) => violation(doc, `${c.path}.livenessProbe`, rule('distinct-probes'), 'is identical to the readiness probe: a slow dependency would make the kubelet restart every replica'))),
};

/** StatefulSets the Kubernetes way: one claim per pod, and a headless governing Service. */
export const statefulSetStorage: PolicyRule = {
  id: 'statefulset-storage',
  description: 'a StatefulSet mounts no fixed PersistentVolumeClaim (it uses volumeClaimTemplates) and its serviceName is a headless Service',
  check: (docs) => {
    const headless = new Set(docs.filter((d) => d.object?.kind === 'Service' && d.object.spec?.clusterIP === 'None').map((d) => `${namespaceOf(d)}/${d.object.metadata?.name}`));
    return workloads(docs).filter(({ doc }) => doc.object.kind === 'StatefulSet').flatMap(({ doc, pod }) => {
      const out: Violation[] = [];
      (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).forEach((v: any, i: number) => {
        if (v?.persistentVolumeClaim) {
          out.push(violation(doc, `${pod.prefix}spec.volumes[${i}].persistentVolumeClaim`, rule('statefulset-storage'),
            `mounts the fixed claim "${v.persistentVolumeClaim.claimName}": replicas would share one ReadWriteOnce volume (use volumeClaimTemplates)`));
        }
      });
      const serviceName = doc.object.spec?.serviceName;
      if (!headless.has(`${namespaceOf(doc)}/${serviceName}`)) {
        out.push(violation(doc, 'spec.serviceName', rule('statefulset-storage'), `${JSON.stringify(serviceName)} is not a headless Service (clusterIP: None) of the manifests: the pods get no stable DNS names`));
      }
      return out;
    });
  },
};

/** Every project policy, in report order. */
export const POLICY_RULES: readonly PolicyRule[] = [
  imagePinned, resourcesBounded, ownServiceAccount, networkPolicyCoverage, noSnippetAnnotations, noSecretData, referencesResolve, noSecretInArgs,
  disruptionBudget, emptyDirSizeLimit, distinctProbes, statefulSetStorage,
];

/** Runs every project policy. */
export function checkPolicies(docs: readonly ManifestDoc[], context: PolicyContext = {}): Violation[] {
  return POLICY_RULES.flatMap((r) => r.check(docs, context));
}
