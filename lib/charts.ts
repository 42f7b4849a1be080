/**
 * The platform's charts that translate the config into the props of their constructs: the namespace, the
 * workloads, the network policies and (Vault outside the cluster) the token reviewer. Constructs never
 * read the config; charts hand each one the few values it uses. (The edge and monitoring charts are in
 * lib/edge/chart.ts and lib/monitoring/chart.ts.)
 */
import type { App } from 'cdk8s';
import type { Construct } from 'constructs';
import { FactoryChart } from './chart';
import { METRICS_SIDECAR_RESOURCES } from './edge/waf-tier';
import { COMPONENT_NAMES, type ComponentName, type FactoryConfig, dataStoreStorage, vaultIsExternal } from './config';
import { ComponentIdentity } from './identity';
import { ResourceLimits, quotaFor } from './limits';
import { PriorityClasses } from './priority-classes';
import { HardenedNamespace } from './namespace';
import { flowTable } from './network/flows';
import { FlowPolicies } from './network/policies';
import { VAULT_CLIENTS, type VaultClientSettings, VaultTokenReviewer } from './vault-auth';
import { SECRET_TEMPLATES, Component, type ComponentPorts } from './workloads';
import { SyncedSecret, VaultSecretStore } from './external-secrets';
import { syncedKeys } from '../vault/paths';

/** Properties of `NamespaceChart`. */
export interface NamespaceChartProps {
  /** The config: `namespace`, `podSecurity`, `limitRange` and what the quota is computed from (required, no default). */
  readonly config: FactoryConfig;
}

/** Namespace, default ServiceAccount, LimitRange and ResourceQuota, from the config. */
export class NamespaceChart extends FactoryChart {
  constructor(scope: Construct, id: string, props: NamespaceChartProps) {
    const { config } = props;
    super(scope, id, { podIdentity: config.podSecurity });
    // The WAF tier's pods and LoadBalancer Service live in the namespace too.
    const wafTier = config.edge.target === 'waf-tier';
    new HardenedNamespace(this, 'namespace', { name: config.namespace });
    new PriorityClasses(this, 'priority-classes', { classes: config.priorityClasses });
    new ResourceLimits(this, 'limits', {
      namespace: config.namespace,
      limitRange: config.limitRange,
      quota: quotaFor({
        workloads: [
          ...COMPONENT_NAMES.map((name) => config.components[name]),
          // The WAF tier: nginx, and its request counter's sidecar.
          ...(wafTier ? [{ ...config.edge.wafTier, sidecars: [METRICS_SIDECAR_RESOURCES] }] : []),
        ],
        loadBalancers: wafTier ? 1 : 0,
        // One claim per replica of each StatefulSet's claim template.
        claims: Object.entries(dataStoreStorage(config)).flatMap(([name, size]) => Array<string>(config.components[name as ComponentName].replicas).fill(size)),
        headroom: config.quotaHeadroom,
      }),
    });
  }
}

/** VAULT_ADDR of the pods: the configured address, or Vault's Service in its namespace. */
export function vaultAddress(c: FactoryConfig): string {
  if (c.vault.address !== undefined) return c.vault.address;
  if ('namespace' in c.vault.location) return `https://vault.${c.vault.location.namespace}.svc:${c.vault.port}`;
  // Refused by the config rules first (vault.address is required with a CIDR location).
  throw new Error('vault.address: is required when Vault is outside the cluster');
}

/** What a component needs to reach Vault (VAULT_CLIENTS), or undefined for one that does not. */
function vaultClient(name: ComponentName, c: FactoryConfig): VaultClientSettings | undefined {
  const client = VAULT_CLIENTS[name];
  if (client === undefined) return undefined;
  return {
    address: vaultAddress(c),
    login: client.login ? { audience: c.vault.audience, expirationSeconds: c.vault.tokenExpirationSeconds } : undefined,
  };
}

/** Properties of `WorkloadsChart`. */
export interface WorkloadsChartProps {
  /** The config: `namespace`, `components`, `storage`, `podSecurity` and `vault` (required, no default). */
  readonly config: FactoryConfig;
}

