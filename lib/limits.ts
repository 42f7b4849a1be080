/**
 * Resource limits ("Resource Limits" of the guide): the LimitRange of the namespace, and a
 * ResourceQuota computed from the workloads it must hold, times the configured headroom.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { COMPONENT_NAMES, type FactoryConfig } from './config';
import { cpuMillis, memoryBytes } from './k8s/quantity';

/** The quota the default workloads need, times the headroom (cpu in millicores, memory in bytes). */
export function quotaFor(c: FactoryConfig) {
  let requestsCpu = 0; let requestsMemory = 0; let limitsCpu = 0; let limitsMemory = 0; let pods = 0;
  for (const name of COMPONENT_NAMES) {
    const { replicas, resources } = c.components[name];
    requestsCpu += replicas * cpuMillis(resources.requests.cpu);
    requestsMemory += replicas * memoryBytes(resources.requests.memory);
    limitsCpu += replicas * cpuMillis(resources.limits.cpu);
    limitsMemory += replicas * memoryBytes(resources.limits.memory);
    pods += replicas;
  }
  const h = c.quotaHeadroom;
  const storage = memoryBytes(c.storage.redis) + memoryBytes(c.storage.postgresql);
  return {
    'requests.cpu': `${Math.ceil(requestsCpu * h)}m`,
    'requests.memory': `${Math.ceil((requestsMemory * h) / 2 ** 20)}Mi`,
    'limits.cpu': `${Math.ceil(limitsCpu * h)}m`,
    'limits.memory': `${Math.ceil((limitsMemory * h) / 2 ** 20)}Mi`,
    'pods': String(Math.ceil(pods * h)),
    'persistentvolumeclaims': String(Math.ceil(2 * h)),
    'requests.storage': `${Math.ceil((storage * h) / 2 ** 30)}Gi`,
    // The platform exposes nothing outside the cluster but through the Ingress.
    'services.loadbalancers': '0',
    'services.nodeports': '0',
  };
}

/** Properties of `ResourceLimits`. */
export interface ResourceLimitsProps {
  /** The config: `namespace`, `limitRange`, `components`, `storage` and `quotaHeadroom` (required, no default). */
  readonly config: FactoryConfig;
}

/** LimitRange `factory-limits` and ResourceQuota `factory-quota`. */
export class ResourceLimits extends Construct {
  constructor(scope: Construct, id: string, props: ResourceLimitsProps) {
    super(scope, id);
    const { limitRange } = props.config;
    new kplus.k8s.KubeLimitRange(this, 'limit-range', {
      metadata: { name: 'factory-limits', namespace: props.config.namespace },
      spec: {
        limits: [{
          type: 'Container',
          default: quantities(limitRange.default),
          defaultRequest: quantities(limitRange.defaultRequest),
          max: quantities(limitRange.max),
        }],
      },
    });
    new kplus.k8s.KubeResourceQuota(this, 'quota', {
      metadata: { name: 'factory-quota', namespace: props.config.namespace },
      spec: {
        hard: Object.fromEntries(Object.entries(quotaFor(props.config)).map(([k, v]) => [k, kplus.k8s.Quantity.fromString(v)])),
      },
    });
  }
}

function quantities(q: { cpu: string; memory: string }) {
  return { cpu: kplus.k8s.Quantity.fromString(q.cpu), memory: kplus.k8s.Quantity.fromString(q.memory) };
}
