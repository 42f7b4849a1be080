/** Guide "Kubernetes Service Account Authentication" and "Kubernetes Auth Role" (Vault side). */
import { Testing } from 'cdktf';
import { AuthBackend } from '@cdktf/provider-vault/lib/auth-backend';
import { KubernetesAuthBackendConfig } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-config';
import { KubernetesAuthBackendRole } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-role';
import { synthAll } from '../support';
import { synthVault, vaultJson } from './support';

Testing.setupJest();

const EXTERNAL = { vault: { location: { cidr: '203.0.113.10/32' }, address: 'https://vault.example.com:8200' } };

test('Kubernetes auth: GIVEN the guide config WHEN synthesized THEN a kubernetes auth method is mounted at "kubernetes"', () => {
  expect(synthVault()).toHaveResourceWithProperties(AuthBackend, { type: 'kubernetes', path: 'kubernetes' });
});

test('Kubernetes Auth Role: GIVEN the guide config WHEN synthesized THEN role factory-api binds ServiceAccount factory-api', () => {
  expect(synthVault()).toHaveResourceWithProperties(KubernetesAuthBackendRole, {
    backend: 'kubernetes', role_name: 'factory-api', bound_service_account_names: ['factory-api'],
  });
});

test('Kubernetes Auth Role: GIVEN the guide config WHEN synthesized THEN role factory-api binds namespace factory', () => {
  expect(synthVault()).toHaveResourceWithProperties(KubernetesAuthBackendRole, { role_name: 'factory-api', bound_service_account_namespaces: ['factory'] });
});

test('Kubernetes Auth Role: GIVEN the guide config WHEN synthesized THEN its tokens carry exactly the policy factory-secrets', () => {
  expect(synthVault()).toHaveResourceWithProperties(KubernetesAuthBackendRole, { role_name: 'factory-api', token_policies: ['factory-secrets'] });
});

test('Kubernetes Auth Role: GIVEN the guide config WHEN synthesized THEN its tokens live 1h (token_ttl 3600)', () => {
  expect(synthVault()).toHaveResourceWithProperties(KubernetesAuthBackendRole, { role_name: 'factory-api', token_ttl: 3600 });
});

test('Kubernetes Auth Role: GIVEN the guide config WHEN synthesized THEN it accepts only tokens for the audience "vault"', () => {
  expect(synthVault()).toHaveResourceWithProperties(KubernetesAuthBackendRole, { role_name: 'factory-api', audience: 'vault' });
});

test('Kubernetes Auth Role: GIVEN another namespace in the config WHEN synthesized THEN the role binds that namespace', () => {
  expect(vaultJson({ namespace: 'factory-staging' }).resource.vault_kubernetes_auth_backend_role.factory_api.bound_service_account_namespaces)
    .toEqual(['factory-staging']);
});

test('Kubernetes auth config: GIVEN Vault in the cluster WHEN synthesized THEN kubernetes_host comes from a variable defaulting to the in-cluster API', () => {
  const json = vaultJson();
  expect(synthVault()).toHaveResourceWithProperties(KubernetesAuthBackendConfig, { backend: 'kubernetes', kubernetes_host: '${var.kubernetes_host}' });
  expect(json.variable.kubernetes_host.default).toBe('https://kubernetes.default.svc');
});

test('Kubernetes auth config: GIVEN Vault in the cluster WHEN synthesized THEN no reviewer JWT and no CA pass through Terraform', () => {
  const config = vaultJson().resource.vault_kubernetes_auth_backend_config.kubernetes;
  expect(config.disable_local_ca_jwt).toBe(false);
  expect(config.token_reviewer_jwt).toBeUndefined();
  expect(config.kubernetes_ca_cert).toBeUndefined();
  expect(Object.keys(vaultJson().variable)).not.toEqual(expect.arrayContaining(['token_reviewer_jwt']));
});

test('Kubernetes auth config: GIVEN Vault outside the cluster WHEN synthesized THEN the reviewer JWT and the CA come from variables, the JWT sensitive', () => {
  const json = vaultJson(EXTERNAL);
  expect(json.resource.vault_kubernetes_auth_backend_config.kubernetes).toMatchObject({
    disable_local_ca_jwt: true, kubernetes_ca_cert: '${var.kubernetes_ca_cert}', token_reviewer_jwt: '${var.token_reviewer_jwt}',
  });
  expect(json.variable.token_reviewer_jwt).toMatchObject({ sensitive: true, type: 'string' });
  expect(json.variable.token_reviewer_jwt.default).toBeUndefined();
});

describe('a role for every identity that reads Vault (worker, the operator\'s sync)', () => {
  const roles = () => vaultJson().resource.vault_kubernetes_auth_backend_role;

  test.each([
    ['factory_worker', 'factory-worker', 'factory-worker', 'factory-worker'],
    ['factory_secrets_sync', 'factory-secrets-sync', 'factory-secrets-sync', 'factory-secrets-sync'],
  ])('GIVEN role %s THEN it binds exactly ServiceAccount %s in factory, audience vault, token_ttl 3600, its own policy', (id, roleName, sa, policy) => {
    expect(roles()[id]).toMatchObject({
      role_name: roleName, bound_service_account_names: [sa], bound_service_account_namespaces: ['factory'],
      audience: 'vault', token_ttl: 3600, token_policies: [`\${vault_policy.${policy.replace(/-/g, '_')}.name}`],
    });
  });

  test('GIVEN the guide\'s role factory-api THEN it is exactly as the guide writes it (policy factory-secrets)', () => {
    expect(roles().factory_api).toMatchObject({ role_name: 'factory-api', bound_service_account_names: ['factory-api'], token_policies: ['factory-secrets'], token_ttl: 3600 });
  });

  test('GIVEN dist/ WHEN the identities that log in to Vault are read from it THEN the roles bind exactly them, one role each', () => {
    const manifests = synthAll();
    const projected = manifests.filter((m) => (m.spec?.template?.spec?.volumes ?? []).some((v: any) => v.projected?.sources?.some((s: any) => s.serviceAccountToken?.audience === 'vault')))
      .map((m) => m.spec.template.spec.serviceAccountName);
    const stores = manifests.filter((m) => m.kind === 'SecretStore').map((m) => m.spec.provider.vault.auth.kubernetes.serviceAccountRef.name);
    const identities = [...projected, ...stores].sort();
    expect(identities).toEqual(['factory-api', 'factory-secrets-sync', 'factory-worker']);
    const bound = Object.values<any>(roles()).map((r) => r.bound_service_account_names);
    expect(bound.map((b) => b.length)).toEqual([1, 1, 1]);
    expect(bound.flat().sort()).toEqual(identities);
  });

  test('GIVEN the SecretStore in dist/ THEN it logs in with the sync role at the auth path, on the KV v2 mount', () => {
    const store = synthAll().find((m) => m.kind === 'SecretStore');
    expect(store.spec.provider.vault).toMatchObject({ path: 'secret', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes', role: 'factory-secrets-sync' } } });
    expect(store.spec.provider.vault.auth.kubernetes.serviceAccountRef).toEqual({ name: 'factory-secrets-sync', audiences: ['vault'] });
  });
});
