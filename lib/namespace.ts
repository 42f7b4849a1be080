/**
 * The `factory` namespace with the guide's Pod Security Admission labels, and what belongs to the
 * namespace as a whole: the token-less `default` ServiceAccount and the resource limits.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DefaultServiceAccount } from './identity';

/** The Pod Security level the guide enforces, warns and audits at. */
export const POD_SECURITY_LEVEL = 'restricted';

/**
 * The policy version of each mode. `enforce` is pinned to the Kubernetes version this project targets
 * (cdk8s-plus-27), so a cluster upgrade never starts refusing pods by itself; `warn` and `audit` follow
 * `latest`, so checks added by newer Kubernetes versions surface as warnings and audit events first.
 */
export const POD_SECURITY_VERSIONS = { enforce: 'v1.27', warn: 'latest', audit: 'latest' } as const;

/** The Pod Security Admission labels of a namespace: one level, a policy version per mode. */
export function podSecurityLabels(level: string = POD_SECURITY_LEVEL, versions: PodSecurityVersions = POD_SECURITY_VERSIONS): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [mode, version] of Object.entries(versions)) {
    labels[`pod-security.kubernetes.io/${mode}`] = level;
    labels[`pod-security.kubernetes.io/${mode}-version`] = version;
  }
  return labels;
}

/** The policy version of each Pod Security Admission mode (`v1.NN` or `latest`). */
export interface PodSecurityVersions {
  readonly enforce: string;
  readonly warn: string;
  readonly audit: string;
}

/** Properties of `HardenedNamespace`. */
export interface HardenedNamespaceProps {
  /** The namespace's name (required, no default). */
  readonly name: string;
  /** The Pod Security level enforced, warned and audited at. @default 'restricted' (the guide's) */
  readonly level?: 'restricted' | 'baseline';
  /** The policy version of each mode. @default enforce v1.27, warn and audit latest */
  readonly versions?: PodSecurityVersions;
}

/** A namespace with the guide's Pod Security Admission labels, and its `default` ServiceAccount without a token. */
export class HardenedNamespace extends Construct {
  public readonly namespace: kplus.Namespace;

  constructor(scope: Construct, id: string, props: HardenedNamespaceProps) {
    super(scope, id);
    const level = props.level ?? POD_SECURITY_LEVEL;
    const versions = props.versions ?? POD_SECURITY_VERSIONS;
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.name)) {
      throw new Error(`HardenedNamespace: name "${props.name}" is not an RFC 1123 DNS label`);
    }
    for (const [mode, version] of Object.entries(versions)) {
      if (!/^(v1\.\d+|latest)$/.test(version)) throw new Error(`HardenedNamespace ${props.name}: ${mode} version "${version}" is not v1.NN or latest`);
    }
    this.namespace = new kplus.Namespace(this, 'namespace', { metadata: { name: props.name, labels: podSecurityLabels(level, versions) } });
    new DefaultServiceAccount(this, 'default-sa', { namespace: props.name });
  }
}
