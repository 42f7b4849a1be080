/**
 * The one place that makes every workload restricted-compliant ("Pod Security Context" of the guide).
 *
 * cdk8s-plus-27 cannot express `seccompProfile` and its `Capability` enum has no `ALL`, so the guide's
 * security contexts are applied with cdk8s' JSON-patch escape hatch, on the synthesized manifest of every
 * object of every `FactoryChart` (lib/chart.ts): no workload can be synthesized around it.
 *
 * The patches merge: what a workload sets beside the guide's fields (`fsGroupChangePolicy`, `sysctls`,
 * `supplementalGroups`, a container's `seLinuxOptions`, …) is kept; the guide's fields are set to the
 * guide's values whatever the workload asked, and no capability is added.
 */
import { JsonPatch } from 'cdk8s';
import { containerEntries, podTemplateAt } from './k8s/pod-template';

/** The identity every pod runs as (guide: runAsUser 1000, runAsGroup 1000, fsGroup 1000). */
export interface PodIdentity {
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
}

/** The pod-level security context fields the guide requires of all pods. */
export function podSecurityContext(identity: PodIdentity) {
  return {
    runAsNonRoot: true,
    runAsUser: identity.runAsUser,
    runAsGroup: identity.runAsGroup,
    fsGroup: identity.fsGroup,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The container-level security context fields the guide requires of every container. */
export const CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
} as const;

/** The guide's fields with their values, then every other field the workload set (kept as it was). */
function merged(guide: Record<string, unknown>, workload: unknown): Record<string, unknown> {
  const own = workload && typeof workload === 'object' && !Array.isArray(workload) ? Object.entries(workload) : [];
  return { ...guide, ...Object.fromEntries(own.filter(([k]) => !(k in guide))) };
}

/** The JSON patches that harden one manifest (none for kinds without a pod template). */
export function hardeningPatches(manifest: any, identity: PodIdentity): JsonPatch[] {
  const at = podTemplateAt(manifest);
  if (!at) return [];
  const spec = `/${[...at.path, 'spec'].join('/')}`;
  const pod = at.template.spec;
  const patches = [JsonPatch.add(`${spec}/securityContext`, merged(podSecurityContext(identity), pod.securityContext))];
  for (const { container, list, index } of containerEntries(pod)) {
    // The guide's fields win; `capabilities` is the guide's alone: nothing added, everything dropped.
    patches.push(JsonPatch.add(`${spec}/${list}/${index}/securityContext`, merged(CONTAINER_SECURITY_CONTEXT, container.securityContext)));
  }
  return patches;
}