/** Every component of the platform, with its identity. */
export class WorkloadsChart extends FactoryChart {
  public readonly components: Record<ComponentName, Component>;

  constructor(scope: Construct, id: string, props: WorkloadsChartProps) {
    const { config } = props;
    super(scope, id, { podIdentity: config.podSecurity, namespace: config.namespace });
    const ports = Object.fromEntries(COMPONENT_NAMES.map((name) => [name, config.components[name].port])) as ComponentPorts;
    const storage = dataStoreStorage(config);
    this.components = {} as Record<ComponentName, Component>;
    for (const name of COMPONENT_NAMES) {
      const identity = new ComponentIdentity(this, `${name}-identity`, { name });
      const c = config.components[name];
      const size = storage[name];
      this.components[name] = new Component(this, name, {
        name, port: c.port, image: c.image, replicas: c.replicas, resources: c.resources, ports, identity,
        scratchSizeLimit: c.scratchSizeLimit, priorityClassName: c.priorityClassName, spread: config.spread,
        probes: (c as { readonly probes?: { readonly liveness: string; readonly readiness: string } }).probes,
        storage: size === undefined ? undefined : { size, storageClassName: config.storage.storageClassName },
        vault: vaultClient(name, config),
      });
    }
    // The data stores' passwords, synced from Vault by the External Secrets Operator into the Secrets they read.
    const v = config.vault;
    const store = new VaultSecretStore(this, 'secret-store', {
      name: v.sync.storeName,
      server: vaultAddress(config),
      kvMount: v.kvMount,
      auth: { mountPath: v.authPath, role: v.sync.role },
      serviceAccount: { name: v.sync.serviceAccount, audience: v.audience },
    });
    const bySecret = new Map<string, { secretKey: string; remote: { key: string; property: string } }[]>();
    for (const { path, key } of syncedKeys()) {
      const keys = bySecret.get(key.syncedTo.secret) ?? [];
      keys.push({ secretKey: key.syncedTo.secretKey, remote: { key: `${v.secretsPrefix}/${path.name}`, property: key.key } });
      bySecret.set(key.syncedTo.secret, keys);
    }
    for (const [name, keys] of bySecret) {
      new SyncedSecret(this, `synced-${name}`, { name, storeName: store.name, refreshInterval: v.sync.refreshInterval, keys, template: SECRET_TEMPLATES[name] });
    }
  }
}

/** Properties of `NetworkChart`. */
export interface NetworkChartProps {
  /** The config: namespace, components' ports, `network`, `vault` and the ingress controller's pods. */
  readonly config: FactoryConfig;
}

/** The platform's policies: the flow table of the config. */
export class NetworkChart extends FactoryChart {
  constructor(scope: Construct, id: string, props: NetworkChartProps) {
    super(scope, id, { podIdentity: props.config.podSecurity, namespace: props.config.namespace });
    new FlowPolicies(this, 'policies', { flows: flowTable(props.config) });
  }
}

/** Properties of `VaultTokenReviewerChart`. */
export interface VaultTokenReviewerChartProps {
  /** The config: `namespace` and `podSecurity` (required, no default). */
  readonly config: FactoryConfig;
}

/** The token reviewer of a Vault outside the cluster. */
export class VaultTokenReviewerChart extends FactoryChart {
  public readonly reviewer: VaultTokenReviewer;

  constructor(scope: Construct, id: string, props: VaultTokenReviewerChartProps) {
    // No chart namespace: the ClusterRoleBinding is cluster-scoped; namespaced objects name theirs.
    super(scope, id, { podIdentity: props.config.podSecurity });
    this.reviewer = new VaultTokenReviewer(this, 'reviewer', { namespace: props.config.namespace });
  }
}

/** The hook of lib/app.ts: adds the token-reviewer chart when Vault is outside the cluster. */
export function addVaultAuthCharts(app: App, config: FactoryConfig, after: FactoryChart): VaultTokenReviewerChart | undefined {
  if (!vaultIsExternal(config)) return undefined;
  const chart = new VaultTokenReviewerChart(app, 'vault-auth', { config });
  chart.addDependency(after);
  return chart;
}
