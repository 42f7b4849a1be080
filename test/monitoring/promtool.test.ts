/**
 * The security alerts evaluated by Prometheus's own engine: `promtool check rules` on the rendered
 * PrometheusRule of dist/, and `promtool test rules` with, for each alert, input series on which it fires
 * (with its labels and rendered annotations) and series of normal traffic on which it stays silent. The
 * series are built from the config's thresholds and windows: twice the threshold fires, half stays silent.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { defaultConfig } from '../../lib/config';
import { AUTH_FAILURE_STATUSES, INGRESS_REQUESTS_METRIC, SIGNALS, WAF_BLOCK_STATUS } from '../../lib/monitoring/alerts';
import { promDurationSeconds } from '../../lib/monitoring/duration';
import { promtool } from '../../lib/monitoring/promtool';
import { committedManifests } from '../support';

const config = defaultConfig();
const docs = committedManifests();
const prometheusRule = docs.find((o) => o.kind === 'PrometheusRule');
const ingresses = docs.filter((o) => o.kind === 'Ingress').map((o) => o.metadata.name as string);
const rules = prometheusRule.spec.groups.flatMap((g: any) => g.rules) as any[];
const ruleOf = (alert: string) => rules.find((r) => r.alert === alert);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
fs.writeFileSync(path.join(tmp, 'rules.yaml'), YAML.stringify({ groups: prometheusRule.spec.groups }));

const minutes = (d: string) => promDurationSeconds(d) / 60;
/** One request counter of the controller, growing by `perMinute` every minute from 0 (`0+Nx180`). */
const counter = (ingress: string, status: string, perMinute: number, values = `0+${perMinute}x180`) => ({
  series: `${INGRESS_REQUESTS_METRIC}{${config.monitoring.namespaceLabel}="${config.namespace}",ingress="${ingress}",status="${status}"}`,
  values,
});
/** Normal traffic beside every case: successful requests on every Ingress. */
const normal = ingresses.map((i) => counter(i, '200', 600));
/** An alert's annotations as Prometheus renders them for one value and one set of labels. */
function rendered(alert: string, value: string, labels: Record<string, string>): Record<string, string> {
  const r = ruleOf(alert);
  const fill = (t: string) => t.replace(/\{\{ \$value \| humanize \}\}/g, value).replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, l) => labels[l]);
  return Object.fromEntries(Object.entries(r.annotations as Record<string, string>).map(([k, v]) => [k, fill(v)]));
}

const [apiIngress, authIngress] = ['factory-api', 'factory-auth'];
const a = config.monitoring.alerts;
const rateStatus = String(config.edge.rateLimits.statusCode);

/** For a count alert: a counter that makes `increase(…[window])` twice (fires) or half (silent) the threshold. */
function countCase(alert: string, key: 'blockedRequests' | 'authFailures' | 'rateLimited', ingress: string, status: string, extraLabels: Record<string, string> = {}) {
  const s = a[key];
  const evalMinutes = minutes(s.window) + minutes(s.for) + 10;
  const firing = {
    interval: '1m',
    input_series: [...normal, counter(ingress, status, (2 * s.threshold) / minutes(s.window))],
    alert_rule_test: [{
      eval_time: `${evalMinutes}m`, alertname: alert,
      exp_alerts: [{ exp_labels: { severity: s.severity, ingress, ...extraLabels }, exp_annotations: rendered(alert, String(2 * s.threshold), { ingress, ...extraLabels }) }],
    }],
  };
  const silent = {
    interval: '1m',
    input_series: [...normal, counter(ingress, status, s.threshold / 2 / minutes(s.window))],
    alert_rule_test: [{ eval_time: `${evalMinutes}m`, alertname: alert, exp_alerts: [] }],
  };
  return { firing, silent };
}

