/**
 * NetworkPolicies rendered from the flow table: the guide's `default-deny-all`, then for each flow an
 * ingress policy on its destination and an egress policy on its source (for the sides that are pods of
 * the namespace), named after what they allow: `allow-api-to-postgresql-ingress`.
 *
 * Every pod selector, on the selected side and on the peer side, excludes quarantined pods
 * (`security.factory.io/quarantine=true`): NetworkPolicies only add allowances, so quarantine works by
 * no allowance ever matching a quarantined pod, which the default deny then isolates.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { selectorLabels } from '../labels';
import { type Endpoint, type Flow, QUARANTINE_LABEL, endpointName, isInNamespace } from './flows';

type k8sSelector = kplus.k8s.LabelSelector;

const NOT_QUARANTINED = { key: QUARANTINE_LABEL, operator: 'NotIn', values: ['true'] };

/** The pod selector of an in-namespace endpoint. */
function podSelector(e: Endpoint): k8sSelector {
  if (e.kind === 'component') return { matchLabels: selectorLabels(e.component), matchExpressions: [NOT_QUARANTINED] };
  if (e.kind === 'all-pods') return { matchExpressions: [NOT_QUARANTINED] };
  if (e.kind === 'local-pods') return { matchLabels: e.podLabels, matchExpressions: [NOT_QUARANTINED] };
  throw new Error(`endpoint "${endpointName(e)}" is not a pod of the namespace`);
}

/** The peer of a rule. */
function peer(e: Endpoint): kplus.k8s.NetworkPolicyPeer {
  switch (e.kind) {
    case 'component':
    case 'all-pods':
    case 'local-pods':
      return { podSelector: podSelector(e) };
    case 'pods':
      return {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': e.namespace } },
        podSelector: { matchLabels: e.podLabels },
      };
    case 'cidr':
      return { ipBlock: { cidr: e.cidr, except: e.except.length > 0 ? [...e.except] : undefined } };
  }
}

function ports(f: Flow): kplus.k8s.NetworkPolicyPort[] {
  return f.ports.map((p) => ({ port: kplus.k8s.IntOrString.fromNumber(p.port), protocol: p.protocol }));
}

/** The guide's "Default Deny Policy": selects every pod, for Ingress and Egress, with no rule. */
export const DEFAULT_DENY_POLICY = 'default-deny-all';

/** A side of a flow that a policy allows: ingress on its destination, egress on its source. */
export type PolicySide = 'ingress' | 'egress';

/** The sides of a flow that get a policy: those whose end is (some of) the namespace's own pods. */
export function policySides(f: Flow): PolicySide[] {
  return [...(isInNamespace(f.to) ? ['ingress' as const] : []), ...(isInNamespace(f.from) ? ['egress' as const] : [])];
}

/** A policy's name, from the flow it allows and its side. */
export function policyName(f: Flow, side: PolicySide): string {
  return `allow-${endpointName(f.from)}-to-${endpointName(f.to)}-${side}`;
}

/** Properties of `FlowPolicies`. */
export interface FlowPoliciesProps {
  /** The allowed connections; everything else is denied (required, no default; `[]` denies all). */
  readonly flows: readonly Flow[];
}

/** `default-deny-all`, then an ingress and an egress policy per flow (for its sides in the namespace). */
export class FlowPolicies extends Construct {
  constructor(scope: Construct, id: string, props: FlowPoliciesProps) {
    super(scope, id);
    new kplus.k8s.KubeNetworkPolicy(this, DEFAULT_DENY_POLICY, {
      metadata: { name: DEFAULT_DENY_POLICY },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    const seen = new Set<string>();
    for (const flow of props.flows) {
      for (const side of policySides(flow)) {
        const name = policyName(flow, side);
        if (seen.has(name)) throw new Error(`FlowPolicies: two flows make policy "${name}" (merge their ports into one flow)`);
        seen.add(name);
        const spec: kplus.k8s.NetworkPolicySpec = side === 'ingress'
          ? { podSelector: podSelector(flow.to), policyTypes: ['Ingress'], ingress: [{ from: [peer(flow.from)], ports: ports(flow) }] }
          : { podSelector: podSelector(flow.from), policyTypes: ['Egress'], egress: [{ to: [peer(flow.to)], ports: ports(flow) }] };
        new kplus.k8s.KubeNetworkPolicy(this, name, { metadata: { name }, spec });
      }
    }
  }
}
