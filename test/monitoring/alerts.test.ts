/**
 * lib/monitoring/alerts.ts (guide: "Monitoring Alerts"): one alert per signal of the guide, built from
 * the config's thresholds, windows, `for:` durations and severities, watching the edge's Ingresses.
 */
import { defaultConfig, parseConfig } from '../../lib/config';
import { FACTORY_INGRESSES } from '../../lib/edge/chart';
import { type AlertRule, SIGNALS, securityAlertRules } from '../../lib/monitoring/alerts';
import { controllerRequestCounter } from '../../lib/monitoring/chart';
import { promqlSyntaxErrors } from '../../lib/monitoring/promql';

const ingresses = controllerRequestCounter(defaultConfig(), FACTORY_INGRESSES);

function rules(override: unknown = {}): AlertRule[] {
  const config = parseConfig(override);
  return securityAlertRules(config, controllerRequestCounter(config, FACTORY_INGRESSES));
}

function rule(name: string, override: unknown = {}): AlertRule {
  const found = rules(override).filter((r) => r.alert === name);
  if (found.length !== 1) throw new Error(`expected one alert ${name}, found ${found.length}`);
  return found[0];
}

/** The configs the tests synthesize: every expression of each must parse. */
const CONFIGS: [string, unknown][] = [
  ['the guide defaults', {}],
  ['an application counter and other thresholds', {
    monitoring: { alerts: { authFailures: { appCounterMetric: 'factory_auth_failures_total', threshold: 3 }, anomalySpike: { factor: 2.5, baselineFloor: 0.5 } } },
  }],
  ['an unmanaged ServiceMonitor with exported_namespace', { monitoring: { namespaceLabel: 'exported_namespace', serviceMonitor: { enabled: false } } }],
  ['a rate limit answering 503 and hours-long windows', { edge: { rateLimits: { statusCode: 503 } }, monitoring: { alerts: { anomalySpike: { window: '1h', baselineWindow: '1d' } } } }],
];

describe('Monitoring Alerts: one alert per guide signal', () => {
  test('GIVEN the guide defaults THEN there are four alerts, in the guide order: blocked requests, authentication failures, anomaly score spikes, rate limit triggers', () => {
    expect(SIGNALS.map((s) => s.guide)).toEqual([
      'Blocked requests exceeding threshold', 'Authentication failures', 'Anomaly score spikes', 'Rate limit triggers',
    ]);
    expect(rules().map((r) => r.alert)).toEqual([
      'FactoryWafBlockedRequests', 'FactoryAuthenticationFailures', 'FactoryWafAnomalySpike', 'FactoryRateLimitTriggered',
    ]);
  });

  test.each(CONFIGS)('GIVEN %s WHEN the alerts are built THEN every expression parses with the Prometheus grammar', (_what, override) => {
    for (const r of rules(override)) expect({ alert: r.alert, errors: promqlSyntaxErrors(r.expr) }).toEqual({ alert: r.alert, errors: [] });
  });

  test('GIVEN the edge Ingress table THEN the alerts watch factory-api, factory-auth and the catch-all factory-default, with factory-auth as the auth Ingress', () => {
    expect(ingresses).toMatchObject({ all: ['factory-api', 'factory-auth', 'factory-default'], auth: 'factory-auth' });
  });
});

describe('Blocked requests exceeding threshold', () => {
  test('GIVEN the defaults THEN more than 50 WAF 403s per Ingress in 5m, held 5m, raise a warning', () => {
    const r = rule('FactoryWafBlockedRequests');
    expect(r.expr).toBe('sum by (ingress) (increase(nginx_ingress_controller_requests{namespace="factory", ingress=~"factory-api|factory-auth|factory-default", status="403"}[5m])) > 50');
    expect(r.for).toBe('5m');
    expect(r.labels).toEqual({ severity: 'warning' });
  });

  test('GIVEN a threshold, window, for and severity in config THEN the alert uses them', () => {
    const r = rule('FactoryWafBlockedRequests', { monitoring: { alerts: { blockedRequests: { threshold: 7, window: '10m', for: '1m', severity: 'critical' } } } });
    expect(r.expr).toMatch(/\[10m\]\)\) > 7$/);
    expect(r.for).toBe('1m');
    expect(r.labels.severity).toBe('critical');
  });

  test('GIVEN another namespace THEN the expression matches the Ingresses there', () => {
    expect(rule('FactoryWafBlockedRequests', { namespace: 'factory-staging' }).expr).toContain('namespace="factory-staging"');
  });

  test('GIVEN namespaceLabel exported_namespace THEN the Ingress namespace is matched on exported_namespace', () => {
    const r = rule('FactoryWafBlockedRequests', { monitoring: { namespaceLabel: 'exported_namespace', serviceMonitor: { enabled: false } } });
    expect(r.expr).toContain('{exported_namespace="factory", ');
  });
});

