/**
 * The Kubernetes side of Vault's Kubernetes auth (guide: "Kubernetes Service Account Authentication"):
 * - api and worker learn Vault's address (VAULT_ADDR);
 * - api pods, whose ServiceAccount `factory-api` the Vault role binds, get a projected ServiceAccount
 *   token for the audience `vault` with a short expiry (the kubelet renews it), in place of the
 *   automounted API token they do not have: the token opens Vault and nothing else;
 * - when Vault runs outside the cluster, a token-reviewer ServiceAccount bound to ClusterRole
 *   `system:auth-delegator` (with its long-lived token Secret) lets Vault review those tokens.
 * The Vault side (role, audience, TTL) is vault/kubernetes-auth.ts; both read `config.vault`.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ComponentName } from './component-names';
import { NAME_LABEL, PART_OF, PART_OF_LABEL } from './labels';

/** Which components talk to Vault: `addr` get VAULT_ADDR, `login` also get the projected token. */
export const VAULT_CLIENTS: Partial<Record<ComponentName, { readonly login: boolean }>> = {
  api: { login: true },
  worker: { login: true },
};

/** Where the projected token is mounted in the api containers (read-only), and its file name. */
export const VAULT_TOKEN_DIR = '/var/run/secrets/vault';
export const VAULT_TOKEN_FILE = 'token';
/** The pod volume holding it. */
export const VAULT_TOKEN_VOLUME = 'vault-token';
/** Name of the token-reviewer ServiceAccount, its Secret and its ClusterRoleBinding (Vault outside the cluster). */
export const TOKEN_REVIEWER_NAME = `${PART_OF}-vault-token-reviewer`;

/** What a Vault client pod needs: Vault's address, and for one that logs in, its projected token. */
export interface VaultClientSettings {
  /** VAULT_ADDR (required, no default). */
  readonly address: string;
  /** The projected ServiceAccount token of a client that logs in. @default none (the pod only learns the address) */
  readonly login?: { readonly audience: string; readonly expirationSeconds: number };
}

/** Wires a workload's main container to Vault: VAULT_ADDR, and the projected token of a client that logs in. */
export function addVaultClient(workload: kplus.Deployment | kplus.StatefulSet, container: kplus.Container, settings: VaultClientSettings): void {
  container.env.addVariable('VAULT_ADDR', kplus.EnvValue.fromValue(settings.address));
  const login = settings.login;
  if (!login) return;
  // cdk8s-plus-27 has no projected volume: added with the JSON-patch escape hatch (the pod spec always
  // has volumes and this container has mounts: its /tmp emptyDir).
  const index = workload.containers.indexOf(container);
  ApiObject.of(workload).addJsonPatch(
    JsonPatch.add('/spec/template/spec/volumes/-', {
      name: VAULT_TOKEN_VOLUME,
      projected: {
        sources: [{
          serviceAccountToken: { audience: login.audience, expirationSeconds: login.expirationSeconds, path: VAULT_TOKEN_FILE },
        }],
      },
    }),
    JsonPatch.add(`/spec/template/spec/containers/${index}/volumeMounts/-`, {
      name: VAULT_TOKEN_VOLUME, mountPath: VAULT_TOKEN_DIR, readOnly: true,
    }),
  );
}

/** Properties of `VaultTokenReviewer`. */
export interface VaultTokenReviewerProps {
  /** Namespace of the ServiceAccount and its token Secret (required, no default). */
  readonly namespace: string;
}

/**
 * For a Vault outside the cluster: the ServiceAccount whose token Vault uses to call the TokenReview
 * API, bound to `system:auth-delegator`, and its token Secret (filled in by Kubernetes, empty here).
 */
export class VaultTokenReviewer extends Construct {
  public readonly serviceAccount: kplus.ServiceAccount;

  constructor(scope: Construct, id: string, props: VaultTokenReviewerProps) {
    super(scope, id);
    const namespace = props.namespace;
    const labels = { [NAME_LABEL]: 'vault-token-reviewer', [PART_OF_LABEL]: PART_OF };
    this.serviceAccount = new kplus.ServiceAccount(this, 'sa', {
      metadata: { name: TOKEN_REVIEWER_NAME, namespace, labels }, automountToken: false,
    });
    new kplus.ServiceAccountTokenSecret(this, 'token', {
      metadata: { name: TOKEN_REVIEWER_NAME, namespace, labels }, serviceAccount: this.serviceAccount,
    });
    const binding = new kplus.ClusterRoleBinding(this, 'binding', {
      metadata: { name: TOKEN_REVIEWER_NAME, labels },
      role: kplus.ClusterRole.fromClusterRoleName(this, 'auth-delegator', 'system:auth-delegator'),
    });
    binding.addSubjects(this.serviceAccount);
  }
}
