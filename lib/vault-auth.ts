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
import { ApiObject, type App, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { type Construct } from 'constructs';
import { type ComponentName, type FactoryConfig, vaultIsExternal } from './config';
import { FactoryChart } from './chart';
import { NAME_LABEL, PART_OF, PART_OF_LABEL } from './labels';

/** Which components talk to Vault: `addr` get VAULT_ADDR, `login` also get the projected token. */
export const VAULT_CLIENTS: Partial<Record<ComponentName, { readonly login: boolean }>> = {
  api: { login: true },
  worker: { login: false },
};

/** Where the projected token is mounted in the api containers (read-only), and its file name. */
export const VAULT_TOKEN_DIR = '/var/run/secrets/vault';
export const VAULT_TOKEN_FILE = 'token';
/** The pod volume holding it. */
export const VAULT_TOKEN_VOLUME = 'vault-token';
/** Name of the token-reviewer ServiceAccount, its Secret and its ClusterRoleBinding (Vault outside the cluster). */
export const TOKEN_REVIEWER_NAME = `${PART_OF}-vault-token-reviewer`;

/** VAULT_ADDR of the pods: the configured address, or Vault's Service in its namespace. */
export function vaultAddress(c: FactoryConfig): string {
  if (c.vault.address !== undefined) return c.vault.address;
  if ('namespace' in c.vault.location) return `https://vault.${c.vault.location.namespace}.svc:${c.vault.port}`;
  // Refused by config validation first (vault.address is required with a CIDR location).
  throw new Error('vault.address: is required when Vault is outside the cluster');
}

/**
 * The hook of lib/workloads.ts: wires one component's workload and main container to Vault
 * (nothing for components that are not Vault clients).
 */
export function addVaultClient(
  name: ComponentName, workload: kplus.Deployment | kplus.StatefulSet, container: kplus.Container, c: FactoryConfig,
): void {
  const client = VAULT_CLIENTS[name];
  if (client === undefined) return;
  container.env.addVariable('VAULT_ADDR', kplus.EnvValue.fromValue(vaultAddress(c)));
  if (!client.login) return;
  // cdk8s-plus-27 has no projected volume: added with the JSON-patch escape hatch (the pod spec always
  // has volumes and this container has mounts: its /tmp emptyDir).
  const index = workload.containers.indexOf(container);
  ApiObject.of(workload).addJsonPatch(
    JsonPatch.add('/spec/template/spec/volumes/-', {
      name: VAULT_TOKEN_VOLUME,
      projected: {
        sources: [{
          serviceAccountToken: { audience: c.vault.audience, expirationSeconds: c.vault.tokenExpirationSeconds, path: VAULT_TOKEN_FILE },
        }],
      },
    }),
    JsonPatch.add(`/spec/template/spec/containers/${index}/volumeMounts/-`, {
      name: VAULT_TOKEN_VOLUME, mountPath: VAULT_TOKEN_DIR, readOnly: true,
    }),
  );
}

/** Properties of `VaultTokenReviewerChart`. */
export interface VaultTokenReviewerChartProps {
  /** The config: `namespace` (required, no default). */
  readonly config: FactoryConfig;
}

/**
 * For a Vault outside the cluster: the ServiceAccount whose token Vault uses to call the TokenReview
 * API, bound to `system:auth-delegator`, and its token Secret (filled in by Kubernetes, empty here).
 */
export class VaultTokenReviewerChart extends FactoryChart {
  public readonly serviceAccount: kplus.ServiceAccount;

  constructor(scope: Construct, id: string, props: VaultTokenReviewerChartProps) {
    // No chart namespace: the ClusterRoleBinding is cluster-scoped; namespaced objects name theirs.
    super(scope, id, { podIdentity: props.config.podSecurity });
    const namespace = props.config.namespace;
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

/** The hook of lib/app.ts: adds the token-reviewer chart when Vault is outside the cluster. */
export function addVaultAuthCharts(app: App, config: FactoryConfig, after: FactoryChart): VaultTokenReviewerChart | undefined {
  if (!vaultIsExternal(config)) return undefined;
  const chart = new VaultTokenReviewerChart(app, 'vault-auth', { config });
  chart.addDependency(after);
  return chart;
}
