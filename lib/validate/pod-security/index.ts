/**
 * The Pod Security checker: finds the pod template of every workload kind and evaluates the checks of a
 * level at a policy version, as Kubernetes' pod-security-admission would when the namespace enforces
 * `<level>:<version>`.
 */
import { CHECKS } from './checks';
import { Check, Finding, Level, PodTemplate, checkAt } from './model';

export { LATEST_MINOR, LEVELS, parsePolicyVersion } from './model';
export type { Level } from './model';

/** Where the pod template sits in each pod-template-bearing kind. */
const TEMPLATE_PATH: Record<string, string[]> = {
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
export const WORKLOAD_KINDS = Object.keys(TEMPLATE_PATH);

/** The pod template of a manifest, or undefined for kinds without one (or a template without a spec). */
export function podTemplateOf(manifest: any): PodTemplate | undefined {
  const path = TEMPLATE_PATH[manifest?.kind];
  if (path === undefined) return undefined;
  const template = path.reduce((o: any, k) => o?.[k], manifest);
  if (!template || typeof template.spec !== 'object' || template.spec === null) return undefined;
  return {
    metadata: template.metadata && typeof template.metadata === 'object' ? template.metadata : {},
    spec: template.spec,
    prefix: path.length ? `${path.join('.')}.` : '',
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
