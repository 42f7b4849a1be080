/**
 * Where a workload keeps its pod template, and the container lists of a pod spec: written once, read by
 * the hardening, the Pod Security checker, the policies and the tests.
 */

/** The path of the pod template in each kind that carries one (a Pod is its own template). */
export const POD_TEMPLATE_PATH: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** The kinds whose objects carry a pod template. */
export const WORKLOAD_KINDS: readonly string[] = Object.keys(POD_TEMPLATE_PATH);

/** The container lists of a pod spec, in the order the kubelet starts them. */
export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

/** A manifest's pod template and where it sits, or undefined (no such kind, or no template with a spec). */
export interface PodTemplateAt {
  /** The template: `{ metadata?, spec }` (the Pod itself for a Pod). */
  readonly template: { metadata?: any; spec: Record<string, any> };
  /** Its path in the manifest (`[]` for a Pod). */
  readonly path: readonly string[];
}

/** The pod template of a manifest, or undefined for kinds without one (or a template without a spec). */
export function podTemplateAt(manifest: any): PodTemplateAt | undefined {
  const path = POD_TEMPLATE_PATH[manifest?.kind];
  if (path === undefined) return undefined;
  const template = path.reduce((o: any, k) => o?.[k], manifest);
  if (!template || typeof template.spec !== 'object' || template.spec === null) return undefined;
  return { template, path };
}

/** One container of a pod spec: the object, its list and its index there. */
export interface ContainerEntry {
  readonly container: Record<string, any>;
  readonly list: ContainerList;
  readonly index: number;
}

/** Every container of a pod spec (init, regular, ephemeral), with its list and index. */
export function containerEntries(spec: Record<string, any>): ContainerEntry[] {
  const out: ContainerEntry[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = spec?.[list];
    if (!Array.isArray(items)) continue;
    items.forEach((container, index) => {
      if (container && typeof container === 'object') out.push({ container, list, index });
    });
  }
  return out;
}
