/**
 * The platform's components (api, worker, dashboard, redis, postgresql): one Deployment or StatefulSet,
 * one Service and one ServiceAccount each, rendered from the table `COMPONENTS` and the config.
 * Hardening is not done here: `FactoryChart` applies it to every workload (lib/hardening.ts).
 */
import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ComponentName } from './component-names';
import { POD_TEMPLATE_PATH } from './k8s/pod-template';
import { cpuMillis, memoryBytes } from './k8s/quantity';
import type { ComponentIdentity } from './identity';
import { PLATFORM_DATABASE, componentObjectName, selectorLabels } from './labels';
import type { ContainerResources } from './limits';
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
  /** Deployment (stateless) or StatefulSet with a claim template per pod (data store). */
  readonly kind: 'Deployment' | 'StatefulSet';
  /** Whether other components or the edge reach it: a ClusterIP Service for its clients. The worker only calls out. */
  readonly clients: boolean;
  /** Environment of the main container: never a secret (those are files, see `secretFiles`). */
  readonly env: (ports: ComponentPorts) => Record<string, string>;
  /** Container args (after the image's entrypoint), from the ports and the container's memory limit. */
  readonly args?: (ctx: { readonly ports: ComponentPorts; readonly memoryLimitBytes: number }) => string[];
  /** Writable directories beside `/tmp` (volume name → path), each an emptyDir: the root is read-only. */
  readonly scratch: Record<string, string>;
  /** Secrets mounted read-only as files (Secret name → directory): a password never sits in env or args. */
  readonly secretFiles?: Readonly<Record<string, string>>;
  /** For StatefulSets: where each pod's claim is mounted. */
  readonly dataPath?: string;
  /**
   * The probes: `http` for the applications (paths from config, `components.<name>.probes`); the data stores'
   * own checks, where a TCP connect proves little. Liveness (restart) and readiness (out of the Service) differ.
   */
  readonly probes: 'http' | { readonly liveness: Check; readonly readiness: Check };
}

/** Share of redis' memory limit it may fill (maxmemory); the rest is for buffers, forks of AOF rewrites and fragmentation. */
export const REDIS_MAXMEMORY_SHARE = 0.75;

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
  api: { kind: 'Deployment', clients: true, env: appEnv('api'), scratch: {}, probes: 'http' },
  // The worker takes its jobs from redis and calls out: nothing connects to it (no flow), so no Service.
  worker: { kind: 'Deployment', clients: false, env: appEnv('worker'), scratch: {}, probes: 'http' },
  dashboard: { kind: 'Deployment', clients: true, env: appEnv('dashboard'), scratch: {}, probes: 'http' },
  redis: {
    kind: 'StatefulSet', clients: true,
    // `requirepass` is in redis.conf, a file of the Secret `factory-redis` that the External Secrets
    // Operator renders from Vault `secret/factory/redis`: the password is in no argument and no variable.
    // The port, for the readiness check's redis-cli (the server takes it from --port).
    env: (ports) => ({ REDIS_PORT: String(ports.redis) }),
    // maxmemory below the container's memory limit: when full, redis refuses writes (noeviction: queues and
    // sessions must not vanish) instead of being OOM-killed.
    args: ({ ports, memoryLimitBytes }) => ['redis-server', `${REDIS_SECRET_DIR}/${REDIS_CONFIG_FILE}`, '--port', String(ports.redis), '--dir', '/data',
      '--appendonly', 'yes', '--maxmemory', String(Math.floor(memoryLimitBytes * REDIS_MAXMEMORY_SHARE)), '--maxmemory-policy', 'noeviction'],
    secretFiles: { 'factory-redis': REDIS_SECRET_DIR },
    scratch: {}, dataPath: '/data',
    // Ready when redis answers the protocol (PONG, or NOAUTH without the password: not while LOADING its data);
    // alive while its port accepts connections. No password on a command line.
    probes: {
      liveness: { tcp: true },
      readiness: { command: ['sh', '-c', 'redis-cli -p "$REDIS_PORT" ping | grep -qE "^(PONG|NOAUTH)"'] },
    },
  },
  postgresql: {
    kind: 'StatefulSet', clients: true,
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
    probes: {
      liveness: { tcp: true },
      readiness: { command: ['pg_isready', '-h', '127.0.0.1', '-U', PLATFORM_DATABASE.user, '-d', PLATFORM_DATABASE.name] },
    },
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
  /** cpu/memory requests and limits of the main container, and its ephemeral-storage (required, no default). */
  readonly resources: ContainerResources;
  /** sizeLimit of each emptyDir (required, no default). */
  readonly scratchSizeLimit: string;
  /** The HTTP paths of an application's probes (required for the components probed over HTTP). @default none */
  readonly probes?: { readonly liveness: string; readonly readiness: string };
  /** PriorityClass of its pods (required, no default). */
  readonly priorityClassName: string;
  /** How pods spread when there is more than one (required, no default). */
  readonly spread: Spread;
  /** Every component's port, for the environment and arguments that point at neighbours (required, no default). */
  readonly ports: ComponentPorts;
  /** The component's ServiceAccount (required, no default). */
  readonly identity: ComponentIdentity;
  /** For a data store: the size of each pod's claim (its claim template), and their StorageClass. @default no claim (required for StatefulSets) */
  readonly storage?: { readonly size: string; readonly storageClassName?: string };
  /** For a Vault client: the address, and for one that logs in, its token's audience and lifetime. @default not a Vault client */
  readonly vault?: VaultClientSettings;
}

