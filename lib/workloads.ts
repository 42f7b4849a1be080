/**
 * The platform's components (api, worker, dashboard, redis, postgresql): one Deployment or StatefulSet,
 * one Service and one ServiceAccount each, rendered from the table `COMPONENTS` and the config.
 * Hardening is not done here: `FactoryChart` applies it to every workload (lib/hardening.ts).
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ComponentName } from './component-names';
import { cpuMillis, memoryBytes } from './k8s/quantity';
import type { ComponentIdentity } from './identity';
import { PLATFORM_DATABASE, componentObjectName, selectorLabels } from './labels';
import type { Quantities } from './limits';
import { type VaultClientSettings, addVaultClient } from './vault-auth';

/** Every component's port: what the table's environments and arguments point at. */
export type ComponentPorts = Readonly<Record<ComponentName, number>>;

/** A health check of a component's container. */
type Check =
  | { readonly http: string }
  | { readonly tcp: true }
  | { readonly command: string[] };

/** What differs between components, beyond their settings (port, image, replicas, resources). */
interface ComponentSpec {
  /** Deployment (stateless) or StatefulSet with a PersistentVolumeClaim (data store). */
  readonly kind: 'Deployment' | 'StatefulSet';
  /** Environment of the main container: never a secret (those are files, see `secretFiles`). */
  readonly env: (ports: ComponentPorts) => Record<string, string>;
  /** Container args (after the image's entrypoint). */
  readonly args?: (ports: ComponentPorts) => string[];
  /** Writable directories beside `/tmp` (volume name → path), each an emptyDir: the root is read-only. */
  readonly scratch: Record<string, string>;
  /** Secrets mounted read-only as files (Secret name → directory): a password never sits in env or args. */
  readonly secretFiles?: Readonly<Record<string, string>>;
  /** For StatefulSets: where the PVC is mounted. */
  readonly dataPath?: string;
  readonly liveness: Check;
  readonly readiness: Check;
}

const appEnv = (component: ComponentName) => (ports: ComponentPorts) => ({
  FACTORY_COMPONENT: component,
  FACTORY_PORT: String(ports[component]),
  FACTORY_DATABASE_HOST: componentObjectName('postgresql'),
  FACTORY_DATABASE_PORT: String(ports.postgresql),
  FACTORY_REDIS_HOST: componentObjectName('redis'),
  FACTORY_REDIS_PORT: String(ports.redis),
});


/** Where redis reads its Secret `factory-redis`, and the config file in it (requirepass). */
export const REDIS_SECRET_DIR = '/run/secrets/redis';
export const REDIS_CONFIG_FILE = 'redis.conf';
/** Where PostgreSQL reads its Secret `factory-postgresql` (the file `password`). */
export const POSTGRES_SECRET_DIR = '/run/secrets/postgresql';

/**
 * How a synced Secret's files are rendered from its Vault keys (Go templates of the External Secrets
 * Operator; `quote` escapes the value as redis.conf's double-quoted strings expect). A Secret absent here
 * holds its keys as they are (PostgreSQL's `password`).
 */
export const SECRET_TEMPLATES: Readonly<Record<string, Record<string, string>>> = {
  'factory-redis': { [REDIS_CONFIG_FILE]: 'requirepass {{ .password | quote }}\n' },
};

/** The component table. */
export const COMPONENTS: Record<ComponentName, ComponentSpec> = {
  api: {
    kind: 'Deployment', env: appEnv('api'), scratch: {},
    liveness: { http: '/health' }, readiness: { http: '/health' },
  },
  worker: {
    kind: 'Deployment', env: appEnv('worker'), scratch: {},
    liveness: { http: '/health' }, readiness: { http: '/health' },
  },
  dashboard: {
    kind: 'Deployment', env: appEnv('dashboard'), scratch: {},
    liveness: { http: '/health' }, readiness: { http: '/health' },
  },
  redis: {
    kind: 'StatefulSet',
    // `requirepass` is in redis.conf, a file of the Secret `factory-redis` that the External Secrets
    // Operator renders from Vault `secret/factory/redis`: the password is in no argument and no variable.
    env: () => ({}),
    args: (ports) => ['redis-server', `${REDIS_SECRET_DIR}/${REDIS_CONFIG_FILE}`, '--port', String(ports.redis), '--dir', '/data',
      '--appendonly', 'yes'],
    secretFiles: { 'factory-redis': REDIS_SECRET_DIR },
    scratch: {}, dataPath: '/data',
    liveness: { tcp: true }, readiness: { tcp: true },
  },
  postgresql: {
    kind: 'StatefulSet',
    // PGDATA is a sub-directory of the volume so initdb owns it; the password is the file `password` of the
    // Secret `factory-postgresql` (synced from Vault `secret/factory/database`), read by the image's entrypoint.
    env: (ports) => ({
      PGDATA: '/var/lib/postgresql/data/pgdata',
      PGPORT: String(ports.postgresql),
      POSTGRES_USER: PLATFORM_DATABASE.user,
      POSTGRES_DB: PLATFORM_DATABASE.name,
      POSTGRES_PASSWORD_FILE: `${POSTGRES_SECRET_DIR}/password`,
    }),
    secretFiles: { 'factory-postgresql': POSTGRES_SECRET_DIR },
    scratch: { run: '/var/run/postgresql' }, dataPath: '/var/lib/postgresql/data',
    liveness: { tcp: true },
    readiness: { command: ['pg_isready', '-h', '127.0.0.1', '-U', PLATFORM_DATABASE.user, '-d', PLATFORM_DATABASE.name] },
  },
};

