/**
 * The connectivity matrix: the NetworkPolicies of the committed dist/ evaluated with NetworkPolicy
 * semantics (lib/network/evaluate.ts) over every probe from, to or inside the factory namespace.
 * The expected flows are written here literally, from the guide's diagram and issue 3: the policies
 * must allow exactly them.
 */
import { type ClusterModel, type Host, type PodModel, type Probe, isAllowed } from '../../lib/network/evaluate';
import { committedManifests, controllerSynthAll, synthAll } from '../support';

/** The committed dist/: the default edge, the WAF tier. */
const distManifests = committedManifests();

const NAMESPACES = ['factory', 'ingress-nginx', 'kube-system', 'vault', 'monitoring', 'other'];
let nextIp = 1;
const ip = () => `10.244.0.${nextIp++}`;

/** The factory pods, as their workloads in the manifests describe them. */
function factoryPods(manifests: any[]): PodModel[] {
  return manifests.filter((m) => m.spec?.template?.spec?.containers).map((m) => ({
    name: m.metadata.name.replace(/^factory-/, ''),
    namespace: m.metadata.namespace,
    labels: m.spec.template.metadata.labels,
    ip: ip(),
    ports: m.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []),
  }));
}

function clusterOf(manifests: any[]): ClusterModel {
  return {
    namespaces: Object.fromEntries(NAMESPACES.map((n) => [n, { 'kubernetes.io/metadata.name': n }])),
    policies: manifests.filter((m) => m.kind === 'NetworkPolicy'),
  };
}

const OTHERS: Host[] = [
  { name: 'acme-solver', namespace: 'factory', labels: { 'acme.cert-manager.io/http01-solver': 'true' }, ip: ip(), ports: [{ containerPort: 8089 }] },
  { name: 'ingress-nginx', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ip: ip() },
  { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: ip() },
  { name: 'vault', namespace: 'vault', labels: { 'app.kubernetes.io/name': 'vault' }, ip: ip() },
  { name: 'prometheus', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ip: ip() },
  // A pod of another namespace wearing the api's labels: labels alone must not let it in.
  { name: 'impostor', namespace: 'other', labels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'factory' }, ip: ip() },
  { name: 'internet', ip: '203.0.113.7' },
  { name: 'lan', ip: '192.168.1.10' },
  { name: 'metadata-service', ip: '169.254.169.254' },
];

const PORTS: { port: number; protocol: Probe['protocol'] }[] = [
  ...[8000, 8001, 9001, 6379, 5432, 8089, 8200, 8443, 8080, 3903, 443, 80, 22, 53].map((port) => ({ port, protocol: 'TCP' as const })),
  { port: 53, protocol: 'UDP' },
];

/** Every allowed probe as `from → to:port/protocol`. */
function allowedProbes(manifests: any[], extraPods: PodModel[] = []): string[] {
  const cluster = clusterOf(manifests);
  const hosts: Host[] = [...factoryPods(manifests), ...extraPods, ...OTHERS];
  const inFactory = (h: Host) => 'namespace' in h && h.namespace === 'factory';
  const out: string[] = [];
  for (const from of hosts) {
    for (const to of hosts) {
      if (from === to || !(inFactory(from) || inFactory(to))) continue;
      for (const p of PORTS) {
        if (isAllowed(cluster, { from, to, ...p })) out.push(`${from.name} → ${to.name}:${p.port}/${p.protocol}`);
      }
    }
  }
  return out.sort();
}

const DNS_CLIENTS = ['api', 'worker', 'dashboard', 'redis', 'postgresql', 'acme-solver'];

/** The flows of the guide's diagram and of issue 3, literally. */
const EXPECTED = [
  'ingress-nginx → api:8000/TCP',
  'ingress-nginx → acme-solver:8089/TCP',
  'api → dashboard:9001/TCP',
  'dashboard → api:8000/TCP',
  'api → redis:6379/TCP',
  'api → postgresql:5432/TCP',
  'worker → redis:6379/TCP',
  'worker → postgresql:5432/TCP',
  ...DNS_CLIENTS.flatMap((p) => [`${p} → kube-dns:53/UDP`, `${p} → kube-dns:53/TCP`]),
  'api → vault:8200/TCP',
  'worker → vault:8200/TCP',
  'api → internet:443/TCP',
  'worker → internet:443/TCP',
].sort();

/** The manifests of the ingress-nginx target. */
const controllerManifests = controllerSynthAll();

test('Network Policies: with the ingress controller, exactly the flows of the guide diagram, DNS, Vault and HTTPS egress', () => {
  expect(allowedProbes(controllerManifests)).toEqual(EXPECTED);
});