/** How the pods of a workload spread over nodes. */
export interface Spread { readonly topologyKey: string; readonly whenUnsatisfiable: 'ScheduleAnyway' | 'DoNotSchedule' }

/**
 * Availability of a workload of more than one replica: a PodDisruptionBudget (one drain evicts at most one
 * pod) created in `scope`, and the pod-spec patches that spread its pods over nodes (and prefer not to share
 * one). Nothing for a single replica.
 */
export function availability(scope: Construct, w: { readonly objectName: string; readonly labels: Record<string, string>; readonly replicas: number; readonly spread: Spread }): JsonPatch[] {
  if (w.replicas <= 1) return [];
  const { labels } = w;
  new kplus.k8s.KubePodDisruptionBudget(scope, 'disruption-budget', {
    metadata: { name: w.objectName, labels },
    spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } },
  });
  return [
    JsonPatch.add(`${POD_SPEC}/topologySpreadConstraints`, [{
      maxSkew: 1, topologyKey: w.spread.topologyKey, whenUnsatisfiable: w.spread.whenUnsatisfiable, labelSelector: { matchLabels: labels },
    }]),
    JsonPatch.add(`${POD_SPEC}/affinity`, {
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey: w.spread.topologyKey } }] },
    }),
  ];
}

/** The pod spec of a Deployment or StatefulSet (the same path in both), as a JSON-patch path. */
/** The JSON pointer of a Deployment's pod spec, for the patches cdk8s-plus cannot express. */
export const POD_SPEC = `/${[...POD_TEMPLATE_PATH.Deployment, 'spec'].join('/')}`;

/**
 * What cdk8s-plus-27 cannot express on a workload's pod, as JSON patches (the escape hatch): its PriorityClass,
 * and the main container's ephemeral-storage as written in config (cdk8s-plus would round it to whole
 * gibibytes). The patches apply before the typed serialization, which reads a Quantity's value: hence Quantity
 * objects, not strings.
 */
export function podPatches(p: { readonly container: number; readonly priorityClassName: string; readonly ephemeralStorage: { readonly request: string; readonly limit: string } }): JsonPatch[] {
  return [JsonPatch.add(`${POD_SPEC}/priorityClassName`, p.priorityClassName), ...ephemeralStoragePatches(p.container, p.ephemeralStorage)];
}

/** A container's ephemeral-storage request and limit (by its index in the pod's containers), as JSON patches. */
export function ephemeralStoragePatches(container: number, e: { readonly request: string; readonly limit: string }): JsonPatch[] {
  const at = `${POD_SPEC}/containers/${container}`;
  return [
    JsonPatch.add(`${at}/resources/requests/ephemeral-storage`, kplus.k8s.Quantity.fromString(e.request)),
    JsonPatch.add(`${at}/resources/limits/ephemeral-storage`, kplus.k8s.Quantity.fromString(e.limit)),
  ];
}

/** A Service selecting the pods that carry `labels` (the stable labels, never cdk8s' generated ones). */
export function serviceSelecting(scope: Construct, id: string, labels: Record<string, string>, props: kplus.ServiceProps): kplus.Service {
  const service = new kplus.Service(scope, id, props);
  for (const [k, v] of Object.entries(labels)) service.selectLabel(k, v);
  return service;
}

/** A container's cpu and memory requests and limits as cdk8s-plus takes them (ephemeral-storage: `podPatches`). */
export function containerResources(r: ContainerResources): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(cpuMillis(r.requests.cpu)), limit: kplus.Cpu.millis(cpuMillis(r.limits.cpu)) },
    memory: { request: size(r.requests.memory), limit: size(r.limits.memory) },
  };
}

/**
 * What cdk8s-plus-27 says of every container's security (the hardening then merges the guide's full container
 * context over it: lib/hardening.ts).
 */
export const CONTAINER_SECURITY: kplus.ContainerSecurityContextProps = { ensureNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false };

/** Bytes of a quantity, as the cdk8s Size the constructs take. */
export const size = (q: string) => Size.mebibytes(memoryBytes(q) / 2 ** 20);

/**
 * One component: its workload; the ClusterIP Service its clients use (not for one nobody connects to); for a
 * data store the headless Service governing its StatefulSet and a claim template; with more than one replica a
 * PodDisruptionBudget and spread over nodes.
 */
