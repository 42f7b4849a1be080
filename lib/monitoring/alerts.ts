/**
 * The security alerts (guide: "Monitoring Alerts"), one per signal of the guide, as data: each row of
 * `SIGNALS` says which guide signal it answers, the alert's name, and how its expression, summary and
 * description are built from the config. Thresholds, windows, `for:` and severities come from
 * `config.monitoring.alerts`; nothing here is a number of the guide.
 *
 * The source of every expression is the edge's request counter (`RequestCounter`): ingress-nginx's
 * `nginx_ingress_controller_requests` (labels `namespace`, `ingress`, `status`, …) on that target, the WAF
 * tier's `factory_waf_requests_total` (labels `route`, `status`; lib/waf/metrics.ts) on the other. ModSecurity
 * refuses with 403, the rate limit answers with `edge.rateLimits.statusCode`, and one Ingress (route) carries
 * the login endpoints.
 */
import type { FactoryConfig } from '../config';
import { type Matcher, labelIn, quote, selector } from './promql';

/** ingress-nginx's per-request counter. */
export const INGRESS_REQUESTS_METRIC = 'nginx_ingress_controller_requests';
/** The status ModSecurity (and the OWASP CRS) refuses a request with. */
export const WAF_BLOCK_STATUS = '403';
/** The statuses of a refused authentication. */
export const AUTH_FAILURE_STATUSES = ['401', '403'] as const;
/** The anchor of the README section every runbook_url points at (GitHub's slug of "Incident response"). */
export const INCIDENT_RESPONSE_ANCHOR = 'incident-response';

/** One rule of the PrometheusRule, as plain data. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: string };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

/**
 * The counter the alerts read: one series per group of paths (an Ingress, or a route of the WAF tier) and
 * status; every group, and the one serving authentication.
 */
export interface RequestCounter {
  /** The metric's name. */
  readonly metric: string;
  /** The label naming the group (`ingress`, `route`). */
  readonly groupLabel: string;
  /** How the texts call a group ("Ingress", "route"). */
  readonly groupNoun: string;
  /** The label holding the platform's namespace. */
  readonly namespaceLabel: string;
  /** The `source` label of the authentication alert's instance from this counter. */
  readonly source: string;
  readonly all: readonly string[];
  readonly auth: string;
}

/** What a signal's builder gets: the config and the shared pieces of every expression. */
export interface SignalContext {
  readonly config: FactoryConfig;
  readonly alerts: FactoryConfig['monitoring']['alerts'];
  readonly counter: RequestCounter;
  /** `<metric>{<namespace label>="factory", <group label>…, status…}`. */
  readonly requests: (groups: readonly string[], statuses: readonly string[]) => string;
}

/** The part of an alert a signal builds. */
interface SignalRule {
  readonly expr: string;
  readonly for: string;
  readonly severity: string;
  readonly summary: string;
  readonly description: string;
}

/** One signal of the guide's "Monitoring Alerts" list and the alert that answers it. */
export interface Signal {
  /** The guide's words. */
  readonly guide: string;
  /** The key of its settings under `monitoring.alerts`. */
  readonly key: keyof FactoryConfig['monitoring']['alerts'];
  /** The alert name. */
  readonly alert: string;
  readonly build: (ctx: SignalContext) => SignalRule;
}

const sumBy = (by: string, expr: string) => `sum by (${by}) (${expr})`;
/** The alert instance's group in a text: `Ingress {{ $labels.ingress }}`. */
const group = (c: RequestCounter) => `${c.groupNoun} {{ $labels.${c.groupLabel} }}`;

