/** lib/workloads.ts, lib/hardening.ts, lib/identity.ts: guide "Pod Security Context" and "Container Security". */
import { COMPONENT_NAMES, defaultConfig } from '../lib/config';
import { cpuMillis, memoryBytes } from '../lib/k8s/quantity';
import { allContainers, find, podSpecs, synthAll, synthCharts } from './support';

const charts = synthCharts();
const all = Object.values(charts).flat();
const workloads = charts.workloads;
const pods = podSpecs(all);
const c = defaultConfig();

test('every component has a workload: api, worker, dashboard as Deployments; redis, postgresql as StatefulSets; and the WAF tier (the default edge)', () => {
  expect(pods.map((p) => p.owner).sort()).toEqual([
    'Deployment/factory-api', 'Deployment/factory-dashboard', 'Deployment/factory-waf', 'Deployment/factory-worker',
    'StatefulSet/factory-postgresql', 'StatefulSet/factory-redis',
  ]);
});

describe('Pod Security Context: every pod', () => {
  test.each(pods.map((p) => [p.owner, p.spec]))('%s: runAsNonRoot, uid/gid/fsGroup 1000, seccomp RuntimeDefault', (_owner, spec: any) => {
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' },
      // cdk8s-plus' own setting (Kubernetes' default too), kept by the hardening merge.
      fsGroupChangePolicy: 'Always',
    });
  });
});

