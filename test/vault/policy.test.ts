/** Guide "Vault Policy": factory-secrets grants read and list on the factory data and metadata, nothing else. */
import { Testing } from 'cdktf';
import { DataVaultPolicyDocument } from '@cdktf/provider-vault/lib/data-vault-policy-document';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import { synthAll } from '../support';
import { synthVault, vaultJson } from './support';

Testing.setupJest();

/** The guide's policy, written out as HCL would be: path → capabilities. */
const GUIDE_POLICY: Record<string, string[]> = {
  'secret/data/factory/*': ['read', 'list'],
  'secret/metadata/factory/*': ['read', 'list'],
};
/** The rule fields that only describe (everything else in a rule could widen or constrain the grant). */
const DESCRIPTIVE_FIELDS = new Set(['path', 'capabilities', 'description']);

/** Parses one rendered policy (by name): the one policy document it is made of, as path → capabilities. */
function renderedGrants(json: any, name = 'factory-secrets'): Record<string, string[]> {
  const policies = Object.values<any>(json.resource.vault_policy).filter((p) => p.name === name);
  expect(policies).toHaveLength(1);
  const ref = /^\$\{data\.vault_policy_document\.(\w+)\.hcl\}$/.exec(policies[0].policy);
  expect(ref).not.toBeNull();
  const rules: any[] = json.data.vault_policy_document[ref![1]].rule;
  const grants: Record<string, string[]> = {};
  for (const r of rules) {
    for (const field of Object.keys(r)) expect(DESCRIPTIVE_FIELDS).toContain(field);
    grants[r.path] = [...(grants[r.path] ?? []), ...r.capabilities];
  }
  return grants;
}

test('Vault Policy: GIVEN the guide config WHEN synthesized THEN a policy named factory-secrets is rendered from the typed policy document', () => {
  const tf = synthVault();
  expect(tf).toHaveResourceWithProperties(Policy, { name: 'factory-secrets', policy: '${data.vault_policy_document.factory_secrets.hcl}' });
  expect(tf).toHaveDataSource(DataVaultPolicyDocument);
});

test('Vault Policy: GIVEN the rendered rules WHEN parsed THEN they grant exactly read and list on the two factory paths and nothing else', () => {
  expect(renderedGrants(vaultJson())).toEqual(GUIDE_POLICY);
});

test('Vault Policy: GIVEN the rendered rules WHEN parsed THEN no capability beyond read and list appears anywhere', () => {
  const grants = renderedGrants(vaultJson());
  const capabilities = new Set(Object.values(grants).flat());
  expect([...capabilities].sort()).toEqual(['list', 'read']);
});

test('Vault Policy: GIVEN another KV mount in the config WHEN synthesized THEN the grants follow it and still nothing else', () => {
  expect(renderedGrants(vaultJson({ vault: { kvMount: 'kv' } }))).toEqual({
    'kv/data/factory/*': ['read', 'list'],
    'kv/metadata/factory/*': ['read', 'list'],
  });
});

test('Vault Policy: GIVEN the stack WHEN synthesized THEN there is one document per policy, each its own (no second document can widen one)', () => {
  const json = vaultJson();
  expect(Object.keys(json.data.vault_policy_document).sort()).toEqual(['factory_secrets', 'factory_secrets_sync', 'factory_worker']);
  expect(Object.values<any>(json.resource.vault_policy).map((p) => [p.name, p.policy]).sort()).toEqual([
    ['factory-secrets', '${data.vault_policy_document.factory_secrets.hcl}'],
    ['factory-secrets-sync', '${data.vault_policy_document.factory_secrets_sync.hcl}'],
    ['factory-worker', '${data.vault_policy_document.factory_worker.hcl}'],
  ]);
});

/**
 * Least privilege beyond the guide's role: each role reads exactly what the pods behind it consume. The
 * expectations are written out here from the guide (the worker uses the database, Redis and the model
 * provider; the sync hands PostgreSQL and Redis their passwords), not derived from the path table.
 */
test('Least privilege: GIVEN the worker\'s policy WHEN parsed THEN it reads exactly database, api-keys and redis, nothing else (no list, no metadata)', () => {
  expect(renderedGrants(vaultJson(), 'factory-worker')).toEqual({
    'secret/data/factory/database': ['read'],
    'secret/data/factory/api-keys': ['read'],
    'secret/data/factory/redis': ['read'],
  });
});

test('Least privilege: GIVEN the sync\'s policy WHEN parsed THEN it reads exactly database and redis, nothing else', () => {
  expect(renderedGrants(vaultJson(), 'factory-secrets-sync')).toEqual({
    'secret/data/factory/database': ['read'],
    'secret/data/factory/redis': ['read'],
  });
});

test('Least privilege: GIVEN the ExternalSecrets in dist/ WHEN their remote keys are read THEN the sync\'s policy grants each of them (what its consumers need)', () => {
  const grants = renderedGrants(vaultJson(), 'factory-secrets-sync');
  const externalSecrets = synthAll().filter((m) => m.kind === 'ExternalSecret');
  expect(externalSecrets.map((e) => e.metadata.name).sort()).toEqual(['factory-postgresql', 'factory-redis']);
  const remote = externalSecrets.flatMap((e) => e.spec.data.map((d: any) => `secret/data/${d.remoteRef.key}`));
  expect([...new Set(remote)].sort()).toEqual(Object.keys(grants).sort());
});