test('Default Deny Policy: default-deny-all selects every pod for Ingress and Egress with no rule', () => {
  const deny = distManifests.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'default-deny-all');
  expect(deny).toEqual({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: 'default-deny-all', namespace: 'factory' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
});

test('without its allow-list the namespace is closed: default-deny-all alone allows nothing', () => {
  const onlyDeny = distManifests.filter((m) => m.kind !== 'NetworkPolicy' || m.metadata.name === 'default-deny-all');
  expect(allowedProbes(onlyDeny)).toEqual([]);
});

test('data stores reach nothing but DNS, the dashboard reaches no data store, the worker does not reach the api', () => {
  const allowed = allowedProbes(distManifests);
  expect(allowed.filter((p) => /^(redis|postgresql) → /.test(p) && !/kube-dns/.test(p))).toEqual([]);
  expect(allowed.filter((p) => /^dashboard → (redis|postgresql)/.test(p))).toEqual([]);
  expect(allowed.filter((p) => /^worker → api:/.test(p))).toEqual([]);
});

test('the external HTTPS rule cannot reach private ranges or the metadata service', () => {
  const allowed = allowedProbes(distManifests);
  expect(allowed.filter((p) => / → (lan|metadata-service):/.test(p))).toEqual([]);
});

describe('Containment: security.factory.io/quarantine=true isolates a pod', () => {
  const api = factoryPods(controllerManifests).find((p) => p.name === 'api')!;
  const quarantined: PodModel = { ...api, name: 'api-quarantined', ip: ip(), labels: { ...api.labels, 'security.factory.io/quarantine': 'true' } };
  const allowed = allowedProbes(controllerManifests, [quarantined]);

  test('no probe to or from the quarantined api pod is allowed, DNS included', () => {
    expect(allowed.filter((p) => p.includes('api-quarantined'))).toEqual([]);
  });

  test('the other api replica and every other flow are unchanged', () => {
    expect(allowed).toEqual(EXPECTED);
  });
});

test('switching DNS, Vault and external HTTPS off in config removes exactly those flows', () => {
  const manifests = controllerSynthAll({ network: { dns: { enabled: false }, vault: { enabled: false }, externalHttps: { enabled: false } } });
  expect(allowedProbes(manifests)).toEqual(EXPECTED.filter((p) => !/kube-dns|vault|internet/.test(p)));
});

test('a Vault outside the cluster is reached by CIDR only', () => {
  const manifests = synthAll({ vault: { location: { cidr: '203.0.113.10/32' }, address: 'https://vault.example.com:8200' } });
  const cluster = clusterOf(manifests);
  const api = factoryPods(manifests).find((p) => p.name === 'api')!;
  expect(isAllowed(cluster, { from: api, to: { name: 'vault', ip: '203.0.113.10' }, port: 8200, protocol: 'TCP' })).toBe(true);
  expect(isAllowed(cluster, { from: api, to: { name: 'near', ip: '203.0.113.11' }, port: 8200, protocol: 'TCP' })).toBe(false);
});

describe('the committed dist/ (edge.target waf-tier, the default): the WAF tier\'s flows, from the same flow table', () => {
  const manifests = distManifests;
  const allowed = allowedProbes(manifests);
  /**
   * The edge's flows with the WAF tier: any address to its TLS port (it is the public entry: clients outside,
   * and pods of other namespaces through the same ipBlock), the tier to the api; DNS as every pod.
   */
  const WAF_EXPECTED = [
    ...EXPECTED.filter((p) => !/^ingress-nginx → | → acme-solver:/.test(p)),
    ...['internet', 'lan', 'metadata-service', 'impostor', 'ingress-nginx', 'kube-dns', 'vault', 'prometheus'].map((client) => `${client} → waf:8443/TCP`),
    'waf → api:8000/TCP',
    'prometheus → waf:3903/TCP',
    'waf → kube-dns:53/UDP',
    'waf → kube-dns:53/TCP',
  ].sort();

  test('GIVEN the WAF tier THEN the policies allow exactly: clients to its TLS port 8443 only, the tier to the api only, DNS; no controller or ACME solver flow', () => {
    expect(allowed).toEqual(WAF_EXPECTED);
  });

  test('GIVEN the WAF tier THEN its health port and every other port are closed to clients (its metrics port opens to Prometheus only), and it reaches no data store', () => {
    expect(allowed.filter((p) => /→ waf:(?!8443\/)/.test(p) && p !== 'prometheus → waf:3903/TCP')).toEqual([]);
    expect(allowed.filter((p) => /^waf → (?!api:8000|kube-dns)/.test(p))).toEqual([]);
  });

  test('GIVEN a WAF pod labelled security.factory.io/quarantine=true THEN nothing reaches it or leaves it, and the other flows are unchanged', () => {
    const waf = factoryPods(manifests).find((p) => p.name === 'waf')!;
    const quarantined: PodModel = { ...waf, name: 'waf-quarantined', ip: ip(), labels: { ...waf.labels, 'security.factory.io/quarantine': 'true' } };
    const withQuarantined = allowedProbes(manifests, [quarantined]);
    expect(withQuarantined.filter((p) => p.includes('waf-quarantined'))).toEqual([]);
    expect(withQuarantined).toEqual(WAF_EXPECTED);
  });
});
