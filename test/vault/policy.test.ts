/** Guide "Vault Policy": factory-secrets grants read and list on the factory data and metadata, nothing else. */
import { Testing } from 'cdktf';
import { DataVaultPolicyDocument } from '@cdktf/provider-vault/lib/data-vault-policy-document';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import { synthVault, vaultJson } from './support';

Testing.setupJest();

/** The guide's policy, written out as HCL would be: path → capabilities. */
const GUIDE_POLICY: Record<string, string[]> = {
  'secret/data/factory/*': ['read', 'list'],
  'secret/metadata/factory/*': ['read', 'list'],
};
/** The rule fields that only describe (everything else in a rule could widen or constrain the grant). */
const DESCRIPTIVE_FIELDS = new Set(['path', 'capabilities', 'description']);

/** Parses the rendered policy: the one policy document that `factory-secrets` is made of, as path → capabilities. */
function renderedGrants(json: any): Record<string, string[]> {
  const policies = Object.values<any>(json.resource.vault_policy);
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

test('Vault Policy: GIVEN one policy document WHEN synthesized THEN it is the only one (no second document can widen it)', () => {
  expect(Object.keys(vaultJson().data.vault_policy_document)).toEqual(['factory_secrets']);
});
