/**
 * The `monitoring` section of lib/config.ts: its defaults and its refusals, each naming the field path.
 */
import { ConfigError, defaultConfig, parseConfig } from '../../lib/config';
import { promDurationSeconds } from '../../lib/monitoring/duration';

function refusal(monitoring: unknown): string {
  try {
    parseConfig({ monitoring });
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('the config was accepted');
}

describe('monitoring defaults', () => {
  const m = defaultConfig().monitoring;

  test('GIVEN no override THEN the alerts use the project thresholds, windows, for: and severities', () => {
    expect(m.alerts).toEqual({
      blockedRequests: { threshold: 50, window: '5m', for: '5m', severity: 'warning' },
      authFailures: { threshold: 20, window: '5m', for: '5m', severity: 'warning' },
      anomalySpike: { factor: 3, window: '5m', baselineWindow: '1h', baselineFloor: 0.05, for: '2m', severity: 'critical' },
      rateLimited: { threshold: 100, window: '5m', for: '5m', severity: 'warning' },
    });
  });

  test('GIVEN no override THEN the project manages the ServiceMonitor, and the runbook base is the README on GitHub', () => {
    expect(m.serviceMonitor).toEqual({ enabled: true, port: 'metrics', interval: '30s', selector: { 'factory-security/scrape': 'ingress-nginx-metrics' } });
    expect(m.selectorLabels).toEqual({ release: 'kube-prometheus-stack' });
    expect(m.runbookBaseUrl).toBe('https://github.com/factory-de-agentes/factory-security/blob/main/README.md');
    expect(m.namespaceLabel).toBe('namespace');
  });
});

describe('monitoring refusals name the field', () => {
  test.each([
    ['a duration in words', { alerts: { blockedRequests: { for: '5 minutes' } } }, 'monitoring.alerts.blockedRequests.for: must be a Prometheus duration'],
    ['a zero window', { alerts: { rateLimited: { window: '0s' } } }, 'monitoring.alerts.rateLimited.window: must be a Prometheus duration'],
    ['a negative threshold', { alerts: { authFailures: { threshold: -1 } } }, 'monitoring.alerts.authFailures.threshold: must be 0 or more'],
    ['an unknown severity', { alerts: { blockedRequests: { severity: 'page' } } }, 'monitoring.alerts.blockedRequests.severity'],
    ['a metric name with a dash', { alerts: { authFailures: { appCounterMetric: 'auth-failures' } } }, 'monitoring.alerts.authFailures.appCounterMetric: must be a Prometheus metric name'],
    ['a spike factor of 1', { alerts: { anomalySpike: { factor: 1 } } }, 'monitoring.alerts.anomalySpike.factor: must be more than 1'],
    ['a zero baseline floor', { alerts: { anomalySpike: { baselineFloor: 0 } } }, 'monitoring.alerts.anomalySpike.baselineFloor: must be more than 0 (it guards the division)'],
    ['a baseline no longer than the window', { alerts: { anomalySpike: { window: '1h', baselineWindow: '60m' } } }, 'monitoring.alerts.anomalySpike.baselineWindow: "60m" must be longer than window "1h"'],
    ['a runbook URL with a fragment', { runbookBaseUrl: 'https://example.com/README.md#top' }, 'monitoring.runbookBaseUrl: must not carry a "#" fragment'],
    ['exported_namespace with the managed ServiceMonitor', { namespaceLabel: 'exported_namespace' }, 'monitoring.namespaceLabel: "exported_namespace" never appears'],
    ['an unknown key', { alerts: { blockedRequests: { thresold: 3 } } }, 'monitoring.alerts.blockedRequests: unknown key(s) "thresold"'],
    ['an empty ServiceMonitor selector', { serviceMonitor: { selector: {} } }, 'monitoring.serviceMonitor.selector: {} must name at least one label (an empty selector matches every Service)'],
  ])('GIVEN %s THEN the config is refused', (_what, monitoring, message) => {
    expect(refusal(monitoring)).toContain(message);
  });
});


describe('Prometheus durations', () => {
  test.each([['30s', 30], ['5m', 300], ['1h30m', 5400], ['1d', 86400], ['500ms', 0.5]])('GIVEN %s THEN it is %d seconds', (d, s) => {
    expect(promDurationSeconds(d)).toBe(s);
  });

  test('GIVEN units out of order THEN it is refused', () => {
    expect(() => promDurationSeconds('5m1h')).toThrow('invalid Prometheus duration "5m1h"');
  });
});
