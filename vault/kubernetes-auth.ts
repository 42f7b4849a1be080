/**
 * Kubernetes auth (guide: "Kubernetes Service Account Authentication" and "Kubernetes Auth Role"): the
 * auth method, its config and the role `factory-api` that trades the api pods' projected token (audience
 * `vault`) for a Vault token carrying the policy `factory-secrets`.
 *
 * Vault in the cluster (the default `vault.location`): Vault reviews tokens with its own pod's
 * ServiceAccount token and CA, so neither a reviewer JWT nor a CA certificate passes through Terraform.
 * Vault outside the cluster (`vault.location.cidr`): the CA certificate and the JWT of the token-reviewer
 * ServiceAccount (emitted by lib/vault-auth.ts) are variables; the JWT is then held in the state (the
 * provider 5.6 has no write-only argument for it): use an encrypted backend.
 */
import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { AuthBackend } from '@cdktf/provider-vault/lib/auth-backend';
import { KubernetesAuthBackendConfig } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-config';
import { KubernetesAuthBackendRole } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-role';
import { type FactoryConfig, vaultIsExternal } from '../lib/config';
import { componentObjectName } from '../lib/labels';
import type { Policy } from '@cdktf/provider-vault/lib/policy';

/** A further role: one ServiceAccount of the namespace, the guide's audience and TTL, a policy of its own. */
export interface ComponentRole {
  readonly roleName: string;
  readonly serviceAccount: string;
  readonly policy: Policy;
}

/** Properties of `KubernetesAuth`. */
export interface KubernetesAuthProps {
  /** The config: `namespace` and `vault` (required, no default). */
  readonly config: FactoryConfig;
  /** The policy the guide's role's tokens carry (named by `config.vault.policyName`). */
  readonly policy: Policy;
  /** The other roles (the worker's, the operator's sync). @default none */
  readonly roles?: readonly ComponentRole[];
}

/** The auth method, its config and the role. */
export class KubernetesAuth extends Construct {
  public readonly backend: AuthBackend;
  public readonly backendConfig: KubernetesAuthBackendConfig;
  public readonly role: KubernetesAuthBackendRole;
  /** The other roles, by role name. */
  public readonly roles: Record<string, KubernetesAuthBackendRole> = {};

  constructor(scope: Construct, id: string, props: KubernetesAuthProps) {
    super(scope, id);
    const c = props.config;
    this.backend = new AuthBackend(this, 'backend', {
      type: 'kubernetes', path: c.vault.authPath,
      description: 'Kubernetes ServiceAccount tokens of the factory namespace',
    });
    this.backend.overrideLogicalId('kubernetes');

    const host = new TerraformVariable(this, 'kubernetes_host', {
      type: 'string', default: c.vault.kubernetesHost, nullable: false,
      description: 'The Kubernetes API server as Vault reaches it (kubernetes_host of the auth config).',
    });
    host.overrideLogicalId('kubernetes_host');

    let external: { kubernetesCaCert: string; tokenReviewerJwt: string } | undefined;
    if (vaultIsExternal(c)) {
      const ca = new TerraformVariable(this, 'kubernetes_ca_cert', {
        type: 'string', nullable: false,
        description: 'PEM CA certificate of the Kubernetes API server (public; kubectl config view --raw).',
      });
      ca.overrideLogicalId('kubernetes_ca_cert');
      const jwt = new TerraformVariable(this, 'token_reviewer_jwt', {
        type: 'string', sensitive: true, nullable: false,
        description: 'JWT of the token-reviewer ServiceAccount (Secret factory-vault-token-reviewer). Held in the state: use an encrypted backend.',
      });
      jwt.overrideLogicalId('token_reviewer_jwt');
      external = { kubernetesCaCert: ca.stringValue, tokenReviewerJwt: jwt.stringValue };
    }

    this.backendConfig = new KubernetesAuthBackendConfig(this, 'config', {
      backend: c.vault.authPath,
      dependsOn: [this.backend],
      kubernetesHost: host.stringValue,
      // In the cluster: Vault's own pod token and CA review the logins (nothing of either in the state).
      disableLocalCaJwt: external !== undefined,
      ...external,
    });
    this.backendConfig.overrideLogicalId('kubernetes');

    this.role = new KubernetesAuthBackendRole(this, 'role', {
      backend: c.vault.authPath,
      dependsOn: [this.backendConfig, props.policy],
      roleName: c.vault.role,
      boundServiceAccountNames: [componentObjectName('api')],
      boundServiceAccountNamespaces: [c.namespace],
      tokenPolicies: [c.vault.policyName],
      tokenTtl: c.vault.tokenTtlSeconds,
      audience: c.vault.audience,
    });
    this.role.overrideLogicalId(c.vault.role.replace(/-/g, '_'));

    for (const r of props.roles ?? []) {
      const role = new KubernetesAuthBackendRole(this, `role-${r.roleName}`, {
        backend: c.vault.authPath,
        dependsOn: [this.backendConfig, r.policy],
        roleName: r.roleName,
        boundServiceAccountNames: [r.serviceAccount],
        boundServiceAccountNamespaces: [c.namespace],
        tokenPolicies: [r.policy.name],
        tokenTtl: c.vault.tokenTtlSeconds,
        audience: c.vault.audience,
      });
      role.overrideLogicalId(r.roleName.replace(/-/g, '_'));
      this.roles[r.roleName] = role;
    }
  }
}
