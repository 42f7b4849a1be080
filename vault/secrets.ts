/**
 * The KV v2 engine and the platform's secret paths (SECRET_PATHS), with no secret value in code, JSON,
 * plan or state: each credential is an ephemeral variable that only feeds the write-only argument
 * `data_json_wo` of `vault_kv_secret_v2`. Vault keeps the values; Terraform keeps the path, its keys'
 * names, the write version and the custom metadata (owner, rotation).
 */
import { Fn, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { KvSecretV2 } from '@cdktf/provider-vault/lib/kv-secret-v2';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import type { FactoryConfig } from '../lib/config';
import { SECRET_PATHS, inputVariableName, secretName } from './paths';

/** Name of the variable whose increment rewrites every path's values (the monthly rotation). */
export const SECRETS_VERSION_VARIABLE = 'secrets_version';

/** Properties of `FactorySecrets`. */
export interface FactorySecretsProps {
  /** The config: `vault` (mount, prefix, owner, rotation) and the data stores' ports. */
  readonly config: FactoryConfig;
}

/** The KV v2 mount and one `vault_kv_secret_v2` per path. */
export class FactorySecrets extends Construct {
  public readonly mount: Mount;
  public readonly secrets: Record<string, KvSecretV2> = {};

  constructor(scope: Construct, id: string, props: FactorySecretsProps) {
    super(scope, id);
    const c = props.config;
    this.mount = new Mount(this, 'kv', {
      path: c.vault.kvMount, type: 'kv', options: { version: '2' },
      description: `KV v2: the platform's secrets under ${c.vault.kvMount}/${c.vault.secretsPrefix}/`,
    });
    this.mount.overrideLogicalId('kv');

    const version = new TerraformVariable(this, SECRETS_VERSION_VARIABLE, {
      type: 'number', default: 1, nullable: false,
      description: `Write version of the secret values: increment it (${c.vault.rotation}, guide "Rotate secrets") `
        + 'with new values in the TF_VAR_ inputs to rewrite them; unchanged, Terraform never rewrites a value.',
      validation: [{ condition: `\${var.${SECRETS_VERSION_VARIABLE} >= 1 && floor(var.${SECRETS_VERSION_VARIABLE}) == var.${SECRETS_VERSION_VARIABLE}}`, errorMessage: `${SECRETS_VERSION_VARIABLE} must be a whole number, 1 or more.` }],
    });
    version.overrideLogicalId(SECRETS_VERSION_VARIABLE);

    for (const p of SECRET_PATHS) {
      const data: Record<string, string> = {};
      for (const k of p.keys) {
        if (k.source === 'input') {
          const name = inputVariableName(p, k);
          const v = new TerraformVariable(this, name, {
            type: 'string', sensitive: true, nullable: false,
            description: `${c.vault.kvMount}/${secretName(c, p)} ${k.key}: ${k.description}. Supplied at apply time (TF_VAR_${name}); ephemeral, never stored.`,
            validation: [{ condition: `\${length(var.${name}) > 0}`, errorMessage: `${name} must not be empty.` }],
          });
          v.addOverride('ephemeral', true);
          v.overrideLogicalId(name);
          data[k.key] = v.stringValue;
        } else {
          data[k.key] = k.source(c);
        }
      }
      const id = p.name.replace(/-/g, '_');
      const secret = new KvSecretV2(this, id, {
        // Literal names (readable JSON), ordered after the mount explicitly.
        mount: c.vault.kvMount,
        dependsOn: [this.mount],
        name: secretName(c, p),
        dataJsonWo: Fn.jsonencode(data),
        dataJsonWoVersion: version.numberValue,
        customMetadata: {
          data: {
            owner: c.vault.secretsOwner,
            rotation: c.vault.rotation,
            keys: p.keys.map((k) => k.key).join(','),
            holds: p.holds,
          },
        },
      });
      secret.overrideLogicalId(id);
      this.secrets[p.name] = secret;
    }
  }
}
