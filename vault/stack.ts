/**
 * The Vault stack (guide: "Secrets Management"): provider, backend, the KV v2 engine and its four paths,
 * the policy `factory-secrets` and Kubernetes auth. Vault's address and token come from VAULT_ADDR and
 * VAULT_TOKEN at plan time: the provider block carries neither.
 */
import { TerraformStack } from 'cdktf';
import { type Construct } from 'constructs';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import type { FactoryConfig } from '../lib/config';
import { configureTerraform } from './backend';
import { KubernetesAuth } from './kubernetes-auth';
import { componentObjectName } from '../lib/labels';
import { pathsReadBy } from './paths';
import { FactorySecretsPolicy, ReaderPolicy } from './policy';
import { FactorySecrets } from './secrets';

/** The stack's name: `cdktf.out/stacks/factory-vault/cdk.tf.json`. */
export const VAULT_STACK_NAME = 'factory-vault';

/** Properties of `FactoryVaultStack`. */
export interface FactoryVaultStackProps {
  /** The config: `namespace`, `components` (ports) and `vault` (required, no default). */
  readonly config: FactoryConfig;
}

/** Everything the platform needs in Vault. */
export class FactoryVaultStack extends TerraformStack {
  public readonly secrets: FactorySecrets;
  public readonly policy: FactorySecretsPolicy;
  public readonly auth: KubernetesAuth;
  /** The least-privilege policies of the worker and of the operator's sync. */
  public readonly readerPolicies: Record<'worker' | 'sync', ReaderPolicy>;

  constructor(scope: Construct, id: string, props: FactoryVaultStackProps) {
    super(scope, id);
    const { config } = props;
    configureTerraform(this, config);
    // No address, no token: the provider reads VAULT_ADDR and VAULT_TOKEN (or VAULT_NAMESPACE) when it runs.
    new VaultProvider(this, 'vault', {});
    this.secrets = new FactorySecrets(this, 'secrets', { config });
    this.policy = new FactorySecretsPolicy(this, 'policy', { config });
    const v = config.vault;
    const reader = (name: string, r: 'worker' | 'sync') => new ReaderPolicy(this, `policy-${name}`, {
      name, kvMount: v.kvMount, secretsPrefix: v.secretsPrefix, paths: pathsReadBy(r).map((p) => p.name),
    });
    this.readerPolicies = { worker: reader(v.workerRole, 'worker'), sync: reader(v.sync.role, 'sync') };
    this.auth = new KubernetesAuth(this, 'kubernetes-auth', {
      config,
      policy: this.policy.policy,
      roles: [
        { roleName: v.workerRole, serviceAccount: componentObjectName('worker'), policy: this.readerPolicies.worker.policy },
        { roleName: v.sync.role, serviceAccount: v.sync.serviceAccount, policy: this.readerPolicies.sync.policy },
      ],
    });
  }
}
