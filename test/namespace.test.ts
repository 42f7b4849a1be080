/** lib/namespace.ts and lib/limits.ts: guide "Namespace Labels" and "Resource Limits". */
import { COMPONENT_NAMES, defaultConfig } from '../lib/config';
import { cpuMillis, memoryBytes } from '../lib/k8s/quantity';
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

  test('holds twice the default workloads (requests, limits and pods)', () => {
    const hard = quota.spec.hard;
    expect(cpuMillis(hard['requests.cpu'])).toBe(2 * sum((n) => c.components[n].replicas * cpuMillis(c.components[n].resources.requests.cpu)));
    expect(memoryBytes(hard['limits.memory'])).toBe(2 * sum((n) => c.components[n].replicas * memoryBytes(c.components[n].resources.limits.memory)));
    expect(Number(hard.pods)).toBe(2 * sum((n) => c.components[n].replicas));
  });

  test('the numbers of the README: requests 3900m / 4864Mi, limits 16000m / 19456Mi, 14 pods, 56Gi storage', () => {
    expect(quota.spec.hard).toMatchObject({
      'requests.cpu': '3900m', 'requests.memory': '4864Mi', 'limits.cpu': '16000m', 'limits.memory': '19456Mi',
      'pods': '14', 'requests.storage': '56Gi',
    });
  });

  test('allows no LoadBalancer or NodePort Service (only the Ingress exposes the platform)', () => {
    expect(quota.spec.hard['services.loadbalancers']).toBe('0');
    expect(quota.spec.hard['services.nodeports']).toBe('0');
  });
});
