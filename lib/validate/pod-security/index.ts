/**
 * The Pod Security checker: finds the pod template of every workload kind and evaluates the checks of a
 * level at a policy version, as Kubernetes' pod-security-admission would when the namespace enforces
 * `<level>:<version>`.
 */
import { WORKLOAD_KINDS as KINDS, podTemplateAt } from '../../k8s/pod-template';
import { CHECKS } from './checks';
import { type Check, type Finding, type Level, type PodTemplate, checkAt } from './model';

export { LATEST_MINOR, LEVELS, parsePolicyVersion } from './model';
export type { Level } from './model';

/** The kinds whose objects carry a pod template. */
export const WORKLOAD_KINDS = KINDS;

/** The pod template of a manifest as the checks see it, or undefined for kinds without one. */
export function podTemplateOf(manifest: any): PodTemplate | undefined {
  const at = podTemplateAt(manifest);
  if (!at) return undefined;
  const { metadata, spec } = at.template;
  return {
    metadata: metadata && typeof metadata === 'object' ? metadata : {},
    spec,
    prefix: at.path.length ? `${at.path.join('.')}.` : '',
  };
}

/** The checks in force for a level at a version, overridden baseline checks removed. */
export function checksFor(level: Level, minor: number): { check: Check; run: (pod: PodTemplate) => Finding[] }[] {
  const candidates = CHECKS.filter((c) => c.level === 'baseline' || level === 'restricted');
  const active = candidates.flatMap((check) => {
    const v = checkAt(check, minor);
    return v ? [{ check, version: v }] : [];
  });
  const overridden = new Set(active.flatMap((a) => a.version.overrides ?? []));
  return active.filter((a) => !overridden.has(a.check.id)).map((a) => ({ check: a.check, run: a.version.check }));
}

/** A Pod Security finding, with the check that refused it. */
export interface PodSecurityFinding extends Finding {
  readonly checkId: string;
}

/** Evaluates one manifest; no findings means it is admitted at that level and version. */
export function checkPodSecurity(manifest: any, level: Level, minor: number): PodSecurityFinding[] {
  const pod = podTemplateOf(manifest);
  if (!pod) return [];
  return checksFor(level, minor).flatMap(({ check, run }) => run(pod).map((f) => ({ ...f, checkId: check.id })));
}
