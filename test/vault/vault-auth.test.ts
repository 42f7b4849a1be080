/** lib/vault-auth.ts: the Kubernetes side of the guide's "Kubernetes Service Account Authentication". */
import { Testing } from 'cdk8s';
import { buildCharts } from '../../lib/app';
import { ConfigError, parseConfig } from '../../lib/config';
import { VAULT_TOKEN_DIR } from '../../lib/vault-auth';
import { find, podSpecs } from '../support';

const EXTERNAL = { vault: { location: { cidr: '203.0.113.10/32' }, address: 'https://vault.example.com:8200' } };

/** Every manifest of every chart of the app (including charts buildCharts does not return). */
function manifests(override: unknown = {}): any[] {
  const app = Testing.app();
  buildCharts(app, parseConfig(override));
  return app.charts.flatMap((chart) => chart.toJson());
}

function pod(all: any[], deployment: string): any {
  return find(all, 'Deployment', deployment).spec.template.spec;
}

const guide = manifests();

test('Kubernetes SA auth: GIVEN the api pods WHEN synthesized THEN they get a projected token for the audience "vault" expiring after 600 s', () => {
  const volume = pod(guide, 'factory-api').volumes.find((v: any) => v.name === 'vault-token');
  expect(volume).toEqual({
    name: 'vault-token',
    projected: { sources: [{ serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'token' } }] },
  });
});

test('Kubernetes SA auth: GIVEN the api container WHEN synthesized THEN the token is mounted read-only at /var/run/secrets/vault', () => {
  const mounts = pod(guide, 'factory-api').containers[0].volumeMounts;
  expect(mounts).toContainEqual({ name: 'vault-token', mountPath: VAULT_TOKEN_DIR, readOnly: true });
  expect(VAULT_TOKEN_DIR).toBe('/var/run/secrets/vault');
});

test('Kubernetes SA auth: GIVEN the api pods WHEN synthesized THEN they still run as ServiceAccount factory-api without the automounted API token', () => {
  expect(pod(guide, 'factory-api')).toMatchObject({ serviceAccountName: 'factory-api', automountServiceAccountToken: false });
});

test('Kubernetes SA auth: GIVEN the guide\'s Vault clients WHEN synthesized THEN the api and worker pods (and only they) carry a Vault token', () => {
  const withToken = podSpecs(guide).filter((p) => (p.spec.volumes ?? []).some((v: any) => (v.projected?.sources ?? []).some((s: any) => s.serviceAccountToken))).map((p) => p.owner);
  expect(withToken).toEqual(['Deployment/factory-api', 'Deployment/factory-worker']);
});

test('Kubernetes SA auth: GIVEN the worker WHEN synthesized THEN its token is projected for the audience vault, 600 s, read-only at /var/run/secrets/vault', () => {
  const spec = pod(guide, 'factory-worker');
  expect(spec.volumes.find((v: any) => v.projected).projected.sources).toEqual([{ serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'token' } }]);
  expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'vault-token', mountPath: '/var/run/secrets/vault', readOnly: true });
  expect(spec.automountServiceAccountToken).toBe(false);
});

test('VAULT_ADDR: GIVEN Vault in the cluster WHEN synthesized THEN api and worker (and only they) reach it at its Service on 8200', () => {
  const withAddr = podSpecs(guide).flatMap((p) => p.spec.containers.filter((ct: any) => (ct.env ?? []).some((e: any) => e.name === 'VAULT_ADDR'))
    .map((ct: any) => [p.owner, ct.env.find((e: any) => e.name === 'VAULT_ADDR').value]));
  expect(withAddr).toEqual([
    ['Deployment/factory-api', 'https://vault.vault.svc:8200'],
    ['Deployment/factory-worker', 'https://vault.vault.svc:8200'],
  ]);
});

test('VAULT_ADDR: GIVEN Vault outside the cluster WHEN synthesized THEN the pods use the configured address', () => {
  const env = pod(manifests(EXTERNAL), 'factory-worker').containers[0].env;
  expect(env).toContainEqual({ name: 'VAULT_ADDR', value: 'https://vault.example.com:8200' });
});

test('Token expiry: GIVEN a token expiry of 3600 s in the config WHEN synthesized THEN the projected token follows it', () => {
  const volume = pod(manifests({ vault: { tokenExpirationSeconds: 3600 } }), 'factory-api').volumes.find((v: any) => v.name === 'vault-token');
  expect(volume.projected.sources[0].serviceAccountToken.expirationSeconds).toBe(3600);
});

test.each([
  [{ vault: { tokenExpirationSeconds: 599 } }, /vault\.tokenExpirationSeconds: must be at least 600/],
  [{ vault: { location: { cidr: '203.0.113.10/32' } } }, /vault\.address: is required when Vault is outside the cluster/],
  [{ vault: { address: 'https://vault.example.com:8201' } }, /vault\.address: "https:\/\/vault\.example\.com:8201": port 8201 differs from vault\.port 8200/],
  [{ vault: { address: 'ftp://vault.example.com:8200' } }, /vault\.address: must be an http\(s\) URL/],
])('Config: GIVEN %j WHEN parsed THEN it is refused, naming the field and the reason', (override, message) => {
  expect(() => parseConfig(override)).toThrow(ConfigError);
  expect(() => parseConfig(override)).toThrow(message);
});

test('Token reviewer: GIVEN Vault in the cluster WHEN synthesized THEN no token-reviewer object and no ClusterRoleBinding are emitted', () => {
  expect(guide.filter((m) => m.metadata?.name === 'factory-vault-token-reviewer')).toEqual([]);
  expect(guide.filter((m) => m.kind === 'ClusterRoleBinding')).toEqual([]);
});

describe('Token reviewer: GIVEN Vault outside the cluster WHEN synthesized', () => {
  const external = manifests(EXTERNAL);

  test('THEN a ServiceAccount factory-vault-token-reviewer exists in namespace factory, without automounted token', () => {
    expect(find(external, 'ServiceAccount', 'factory-vault-token-reviewer')).toMatchObject({
      metadata: { namespace: 'factory' }, automountServiceAccountToken: false,
    });
  });

  test('THEN it is bound to ClusterRole system:auth-delegator, and only it', () => {
    const binding = find(external, 'ClusterRoleBinding', 'factory-vault-token-reviewer');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' });
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'factory-vault-token-reviewer', namespace: 'factory' }]);
    expect(binding.metadata.namespace).toBeUndefined();
  });

  test('THEN its long-lived token Secret is requested from Kubernetes, with no data of ours', () => {
    const secret = find(external, 'Secret', 'factory-vault-token-reviewer');
    expect(secret.type).toBe('kubernetes.io/service-account-token');
    expect(secret.metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': 'factory-vault-token-reviewer' });
    expect(secret.data ?? {}).toEqual({});
    expect(secret.stringData ?? {}).toEqual({});
  });
});
