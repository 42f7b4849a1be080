/**
 * The vocabulary of the Pod Security checker: levels, policy versions, pod templates and the shape of a
 * check (the same shape Kubernetes' pod-security-admission uses: a check has a level and a list of
 * versioned implementations, each in force from its minimum version until the next one).
 */
import { containerEntries } from '../../k8s/pod-template';

/** The Pod Security Standards levels this checker enforces (`privileged` enforces nothing). */
export const LEVELS = ['baseline', 'restricted'] as const;
export type Level = (typeof LEVELS)[number];

/** The newest policy version this checker knows (`latest` evaluates as this one). */
export const LATEST_MINOR = 37;

/**
 * Parses a policy version: `latest` or `v1.N` (0 ≤ N ≤ 37). Returns the minor version number, or
 * undefined when the text is not a known version.
 */
export function parsePolicyVersion(text: string): number | undefined {
  if (text === 'latest') return LATEST_MINOR;
  const m = /^v1\.(0|[1-9]\d?)$/.exec(text);
  if (!m) return undefined;
  const minor = Number(m[1]);
  return minor <= LATEST_MINOR ? minor : undefined;
}

/**
 * A pod template as the checks see it: the pod's metadata and spec, and where the template sits in its
 * manifest (`''` for a Pod, `spec.template.` for a Deployment, `spec.jobTemplate.spec.template.` for a
 * CronJob), so that findings name the full field path.
 */
export interface PodTemplate {
  readonly metadata: { annotations?: Record<string, string>; labels?: Record<string, string> } & Record<string, any>;
  readonly spec: Record<string, any>;
  /** Prefix of every field path of this template, ending with `.` unless empty. */
  readonly prefix: string;
}

/** One refused field of a pod template. */
export interface Finding {
  /** Full field path in the manifest, e.g. `spec.template.spec.containers[0].securityContext.privileged`. */
  readonly path: string;
  /** Why it is refused, naming the allowed values. */
  readonly message: string;
}

/** One implementation of a check, in force from `since` (minor version of 1.x) on. */
export interface VersionedCheck {
  readonly since: number;
  readonly check: (pod: PodTemplate) => Finding[];
  /** Baseline checks this restricted check replaces while it is in force (as upstream's OverrideCheckIDs). */
  readonly overrides?: readonly string[];
}

/** A Pod Security check: an id (upstream's), its level, and its implementations by version (ascending). */
export interface Check {
  readonly id: string;
  readonly level: Level;
  readonly versions: readonly VersionedCheck[];
}

/** The implementation of a check in force at a version, if any. */
export function checkAt(check: Check, minor: number): VersionedCheck | undefined {
  let found: VersionedCheck | undefined;
  for (const v of check.versions) if (v.since <= minor) found = v;
  return found;
}

/** A container of a pod template, with its field path. */
export interface ContainerAt {
  readonly container: Record<string, any>;
  readonly path: string;
}

/** Every container of a pod template (init, regular, ephemeral), with its field path. */
export function containersOf(pod: PodTemplate): ContainerAt[] {
  return containerEntries(pod.spec).map(({ container, list, index }) => ({ container, path: `${pod.prefix}spec.${list}[${index}]` }));
}

/** The pod's `securityContext` (or an empty object). */
export function podSecurityContext(pod: PodTemplate): Record<string, any> {
  const sc = pod.spec.securityContext;
  return sc && typeof sc === 'object' ? sc : {};
}

/** A container's `securityContext` (or an empty object). */
export function containerSecurityContext(c: ContainerAt): Record<string, any> {
  const sc = c.container.securityContext;
  return sc && typeof sc === 'object' ? sc : {};
}

/** True when the pod opts into a user namespace (`hostUsers: false`). */
export function usesUserNamespace(pod: PodTemplate): boolean {
  return pod.spec.hostUsers === false;
}

/** True when the pod declares a Windows OS (`spec.os.name: windows`). */
export function isWindows(pod: PodTemplate): boolean {
  return pod.spec.os?.name === 'windows';
}

/** A field path under the template's pod spec. */
export function specPath(pod: PodTemplate, rest: string): string {
  return `${pod.prefix}spec.${rest}`;
}

/** A field path of an annotation of the template. */
export function annotationPath(pod: PodTemplate, key: string): string {
  return `${pod.prefix}metadata.annotations[${JSON.stringify(key)}]`;
}
