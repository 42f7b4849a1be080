/**
 * The project's own policies (issue 7, guide: "Pod Security Context", "Resource Limits", "Network
 * Policies", "Secrets Management"), as a table of rules over the plain manifests of one synth:
 * - images pinned to a version tag or a digest (never `latest`, never untagged);
 * - requests and limits (cpu, memory) on every container, request ≤ limit, both within the namespace's
 *   LimitRange (type Container) min/max read from the manifests themselves;
 * - no pod on the `default` ServiceAccount;
 * - every pod of a namespace selected by at least one NetworkPolicy of that namespace;
 * - no `*-snippet` annotation (ingress-nginx snippets bypass the WAF and the controller's hardening);
 * - no Secret carrying data (secrets come from Vault at run time, never from dist/).
 */
import { imagePinProblem } from '../k8s/image';
import { selectorMatches } from '../network/evaluate';
import { podTemplateOf } from './pod-security';
import { containersOf } from './pod-security/model';
import { parseQuantity } from '../k8s/quantity';
import { type ManifestDoc, type Violation, violation } from './types';

/** A project policy: an id (reported as `policy/<id>`) and its check over every manifest of a synth. */
export interface PolicyRule {
  readonly id: string;
  readonly description: string;
  readonly check: (docs: readonly ManifestDoc[]) => Violation[];
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

/** Every project policy, in report order. */
export const POLICY_RULES: readonly PolicyRule[] = [
  imagePinned, resourcesBounded, ownServiceAccount, networkPolicyCoverage, noSnippetAnnotations, noSecretData,
];

/** Runs every project policy. */
export function checkPolicies(docs: readonly ManifestDoc[]): Violation[] {
  return POLICY_RULES.flatMap((r) => r.check(docs));
}
