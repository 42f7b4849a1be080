/**
 * The policy `factory-secrets` (guide: "Vault Policy"), built with the typed policy document: read and
 * list on the data and metadata of the platform's secrets, and nothing else.
 */
import { Construct } from 'constructs';
import { DataVaultPolicyDocument } from '@cdktf/provider-vault/lib/data-vault-policy-document';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import type { FactoryConfig } from '../lib/config';

/** The capabilities the guide grants: read-only. */
export const SECRETS_CAPABILITIES = ['read', 'list'] as const;

/** The policy's rules: `<mount>/data/<prefix>/*` and `<mount>/metadata/<prefix>/*`, read and list. */
export function policyRules(c: FactoryConfig): { path: string; capabilities: string[] }[] {
  return (['data', 'metadata'] as const).map((kind) => ({
    path: `${c.vault.kvMount}/${kind}/${c.vault.secretsPrefix}/*`,
    capabilities: [...SECRETS_CAPABILITIES],
  }));
}

/** Properties of `FactorySecretsPolicy`. */
export interface FactorySecretsPolicyProps {
  /** The config: `vault.kvMount`, `vault.secretsPrefix` and `vault.policyName` (required, no default). */
  readonly config: FactoryConfig;
}

/** The policy document and the policy rendered from it. */
export class FactorySecretsPolicy extends Construct {
  public readonly document: DataVaultPolicyDocument;
  public readonly policy: Policy;

  constructor(scope: Construct, id: string, props: FactorySecretsPolicyProps) {
    super(scope, id);
    const c = props.config;
    const logicalId = c.vault.policyName.replace(/-/g, '_');
    this.document = new DataVaultPolicyDocument(this, 'document', {
      rule: policyRules(c).map((r) => ({ ...r, description: `${r.capabilities.join(' and ')} on ${r.path}` })),
    });
    this.document.overrideLogicalId(logicalId);
    this.policy = new Policy(this, 'policy', { name: c.vault.policyName, policy: this.document.hcl });
    this.policy.overrideLogicalId(logicalId);
  }
}

/** Properties of `ReaderPolicy`. */
export interface ReaderPolicyProps {
  /** The policy's name (required, no default). */
  readonly name: string;
  /** The KV v2 mount (required, no default). */
  readonly kvMount: string;
  /** The platform's folder under the mount (required, no default). */
  readonly secretsPrefix: string;
  /** The paths below the prefix it may read, exactly (required, no default; at least one). */
  readonly paths: readonly string[];
}

/** A least-privilege policy: `read` on the data of exactly the given paths, nothing else (no list, no metadata). */
export class ReaderPolicy extends Construct {
  public readonly document: DataVaultPolicyDocument;
  public readonly policy: Policy;

  constructor(scope: Construct, id: string, props: ReaderPolicyProps) {
    super(scope, id);
    if (props.paths.length === 0) throw new Error(`ReaderPolicy ${props.name}: it must grant at least one path`);
    const logicalId = props.name.replace(/-/g, '_');
    this.document = new DataVaultPolicyDocument(this, 'document', {
      rule: props.paths.map((p) => {
        const path = `${props.kvMount}/data/${props.secretsPrefix}/${p}`;
        return { path, capabilities: ['read'], description: `read on ${path}` };
      }),
    });
    this.document.overrideLogicalId(logicalId);
    this.policy = new Policy(this, 'policy', { name: props.name, policy: this.document.hcl });
    this.policy.overrideLogicalId(logicalId);
  }
}
