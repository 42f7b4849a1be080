/** The project's policies over plain manifests (guide: Resource Limits, Network Policies, Secrets, images). */
import { synthesize } from '../../main';
import { formatViolation, manifestOutputs, parseManifests } from '../../lib/validate';
import {
  checkPolicies, disruptionBudget, distinctProbes, emptyDirSizeLimit, imagePinned, networkPolicyCoverage, noSecretData, noSecretInArgs,
  noSnippetAnnotations, ownServiceAccount, referencesResolve, resourcesBounded, statefulSetStorage,
} from '../../lib/validate/policy';
import { parseQuantity } from '../../lib/k8s/quantity';

const doc = (object: any) => ({ file: 'test.yaml', object });
const limitRange = doc({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'factory-limits', namespace: 'factory' },
  spec: { limits: [{ type: 'Container', max: { 'cpu': '2', 'memory': '4Gi', 'ephemeral-storage': '4Gi' } }] } });
const deployment = (container: any, spec: any = {}) => doc({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'factory-api', namespace: 'factory' },
  spec: { template: { metadata: { labels: { 'app.kubernetes.io/name': 'api' } }, spec: { serviceAccountName: 'factory-api', containers: [{
    name: 'api', image: 'ghcr.io/factory-de-agentes/factory:1.0.0',
    resources: { requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '128Mi' }, limits: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '1Gi' } }, ...container }], ...spec } } },
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
    const v = resourcesBounded.check([limitRange, deployment({ resources: { requests: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '1Gi' }, limits: { 'cpu': '3000m', 'memory': '1Gi', 'ephemeral-storage': '1Gi' } } })]);
    expect(v).toEqual([expect.objectContaining({ path: 'spec.template.spec.containers[0].resources.limits.cpu',
      message: '3000m is above the max 2 of LimitRange factory/factory-limits' })]);
  });

  it('GIVEN no memory limit THEN refused naming resources.limits.memory', () => {
    const v = resourcesBounded.check([limitRange, deployment({ resources: { requests: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '1Gi' }, limits: { 'cpu': '1', 'ephemeral-storage': '1Gi' } } })]);
    expect(v.map((x) => x.path)).toEqual(['spec.template.spec.containers[0].resources.limits.memory']);
  });

  it('GIVEN a request above its limit THEN refused at the request', () => {
    const v = resourcesBounded.check([limitRange, deployment({ resources: { requests: { 'cpu': '1', 'memory': '2Gi', 'ephemeral-storage': '1Gi' }, limits: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '1Gi' } } })]);
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

/** Guide "Secrets Management": every reference a pod makes resolves, so no pod waits on a Secret nobody creates. */
describe('policy references-resolve', () => {
  const sa = doc({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'factory-api', namespace: 'factory' } });
  const withSecretVolume = deployment({}, { volumes: [{ name: 'creds', secret: { secretName: 'factory-redis' } }] });

  it('GIVEN the synthesized dist/ THEN every Secret, ConfigMap, ServiceAccount and PVC its pods reference is created (control: there are references)', () => {
    const docs = parseManifests(manifestOutputs(synthesize({})));
    expect(referencesResolve.check(docs)).toEqual([]);
    const secretVolumes = docs.flatMap((d) => d.object.spec?.template?.spec?.volumes ?? []).filter((v: any) => v.secret).map((v: any) => v.secret.secretName);
    // The data stores' passwords (ExternalSecrets), and the WAF tier's certificate (a cert-manager Certificate).
    expect(secretVolumes.sort()).toEqual(['factory-postgresql', 'factory-redis', 'factory-tls']);
  });

  it('GIVEN a Secret volume nothing creates THEN refused, naming the pod, the field and the missing Secret', () => {
    expect(referencesResolve.check([sa, withSecretVolume]).map(formatViolation)).toEqual([
      'test.yaml: Deployment/factory/factory-api: spec.template.spec.volumes[0].secret.secretName: [policy/references-resolve] Secret "factory-redis" is created by nothing in the manifests (nor by an ExternalSecret or a cert-manager Certificate) and is not in providedObjects; the pod cannot start',
    ]);
  });

  it('GIVEN an ExternalSecret whose target is that Secret THEN the reference resolves', () => {
    const es = doc({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'x', namespace: 'factory' }, spec: { target: { name: 'factory-redis' } } });
    expect(referencesResolve.check([sa, withSecretVolume, es])).toEqual([]);
  });

  it('GIVEN a cert-manager Certificate whose secretName is that Secret THEN the reference resolves (cert-manager writes the key pair there)', () => {
    const cert = doc({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'x', namespace: 'factory' }, spec: { secretName: 'factory-redis' } });
    expect(referencesResolve.check([sa, withSecretVolume, cert])).toEqual([]);
  });

  it('GIVEN the Certificate in another namespace THEN it does not resolve (control)', () => {
    const cert = doc({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'x', namespace: 'other' }, spec: { secretName: 'factory-redis' } });
    expect(referencesResolve.check([sa, withSecretVolume, cert])).toHaveLength(1);
  });

  it('GIVEN the ExternalSecret in another namespace THEN it does not resolve (references are per namespace)', () => {
    const es = doc({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'factory-redis', namespace: 'other' }, spec: {} });
    expect(referencesResolve.check([sa, withSecretVolume, es])).toHaveLength(1);
  });

  it('GIVEN the Secret declared in providedObjects THEN the reference resolves', () => {
    expect(referencesResolve.check([sa, withSecretVolume], { provided: [{ kind: 'Secret', name: 'factory-redis', reason: 'made by the platform team' }] })).toEqual([]);
  });

  it.each([
    ['a ServiceAccount', {}, 'spec.template.spec.serviceAccountName', 'ServiceAccount "factory-api"'],
    ['an env secretKeyRef', { env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'p' } } }] }, 'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name', 'Secret "db"'],
    ['an envFrom configMapRef', { envFrom: [{ configMapRef: { name: 'settings' } }] }, 'spec.template.spec.containers[0].envFrom[0].configMapRef.name', 'ConfigMap "settings"'],
  ])('GIVEN %s nothing creates THEN refused naming the field', (_what, container, path, missing) => {
    const [v] = referencesResolve.check([deployment(container)]).filter((x) => x.path === path);
    expect(v?.message).toContain(`${missing} is created by nothing`);
  });

  it('GIVEN an optional Secret and the built-in kube-root-ca.crt ConfigMap THEN neither is required', () => {
    const d = deployment({}, { volumes: [{ name: 'a', secret: { secretName: 'maybe', optional: true } }, { name: 'b', configMap: { name: 'kube-root-ca.crt' } }] });
    expect(referencesResolve.check([sa, d])).toEqual([]);
  });
});

