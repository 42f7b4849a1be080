// Another team's cdk8s app: a hardened namespace, zero-trust policies and a hardened workload, from its own values.
import { App, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { type Endpoint, FactoryChart, FlowPolicies, HardenedNamespace, tcp } from 'factory-security';

const app = new App({ outdir: process.argv[2] ?? 'dist' });
const podIdentity = { runAsUser: 2000, runAsGroup: 2000, fsGroup: 2000 };

// The namespace (cluster-scoped) in a chart of its own; everything else in the namespace's chart.
new HardenedNamespace(new FactoryChart(app, 'billing-namespace', { podIdentity }), 'namespace', { name: 'billing' });
const chart = new FactoryChart(app, 'billing', { namespace: 'billing', podIdentity });

const web: Endpoint = { kind: 'local-pods', label: 'web', podLabels: { app: 'web' } };
const db: Endpoint = { kind: 'local-pods', label: 'db', podLabels: { app: 'db' } };
new FlowPolicies(chart, 'policies', {
  flows: [{ from: web, to: db, ports: [tcp(5432)], why: 'web reads the billing database' }],
});

// Hardened by FactoryChart on its way out: uid 2000, seccomp RuntimeDefault, every capability dropped.
// One replica (two would need a PodDisruptionBudget), its scratch space on the node's disk bounded.
new kplus.Deployment(chart, 'web', {
  metadata: { name: 'web' },
  replicas: 1,
  podMetadata: { labels: { app: 'web' } },
  serviceAccount: new kplus.ServiceAccount(chart, 'web-sa', { metadata: { name: 'web' }, automountToken: false }),
  automountServiceAccountToken: false,
}).addContainer({
  name: 'web', image: 'ghcr.io/example/web:1.4.2', portNumber: 8080,
  resources: {
    cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
    memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
    ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(2) },
  },
});

app.synth();