describe('Authentication failures', () => {
  const ingressFailures = 'label_replace(sum by (ingress) (increase(nginx_ingress_controller_requests{namespace="factory", ingress="factory-auth", status=~"401|403"}[5m])), "source", "ingress", "", "") > 20';
  const appFailures = 'label_replace(sum(increase(factory_auth_failures_total{namespace="factory"}[5m])), "source", "application", "", "") > 20';

  test('GIVEN the defaults THEN the alert is held 5m and raises a warning', () => {
    const r = rule('FactoryAuthenticationFailures');
    expect(r.for).toBe('5m');
    expect(r.labels).toEqual({ severity: 'warning' });
  });

  test('GIVEN no application counter (the defaults) THEN the whole expression is: more than 20 401/403 on factory-auth in 5m, tagged source="ingress"', () => {
    expect(rule('FactoryAuthenticationFailures').expr).toBe(ingressFailures);
  });

  test('GIVEN an application counter in config THEN the expression is the Ingress count or the counter, in the platform namespace, with the same threshold', () => {
    const r = rule('FactoryAuthenticationFailures', { monitoring: { alerts: { authFailures: { appCounterMetric: 'factory_auth_failures_total' } } } });
    expect(r.expr).toBe(`${ingressFailures}\nor\n${appFailures}`);
    expect(r.annotations.description).toContain('factory_auth_failures_total');
  });
});

describe('Anomaly score spikes', () => {
  test('GIVEN the defaults THEN the 5m block rate is compared with the hour before it, floored at 0.05/s, alerting above 3 times for 2m as critical', () => {
    const r = rule('FactoryWafAnomalySpike');
    const blocks = 'nginx_ingress_controller_requests{namespace="factory", ingress=~"factory-api|factory-auth|factory-default", status="403"}';
    expect(r.expr).toBe(
      `sum by (ingress) (rate(${blocks}[5m]))\n/\n`
      + `clamp_min(sum by (ingress) (rate(${blocks}[1h] offset 5m)) or sum by (ingress) (rate(${blocks}[5m])) * 0, 0.05)\n> 3`,
    );
    expect(r.for).toBe('2m');
    expect(r.labels).toEqual({ severity: 'critical' });
  });

  test('GIVEN a factor, windows and floor in config THEN the ratio uses them', () => {
    const r = rule('FactoryWafAnomalySpike', { monitoring: { alerts: { anomalySpike: { factor: 5, window: '10m', baselineWindow: '6h', baselineFloor: 1 } } } });
    expect(r.expr).toContain('[6h] offset 10m');
    expect(r.expr).toMatch(/, 1\)\n> 5$/);
  });
});

describe('Rate limit triggers', () => {
  test('GIVEN the defaults THEN more than 100 responses with status 429 per Ingress in 5m, held 5m, raise a warning', () => {
    const r = rule('FactoryRateLimitTriggered');
    expect(r.expr).toBe('sum by (ingress) (increase(nginx_ingress_controller_requests{namespace="factory", ingress=~"factory-api|factory-auth|factory-default", status="429"}[5m])) > 100');
    expect(r.for).toBe('5m');
    expect(r.labels).toEqual({ severity: 'warning' });
  });

  test('GIVEN the rate limit status changed in edge.rateLimits.statusCode THEN the alert counts that status', () => {
    expect(rule('FactoryRateLimitTriggered', { edge: { rateLimits: { statusCode: 503 } } }).expr).toContain('status="503"');
  });
});

describe('every alert carries a severity, a summary, a description and the runbook link', () => {
  test('GIVEN the defaults THEN runbook_url is the README "Incident response" section on GitHub', () => {
    for (const r of rules()) {
      expect(r.annotations.runbook_url).toBe('https://github.com/factory-de-agentes/factory-security/blob/main/README.md#incident-response');
    }
  });

  test('GIVEN another runbook base URL THEN every runbook_url points at its incident-response anchor', () => {
    const base = 'https://git.example.com/sec/factory-security/-/blob/main/README.md';
    for (const r of rules({ monitoring: { runbookBaseUrl: base } })) expect(r.annotations.runbook_url).toBe(`${base}#incident-response`);
  });

  test('GIVEN the defaults THEN each alert has a severity label and a non-empty summary and description', () => {
    for (const r of securityAlertRules(defaultConfig(), ingresses)) {
      expect(['info', 'warning', 'critical']).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      expect(r.annotations.description.length).toBeGreaterThan(20);
    }
  });

  test('GIVEN the thresholds THEN each description states the threshold it alerts above', () => {
    const byName = Object.fromEntries(rules().map((r) => [r.alert, r.annotations.description]));
    expect(byName.FactoryWafBlockedRequests).toContain('(threshold 50)');
    expect(byName.FactoryAuthenticationFailures).toContain('(threshold 20)');
    expect(byName.FactoryWafAnomalySpike).toContain('alert above 3');
    expect(byName.FactoryRateLimitTriggered).toContain('(threshold 100)');
  });
});