function probe(check: Check, port: number, initialDelay: number, failureThreshold = 3): kplus.Probe {
  const opts = { initialDelaySeconds: Duration.seconds(initialDelay), periodSeconds: Duration.seconds(10), failureThreshold, timeoutSeconds: Duration.seconds(2) };
  if ('http' in check) return kplus.Probe.fromHttpGet(check.http, { port, ...opts });
  if ('tcp' in check) return kplus.Probe.fromTcpSocket({ port, ...opts });
  return kplus.Probe.fromCommand(check.command, opts);
}


/** Properties of a `Component`. */
export interface ComponentProps {
  /** Which component of the table (required, no default). */
  readonly name: ComponentName;
  /** Container and Service port (required, no default). */
  readonly port: number;
  /** Image, pinned to a version (required, no default). */
  readonly image: string;
  /** Number of pods (required, no default). */
  readonly replicas: number;
  /** cpu/memory requests and limits of the main container (required, no default). */
  readonly resources: { readonly requests: Quantities; readonly limits: Quantities };
  /** Every component's port, for the environment and arguments that point at neighbours (required, no default). */
  readonly ports: ComponentPorts;
  /** The component's ServiceAccount (required, no default). */
  readonly identity: ComponentIdentity;
  /** For a data store: the size of its PersistentVolumeClaim, and its StorageClass. @default no claim (required for StatefulSets) */
  readonly storage?: { readonly size: string; readonly storageClassName?: string };
  /** For a Vault client: the address, and for one that logs in, its token's audience and lifetime. @default not a Vault client */
  readonly vault?: VaultClientSettings;
}

/** One component: its workload, its Service and, for data stores, its PersistentVolumeClaim. */
export class Component extends Construct {
  /** The Deployment or StatefulSet. */
  public readonly workload: kplus.Deployment | kplus.StatefulSet;
  /** The ClusterIP Service in front of it. */
  public readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id);
    const { name, identity } = props;
    const spec = COMPONENTS[name];
    const c = props;
    if (spec.dataPath && !props.storage) throw new Error(`Component ${name}: a ${spec.kind} needs storage (its PersistentVolumeClaim's size)`);
    const objectName = componentObjectName(name);
    const labels = selectorLabels(name);

    this.service = new kplus.Service(this, 'service', {
      metadata: { name: objectName, labels },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'tcp', port: c.port, targetPort: c.port }],
    });

    const common: kplus.WorkloadProps = {
      metadata: { name: objectName, labels },
      podMetadata: { labels },
      select: false,
      serviceAccount: identity.serviceAccount,
      automountServiceAccountToken: false,
      // Hardening (uid, seccomp, capabilities) is applied by FactoryChart; these only keep
      // cdk8s-plus from adding its own defaults.
      securityContext: { ensureNonRoot: true },
    };
    this.workload = spec.kind === 'Deployment'
      ? new kplus.Deployment(this, 'workload', { ...common, replicas: c.replicas })
      : new kplus.StatefulSet(this, 'workload', { ...common, replicas: c.replicas, service: this.service });
    this.workload.select(kplus.LabelSelector.of({ labels }));
    for (const [k, v] of Object.entries(labels)) this.service.selectLabel(k, v);

    const r = c.resources;
    const container = this.workload.addContainer({
      name,
      image: c.image,
      portNumber: c.port,
      args: spec.args?.(props.ports),
      envVariables: Object.fromEntries(Object.entries(spec.env(props.ports)).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
      resources: {
        cpu: { request: kplus.Cpu.millis(cpuMillis(r.requests.cpu)), limit: kplus.Cpu.millis(cpuMillis(r.limits.cpu)) },
        memory: { request: Size.mebibytes(memoryBytes(r.requests.memory) / 2 ** 20), limit: Size.mebibytes(memoryBytes(r.limits.memory) / 2 ** 20) },
      },
      liveness: probe(spec.liveness, c.port, 15),
      readiness: probe(spec.readiness, c.port, 5),
      // Up to 5 minutes to start (a first initdb), then liveness takes over.
      startup: probe({ tcp: true }, c.port, 0, 30),
      securityContext: { ensureNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    });

    // Vault: VAULT_ADDR, and the api's projected token for the audience `vault` (lib/vault-auth.ts).
    if (props.vault) addVaultClient(this.workload, container, props.vault);

    // Secrets as read-only files, readable by the pod's group (fsGroup) only.
    for (const [secretName, dir] of Object.entries(spec.secretFiles ?? {})) {
      const secret = kplus.Secret.fromSecretName(this, `secret-${secretName}`, secretName);
      container.mount(dir, kplus.Volume.fromSecret(this, `secret-volume-${secretName}`, secret, { name: secretName, defaultMode: 0o440 }), { readOnly: true });
    }

    // The guide's `VOLUME ["/tmp"]`, and what else the component writes to.
    for (const [volumeName, dir] of Object.entries({ tmp: '/tmp', ...spec.scratch })) {
      container.mount(dir, kplus.Volume.fromEmptyDir(this, `scratch-${volumeName}`, volumeName));
    }

    if (spec.dataPath && props.storage) {
      const claim = new kplus.PersistentVolumeClaim(this, 'data', {
        metadata: { name: `${objectName}-data`, labels },
        accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
        storage: Size.mebibytes(memoryBytes(props.storage.size) / 2 ** 20),
        storageClassName: props.storage.storageClassName,
      });
      container.mount(spec.dataPath, kplus.Volume.fromPersistentVolumeClaim(this, 'data-volume', claim, { name: 'data' }));
    }
  }
}
