// Preloaded into `npm run synth` by the end-to-end test (NODE_OPTIONS=--require): appends a Deployment
// with a hostPath volume and an image on `latest`, and a Certificate with a misspelled field, to the
// first chart's manifests, exactly as a wrong construct use would. Nothing of the project is edited.
const cdk8s = require(require.resolve('cdk8s', { paths: [process.cwd()] }));
const original = cdk8s.Chart.prototype.toJson;
let injected = false;
cdk8s.Chart.prototype.toJson = function toJson() {
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
