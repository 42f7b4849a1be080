/**
 * The one place that makes every workload restricted-compliant ("Pod Security Context" of the guide).
 *
 * cdk8s-plus-27 cannot express `seccompProfile` and its `Capability` enum has no `ALL`, so the guide's
 * security contexts are applied with cdk8s' JSON-patch escape hatch, on the synthesized manifest of every
 * object of every `FactoryChart` (lib/chart.ts): no workload can be synthesized around it.
 */
import { JsonPatch } from 'cdk8s';
import type { FactoryConfig } from './config';

/** Where the pod spec sits in each workload kind. */
const POD_SPEC_PATH: Record<string, string> = {
  Pod: '/spec',
  Deployment: '/spec/template/spec',
  StatefulSet: '/spec/template/spec',
  DaemonSet: '/spec/template/spec',
  ReplicaSet: '/spec/template/spec',
  ReplicationController: '/spec/template/spec',
  Job: '/spec/template/spec',
  CronJob: '/spec/jobTemplate/spec/template/spec',
};

/** The pod-level security context the guide requires of all pods. */
export function podSecurityContext(c: FactoryConfig['podSecurity']) {
  return {
    runAsNonRoot: true,
    runAsUser: c.runAsUser,
    runAsGroup: c.runAsGroup,
    fsGroup: c.fsGroup,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The container-level security context the guide requires of every container. */
export const CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
} as const;

/** The JSON patches that harden one manifest (none for kinds without a pod template). */
export function hardeningPatches(manifest: any, c: FactoryConfig['podSecurity']): JsonPatch[] {
  const base = POD_SPEC_PATH[manifest?.kind];
  if (base === undefined) return [];
  const spec = base.split('/').slice(1).reduce((o, k) => o?.[k], manifest);
  if (spec === undefined) return [];
  const patches = [JsonPatch.add(`${base}/securityContext`, podSecurityContext(c))];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    (spec[list] ?? []).forEach((_container: unknown, i: number) => {
      // Replaced whole: the pod's identity applies, nothing is added, everything is dropped.
      patches.push(JsonPatch.add(`${base}/${list}/${i}/securityContext`, CONTAINER_SECURITY_CONTEXT));
    });
  }
  return patches;
}