/** The guide's four signals, in the guide's order. */
export const SIGNALS: readonly Signal[] = [
  {
    guide: 'Blocked requests exceeding threshold',
    key: 'blockedRequests',
    alert: 'FactoryWafBlockedRequests',
    build: ({ alerts, counter, requests }) => {
      const a = alerts.blockedRequests;
      return {
        expr: `${sumBy(counter.groupLabel, `increase(${requests(counter.all, [WAF_BLOCK_STATUS])}[${a.window}])`)} > ${a.threshold}`,
        for: a.for, severity: a.severity,
        summary: `The WAF is blocking many requests on ${group(counter)}`,
        description: `{{ $value | humanize }} requests were refused with ${WAF_BLOCK_STATUS} on ${group(counter)} `
          + `in the last ${a.window} (threshold ${a.threshold}). Find the rule ids in the ModSecurity audit log.`,
      };
    },
  },
  {
    guide: 'Authentication failures',
    key: 'authFailures',
    alert: 'FactoryAuthenticationFailures',
    build: ({ config, alerts, counter, requests }) => {
      const a = alerts.authFailures;
      const tagged = (expr: string, source: string) => `label_replace(${expr}, "source", ${quote(source)}, "", "")`;
      const atIngress = tagged(sumBy(counter.groupLabel, `increase(${requests([counter.auth], AUTH_FAILURE_STATUSES)}[${a.window}])`), counter.source);
      const parts = [`${atIngress} > ${a.threshold}`];
      if (a.appCounterMetric !== undefined) {
        const app = selector(a.appCounterMetric, [{ label: 'namespace', op: '=', value: config.namespace }]);
        parts.push(`${tagged(`sum(increase(${app}[${a.window}]))`, 'application')} > ${a.threshold}`);
      }
      return {
        expr: parts.join('\nor\n'),
        for: a.for, severity: a.severity,
        summary: 'Many failed authentications ({{ $labels.source }})',
        description: `{{ $value | humanize }} authentication failures in the last ${a.window} (threshold ${a.threshold}), `
          + `counted as ${AUTH_FAILURE_STATUSES.join('/')} on ${counter.groupNoun} ${counter.auth}`
          + (a.appCounterMetric !== undefined ? ` and by the application's ${a.appCounterMetric}` : '')
          + '; this alert instance comes from the {{ $labels.source }}. A credential-stuffing or brute-force attempt is likely.',
      };
    },
  },
  {
    guide: 'Anomaly score spikes',
    key: 'anomalySpike',
    alert: 'FactoryWafAnomalySpike',
    build: ({ alerts, counter, requests }) => {
      const a = alerts.anomalySpike;
      const blocks = requests(counter.all, [WAF_BLOCK_STATUS]);
      const now = sumBy(counter.groupLabel, `rate(${blocks}[${a.window}])`);
      // The baseline is the window before the current one; absent (no 403 ever) counts as 0, and the floor
      // keeps the division defined and ignores rises too small to matter.
      const before = sumBy(counter.groupLabel, `rate(${blocks}[${a.baselineWindow}] offset ${a.window})`);
      const baseline = `clamp_min(${before} or ${now} * 0, ${a.baselineFloor})`;
      return {
        expr: `${now}\n/\n${baseline}\n> ${a.factor}`,
        for: a.for, severity: a.severity,
        summary: `Sudden rise of WAF blocks on ${group(counter)}`,
        description: `The WAF block rate on ${group(counter)} over the last ${a.window} is {{ $value | humanize }} times `
          + `its rate over the ${a.baselineWindow} before (alert above ${a.factor}, baseline floor ${a.baselineFloor}/s). `
          + 'An attack or a scanner has started, or a deployment made the WAF refuse legitimate traffic.',
      };
    },
  },
  {
    guide: 'Rate limit triggers',
    key: 'rateLimited',
    alert: 'FactoryRateLimitTriggered',
    build: ({ config, alerts, counter, requests }) => {
      const a = alerts.rateLimited;
      const status = String(config.edge.rateLimits.statusCode);
      return {
        expr: `${sumBy(counter.groupLabel, `increase(${requests(counter.all, [status])}[${a.window}])`)} > ${a.threshold}`,
        for: a.for, severity: a.severity,
        summary: `The rate limit is refusing many requests on ${group(counter)}`,
        description: `{{ $value | humanize }} requests were refused with ${status} by the rate limit on ${group(counter)} `
          + `in the last ${a.window} (threshold ${a.threshold}).`,
      };
    },
  },
];

/** The runbook link every alert carries: the README's "Incident response" section. */
export function runbookUrl(config: FactoryConfig): string {
  return `${config.monitoring.runbookBaseUrl}#${INCIDENT_RESPONSE_ANCHOR}`;
}

/** The alert rules of the config, one per signal, in the guide's order. */
export function securityAlertRules(config: FactoryConfig, counter: RequestCounter): AlertRule[] {
  const requests = (names: readonly string[], statuses: readonly string[]): string => {
    const matchers: Matcher[] = [
      { label: counter.namespaceLabel, op: '=', value: config.namespace },
      labelIn(counter.groupLabel, names),
      labelIn('status', statuses),
    ];
    return selector(counter.metric, matchers);
  };
  const ctx: SignalContext = { config, alerts: config.monitoring.alerts, counter, requests };
  return SIGNALS.map((signal) => {
    const r = signal.build(ctx);
    return {
      alert: signal.alert,
      expr: r.expr,
      for: r.for,
      labels: { severity: r.severity },
      annotations: { summary: r.summary, description: r.description, runbook_url: runbookUrl(config) },
    };
  });
}
