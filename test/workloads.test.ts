/** lib/workloads.ts, lib/hardening.ts, lib/identity.ts: guide "Pod Security Context" and "Container Security". */
import { COMPONENT_NAMES, defaultConfig } from '../lib/config';
import { cpuMillis, memoryBytes } from '../lib/k8s/quantity';
import { allContainers, find, podSpecs, synthCharts } from './support';

const charts = synthCharts();
const all = Object.values(charts).flat();
const workloads = charts.workloads;
const pods = podSpecs(all);
const c = defaultConfig();

test('every component has a workload: api, worker, dashboard as Deployments; redis, postgresql as StatefulSets', () => {
  expect(pods.map((p) => p.owner).sort()).toEqual([
    'Deployment/factory-api', 'Deployment/factory-dashboard', 'Deployment/factory-worker',
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
    expect(pod.spec.volumes.find((v: any) => v.name === mount.name)).toEqual({ name: mount.name, emptyDir: {} });
  });
});

describe('data stores write only to volumes', () => {
  test('redis keeps its data on the PVC factory-redis-data mounted at /data', () => {
    const spec = find(workloads, 'StatefulSet', 'factory-redis').spec.template.spec;
    expect(spec.containers[0].volumeMounts).toContainEqual({ mountPath: '/data', name: 'data' });
    expect(spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'factory-redis-data', readOnly: false } });
    expect(find(workloads, 'PersistentVolumeClaim', 'factory-redis-data').spec.resources.requests.storage).toBe('8Gi');
  });

  test('postgresql keeps PGDATA under the PVC and its socket dir on an emptyDir', () => {
    const spec = find(workloads, 'StatefulSet', 'factory-postgresql').spec.template.spec;
    const ct = spec.containers[0];
    expect(ct.env).toContainEqual({ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' });
    expect(ct.volumeMounts).toContainEqual({ mountPath: '/var/lib/postgresql/data', name: 'data' });
    expect(ct.volumeMounts).toContainEqual({ mountPath: '/var/run/postgresql', name: 'run' });
    expect(spec.volumes).toContainEqual({ name: 'run', emptyDir: {} });
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
    expect(container.args).toEqual(['redis-server', '/run/secrets/redis/redis.conf', '--port', '6379', '--dir', '/data', '--appendonly', 'yes']);
    expect(container.env ?? []).toEqual([]);
    expect(spec.volumes).toContainEqual({ name: 'factory-redis', secret: { secretName: 'factory-redis', defaultMode: 0o440 } });
  });
});

describe('Services', () => {
  test.each(COMPONENT_NAMES.map((n) => [n, c.components[n].port]))('factory-%s listens on %i and selects by stable labels', (name, port) => {
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
