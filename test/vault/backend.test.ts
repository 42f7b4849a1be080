/** The Terraform settings: explicit backend, provider constraint, address and token from the environment. */
import { Testing } from 'cdktf';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { ConfigError, parseConfig } from '../../lib/config';
import { synthVault, vaultJson } from './support';

Testing.setupJest();

test('Backend: GIVEN the default config WHEN synthesized THEN the state is a local file at the project root, by a relative path', () => {
  expect(vaultJson().terraform.backend).toEqual({ local: { path: '../../../terraform.factory-vault.tfstate' } });
});

test('Backend: GIVEN another local path in the config WHEN synthesized THEN the state goes there, still relative', () => {
  expect(vaultJson({ vault: { backend: { type: 'local', path: 'state/vault.tfstate' } } }).terraform.backend)
    .toEqual({ local: { path: '../../../state/vault.tfstate' } });
});

test('Backend: GIVEN an S3 backend in the config WHEN synthesized THEN the state is an encrypted S3 object', () => {
  expect(vaultJson({ vault: { backend: { type: 's3', bucket: 'factory-tfstate', key: 'vault.tfstate', region: 'eu-west-1' } } }).terraform.backend)
    .toEqual({ s3: { bucket: 'factory-tfstate', key: 'vault.tfstate', region: 'eu-west-1', encrypt: true } });
});

test.each([['/var/lib/vault.tfstate'], ['../outside.tfstate'], ['state/../../x.tfstate']])(
  'Backend: GIVEN the local path %s WHEN the config is parsed THEN it is refused, naming vault.backend.path', (p) => {
    expect(() => parseConfig({ vault: { backend: { type: 'local', path: p } } })).toThrow(ConfigError);
    expect(() => parseConfig({ vault: { backend: { type: 'local', path: p } } })).toThrow(/vault\.backend\.path: must be a relative path inside the project/);
  });

test('Provider: GIVEN the prebuilt bindings pin 5.6.0 WHEN synthesized THEN the provider is required as the constraint "~> 5.6"', () => {
  expect(vaultJson().terraform.required_providers.vault).toEqual({ source: 'hashicorp/vault', version: '~> 5.6' });
});

test('Provider: GIVEN write-only arguments WHEN synthesized THEN Terraform >= 1.11 is required', () => {
  expect(vaultJson().terraform.required_version).toBe('>= 1.11');
});

test('Provider: GIVEN VAULT_ADDR and VAULT_TOKEN set at synth WHEN synthesized THEN the provider block carries neither, and neither value appears', () => {
  const saved = { addr: process.env.VAULT_ADDR, token: process.env.VAULT_TOKEN };
  process.env.VAULT_ADDR = 'https://vault.synth-test.example:8200';
  process.env.VAULT_TOKEN = 'hvs.SYNTHTESTTOKEN0123456789';
  try {
    const tf = synthVault();
    expect(tf).toHaveProviderWithProperties(VaultProvider, {});
    expect(JSON.parse(tf).provider.vault).toEqual([{}]);
    expect(tf).not.toContain('vault.synth-test.example');
    expect(tf).not.toContain('SYNTHTESTTOKEN');
  } finally {
    if (saved.addr === undefined) delete process.env.VAULT_ADDR; else process.env.VAULT_ADDR = saved.addr;
    if (saved.token === undefined) delete process.env.VAULT_TOKEN; else process.env.VAULT_TOKEN = saved.token;
  }
});