describe('Pod Security Context: every container', () => {
  const containers = pods.flatMap((p) => allContainers(p.spec).map((ct) => [`${p.owner}/${ct.name}`, ct]));

  test.each(containers)('%s: no privilege escalation, read-only root, drop ALL, nothing added', (_name, ct: any) => {
    expect(ct.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(ct.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(ct.securityContext.capabilities).toEqual({ drop: ['ALL'] });
  });

  test.each(containers)('%s: cpu/memory requests and limits within the LimitRange max', (_name, ct: any) => {
    const { requests, limits } = ct.resources;
    for (const q of [requests, limits]) {
      expect(cpuMillis(q.cpu)).toBeLessThanOrEqual(cpuMillis(c.limitRange.max.cpu));
      expect(memoryBytes(q.memory)).toBeLessThanOrEqual(memoryBytes(c.limitRange.max.memory));
    }
  });

  test.each(containers)('%s: liveness and readiness probes', (_name, ct: any) => {
    expect(ct.livenessProbe).toBeDefined();
    expect(ct.readinessProbe).toBeDefined();
  });

  test.each(containers)('%s: /tmp is a writable emptyDir (Dockerfile VOLUME ["/tmp"])', (name, ct: any) => {
    const pod = pods.find((p) => name.startsWith(`${p.owner}/`))!;
    const mount = ct.volumeMounts.find((m: any) => m.mountPath === '/tmp');
    expect(pod.spec.volumes.find((v: any) => v.name === mount.name)).toEqual({ name: mount.name, emptyDir: { sizeLimit: '256Mi' } });
  });
});

describe('data stores write only to volumes', () => {
  test('redis keeps its data on its claim template data (8Gi per pod) mounted at /data', () => {
    const sts = find(workloads, 'StatefulSet', 'factory-redis');
    expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ mountPath: '/data', name: 'data' });
    expect(sts.spec.template.spec.volumes.filter((v: any) => v.persistentVolumeClaim)).toEqual([]);
    expect(sts.spec.volumeClaimTemplates).toEqual([{
      metadata: { name: 'data', labels: { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/part-of': 'factory' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } } },
    }]);
  });

  test('GIVEN storage.storageClassName WHEN synthesized THEN both claim templates name it', () => {
    const objects = synthAll({ storage: { storageClassName: 'fast-ssd' } });
    for (const name of ['factory-redis', 'factory-postgresql']) {
      expect(find(objects, 'StatefulSet', name).spec.volumeClaimTemplates[0].spec.storageClassName).toBe('fast-ssd');
    }
  });

  test('GIVEN a StatefulSet THEN its governing Service is headless (clusterIP None) and its clients keep the ClusterIP Service', () => {
    for (const name of ['factory-redis', 'factory-postgresql']) {
      const sts = find(workloads, 'StatefulSet', name);
      expect(sts.spec.serviceName).toBe(`${name}-headless`);
      expect(find(workloads, 'Service', `${name}-headless`).spec.clusterIP).toBe('None');
      expect(find(workloads, 'Service', name).spec.type).toBe('ClusterIP');
    }
  });

  test('postgresql keeps PGDATA under the PVC and its socket dir on an emptyDir', () => {
    const spec = find(workloads, 'StatefulSet', 'factory-postgresql').spec.template.spec;
    const ct = spec.containers[0];
    expect(ct.env).toContainEqual({ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' });
    expect(ct.volumeMounts).toContainEqual({ mountPath: '/var/lib/postgresql/data', name: 'data' });
    expect(ct.volumeMounts).toContainEqual({ mountPath: '/var/run/postgresql', name: 'run' });
    expect(spec.volumes).toContainEqual({ name: 'run', emptyDir: { sizeLimit: '256Mi' } });
  });

  test('Environment Variables Fallback: the database user is factory (FACTORY_DATABASE_USER=factory), for initdb and the readiness probe', () => {
    const ct = find(workloads, 'StatefulSet', 'factory-postgresql').spec.template.spec.containers[0];
    expect(ct.env).toContainEqual({ name: 'POSTGRES_USER', value: 'factory' });
    expect(ct.readinessProbe.exec.command).toEqual(['pg_isready', '-h', '127.0.0.1', '-U', 'factory', '-d', 'factory']);
  });

  test('GIVEN every container WHEN synthesized THEN no password, token or key is in an env var: only the path of a file', () => {
    const envs = pods.flatMap((p) => allContainers(p.spec)).flatMap((ct) => ct.env ?? []);
    const secretLike = envs.filter((x: any) => /PASSWORD|TOKEN|KEY|SECRET/.test(x.name));
    expect(secretLike.map((e: any) => [e.name, e.value, e.valueFrom])).toEqual([
      ['POSTGRES_PASSWORD_FILE', '/run/secrets/postgresql/password', undefined],
    ]);
  });

  test('GIVEN PostgreSQL WHEN synthesized THEN the Secret factory-postgresql is mounted read-only at /run/secrets/postgresql, group-readable only (0440)', () => {
    const spec = podSpecs(workloads).find((p) => p.owner === 'StatefulSet/factory-postgresql')!.spec;
    expect(spec.volumes).toContainEqual({ name: 'factory-postgresql', secret: { secretName: 'factory-postgresql', defaultMode: 0o440 } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'factory-postgresql', mountPath: '/run/secrets/postgresql', readOnly: true });
  });

  test('GIVEN redis WHEN synthesized THEN it starts from the redis.conf of the Secret factory-redis, and no argument holds a password', () => {
    const spec = podSpecs(workloads).find((p) => p.owner === 'StatefulSet/factory-redis')!.spec;
    const container = spec.containers[0];
    expect(container.args.slice(0, 8)).toEqual(['redis-server', '/run/secrets/redis/redis.conf', '--port', '6379', '--dir', '/data', '--appendonly', 'yes']);
    expect(container.env).toEqual([{ name: 'REDIS_PORT', value: '6379' }]);
    expect(spec.volumes).toContainEqual({ name: 'factory-redis', secret: { secretName: 'factory-redis', defaultMode: 0o440 } });
  });
});

describe('Services', () => {
  test('GIVEN the worker (nothing connects to it: no flow) THEN it has no Service', () => {
    expect(workloads.filter((o: any) => o.kind === 'Service' && o.metadata.name.startsWith('factory-worker'))).toEqual([]);
  });

  test.each(COMPONENT_NAMES.filter((n) => n !== 'worker').map((n) => [n, c.components[n].port]))('factory-%s listens on %i and selects by stable labels', (name, port) => {
    const svc = find(workloads, 'Service', `factory-${name}`);
    expect(svc.spec.ports).toEqual([{ name: 'tcp', port, targetPort: port }]);
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'factory' });
  });
});

describe('identity', () => {
  test.each(COMPONENT_NAMES.map((n) => [n]))('%s runs on its own ServiceAccount factory-%s with no automounted token', (name) => {
    const pod = pods.find((p) => p.owner.endsWith(`/factory-${name}`))!;
    expect(pod.spec.serviceAccountName).toBe(`factory-${name}`);
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(find(workloads, 'ServiceAccount', `factory-${name}`).automountServiceAccountToken).toBe(false);
  });

  test('the default ServiceAccount is emitted with automountServiceAccountToken false', () => {
    expect(find(charts.namespace, 'ServiceAccount', 'default')).toMatchObject({
      metadata: { name: 'default', namespace: 'factory' }, automountServiceAccountToken: false,
    });
  });

  test('no pod runs on the default ServiceAccount', () => {
    for (const p of pods) expect(p.spec.serviceAccountName ?? 'default').not.toBe('default');
  });

  test('kubectl auth can-i create pods --subresource=exec answers no: no Role or binding grants pods/exec', () => {
    const rules = all.filter((m) => /^(Cluster)?Role$/.test(m.kind)).flatMap((r) => r.rules ?? []);
    const grantsExec = rules.some((r: any) =>
      (r.resources ?? []).some((x: string) => x === 'pods/exec' || x === '*' || x === 'pods/*')
      && (r.verbs ?? []).some((v: string) => v === 'create' || v === '*'));
    expect(grantsExec).toBe(false);
    const bindsDefault = all.filter((m) => /RoleBinding$/.test(m.kind))
      .some((b) => (b.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === 'default'));
    expect(bindsDefault).toBe(false);
  });
});

describe('reviewable output', () => {
  test('objects have explicit names with no hash suffix and no cdk8s address label', () => {
    const text = JSON.stringify(all);
    expect(text).not.toMatch(/cdk8s\.io\/metadata\.addr/);
    for (const m of all) expect(m.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
  });

  test('two syntheses are identical', () => {
    expect(JSON.stringify(Object.values(synthCharts()).flat())).toBe(JSON.stringify(all));
  });
});

describe('workloads that survive a node drain and a full disk (issue 17)', () => {
  const labelsOf = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'factory' });

  test.each(['api', 'worker'])('GIVEN %s with 2 replicas THEN a PodDisruptionBudget lets a drain evict one pod at a time', (name) => {
    const pdb = find(workloads, 'PodDisruptionBudget', `factory-${name}`);
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: labelsOf(name) } });
  });

  test.each(['api', 'worker'])('GIVEN %s with 2 replicas THEN its pods spread over nodes and prefer not to share one', (name) => {
    const spec = find(workloads, 'Deployment', `factory-${name}`).spec.template.spec;
    expect(spec.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labelsOf(name) } }]);
    expect(spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: labelsOf(name) }, topologyKey: 'kubernetes.io/hostname' } },
    ]);
  });

  test('GIVEN the dashboard at 1 replica THEN it has no PodDisruptionBudget (it would block every drain) and no spread; at 2 it gets both', () => {
    expect(workloads.filter((o: any) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'factory-dashboard')).toEqual([]);
    const two = synthAll({ components: { dashboard: { replicas: 2 } }, spread: { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' } });
    expect(find(two, 'PodDisruptionBudget', 'factory-dashboard').spec.maxUnavailable).toBe(1);
    expect(find(two, 'Deployment', 'factory-dashboard').spec.template.spec.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' });
  });

  test('GIVEN the priority classes THEN the data stores outrank the applications, and none is the cluster default', () => {
    const all = synthAll();
    expect(all.filter((o: any) => o.kind === 'PriorityClass').map((o: any) => [o.metadata.name, o.value, o.globalDefault])).toEqual([['factory-data', 20000, false], ['factory-app', 10000, false]]);
    for (const p of pods) expect([p.owner, p.spec.priorityClassName]).toEqual([p.owner, /redis|postgresql/.test(p.owner) ? 'factory-data' : 'factory-app']);
  });

  test('GIVEN a component naming a PriorityClass this project does not create THEN the config is refused naming the field', () => {
    expect(() => synthAll({ components: { api: { priorityClassName: 'gold' } } })).toThrow(/components\.api\.priorityClassName: "gold" is not one of priorityClasses \("factory-data", "factory-app"\)/);
  });

  // The components' containers (the WAF tier's nginx has the same defaults; its counter's sidecar is sized in test/edge/waf-tier.test.ts).
  test.each(pods.flatMap((p) => allContainers(p.spec).filter((ct) => ct.name !== 'metrics').map((ct) => [`${p.owner}/${ct.name}`, ct])))('%s: ephemeral-storage requested 128Mi and limited to 1Gi', (_name, ct: any) => {
    expect([ct.resources.requests['ephemeral-storage'], ct.resources.limits['ephemeral-storage']]).toEqual(['128Mi', '1Gi']);
  });

  test('GIVEN a scratch sizeLimit above the container\'s ephemeral-storage limit THEN the config is refused naming the field', () => {
    expect(() => synthAll({ components: { redis: { scratchSizeLimit: '2Gi' } } })).toThrow(/components\.redis\.scratchSizeLimit: "2Gi" is above the container's ephemeral-storage limit "1Gi"/);
  });

  test('GIVEN the ResourceQuota THEN it totals ephemeral-storage (requests and limits of every replica, times the headroom)', () => {
    const quota = find(synthAll(), 'ResourceQuota', 'factory-quota').spec.hard;
    // 7 pods (2 api, 2 worker, 1 dashboard, 1 redis, 1 postgresql) × 128Mi and × 1Gi, plus 2 WAF pods × (128Mi + 16Mi
    // for the counter's sidecar) and × (1Gi + 64Mi), all × 2.
    expect([quota['requests.ephemeral-storage'], quota['limits.ephemeral-storage']]).toEqual(['2368Mi', '18688Mi']);
  });

  test.each(['api', 'worker', 'dashboard'])('GIVEN %s THEN liveness asks /health and readiness /ready (restart vs. out of the Service)', (name) => {
    const ct = find(workloads, 'Deployment', `factory-${name}`).spec.template.spec.containers[0];
    expect([ct.livenessProbe.httpGet.path, ct.readinessProbe.httpGet.path]).toEqual(['/health', '/ready']);
  });

  test('GIVEN other probe paths in config THEN the api follows them', () => {
    const ct = find(synthAll({ components: { api: { probes: { liveness: '/livez', readiness: '/readyz' } } } }), 'Deployment', 'factory-api').spec.template.spec.containers[0];
    expect([ct.livenessProbe.httpGet.path, ct.readinessProbe.httpGet.path]).toEqual(['/livez', '/readyz']);
  });

  test('GIVEN redis THEN it is ready when it answers the protocol (redis-cli ping, no password on the command line) and alive while its port accepts', () => {
    const ct = find(workloads, 'StatefulSet', 'factory-redis').spec.template.spec.containers[0];
    expect(ct.readinessProbe.exec.command).toEqual(['sh', '-c', 'redis-cli -p "$REDIS_PORT" ping | grep -qE "^(PONG|NOAUTH)"']);
    expect(ct.livenessProbe.tcpSocket).toEqual({ port: 6379 });
  });

  test('GIVEN redis with a 1Gi memory limit THEN maxmemory is 75% of it (768Mi) with noeviction: it refuses writes before it is OOM-killed', () => {
    const args = find(workloads, 'StatefulSet', 'factory-redis').spec.template.spec.containers[0].args;
    expect(args.slice(8)).toEqual(['--maxmemory', String(768 * 2 ** 20), '--maxmemory-policy', 'noeviction']);
    const bigger = find(synthAll({ components: { redis: { resources: { limits: { cpu: '500m', memory: '2Gi' } } } } }), 'StatefulSet', 'factory-redis');
    expect(bigger.spec.template.spec.containers[0].args[9]).toBe(String(1536 * 2 ** 20));
  });
});
