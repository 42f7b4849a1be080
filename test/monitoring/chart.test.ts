/**
 * lib/monitoring/chart.ts, rule.ts, service-monitor.ts: the PrometheusRule `factory-security-alerts` and
 * the controller's ServiceMonitor as synthesized, their refusals, and their validity against the
 * prometheus-operator CRDs' openAPIV3Schema.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { buildCharts } from '../../lib/app';
import { ConfigError } from '../../lib/config';
import { FACTORY_INGRESSES } from '../../lib/edge/chart';
import { type AlertRule, securityAlertRules } from '../../lib/monitoring/alerts';
import { MonitoringChart, controllerRequestCounter, edgeMonitoring } from '../../lib/monitoring/chart';
import { InvalidPromqlError } from '../../lib/monitoring/promql';
import { AlertRules, InvalidAlertRuleError } from '../../lib/monitoring/rule';
import { ControllerServiceMonitor } from '../../lib/monitoring/service-monitor';
import { crdDirectory } from '../../lib/validate/schema';
import { controllerConfig } from '../support';

const CRDS = path.join(crdDirectory(), 'prometheus-operator');

function synth(override: unknown = {}): any[] {
  const config = controllerConfig(override);
  return new MonitoringChart(Testing.app(), 'monitoring', { config, ...edgeMonitoring(config, FACTORY_INGRESSES) }).toJson();
}

function one(manifests: any[], kind: string): any {
  const found = manifests.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

/** Go's `(?i)` inline flag (used by the CRDs' patterns), as JavaScript's `i` flag. */
const goRegExp = Object.assign(
  (pattern: string, flags: string) => (pattern.includes('(?i)') ? new RegExp(pattern.replace('(?i)', ''), `${flags}i`) : new RegExp(pattern, flags)),
  { code: 'goRegExp' },
);

const validators = new Map<string, ReturnType<Ajv['compile']>>();

/** An ajv validator of a CRD's v1 openAPIV3Schema (Go's `(?i)` flag turned into JavaScript's `i`), compiled once. */
function crdValidator(file: string) {
  const cached = validators.get(file);
  if (cached) return cached;
  const crd = YAML.parse(fs.readFileSync(path.join(CRDS, file), 'utf8'));
  const schema = crd.spec.versions.find((v: any) => v.name === 'v1').schema.openAPIV3Schema;
  const ajv = new Ajv({
    strict: false, allErrors: true, validateFormats: false,
    code: { regExp: goRegExp },
  });
  const validate = ajv.compile(schema);
  validators.set(file, validate);
  return validate;
}

/** The default rules with one of them changed. */
function rulesWith(alert: string, change: Partial<AlertRule>): AlertRule[] {
  return securityAlertRules(controllerConfig({}), controllerRequestCounter(controllerConfig({}), FACTORY_INGRESSES)).map((r) => (r.alert === alert ? { ...r, ...change } : r));
}

function alertRules(rules: AlertRule[]): void {
  new AlertRules(Testing.chart(), 'alerts', { name: 'factory-security-alerts', namespace: 'factory', groupName: 'g', rules });
}

describe('PrometheusRule factory-security-alerts', () => {
  test('GIVEN the defaults THEN it lives in the factory namespace with one group holding the four alerts', () => {
    const rule = one(synth(), 'PrometheusRule');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toMatchObject({ name: 'factory-security-alerts', namespace: 'factory' });
    expect(rule.spec.groups.map((g: any) => g.name)).toEqual(['factory-security']);
    expect(rule.spec.groups[0].rules.map((r: any) => r.alert)).toEqual([
      'FactoryWafBlockedRequests', 'FactoryAuthenticationFailures', 'FactoryWafAnomalySpike', 'FactoryRateLimitTriggered',
    ]);
  });

  test('GIVEN the defaults THEN each synthesized rule carries its expr, for, severity and annotations', () => {
    const blocked = one(synth(), 'PrometheusRule').spec.groups[0].rules[0];
    expect(blocked).toEqual({
      alert: 'FactoryWafBlockedRequests',
      expr: 'sum by (ingress) (increase(nginx_ingress_controller_requests{namespace="factory", ingress=~"factory-api|factory-auth|factory-default", status="403"}[5m])) > 50',
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: expect.any(String), description: expect.any(String),
        runbook_url: 'https://github.com/factory-de-agentes/factory-security/blob/main/README.md#incident-response',
      },
    });
  });

  test('GIVEN monitoring.namespace and selectorLabels THEN the rule goes there and carries the labels Prometheus selects on', () => {
    const rule = one(synth({ monitoring: { namespace: 'monitoring', selectorLabels: { release: 'kube-prometheus-stack' } } }), 'PrometheusRule');
    expect(rule.metadata.namespace).toBe('monitoring');
    expect(rule.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'factory', 'release': 'kube-prometheus-stack' });
  });

  test.each([
    ['the defaults', {}],
    ['an application counter', { monitoring: { alerts: { authFailures: { appCounterMetric: 'factory_auth_failures_total' } } } }],
  ])('GIVEN %s THEN the PrometheusRule is valid against the CRD schema', (_what, override) => {
    const validate = crdValidator('monitoring.coreos.com_prometheusrules.yaml');
    const rule = one(synth(override), 'PrometheusRule');
    expect(validate(rule) ? [] : validate.errors).toEqual([]);
  });

  test('GIVEN the CRD schema WHEN a rule carries a malformed for: THEN the schema check refuses it (it can fail)', () => {
    const validate = crdValidator('monitoring.coreos.com_prometheusrules.yaml');
    const rule = one(synth(), 'PrometheusRule');
    rule.spec.groups[0].rules[0].for = '5 minutes';
    expect(validate(rule)).toBe(false);
  });
});

