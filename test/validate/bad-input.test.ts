/**
 * Bad input, refused with a message naming the field: invalid FACTORY_CONFIG files (config validation)
 * and invalid construct uses that only the manifest validation can see (hostPath, latest image, a
 * misspelled custom-resource field).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { FactoryChart } from '../../lib/chart';
import { ConfigError, defaultConfig, loadConfig } from '../../lib/config';
import { formatViolation, validateManifests } from '../../lib/validate';
import { ALIAS_BOMB } from '../support';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-config-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const load = (yaml: string | Buffer) => {
  const file = path.join(tmp, `config-${n++}.yaml`);
  fs.writeFileSync(file, yaml);
  return () => loadConfig({ FACTORY_CONFIG: file });
};

/** [what is wrong, FACTORY_CONFIG text, what the message must name]. */
const BAD_CONFIGS: [string, string | Buffer, RegExp][] = [
  ['an unknown top-level key', 'namespaces: factory\n', /\(root\): unknown key\(s\) "namespaces"/],
  ['an unknown component key', 'components:\n  api:\n    imagee: x:1\n', /components\.api: unknown key\(s\) "imagee"/],
  ['an unknown component', 'components:\n  cache: {}\n', /components: unknown key\(s\) "cache"/],
  ['a port of the wrong type', 'components:\n  api:\n    port: "8000"\n', /components\.api\.port/],
  ['replicas of the wrong type', 'components:\n  worker:\n    replicas: two\n', /components\.worker\.replicas/],
  ['a YAML syntax error', 'components:\n  api: [\n', /YAML syntax error/],
  ['a YAML alias bomb (it once crashed the synth with the yaml library\'s exception)', ALIAS_BOMB, /\(root\): YAML cannot be expanded: Excessive alias count/],
  ['binary bytes', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]), /\(root\): not a text file \(NUL byte at offset 3\)/],
  ['bytes that are not UTF-8', Buffer.from('namespace: caf\xe9\n', 'latin1'), /\(root\): not UTF-8 text/],
  ['a document that is a string, not a mapping', 'just some words\n', /\(root\): .*expected object.*\(got "just some words"\)/i],
  ['an image on latest', 'components:\n  api:\n    image: ghcr.io/factory-de-agentes/factory:latest\n', /components\.api\.image: image .* is tagged "latest"/],
  ['an untagged image', 'components:\n  redis:\n    image: redis\n', /components\.redis\.image: image "redis" is untagged/],
  ['a limit above the LimitRange max cpu', 'components:\n  worker:\n    resources:\n      limits: {cpu: "3", memory: 2Gi}\n', /components\.worker\.resources\.limits\.cpu: "3" is above the LimitRange max cpu "2"/],
  ['a limit above the LimitRange max memory', 'components:\n  postgresql:\n    resources:\n      limits: {cpu: "1", memory: 8Gi}\n', /components\.postgresql\.resources\.limits\.memory/],
  ['a request above its limit', 'components:\n  api:\n    resources:\n      requests: {cpu: 1500m, memory: 256Mi}\n', /components\.api\.resources\.requests\.cpu: request "1500m" is above the limit "1"/],
  ['an invalid CPU quantity', 'limitRange:\n  max: {cpu: two, memory: 4Gi}\n', /limitRange\.max\.cpu: must be a CPU quantity/],
  ['an invalid memory quantity', 'storage:\n  redis: 8GB\n', /storage\.redis: must be a memory quantity/],
  ['an invalid namespace (DNS label)', 'namespace: Factory_NS\n', /namespace: must be an RFC 1123 DNS label/],
  ['an invalid host (DNS name)', 'host: -factory.example.com\n', /host: must be an RFC 1123 DNS name/],
  ['a port out of range (0)', 'components:\n  api:\n    port: 0\n', /components\.api\.port: must be a port from 1 to 65535/],
  ['a port out of range (70000)', 'components:\n  dashboard:\n    port: 70000\n', /components\.dashboard\.port: must be a port from 1 to 65535/],
  ['duplicate ports', 'components:\n  worker:\n    port: 8000\n', /components\.worker\.port: port 8000 is already used by api/],
  ['a bad e-mail', 'edge:\n  certificate:\n    acmeEmail: security-at-factory\n', /edge\.certificate\.acmeEmail: must be an e-mail address/],
  ['root as the pod user', 'podSecurity:\n  runAsUser: 0\n', /podSecurity\.runAsUser: must be a non-root id/],
  ['zero replicas', 'components:\n  api:\n    replicas: 0\n', /components\.api\.replicas: must be at least 1/],
  ['a TLS protocol the guide forbids', 'edge:\n  tls:\n    protocols: [TLSv1.1]\n', /edge\.tls\.protocols\.0/],
  ['a WAF paranoia level out of range', 'waf:\n  paranoiaLevel: 5\n', /waf\.paranoiaLevel/],
  ['anomaly windows that are not Prometheus durations (they once crashed the synth inside the monitoring code)', 'monitoring:\n  alerts:\n    anomalySpike: {window: -5m, baselineWindow: "x\' ; y"}\n', /monitoring\.alerts\.anomalySpike\.window: must be a Prometheus duration .*\(got "-5m"\)/],
  ['a label selector with a key Kubernetes refuses', 'monitoring:\n  selectorLabels: {"release name": kube-prometheus-stack}\n', /monitoring\.selectorLabels\.release name: must be a Kubernetes label key/],
  ['a label value with a line break', 'network:\n  dns:\n    podLabels: {k8s-app: "kube-dns\\nx"}\n', /network\.dns\.podLabels\.k8s-app: must be a Kubernetes label value/],
  ['an audit status pattern that would end its quoted SecLang value', 'waf:\n  audit:\n    relevantStatus: \'^5" \\nSecRuleEngine Off\'\n', /waf\.audit\.relevantStatus: must be one line without double quotes/],
  ['a runbook URL with a line break (a URL parser drops it silently)', 'monitoring:\n  runbookBaseUrl: "https://example.com/runbook\\nx: y"\n', /monitoring\.runbookBaseUrl: must not contain whitespace or control characters/],
  ['a security header value with a tab', 'edge:\n  securityHeaders:\n    X-Frame-Options: "DENY\\tALLOW"\n', /edge\.securityHeaders\.X-Frame-Options: "DENY\\tALLOW" must not contain/],
  ['a sync refresh interval that is not a Go duration', 'vault:\n  sync:\n    refreshInterval: hourly\n', /vault\.sync\.refreshInterval: must be a Go duration .*\(got "hourly"\)/],
  ['a provided object without a reason', 'providedObjects:\n  - {kind: Secret, name: regcred, reason: ""}\n', /providedObjects\.0\.reason: must say why the operator provides it/],
  ['a provided object of a kind pods do not reference', 'providedObjects:\n  - {kind: Deployment, name: x, reason: y}\n', /providedObjects\.0\.kind/],
];