describe('policy no-secret-in-args', () => {
  const secretEnv = [{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'factory-redis', key: 'password' } } }, { name: 'PORT', value: '6379' }];

  it('GIVEN the old redis command (--requirepass $(REDIS_PASSWORD)) THEN refused naming the argument', () => {
    const d = deployment({ env: secretEnv, args: ['redis-server', '--requirepass', '$(REDIS_PASSWORD)'] });
    expect(noSecretInArgs.check([d])).toEqual([expect.objectContaining({ path: 'spec.template.spec.containers[0].args[2]', rule: 'policy/no-secret-in-args' })]);
  });

  it('GIVEN a command that expands only a plain variable THEN accepted (control)', () => {
    expect(noSecretInArgs.check([deployment({ env: secretEnv, command: ['redis-server', '--port', '$(PORT)'] })])).toEqual([]);
  });

  it('GIVEN the synthesized dist/ THEN no container expands a Secret-backed variable', () => {
    expect(noSecretInArgs.check(parseManifests(manifestOutputs(synthesize({}))))).toEqual([]);
  });
});

describe('reliability policies (issue 17), each refusing a manifest that breaks it', () => {
  const dist = parseManifests(manifestOutputs(synthesize({})));
  const named = (kind: string, name: string) => dist.find((d) => d.object.kind === kind && d.object.metadata.name === name)!;
  const without = (kind: string, name: string) => dist.filter((d) => !(d.object.kind === kind && d.object.metadata.name === name));
  const edited = (kind: string, name: string, edit: (o: any) => void) => dist.map((d) => {
    if (!(d.object.kind === kind && d.object.metadata.name === name)) return d;
    const object = structuredClone(d.object);
    edit(object);
    return { ...d, object };
  });

  it.each([
    ['disruption-budget', disruptionBudget], ['emptydir-size-limit', emptyDirSizeLimit], ['distinct-probes', distinctProbes], ['statefulset-storage', statefulSetStorage],
  ] as const)('GIVEN dist/ THEN %s holds', (_id, policy) => {
    expect(policy.check(dist)).toEqual([]);
  });

  it('GIVEN the api (2 replicas) without its PodDisruptionBudget THEN disruption-budget refuses the Deployment', () => {
    expect(disruptionBudget.check(without('PodDisruptionBudget', 'factory-api')).map(formatViolation)).toEqual([
      'dist/0001-workloads.k8s.yaml: Deployment/factory/factory-api: spec.replicas: [policy/disruption-budget] 2 replicas and no PodDisruptionBudget of namespace "factory" selects its pods: one node drain can evict them all',
    ]);
  });

  it('GIVEN a PodDisruptionBudget selecting every component THEN disruption-budget refuses it (a budget selects exactly one workload)', () => {
    const v = disruptionBudget.check(edited('PodDisruptionBudget', 'factory-api', (o) => { o.spec.selector = { matchLabels: { 'app.kubernetes.io/part-of': 'factory' } }; }));
    expect(v.map((x) => x.message)).toContain('also selects the pods of StatefulSet/factory-redis: a budget must select exactly one workload\'s pods');
  });

  it('GIVEN the dashboard without a PodDisruptionBudget THEN disruption-budget accepts it at 1 replica and refuses it at 2', () => {
    expect(dist.some((d) => d.object.kind === 'PodDisruptionBudget' && d.object.metadata.name === 'factory-dashboard')).toBe(false);
    expect(disruptionBudget.check(dist)).toEqual([]);
    const two = disruptionBudget.check(edited('Deployment', 'factory-dashboard', (o) => { o.spec.replicas = 2; }));
    expect(two.map((v) => `${v.name}: ${v.path}`)).toEqual(['factory-dashboard: spec.replicas']);
  });

  it('GIVEN /tmp without a sizeLimit THEN emptydir-size-limit refuses it at the volume', () => {
    const v = emptyDirSizeLimit.check(edited('Deployment', 'factory-api', (o) => { o.spec.template.spec.volumes.find((x: any) => x.name === 'tmp').emptyDir = {}; }));
    expect(v).toEqual([expect.objectContaining({ rule: 'policy/emptydir-size-limit', path: expect.stringMatching(/^spec\.template\.spec\.volumes\[\d+\]\.emptyDir\.sizeLimit$/), message: 'emptyDir "tmp" has no sizeLimit: it may fill the node\'s disk' })]);
  });

  it('GIVEN the worker with its readiness probe as its liveness probe THEN distinct-probes refuses it', () => {
    const v = distinctProbes.check(edited('Deployment', 'factory-worker', (o) => { const c = o.spec.template.spec.containers[0]; c.livenessProbe = c.readinessProbe; }));
    expect(v.map(formatViolation)).toEqual(['dist/0001-workloads.k8s.yaml: Deployment/factory/factory-worker: spec.template.spec.containers[0].livenessProbe: [policy/distinct-probes] is identical to the readiness probe: a slow dependency would make the kubelet restart every replica']);
  });

  it('GIVEN redis mounting a fixed claim THEN statefulset-storage refuses the volume', () => {
    const v = statefulSetStorage.check(edited('StatefulSet', 'factory-redis', (o) => { o.spec.template.spec.volumes.push({ name: 'data', persistentVolumeClaim: { claimName: 'factory-redis-data' } }); }));
    expect(v.map((x) => x.message)).toEqual(['mounts the fixed claim "factory-redis-data": replicas would share one ReadWriteOnce volume (use volumeClaimTemplates)']);
  });

  it('GIVEN redis governed by its ClusterIP Service THEN statefulset-storage refuses spec.serviceName', () => {
    const v = statefulSetStorage.check(edited('StatefulSet', 'factory-redis', (o) => { o.spec.serviceName = 'factory-redis'; }));
    expect(v.map(formatViolation)).toEqual(['dist/0001-workloads.k8s.yaml: StatefulSet/factory/factory-redis: spec.serviceName: [policy/statefulset-storage] "factory-redis" is not a headless Service (clusterIP: None) of the manifests: the pods get no stable DNS names']);
  });

  it('GIVEN a container without ephemeral-storage THEN the resources policy refuses its request and limit', () => {
    const v = resourcesBounded.check(edited('Deployment', 'factory-api', (o) => {
      const r = o.spec.template.spec.containers[0].resources; delete r.requests['ephemeral-storage']; delete r.limits['ephemeral-storage'];
    }));
    expect(v.map((x) => x.message)).toEqual(['ephemeral-storage request must be set', 'ephemeral-storage limit must be set']);
  });

  it('GIVEN an ephemeral-storage limit above the LimitRange max THEN the resources policy names the LimitRange', () => {
    expect(named('LimitRange', 'factory-limits').object.spec.limits[0].max['ephemeral-storage']).toBe('4Gi');
    const v = resourcesBounded.check(edited('Deployment', 'factory-api', (o) => { o.spec.template.spec.containers[0].resources.limits['ephemeral-storage'] = '8Gi'; }));
    expect(v.map((x) => x.message)).toEqual(['8Gi is above the max 4Gi of LimitRange factory/factory-limits']);
  });
});