/** The anomaly alert: no 403 for 90 minutes, then a burst; silent on a steady rate at the floor. */
function anomalyCase() {
  const s = a.anomalySpike;
  const burstPerMinute = s.baselineFloor * 60 * s.factor * 2; // twice the factor over the floor
  const start = minutes(s.baselineWindow) + 30;
  const evalMinutes = start + minutes(s.window) + minutes(s.for) + 1;
  const firing = {
    interval: '1m',
    input_series: [...normal, counter(apiIngress, WAF_BLOCK_STATUS, 0, `0x${start} ${burstPerMinute}+${burstPerMinute}x120`)],
    alert_rule_test: [{
      eval_time: `${evalMinutes}m`, alertname: 'FactoryWafAnomalySpike',
      exp_alerts: [{ exp_labels: { severity: s.severity, ingress: apiIngress }, exp_annotations: rendered('FactoryWafAnomalySpike', String(s.factor * 2), { ingress: apiIngress }) }],
    }],
  };
  const silent = {
    interval: '1m',
    input_series: [...normal, counter(apiIngress, WAF_BLOCK_STATUS, s.baselineFloor * 60)],
    alert_rule_test: [{ eval_time: `${evalMinutes}m`, alertname: 'FactoryWafAnomalySpike', exp_alerts: [] }],
  };
  return { firing, silent };
}

const CASES: Record<string, { firing: object; silent: object }> = {
  FactoryWafBlockedRequests: countCase('FactoryWafBlockedRequests', 'blockedRequests', apiIngress, WAF_BLOCK_STATUS),
  FactoryAuthenticationFailures: countCase('FactoryAuthenticationFailures', 'authFailures', authIngress, AUTH_FAILURE_STATUSES[0], { source: 'ingress' }),
  FactoryWafAnomalySpike: anomalyCase(),
  FactoryRateLimitTriggered: countCase('FactoryRateLimitTriggered', 'rateLimited', apiIngress, rateStatus),
};

/** Runs `promtool test rules` on one test group; its exit code and output. */
function testRules(name: string, group: object) {
  const file = path.join(tmp, `${name}.test.yaml`);
  fs.writeFileSync(file, YAML.stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests: [group] }));
  return promtool(['test', 'rules', path.basename(file)], tmp);
}

describe('the security alerts, evaluated by promtool', () => {
  it('GIVEN the rendered PrometheusRule WHEN promtool checks it THEN it reports the four alerts and no error', () => {
    const r = promtool(['check', 'rules', 'rules.yaml'], tmp);
    expect(r).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 4 rules found') });
  });

  it('GIVEN the guide\'s four signals THEN every alert has a firing and a silent case', () => {
    expect(Object.keys(CASES).sort()).toEqual(SIGNALS.map((s) => s.alert).sort());
    expect(ingresses).toEqual(expect.arrayContaining([apiIngress, authIngress]));
  });

  it.each(Object.keys(CASES))('GIVEN traffic over the thresholds of %s WHEN evaluated THEN it fires with its labels and annotations', (alert) => {
    const r = testRules(`${alert}-firing`, CASES[alert].firing);
    expect(r).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it.each(Object.keys(CASES))('GIVEN normal traffic WHEN %s is evaluated THEN it stays silent', (alert) => {
    const r = testRules(`${alert}-silent`, CASES[alert].silent);
    expect(r).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('GIVEN a control: the firing traffic WITH the silent expectation THEN promtool fails the test (the cases can fail)', () => {
    const group = structuredClone(CASES.FactoryWafBlockedRequests.firing) as any;
    group.alert_rule_test[0].exp_alerts = [];
    const r = testRules('control', group);
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/FAILED/);
  });

  it('GIVEN a control: the firing traffic WITH another value in the description THEN promtool fails the test (annotations are compared)', () => {
    const group = structuredClone(CASES.FactoryWafBlockedRequests.firing) as any;
    group.alert_rule_test[0].exp_alerts[0].exp_annotations = rendered('FactoryWafBlockedRequests', String(2 * a.blockedRequests.threshold + 1), { ingress: apiIngress });
    const r = testRules('control-annotations', group);
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/FAILED/);
  });
});
