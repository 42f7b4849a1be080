/**
 * A NetworkPolicy evaluator: given NetworkPolicy manifests (plain objects, as synthesized), the pods
 * and namespaces of a cluster, decides whether a connection is allowed, with the semantics of
 * networking.k8s.io/v1:
 * - a pod is isolated for a direction when a policy of its namespace selects it and that policy's
 *   policyTypes include the direction (policyTypes defaults to [Ingress], plus Egress when the policy
 *   has egress rules); a non-isolated direction allows everything;
 * - policies are additive: an isolated direction allows what any rule of any selecting policy allows;
 * - a connection needs the source's egress AND the destination's ingress to allow it;
 * - in a peer, podSelector and namespaceSelector are ANDed; peers of one rule are ORed; an absent `from`/
 *   `to` means every peer, absent `ports` every port; podSelector alone means the policy's namespace;
 * - ports: number or name (resolved on the destination pod's container ports), `endPort` ranges, the
 *   protocol defaulting to TCP; ipBlock `cidr` minus `except` (IPv4).
 * It reads only manifests: it knows nothing of the flow table that produced them.
 */

/** A label selector as in manifests. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A pod of the modelled cluster. */
export interface PodModel {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Its IP (matters for ipBlock peers). */
  readonly ip?: string;
  /** Its container ports, for named ports. */
  readonly ports?: { name?: string; containerPort: number; protocol?: string }[];
}

/** An address outside the cluster. */
export interface ExternalModel {
  readonly name: string;
  readonly ip: string;
}

export type Host = PodModel | ExternalModel;

/** The modelled cluster: namespaces with their labels, and the network policies. */
export interface ClusterModel {
  readonly namespaces: Record<string, Record<string, string>>;
  readonly policies: any[];
}

/** A connection attempt. */
export interface Probe {
  readonly from: Host;
  readonly to: Host;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

const isPod = (h: Host): h is PodModel => 'namespace' in h;

/** Whether a label selector matches a set of labels (`{}` matches everything). */
export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (sel === undefined) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': if (!has || !(e.values ?? []).includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && (e.values ?? []).includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: throw new Error(`unknown label selector operator "${e.operator}"`);
    }
  }
  return true;
}

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`invalid IPv4 address "${ip}"`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** Whether an IPv4 address is inside a CIDR. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText ?? 32);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((ipToInt(base) & mask) >>> 0) === ((ipToInt(ip) & mask) >>> 0);
}

function policyTypes(p: any): string[] {
  if (Array.isArray(p.spec?.policyTypes) && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
  return p.spec?.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** Whether `peer` (seen from a policy in namespace `ns`) matches a host. */
function peerMatches(cluster: ClusterModel, ns: string, peer: any, host: Host): boolean {
  if (peer.ipBlock) {
    if (host.ip === undefined) return false;
    return cidrContains(peer.ipBlock.cidr, host.ip) && !(peer.ipBlock.except ?? []).some((e: string) => cidrContains(e, host.ip!));
  }
  if (!isPod(host)) return false;
  if (peer.namespaceSelector === undefined && peer.podSelector === undefined) return false;
  const nsOk = peer.namespaceSelector !== undefined
    ? selectorMatches(peer.namespaceSelector, cluster.namespaces[host.namespace] ?? {})
    : host.namespace === ns;
  return nsOk && selectorMatches(peer.podSelector, host.labels);
}

/** Whether a rule's ports admit the probe (named ports resolve on the destination pod). */
function portsMatch(ports: any[] | undefined, probe: Probe): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== probe.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string' && !/^\d+$/.test(p.port)) {
      if (!isPod(probe.to)) return false;
      return (probe.to.ports ?? []).some((cp) => cp.name === p.port && cp.containerPort === probe.port && (cp.protocol ?? 'TCP') === probe.protocol);
    }
    const start = Number(p.port);
    const end = p.endPort !== undefined ? Number(p.endPort) : start;
    return probe.port >= start && probe.port <= end;
  });
}

function directionAllows(cluster: ClusterModel, pod: PodModel, direction: 'Ingress' | 'Egress', probe: Probe): boolean {
  const selecting = cluster.policies.filter((p) =>
    (p.metadata?.namespace ?? 'default') === pod.namespace
    && selectorMatches(p.spec?.podSelector ?? {}, pod.labels)
    && policyTypes(p).includes(direction));
  if (selecting.length === 0) return true;
  const other = direction === 'Ingress' ? probe.from : probe.to;
  const rulesKey = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = direction === 'Ingress' ? 'from' : 'to';
  return selecting.some((p) => (p.spec[rulesKey] ?? []).some((rule: any) => {
    const peers = rule[peersKey];
    const peerOk = peers === undefined || peers.length === 0 || peers.some((peer: any) => peerMatches(cluster, pod.namespace, peer, other));
    return peerOk && portsMatch(rule.ports, probe);
  }));
}

/** Whether the network policies allow the probe. */
export function isAllowed(cluster: ClusterModel, probe: Probe): boolean {
  const egressOk = !isPod(probe.from) || directionAllows(cluster, probe.from, 'Egress', probe);
  const ingressOk = !isPod(probe.to) || directionAllows(cluster, probe.to, 'Ingress', probe);
  return egressOk && ingressOk;
}
