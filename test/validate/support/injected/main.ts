// `npm run synth`'s entry (main.ts) with a wrong construct use injected, run by the end-to-end test through
// scripts/run.cjs like synth itself: appends a Deployment with a hostPath volume and an image on `latest`, and
// a Certificate with a misspelled field, to the manifests the first chart hands out (FactoryChart.toJson, after
// its hardening). Nothing of the project is edited; the patch reaches the chart class that main.ts uses because both
// are bundled into this one entry. (The file is named
// main.ts because main.ts runs its main() only as the entry of a bundle of that name.)
import { FactoryChart } from '../../../../lib/chart';

const original = FactoryChart.prototype.toJson;
let injected = false;
FactoryChart.prototype.toJson = function toJson(this: FactoryChart): any[] {
  const manifests = original.call(this);
  if (injected) return manifests;
  injected = true;
  return [...manifests, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'injected', namespace: 'factory' },
    spec: {
      selector: { matchLabels: { app: 'injected' } },
      template: {
        metadata: { labels: { app: 'injected' } },
        spec: {
          serviceAccountName: 'factory-api',
          containers: [{ name: 'app', image: 'nginx:latest', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } } }],
          volumes: [{ name: 'host', hostPath: { path: '/var/run' } }],
        },
      },
    },
  }, {
    apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'injected-tls', namespace: 'factory' },
    spec: { secretName: 'injected-tls', dnsName: ['factory.example.com'], issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer' } },
  }];
};

// Loaded after the patch (an import would be hoisted above it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../../../main');