describe('invalid FACTORY_CONFIG files are refused naming the field', () => {
  it('GIVEN the table THEN it holds at least 20 distinct refusals', () => {
    expect(BAD_CONFIGS.length).toBeGreaterThanOrEqual(20);
  });

  it.each(BAD_CONFIGS)('GIVEN %s THEN loadConfig refuses it naming the file and the field', (_what, yaml, message) => {
    const refused = load(yaml);
    expect(refused).toThrow(ConfigError);
    expect(refused).toThrow(message);
    expect(refused).toThrow(`invalid configuration in FACTORY_CONFIG=${path.join(tmp, `config-${n - 1}.yaml`)}:`);
  });

  it('GIVEN a FACTORY_CONFIG naming a missing file THEN refused naming the file', () => {
    const file = path.join(tmp, 'missing.yaml');
    expect(() => loadConfig({ FACTORY_CONFIG: file })).toThrow(new RegExp(`FACTORY_CONFIG=${file}.*cannot read the file \\(ENOENT\\)`, 's'));
  });
});

/** The violations of a chart built by `build`, as report lines. */
function violationsOf(build: (chart: FactoryChart) => void): string[] {
  const app = Testing.app();
  const chart = new FactoryChart(app, 'misuse', { podIdentity: defaultConfig().podSecurity, namespace: 'factory' });
  build(chart);
  return validateManifests(chart.toJson().map((object: any) => ({ file: 'misuse.k8s.yaml', object })), { only: ['pod-security', 'schema'] })
    .map(formatViolation);
}

describe('invalid construct uses are refused by the manifest validation', () => {
  const workload = (chart: FactoryChart, image: string) => {
    const sa = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'misuse' } });
    const d = new kplus.Deployment(chart, 'd', { metadata: { name: 'misuse' }, serviceAccount: sa, securityContext: { ensureNonRoot: true } });
    const c = d.addContainer({ name: 'app', image, portNumber: 8080, securityContext: { ensureNonRoot: true, readOnlyRootFilesystem: true } });
    return { d, c };
  };

  it('GIVEN a workload with a hostPath volume THEN refused at restricted naming spec.template.spec.volumes[…].hostPath', () => {
    const lines = violationsOf((chart) => {
      const { c } = workload(chart, 'ghcr.io/factory-de-agentes/factory:1.0.0');
      c.mount('/host', kplus.Volume.fromHostPath(chart, 'host', 'host', { path: '/var/run' }));
    });
    expect(lines).toEqual([expect.stringMatching(/Deployment\/factory\/misuse: spec\.template\.spec\.volumes\[0\]\.hostPath: \[pod-security\/restricted:latest\/restrictedVolumes\]/)]);
  });

  it('GIVEN a container image on latest THEN refused by the image-pinned policy naming the image field', () => {
    const app = Testing.app();
    const chart = new FactoryChart(app, 'misuse', { podIdentity: defaultConfig().podSecurity, namespace: 'factory' });
    workload(chart, 'nginx:latest');
    const lines = validateManifests(chart.toJson().map((object: any) => ({ file: 'misuse.k8s.yaml', object })), { only: ['policy'] }).map(formatViolation);
    expect(lines).toContainEqual(expect.stringMatching(/spec\.template\.spec\.containers\[0\]\.image: \[policy\/image-pinned\] image "nginx:latest" is tagged "latest"/));
  });

  it('GIVEN a Certificate with a misspelled field through a raw ApiObject THEN refused naming the field', () => {
    const lines = violationsOf((chart) => new ApiObject(chart, 'cert', {
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'factory-tls' },
      spec: { secretName: 'factory-tls', dnsNames: ['factory.example.com'], issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer' }, renewBefor: '720h' },
    }));
    expect(lines).toEqual([expect.stringMatching(/Certificate\/factory\/factory-tls: spec\.renewBefor: \[schema\/cert-manager\.io\/v1\] unknown field "renewBefor"/)]);
  });

  it('GIVEN a workload escape-hatched onto the host network THEN refused naming spec.template.spec.hostNetwork', () => {
    const lines = violationsOf((chart) => {
      const { d } = workload(chart, 'ghcr.io/factory-de-agentes/factory:1.0.0');
      ApiObject.of(d).addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true));
    });
    expect(lines).toContainEqual(expect.stringMatching(/spec\.template\.spec\.hostNetwork: \[pod-security\/restricted:latest\/hostNamespaces\]/));
  });
});
