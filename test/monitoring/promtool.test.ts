/**
 * The security alerts evaluated by Prometheus's own engine, on each edge target: `promtool check rules` on the
 * rendered PrometheusRule (the committed dist/ for the WAF tier, the default; the controller target's synthesized one), and
 * `promtool test rules` with, for each alert, input series of that target's counter on which it fires (with its
 * labels and rendered annotations) and series of normal traffic on which it stays silent. The series are built
 * from the config's thresholds and windows: twice the threshold fires, half stays silent.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { defaultConfig } from '../../lib/config';
import { FACTORY_INGRESSES } from '../../lib/edge/chart';
import { AUTH_FAILURE_STATUSES, type RequestCounter, SIGNALS, WAF_BLOCK_STATUS } from '../../lib/monitoring/alerts';
import { WAF_TIER_REQUEST_COUNTER, controllerRequestCounter } from '../../lib/monitoring/chart';
import { promDurationSeconds } from '../../lib/monitoring/duration';
import { promtool } from '../../lib/monitoring/promtool';
import { committedManifests, controllerSynthAll } from '../support';

const config = defaultConfig();

/** Each target: its PrometheusRule, the counter its alerts read, and the groups the manifests route. */
const TARGETS = [
  {
    target: 'ingress-nginx', docs: controllerSynthAll(), counter: controllerRequestCounter(config, FACTORY_INGRESSES),
    routed: (docs: any[]) => docs.filter((o) => o.kind === 'Ingress').map((o) => o.metadata.name as string),
  },
  {
    target: 'waf-tier', docs: committedManifests(), counter: WAF_TIER_REQUEST_COUNTER,
    // The routes the WAF tier's nginx names (its route map, and the default).
    routed: (docs: any[]) => {
      const conf: string = docs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'factory-waf').data['nginx.conf'];
      return [...new Set([...conf.matchAll(/^\s+(?:~\S+|default) (\w+);$/gm)].map((m) => m[1]))];
    },
  },
];

describe.each(TARGETS)('the security alerts on the $target target, evaluated by promtool', ({ target, docs, counter: requestCounter, routed }) => {
  const prometheusRule = docs.find((o) => o.kind === 'PrometheusRule');
  const ingresses = routed(docs);
  const rules = prometheusRule.spec.groups.flatMap((g: any) => g.rules) as any[];
  const ruleOf = (alert: string) => rules.find((r) => r.alert === alert);
  const c: RequestCounter = requestCounter;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `promtool-${target}-`));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  fs.writeFileSync(path.join(tmp, 'rules.yaml'), YAML.stringify({ groups: prometheusRule.spec.groups }));

  const minutes = (d: string) => promDurationSeconds(d) / 60;
  /** One series of the target's counter, growing by `perMinute` every minute from 0 (`0+Nx180`). */
  const counter = (group: string, status: string, perMinute: number, values = `0+${perMinute}x180`) => ({
    series: `${c.metric}{${c.namespaceLabel}="${config.namespace}",${c.groupLabel}="${group}",status="${status}"}`,
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

  const [apiIngress, authIngress] = [c.all[0], c.auth];
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
        exp_alerts: [{ exp_labels: { severity: s.severity, [c.groupLabel]: ingress, ...extraLabels }, exp_annotations: rendered(alert, String(2 * s.threshold), { [c.groupLabel]: ingress, ...extraLabels }) }],
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
        exp_alerts: [{ exp_labels: { severity: s.severity, [c.groupLabel]: apiIngress }, exp_annotations: rendered('FactoryWafAnomalySpike', String(s.factor * 2), { [c.groupLabel]: apiIngress }) }],
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
    FactoryAuthenticationFailures: countCase('FactoryAuthenticationFailures', 'authFailures', authIngress, AUTH_FAILURE_STATUSES[0], { source: c.source }),
    FactoryWafAnomalySpike: anomalyCase(),
    FactoryRateLimitTriggered: countCase('FactoryRateLimitTriggered', 'rateLimited', apiIngress, rateStatus),
  };

  /** Runs `promtool test rules` on one test group; its exit code and output. */
  function testRules(name: string, group: object) {
    const file = path.join(tmp, `${name}.test.yaml`);
    fs.writeFileSync(file, YAML.stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests: [group] }));
    return promtool(['test', 'rules', path.basename(file)], tmp);
  }

  describe('promtool', () => {
    it('GIVEN the rendered PrometheusRule WHEN promtool checks it THEN it reports the four alerts and no error', () => {
      const r = promtool(['check', 'rules', 'rules.yaml'], tmp);
      expect(r).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 4 rules found') });
    });

    it('GIVEN the guide\'s four signals THEN every alert has a firing and a silent case', () => {
      expect(Object.keys(CASES).sort()).toEqual(SIGNALS.map((s) => s.alert).sort());
      // The groups the alerts watch are the ones the manifests route (Ingresses, or the WAF tier's routes).
      expect([...ingresses].sort()).toEqual([...c.all].sort());
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
      group.alert_rule_test[0].exp_alerts[0].exp_annotations = rendered('FactoryWafBlockedRequests', String(2 * a.blockedRequests.threshold + 1), { [c.groupLabel]: apiIngress });
      const r = testRules('control-annotations', group);
      expect(r.status).toBe(1);
      expect(r.output).toMatch(/FAILED/);
    });
  });
});
