/**
 * The flow table: every connection the platform is allowed to make (guide: "Network Policies" and its
 * flow diagram), as data. Every NetworkPolicy is rendered from it (policies.ts), the README's table is
 * rendered from it (markdown.ts), and the connectivity-matrix test proves the policies mean exactly it.
 * Adding a flow is one line of `flowTable`.
 */
import { type ComponentName, WAF_TIER_NAME } from '../component-names';
import { selectorLabels } from '../labels';
import { MTAIL_PORT } from '../waf/metrics';
import { WAF_TIER_PORTS } from '../waf/waf-tier';
import type { FactoryConfig } from '../config';

/** The label that cuts a pod off completely (guide: "Containment: Network policies isolate affected components"). */
export const QUARANTINE_LABEL = 'security.factory.io/quarantine';

export type Protocol = 'TCP' | 'UDP';

/** One port of a flow. */
export interface FlowPort {
  readonly port: number;
  readonly protocol: Protocol;
}

/** One end of a flow. */
export type Endpoint =
  /** The pods of one component of the namespace. */
  | { readonly kind: 'component'; readonly component: ComponentName }
  /** Every pod of the namespace. */
  | { readonly kind: 'all-pods' }
  /** Pods of the namespace that are not a component, by labels (cert-manager's ACME solver). */
  | { readonly kind: 'local-pods'; readonly label: string; readonly podLabels: Record<string, string> }
  /** Pods of another namespace, by labels (the ingress controller, cluster DNS, Vault). */
  | { readonly kind: 'pods'; readonly label: string; readonly namespace: string; readonly podLabels: Record<string, string> }
  /** Addresses outside the cluster. */
  | { readonly kind: 'cidr'; readonly label: string; readonly cidr: string; readonly except: readonly string[] };

/** An allowed connection. */
export interface Flow {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly ports: readonly FlowPort[];
  /** Why it exists: the guide's diagram, or what breaks without it. */
  readonly why: string;
}

/** A TCP port. */
export const tcp = (port: number): FlowPort => ({ port, protocol: 'TCP' });
/** A UDP port. */
export const udp = (port: number): FlowPort => ({ port, protocol: 'UDP' });
/** The pods of a component. */
export const component = (name: ComponentName): Endpoint => ({ kind: 'component', component: name });

/** The name an endpoint has in policy names and tables (`api`, `all`, `ingress-nginx`, …). */
export function endpointName(e: Endpoint): string {
  switch (e.kind) {
    case 'component': return e.component;
    case 'all-pods': return 'all';
    default: return e.label;
  }
}

/** Whether the endpoint is (some of) the namespace's own pods. */
export function isInNamespace(e: Endpoint): boolean {
  return e.kind === 'component' || e.kind === 'all-pods' || e.kind === 'local-pods';
}

/** The labels of the pods cert-manager starts to answer ACME http01 challenges, and their port. */
export const ACME_SOLVER = { podLabels: { 'acme.cert-manager.io/http01-solver': 'true' }, port: 8089 } as const;

/** The WAF tier's pods (`edge.target: waf-tier`). */
export const WAF_TIER: Endpoint = { kind: 'local-pods', label: WAF_TIER_NAME, podLabels: selectorLabels(WAF_TIER_NAME) };
/** Who may reach the WAF tier: any address (its LoadBalancer Service is the platform's public entry). */
export const WAF_TIER_CLIENTS: Endpoint = { kind: 'cidr', label: 'clients', cidr: '0.0.0.0/0', except: [] };

/** The flow table, from the config. */
export function flowTable(c: FactoryConfig): Flow[] {
  const port = (name: ComponentName) => tcp(c.components[name].port);
  const ingress: Endpoint = { kind: 'pods', label: 'ingress-nginx', namespace: c.edge.controller.namespace, podLabels: c.edge.controller.podLabels };
  const dns: Endpoint = { kind: 'pods', label: 'kube-dns', namespace: c.network.dns.namespace, podLabels: c.network.dns.podLabels };
  const loc = c.vault.location;
  const vault: Endpoint = 'cidr' in loc
    ? { kind: 'cidr', label: 'vault', cidr: loc.cidr, except: [] }
    : { kind: 'pods', label: 'vault', namespace: loc.namespace, podLabels: loc.podLabels };
  const https = c.network.externalHttps;
  const internet: Endpoint = { kind: 'cidr', label: 'internet', cidr: https.cidr, except: https.except };

  const edge: Flow[] = c.edge.target === 'waf-tier' ? [
    { from: WAF_TIER_CLIENTS, to: WAF_TIER, ports: [tcp(WAF_TIER_PORTS.https)], why: 'guide diagram: Internet → WAF/NGINX (the LoadBalancer keeps client addresses), TLS only' },
    { from: WAF_TIER, to: component('api'), ports: [port('api')], why: 'guide diagram: WAF/NGINX → API Pods' },
    ...(c.monitoring.serviceMonitor.enabled ? [{
      from: { kind: 'pods', label: 'prometheus', namespace: c.monitoring.prometheus.namespace, podLabels: c.monitoring.prometheus.podLabels } as Endpoint,
      to: WAF_TIER, ports: [tcp(MTAIL_PORT)], why: 'Prometheus scrapes the WAF tier\'s request counter, which the security alerts read',
    }] : []),
  ] : [
    { from: ingress, to: component('api'), ports: [port('api')], why: 'guide diagram: Ingress Controller → API Pods' },
    {
      from: ingress, to: { kind: 'local-pods', label: 'acme-solver', podLabels: ACME_SOLVER.podLabels }, ports: [tcp(ACME_SOLVER.port)],
      why: 'cert-manager http01 challenge for factory-tls (guide: Certificate Management)',
    },
  ];
  return [
    ...edge,
    { from: component('api'), to: component('dashboard'), ports: [port('dashboard')], why: 'guide diagram: API ↔ Dashboard' },
    { from: component('dashboard'), to: component('api'), ports: [port('api')], why: 'guide diagram: API ↔ Dashboard' },
    { from: component('api'), to: component('redis'), ports: [port('redis')], why: 'guide diagram: API → Redis' },
    { from: component('api'), to: component('postgresql'), ports: [port('postgresql')], why: 'guide diagram: API → PostgreSQL' },
    { from: component('worker'), to: component('redis'), ports: [port('redis')], why: 'guide diagram: Worker → Redis' },
    { from: component('worker'), to: component('postgresql'), ports: [port('postgresql')], why: 'guide diagram: Worker → PostgreSQL' },
    ...(c.network.dns.enabled ? [
      { from: { kind: 'all-pods' } as Endpoint, to: dns, ports: [udp(53), tcp(53)], why: 'name resolution: default-deny egress blocks DNS otherwise' },
    ] : []),
    ...(c.network.vault.enabled ? (['api', 'worker'] as const).map((name) => (
      { from: component(name), to: vault, ports: [tcp(c.vault.port)], why: 'reads its secrets from Vault (guide: Secrets Management)' })) : []),
    ...(https.enabled ? (['api', 'worker'] as const).map((name) => (
      { from: component(name), to: internet, ports: [tcp(https.port)], why: 'calls the model provider over HTTPS (Anthropic key in Vault)' })) : []),
  ];
}
