/**
 * Resource limits ("Resource Limits" of the guide): the LimitRange of the namespace, and a
 * ResourceQuota computed from the workloads it must hold, times the configured headroom.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { cpuMillis, memoryBytes } from './k8s/quantity';

/** cpu and memory quantities (`500m`, `512Mi`). */
export interface Quantities {
  readonly cpu: string;
  readonly memory: string;
}

/** One container's cpu/memory requests and limits, and its ephemeral-storage. */
export interface ContainerResources {
  readonly requests: Quantities;
  readonly limits: Quantities;
  readonly ephemeralStorage: { readonly request: string; readonly limit: string };
}

/** What the quota is computed from: the workloads, their storage and the headroom over them. */
export interface QuotaInputs {
  /** Each workload's replicas, its main container's requests and limits (ephemeral-storage included), and its sidecars'. */
  readonly workloads: readonly {
    readonly replicas: number;
    readonly resources: ContainerResources;
    /** @default none */
    readonly sidecars?: readonly ContainerResources[];
  }[];
  /** The size of each PersistentVolumeClaim (one per replica of a StatefulSet's claim template). */
  readonly claims: readonly string[];
  /** Factor over the sum (room for a rolling update's surge pod and a manual scale-up). */
  readonly headroom: number;
  /** LoadBalancer Services the namespace holds (the WAF tier's), exactly: no headroom. @default 0 */
  readonly loadBalancers?: number;
}

/** The quota the workloads need, times the headroom. */
export function quotaFor(q: QuotaInputs): Record<string, string> {
  let requestsCpu = 0; let requestsMemory = 0; let limitsCpu = 0; let limitsMemory = 0; let pods = 0;
  let requestsEphemeral = 0; let limitsEphemeral = 0;
  for (const { replicas, resources: main, sidecars } of q.workloads) {
    for (const resources of [main, ...(sidecars ?? [])]) {
      requestsEphemeral += replicas * memoryBytes(resources.ephemeralStorage.request);
      limitsEphemeral += replicas * memoryBytes(resources.ephemeralStorage.limit);
      requestsCpu += replicas * cpuMillis(resources.requests.cpu);
      requestsMemory += replicas * memoryBytes(resources.requests.memory);
      limitsCpu += replicas * cpuMillis(resources.limits.cpu);
      limitsMemory += replicas * memoryBytes(resources.limits.memory);
    }
    pods += replicas;
  }
  const h = q.headroom;
  const storage = q.claims.reduce((sum, size) => sum + memoryBytes(size), 0);
  return {
    'requests.cpu': `${Math.ceil(requestsCpu * h)}m`,
    'requests.memory': `${Math.ceil((requestsMemory * h) / 2 ** 20)}Mi`,
    'limits.cpu': `${Math.ceil(limitsCpu * h)}m`,
    'limits.memory': `${Math.ceil((limitsMemory * h) / 2 ** 20)}Mi`,
    'requests.ephemeral-storage': `${Math.ceil((requestsEphemeral * h) / 2 ** 20)}Mi`,
    'limits.ephemeral-storage': `${Math.ceil((limitsEphemeral * h) / 2 ** 20)}Mi`,
    'pods': String(Math.ceil(pods * h)),
    'persistentvolumeclaims': String(Math.ceil(q.claims.length * h)),
    'requests.storage': `${Math.ceil((storage * h) / 2 ** 30)}Gi`,
    // The platform exposes nothing outside the cluster but through the edge (an Ingress, or the WAF tier's Service).
    'services.loadbalancers': String(q.loadBalancers ?? 0),
    'services.nodeports': '0',
  };
}

/** Properties of `ResourceLimits`. */
export interface ResourceLimitsProps {
  /** The namespace both objects live in (required, no default). */
  readonly namespace: string;
  /** The LimitRange of containers: defaults, default requests and the maximum (required, no default). */
  readonly limitRange: {
    readonly default: Quantities; readonly defaultRequest: Quantities; readonly max: Quantities;
    /** ephemeral-storage of a container: default limit, default request, maximum. */
    readonly ephemeralStorage: { readonly default: string; readonly defaultRequest: string; readonly max: string };
  };
  /** The ResourceQuota's `hard` limits (see `quotaFor`) (required, no default). */
  readonly quota: Record<string, string>;
}

/** LimitRange `factory-limits` and ResourceQuota `factory-quota`. */
export class ResourceLimits extends Construct {
  constructor(scope: Construct, id: string, props: ResourceLimitsProps) {
    super(scope, id);
    const { limitRange, namespace } = props;
    new kplus.k8s.KubeLimitRange(this, 'limit-range', {
      metadata: { name: 'factory-limits', namespace },
      spec: {
        limits: [{
          type: 'Container',
          default: quantities(limitRange.default, limitRange.ephemeralStorage.default),
          defaultRequest: quantities(limitRange.defaultRequest, limitRange.ephemeralStorage.defaultRequest),
          max: quantities(limitRange.max, limitRange.ephemeralStorage.max),
        }],
      },
    });
    new kplus.k8s.KubeResourceQuota(this, 'quota', {
      metadata: { name: 'factory-quota', namespace },
      spec: {
        hard: Object.fromEntries(Object.entries(props.quota).map(([k, v]) => [k, kplus.k8s.Quantity.fromString(v)])),
      },
    });
  }
}

function quantities(q: Quantities, ephemeralStorage: string) {
  const quantity = kplus.k8s.Quantity.fromString;
  return { 'cpu': quantity(q.cpu), 'memory': quantity(q.memory), 'ephemeral-storage': quantity(ephemeralStorage) };
}