export class Component extends Construct {
  /** The Deployment or StatefulSet. */
  public readonly workload: kplus.Deployment | kplus.StatefulSet;
  /** The ClusterIP Service in front of it, for a component with clients. */
  public readonly service?: kplus.Service;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id);
    const { name, identity } = props;
    const spec = COMPONENTS[name];
    const c = props;
    if (spec.dataPath && !props.storage) throw new Error(`Component ${name}: a ${spec.kind} needs storage (the size of its pods' claims)`);
    const objectName = componentObjectName(name);
    const labels = selectorLabels(name);

    if (spec.clients) {
      this.service = serviceSelecting(this, 'service', labels, {
        metadata: { name: objectName, labels },
        type: kplus.ServiceType.CLUSTER_IP,
        ports: [{ name: 'tcp', port: c.port, targetPort: c.port }],
      });
    }
    // A StatefulSet's governing Service is headless: it gives each pod its DNS name (<pod>.<service>).
    const governing = spec.kind === 'StatefulSet' ? serviceSelecting(this, 'headless', labels, {
      metadata: { name: `${objectName}-headless`, labels },
      clusterIP: 'None',
      ports: [{ name: 'tcp', port: c.port, targetPort: c.port }],
    }) : undefined;

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
      : new kplus.StatefulSet(this, 'workload', { ...common, replicas: c.replicas, service: governing });
    this.workload.select(kplus.LabelSelector.of({ labels }));

    const r = c.resources;
    const checks = spec.probes === 'http'
      ? (() => {
        if (!c.probes) throw new Error(`Component ${name}: an application probed over HTTP needs its probe paths (props.probes)`);
        return { liveness: { http: c.probes.liveness }, readiness: { http: c.probes.readiness } };
      })()
      : spec.probes;
    const container = this.workload.addContainer({
      name,
      image: c.image,
      portNumber: c.port,
      args: spec.args?.({ ports: props.ports, memoryLimitBytes: memoryBytes(r.limits.memory) }),
      envVariables: Object.fromEntries(Object.entries(spec.env(props.ports)).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
      resources: containerResources(r),
      liveness: probe(checks.liveness, c.port, 15),
      readiness: probe(checks.readiness, c.port, 5),
      // Up to 5 minutes to start (a first initdb), then liveness takes over.
      startup: probe({ tcp: true }, c.port, 0, 30),
      securityContext: CONTAINER_SECURITY,
    });

    // cdk8s-plus-27 cannot express these pod fields: the JSON-patch escape hatch.
    const index = this.workload.containers.indexOf(container);
    const main = `${POD_SPEC}/containers/${index}`;
    const patches = podPatches({ container: index, priorityClassName: c.priorityClassName, ephemeralStorage: r.ephemeralStorage });
    patches.push(...availability(this, { objectName, labels, replicas: c.replicas, spread: c.spread }));
    ApiObject.of(this.workload).addJsonPatch(...patches);

    // Vault: VAULT_ADDR, and the api's projected token for the audience `vault` (lib/vault-auth.ts).
    if (props.vault) addVaultClient(this.workload, container, props.vault);

    // Secrets as read-only files, readable by the pod's group (fsGroup) only.
    for (const [secretName, dir] of Object.entries(spec.secretFiles ?? {})) {
      const secret = kplus.Secret.fromSecretName(this, `secret-${secretName}`, secretName);
      container.mount(dir, kplus.Volume.fromSecret(this, `secret-volume-${secretName}`, secret, { name: secretName, defaultMode: 0o440 }), { readOnly: true });
    }

    // The guide's `VOLUME ["/tmp"]`, and what else the component writes to: each bounded on the node's disk.
    for (const [volumeName, dir] of Object.entries({ tmp: '/tmp', ...spec.scratch })) {
      container.mount(dir, kplus.Volume.fromEmptyDir(this, `scratch-${volumeName}`, volumeName, { sizeLimit: size(c.scratchSizeLimit) }));
    }

    // A data store's volume: one claim per pod, from the StatefulSet's template (a second replica gets its own).
    if (spec.dataPath && props.storage) {
      ApiObject.of(this.workload).addJsonPatch(
        JsonPatch.add('/spec/volumeClaimTemplates', [{
          metadata: { name: DATA_VOLUME, labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: kplus.k8s.Quantity.fromString(props.storage.size) } },
            ...(props.storage.storageClassName ? { storageClassName: props.storage.storageClassName } : {}),
          },
        }]),
        JsonPatch.add(`${main}/volumeMounts/-`, { name: DATA_VOLUME, mountPath: spec.dataPath }),
      );
    }
  }
}

/** The name of a data store's claim template (its pods' claims are `<template>-<pod>`, e.g. data-factory-redis-0). */
export const DATA_VOLUME = 'data';
