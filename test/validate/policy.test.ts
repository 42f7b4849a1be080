/** The project's policies over plain manifests (guide: Resource Limits, Network Policies, Secrets, images). */
import { synthesize } from '../../main';
import { manifestOutputs, parseManifests } from '../../lib/validate';
import { checkPolicies, imagePinned, networkPolicyCoverage, noSecretData, noSnippetAnnotations, ownServiceAccount, resourcesBounded } from '../../lib/validate/policy';
import { parseQuantity } from '../../lib/k8s/quantity';

const doc = (object: any) => ({ file: 'test.yaml', object });
const limitRange = doc({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'factory-limits', namespace: 'factory' },
  spec: { limits: [{ type: 'Container', max: { cpu: '2', memory: '4Gi' } }] } });
const deployment = (container: any, spec: any = {}) => doc({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'factory-api', namespace: 'factory' },
  spec: { template: { metadata: { labels: { 'app.kubernetes.io/name': 'api' } }, spec: { serviceAccountName: 'factory-api', containers: [{
    name: 'api', image: 'ghcr.io/factory-de-agentes/factory:1.0.0',
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } }, ...container }], ...spec } } },
});

describe('project policies', () => {
  it('GIVEN the synthesized manifests THEN every policy holds', () => {
    expect(checkPolicies(parseManifests(manifestOutputs(synthesize({}))))).toEqual([]);
  });

  it.each([['nginx:latest', 'tagged "latest"'], ['nginx', 'untagged']])('GIVEN image %s THEN refused as %s', (image, why) => {
    expect(imagePinned.check([deployment({ image })])).toEqual([expect.objectContaining({
      path: 'spec.template.spec.containers[0].image', rule: 'policy/image-pinned', message: expect.stringContaining(why) })]);
  });

  it('GIVEN an image pinned by digest THEN accepted', () => {
    expect(imagePinned.check([deployment({ image: `redis@sha256:${'a'.repeat(64)}` })])).toEqual([]);
  });

  it('GIVEN a limit of 3 cpu and a LimitRange max of 2 THEN refused naming the LimitRange', () => {
    const v = resourcesBounded.check([limitRange, deployment({ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '3000m', memory: '1Gi' } } })]);
    expect(v).toEqual([expect.objectContaining({ path: 'spec.template.spec.containers[0].resources.limits.cpu',
      message: '3000m is above the max 2 of LimitRange factory/factory-limits' })]);
  });

  it('GIVEN no memory limit THEN refused naming resources.limits.memory', () => {
    const v = resourcesBounded.check([limitRange, deployment({ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1' } } })]);
    expect(v.map((x) => x.path)).toEqual(['spec.template.spec.containers[0].resources.limits.memory']);
  });

  it('GIVEN a request above its limit THEN refused at the request', () => {
    const v = resourcesBounded.check([limitRange, deployment({ resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '1Gi' } } })]);
    expect(v).toEqual([expect.objectContaining({ path: 'spec.template.spec.containers[0].resources.requests.memory', message: 'request 2Gi is above the limit 1Gi' })]);
  });

  it.each([[undefined, 'unset means'], ['default', 'must not be the "default"']])('GIVEN serviceAccountName %s THEN refused', (sa, why) => {
    expect(ownServiceAccount.check([deployment({}, { serviceAccountName: sa })])).toEqual([expect.objectContaining({
      path: 'spec.template.spec.serviceAccountName', message: expect.stringContaining(why) })]);
  });

  it('GIVEN pods no NetworkPolicy of their namespace selects THEN refused; a default-deny (empty selector) covers them', () => {
    const other = doc({ kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'factory' }, spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } } } });
    const denyAll = doc({ kind: 'NetworkPolicy', metadata: { name: 'default-deny-all', namespace: 'factory' }, spec: { podSelector: {} } });
    expect(networkPolicyCoverage.check([deployment({}), other])).toEqual([expect.objectContaining({ rule: 'policy/network-policy', path: 'spec.template.metadata.labels' })]);
    expect(networkPolicyCoverage.check([deployment({}), other, denyAll])).toEqual([]);
  });

  it.each([['In', false], ['NotIn', true]])('GIVEN a NetworkPolicy selecting app.kubernetes.io/name %s [api] WHEN the api pods are checked THEN refused is %s (Kubernetes selector semantics)', (operator, refused) => {
    const policy = doc({ kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'factory' },
      spec: { podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator, values: ['api'] }] } } });
    expect(networkPolicyCoverage.check([deployment({}), policy]).length > 0).toBe(refused);
  });

  it('GIVEN a NetworkPolicy whose selector has an unknown operator THEN the policy is refused naming the operator, and covers nothing', () => {
    const policy = doc({ kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'factory' },
      spec: { podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'Bogus', values: ['api'] }] } } });
    expect(networkPolicyCoverage.check([deployment({}), policy])).toEqual([
      expect.objectContaining({ kind: 'NetworkPolicy', path: 'spec.podSelector.matchExpressions', message: expect.stringContaining('"Bogus"') }),
      expect.objectContaining({ path: 'spec.template.metadata.labels' }),
    ]);
  });

  it('GIVEN an Ingress with a configuration-snippet annotation THEN refused', () => {
    const ing = doc({ kind: 'Ingress', metadata: { name: 'i', annotations: { 'nginx.ingress.kubernetes.io/configuration-snippet': 'return 200;' } } });
    expect(noSnippetAnnotations.check([ing])).toEqual([expect.objectContaining({ path: 'metadata.annotations["nginx.ingress.kubernetes.io/configuration-snippet"]' })]);
  });

  it('GIVEN a Secret with data THEN refused; one without data is accepted', () => {
    expect(noSecretData.check([doc({ kind: 'Secret', metadata: { name: 's' }, data: { password: 'cGFzcw==' } })]))
      .toEqual([expect.objectContaining({ path: 'data', rule: 'policy/no-secret-data' })]);
    expect(noSecretData.check([doc({ kind: 'Secret', metadata: { name: 's' } })])).toEqual([]);
  });

  it('GIVEN quantities in every notation THEN they compare by value', () => {
    expect([parseQuantity('500m'), parseQuantity('2'), parseQuantity('1Gi'), parseQuantity('1G'), parseQuantity('1e3'), parseQuantity('x')])
      .toEqual([0.5, 2, 2 ** 30, 1e9, 1000, undefined]);
  });
});
