/**
 * The `factory` namespace with the guide's Pod Security Admission labels, and what belongs to the
 * namespace as a whole: the token-less `default` ServiceAccount and the resource limits.
 */
import * as kplus from 'cdk8s-plus-27';
import { type Construct } from 'constructs';
import type { FactoryConfig } from './config';
import { FactoryChart } from './chart';
import { DefaultServiceAccount } from './identity';
import { ResourceLimits } from './limits';

/** The Pod Security level the guide enforces, warns and audits at. */
export const POD_SECURITY_LEVEL = 'restricted';

/**
 * The policy version of each mode. `enforce` is pinned to the Kubernetes version this project targets
 * (cdk8s-plus-27), so a cluster upgrade never starts refusing pods by itself; `warn` and `audit` follow
 * `latest`, so checks added by newer Kubernetes versions surface as warnings and audit events first.
 */
export const POD_SECURITY_VERSIONS = { enforce: 'v1.27', warn: 'latest', audit: 'latest' } as const;

/** The Pod Security Admission labels of the namespace. */
export function podSecurityLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [mode, version] of Object.entries(POD_SECURITY_VERSIONS)) {
    labels[`pod-security.kubernetes.io/${mode}`] = POD_SECURITY_LEVEL;
    labels[`pod-security.kubernetes.io/${mode}-version`] = version;
  }
  return labels;
}

/** Properties of `NamespaceChart`. */
export interface NamespaceChartProps {
  /** The config: `namespace`, `podSecurity`, `limitRange` and what the quota is computed from (required, no default). */
  readonly config: FactoryConfig;
}

/** Namespace, default ServiceAccount, LimitRange and ResourceQuota. */
export class NamespaceChart extends FactoryChart {
  constructor(scope: Construct, id: string, props: NamespaceChartProps) {
    super(scope, id, { podIdentity: props.config.podSecurity });
    const namespace = props.config.namespace;
    new kplus.Namespace(this, 'namespace', {
      metadata: { name: namespace, labels: podSecurityLabels() },
    });
    new DefaultServiceAccount(this, 'default-sa', { namespace });
    new ResourceLimits(this, 'limits', { config: props.config });
  }
}
