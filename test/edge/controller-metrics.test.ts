/**
 * The metrics the alerts read exist on both install paths, and the ServiceMonitor selects exactly them:
 * the Helm values turn the controller's metrics and metrics Service on with the labels the ServiceMonitor
 * selects; the static install gets the flag (JSON patch), the named port (strategic patch) and a metrics
 * Service with the same labels. Read from the written files, as Helm and kubectl read them.
 */
import * as YAML from 'yaml';
import { synthesizeConfig } from '../../main';
import { controllerConfig, controllerSynthAll } from '../support';

// The controller target's files, as synth writes them for it (the committed tree holds the WAF tier's).
const outputs = synthesizeConfig(controllerConfig());
const read = (file: string) => outputs.get(file)!;
const dist = controllerSynthAll();
const serviceMonitor = dist.find((o) => o.kind === 'ServiceMonitor');
const prometheusRule = dist.find((o) => o.kind === 'PrometheusRule');
const values = YAML.parse(read('ingress-nginx/values.yaml')).controller;
const staticService = YAML.parse(read('ingress-nginx/metrics-service.k8s.yaml'));
const strategicPatch = YAML.parse(read('ingress-nginx/controller-patch.yaml'));
const flagPatch = JSON.parse(read('ingress-nginx/controller-metrics-patch.json'));

/** Whether a label selector's matchLabels select an object with these labels. */
const selects = (matchLabels: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(matchLabels).every(([k, v]) => labels[k] === v);

describe('the controller metrics the alerts read (Helm values)', () => {
  it('GIVEN the values THEN the chart turns the metrics and the metrics Service on', () => {
    expect(values.metrics).toMatchObject({ enabled: true, port: 10254, service: { enabled: true } });
  });

  it('GIVEN the values\' metrics Service labels THEN the ServiceMonitor selects that Service, by its port name', () => {
    expect(selects(serviceMonitor.spec.selector.matchLabels, values.metrics.service.labels)).toBe(true);
    expect(serviceMonitor.spec.endpoints.map((e: any) => e.port)).toEqual([values.metrics.portName]);
    expect(serviceMonitor.spec.namespaceSelector.matchNames).toEqual(['ingress-nginx']);
  });

  it('GIVEN a control: the controller\'s main Service of the chart (its labels without the metrics labels) THEN the ServiceMonitor does not select it', () => {
    const chartServiceLabels = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' };
    expect(selects(serviceMonitor.spec.selector.matchLabels, chartServiceLabels)).toBe(false);
  });
});

describe('the controller metrics the alerts read (static install)', () => {
  it('GIVEN the JSON patch THEN it appends --enable-metrics=true to the controller\'s arguments (off in the binary and in the static manifests)', () => {
    expect(flagPatch).toEqual([{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--enable-metrics=true' }]);
  });

  it('GIVEN the static metrics Service THEN the ServiceMonitor selects it and it targets the port the patch names', () => {
    expect(selects(serviceMonitor.spec.selector.matchLabels, staticService.metadata.labels)).toBe(true);
    const port = strategicPatch.spec.template.spec.containers[0].ports[0];
    expect(port).toEqual({ name: serviceMonitor.spec.endpoints[0].port, containerPort: 10254, protocol: 'TCP' });
    expect(staticService.spec.ports).toEqual([{ name: port.name, port: 10254, targetPort: port.name, protocol: 'TCP' }]);
    expect(staticService.spec.selector).toEqual({ 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
  });
});

describe('what Prometheus selects', () => {
  it.each([['PrometheusRule', () => prometheusRule], ['ServiceMonitor', () => serviceMonitor]])('GIVEN the %s THEN it carries the label a kube-prometheus-stack release selects by default', (_k, object) => {
    expect(object().metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
  });
});
