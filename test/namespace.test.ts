/** lib/namespace.ts and lib/limits.ts: guide "Namespace Labels" and "Resource Limits". */
import { COMPONENT_NAMES, defaultConfig } from '../lib/config';
import { cpuMillis, memoryBytes } from '../lib/k8s/quantity';
import { METRICS_SIDECAR_RESOURCES } from '../lib/edge/waf-tier';
import { find, synthCharts } from './support';

const manifests = synthCharts().namespace;

describe('Namespace Labels', () => {
  const ns = find(manifests, 'Namespace', 'factory');

  test.each(['enforce', 'warn', 'audit'])('pod-security.kubernetes.io/%s is restricted', (mode) => {
    expect(ns.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
  });

  test('enforce is pinned to v1.27, warn and audit follow latest', () => {
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce-version']).toBe('v1.27');
    expect(ns.metadata.labels['pod-security.kubernetes.io/warn-version']).toBe('latest');
    expect(ns.metadata.labels['pod-security.kubernetes.io/audit-version']).toBe('latest');
  });

  test('the Namespace object itself carries no namespace (it is cluster-scoped)', () => {
    expect(ns.metadata.namespace).toBeUndefined();
  });
});

describe('Resource Limits: LimitRange', () => {
  const lr = find(manifests, 'LimitRange', 'factory-limits');
  const [limit] = lr.spec.limits;

  test('applies to type Container in the factory namespace', () => {
    expect(lr.metadata.namespace).toBe('factory');
    expect(lr.spec.limits).toHaveLength(1);
    expect(limit.type).toBe('Container');
  });

  test('default is memory 512Mi, cpu 500m, ephemeral-storage 1Gi', () => {
    expect(limit.default).toEqual({ 'memory': '512Mi', 'cpu': '500m', 'ephemeral-storage': '1Gi' });
  });

  test('max is memory 4Gi, cpu 2, ephemeral-storage 4Gi', () => {
    expect(limit.max).toEqual({ 'memory': '4Gi', 'cpu': '2', 'ephemeral-storage': '4Gi' });
  });

  test('defaultRequest is below the default', () => {
    expect(cpuMillis(limit.defaultRequest.cpu)).toBeLessThanOrEqual(cpuMillis(limit.default.cpu));
    expect(memoryBytes(limit.defaultRequest.memory)).toBeLessThanOrEqual(memoryBytes(limit.default.memory));
  });
});

describe('Resource Limits: ResourceQuota', () => {
  const quota = find(manifests, 'ResourceQuota', 'factory-quota');
  const c = defaultConfig();
  const sum = (f: (name: (typeof COMPONENT_NAMES)[number]) => number) => COMPONENT_NAMES.reduce((a, n) => a + f(n), 0);

  test('holds twice the default workloads (requests, limits and pods): the components and the WAF tier (nginx and its counter)', () => {
    const hard = quota.spec.hard;
    const w = c.edge.wafTier;
    const waf = (f: (r: { cpu: string; memory: string }) => number, pick: 'requests' | 'limits') => w.replicas * (f(w.resources[pick]) + f(METRICS_SIDECAR_RESOURCES[pick]));
    expect(cpuMillis(hard['requests.cpu'])).toBe(2 * (sum((n) => c.components[n].replicas * cpuMillis(c.components[n].resources.requests.cpu)) + waf((r) => cpuMillis(r.cpu), 'requests')));
    expect(memoryBytes(hard['limits.memory'])).toBe(2 * (sum((n) => c.components[n].replicas * memoryBytes(c.components[n].resources.limits.memory)) + waf((r) => memoryBytes(r.memory), 'limits')));
    expect(Number(hard.pods)).toBe(2 * (sum((n) => c.components[n].replicas) + w.replicas));
  });

  test('the numbers of the README: requests 5100m / 6016Mi, limits 20800m / 21760Mi, 18 pods, 56Gi storage', () => {
    expect(quota.spec.hard).toMatchObject({
      'requests.cpu': '5100m', 'requests.memory': '6016Mi', 'limits.cpu': '20800m', 'limits.memory': '21760Mi',
      'pods': '18', 'requests.storage': '56Gi',
    });
  });

  test('allows exactly the WAF tier\'s LoadBalancer and no NodePort Service (only the edge exposes the platform)', () => {
    expect(quota.spec.hard['services.loadbalancers']).toBe('1');
    expect(quota.spec.hard['services.nodeports']).toBe('0');
  });
});