describe('the app', () => {
  test('GIVEN buildCharts THEN the monitoring chart is registered after the namespace and holds the PrometheusRule and ServiceMonitor', () => {
    const charts = buildCharts(Testing.app(), controllerConfig({}));
    expect(charts.monitoring!.node.dependencies).toContain(charts.namespace);
    expect(charts.monitoring!.toJson().map((m: any) => `${m.kind}/${m.metadata.name}`))
      .toEqual(['PrometheusRule/factory-security-alerts', 'ServiceMonitor/factory-ingress-controller']);
  });
});

describe('no expression that does not parse can be synthesized', () => {
  test('GIVEN an alert whose expression does not parse WHEN the PrometheusRule is built THEN it throws naming the alert', () => {
    const broken = rulesWith('FactoryWafAnomalySpike', { expr: 'sum(rate(nginx_ingress_controller_requests[5m]) > 3' });
    expect(() => alertRules(broken)).toThrow(InvalidPromqlError);
    expect(() => alertRules(broken)).toThrow(/^alert FactoryWafAnomalySpike: expression does not parse as PromQL/);
  });

  test('GIVEN an alert without a severity label WHEN built THEN it throws naming the alert', () => {
    expect(() => alertRules(rulesWith('FactoryRateLimitTriggered', { labels: { severity: '' } })))
      .toThrow(new InvalidAlertRuleError('FactoryRateLimitTriggered', ['has no severity label']));
  });

  test('GIVEN an alert whose runbook_url has no section anchor WHEN built THEN it throws naming the alert', () => {
    const rules = rulesWith('FactoryAuthenticationFailures', {
      annotations: { summary: 's', description: 'd', runbook_url: 'https://github.com/factory-de-agentes/factory-security' },
    });
    expect(() => alertRules(rules)).toThrow(/^alert FactoryAuthenticationFailures: runbook_url .* is not a link to a section/);
  });

  test('GIVEN two alerts with the same name WHEN built THEN the second is refused', () => {
    const rules = securityAlertRules(controllerConfig({}), controllerRequestCounter(controllerConfig({}), FACTORY_INGRESSES));
    expect(() => alertRules([...rules, rules[0]])).toThrow('alert FactoryWafBlockedRequests: is defined twice');
  });
});

describe('ServiceMonitor of the controller metrics', () => {
  test('GIVEN the defaults THEN it selects the controller\'s metrics Service by the label this project puts on it, port metrics, honoring labels', () => {
    const sm = one(synth(), 'ServiceMonitor');
    expect(sm.metadata).toMatchObject({ name: 'factory-ingress-controller', namespace: 'ingress-nginx' });
    expect(sm.spec).toEqual({
      selector: { matchLabels: { 'factory-security/scrape': 'ingress-nginx-metrics' } },
      namespaceSelector: { matchNames: ['ingress-nginx'] },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s', honorLabels: true }],
    });
  });

  test('GIVEN another controller namespace in edge.controller THEN the ServiceMonitor follows it', () => {
    const sm = one(synth({ edge: { controller: { namespace: 'edge' } } }), 'ServiceMonitor');
    expect(sm.metadata.namespace).toBe('edge');
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: ['edge'] });
  });

  test('GIVEN an explicit serviceMonitor namespace, selector, port and interval THEN they win over the defaults', () => {
    const sm = one(synth({ monitoring: { serviceMonitor: { namespace: 'obs', selector: { app: 'nginx-metrics' }, port: 'prom', interval: '15s' } } }), 'ServiceMonitor');
    expect(sm.metadata.namespace).toBe('obs');
    expect(sm.spec.selector.matchLabels).toEqual({ app: 'nginx-metrics' });
    expect(sm.spec.endpoints[0]).toMatchObject({ port: 'prom', interval: '15s' });
  });

  test('GIVEN serviceMonitor.enabled false THEN the chart holds no ServiceMonitor', () => {
    expect(synth({ monitoring: { serviceMonitor: { enabled: false } } }).filter((m) => m.kind === 'ServiceMonitor')).toEqual([]);
  });

  test('GIVEN an empty selector WHEN the ServiceMonitor construct is built THEN it is refused (it would match every Service)', () => {
    const chart = new Chart(Testing.app(), 'test');
    expect(() => new ControllerServiceMonitor(chart, 'sm', {
      name: 'factory-ingress-controller', namespace: 'ingress-nginx', selector: {}, port: 'metrics', interval: '30s',
    })).toThrow('ServiceMonitor factory-ingress-controller: selector must name at least one label (an empty selector matches every Service)');
  });

  test('GIVEN an empty monitoring.serviceMonitor.selector in the config WHEN synthesized THEN the config is refused naming the field', () => {
    expect(() => synth({ monitoring: { serviceMonitor: { selector: {} } } })).toThrow(ConfigError);
    expect(() => synth({ monitoring: { serviceMonitor: { selector: {} } } })).toThrow('monitoring.serviceMonitor.selector: {} must name at least one label');
  });

  test('GIVEN the defaults THEN the ServiceMonitor is valid against the CRD schema', () => {
    const validate = crdValidator('monitoring.coreos.com_servicemonitors.yaml');
    const sm = one(synth(), 'ServiceMonitor');
    expect(validate(sm) ? [] : validate.errors).toEqual([]);
  });
});
