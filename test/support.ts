/** Shared helpers of the tests: synthesize the app in memory and find objects in it. */
import { type App, Testing } from 'cdk8s';
import { buildCharts } from '../lib/app';
import { type FactoryConfig, defaultConfig, parseConfig } from '../lib/config';
import { containerEntries, podTemplateAt } from '../lib/k8s/pod-template';
import { parseManifests } from '../lib/validate';
import { collectFiles } from '../scripts/validate';

/** The committed objects of dist/, read as `npm run validate` reads them (YAML 1.1, as kubectl does). */
export function committedManifests(): any[] {
  return parseManifests(collectFiles(['dist'])).map((d) => d.object);
}

/** A YAML "billion laughs": nine levels of nine aliases each (9^9 values once expanded). */
export const ALIAS_BOMB = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n') + '\n';

/** The manifests of every chart, by chart id, for a config (default: the guide's). */
export function synthCharts(config: FactoryConfig = defaultConfig()): Record<string, any[]> {
  const app: App = Testing.app();
  const charts = buildCharts(app, config);
  return Object.fromEntries(Object.entries(charts).filter(([, chart]) => chart !== undefined).map(([id, chart]) => [id, chart!.toJson()]));
}

/** The config override of the ingress-nginx edge target (the default is the WAF tier). */
export const CONTROLLER_TARGET = { edge: { target: 'ingress-nginx' } } as const;

/** A config override on the ingress-nginx target (the override's own `edge.target` wins). */
export function withController(override: unknown = {}): unknown {
  const o = (override ?? {}) as Record<string, any>;
  return { ...o, edge: { ...CONTROLLER_TARGET.edge, ...(o.edge ?? {}) } };
}

/** `parseConfig` on the ingress-nginx target. */
export const controllerConfig = (override: unknown = {}, source?: string): FactoryConfig => parseConfig(withController(override), source);

/** All manifests of the app on the ingress-nginx target. */
export const controllerSynthAll = (override: unknown = {}): any[] => synthAll(withController(override));

/** The manifests of every chart on the ingress-nginx target. */
export const controllerCharts = (override: unknown = {}): Record<string, any[]> => synthCharts(controllerConfig(override));

/** All manifests of the app, for a config override (a partial config, as in a FACTORY_CONFIG file). */
export function synthAll(override: unknown = {}): any[] {
  return Object.values(synthCharts(parseConfig(override))).flat();
}

/** The one object of a kind and name; fails the test when there is not exactly one. */
export function find(manifests: any[], kind: string, name: string): any {
  const found = manifests.filter((m) => m.kind === kind && m.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
  return found[0];
}

/** Every pod spec of the manifests (workload kinds), with the object it came from. */
export function podSpecs(manifests: any[]): { owner: string; spec: any; labels: Record<string, string> }[] {
  const out: { owner: string; spec: any; labels: Record<string, string> }[] = [];
  for (const m of manifests) {
    const template = podTemplateAt(m)?.template;
    if (template?.spec?.containers) out.push({ owner: `${m.kind}/${m.metadata.name}`, spec: template.spec, labels: template.metadata?.labels ?? {} });
  }
  return out;
}

/** Every container (init, regular, ephemeral) of a pod spec. */
export function allContainers(spec: any): any[] {
  return containerEntries(spec).map((e) => e.container);
}
