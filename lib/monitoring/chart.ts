/**
 * The monitoring chart (guide: "Monitoring Alerts"): the PrometheusRule `factory-security-alerts` on the edge's
 * request counter and, when this project manages it, the ServiceMonitor that scrapes that counter (the ingress
 * controller's metrics, or the WAF tier's).
 */
import { type Construct } from 'constructs';
import type { FactoryConfig } from '../config';
import { FactoryChart } from '../chart';
import { PART_OF, PART_OF_LABEL } from '../labels';
import { INGRESS_REQUESTS_METRIC, type RequestCounter, securityAlertRules } from './alerts';
import { ROUTES, WAF_REQUESTS_METRIC } from '../waf/metrics';
import { WAF_TIER_METRICS_LABELS, WAF_TIER_METRICS_PORT_NAME, WAF_TIER_SERVICE_MONITOR_NAME } from '../edge/waf-tier';
import { AlertRules } from './rule';
import { ControllerServiceMonitor } from './service-monitor';

/** Object name of the PrometheusRule. */
export const ALERTS_RULE_NAME = 'factory-security-alerts';
/** Name of its rule group. */
export const ALERTS_GROUP_NAME = 'factory-security';
/** Object name of the controller's ServiceMonitor. */
export const CONTROLLER_SERVICE_MONITOR_NAME = 'factory-ingress-controller';

/** A row of the edge's Ingress table (`FACTORY_INGRESSES` of lib/edge/ingress.ts), as far as the alerts need it. */
export interface IngressRow {
  readonly name: string;
  readonly rateLimit: string;
}

/**
 * The controller's counter, over the Ingresses of the edge's table: all of them, and the one with the auth
 * rate limit (it routes the authentication endpoints).
 */
export function controllerRequestCounter(config: FactoryConfig, table: readonly IngressRow[]): RequestCounter {
  const auth = table.filter((i) => i.rateLimit === 'auth');
  if (auth.length !== 1) throw new Error(`expected one Ingress with the auth rate limit in the Ingress table, found ${auth.length}`);
  return {
    metric: INGRESS_REQUESTS_METRIC, groupLabel: 'ingress', groupNoun: 'Ingress', namespaceLabel: config.monitoring.namespaceLabel,
    source: 'ingress', all: table.map((i) => i.name), auth: auth[0].name,
  };
}

/** The WAF tier's counter (lib/waf/metrics.ts), over its routes; scraped from its pods, so `namespace` is theirs. */
export const WAF_TIER_REQUEST_COUNTER: RequestCounter = {
  metric: WAF_REQUESTS_METRIC, groupLabel: 'route', groupNoun: 'route', namespaceLabel: 'namespace',
  source: 'waf-tier', all: Object.values(ROUTES), auth: ROUTES.auth,
};

/** The Service the ServiceMonitor scrapes: its namespace and the labels it carries. */
export interface ScrapeTarget {
  /** ServiceMonitor name. */
  readonly name: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  /** Name of the metrics port on that Service. */
  readonly port: string;
}

/**
 * What the alerts read and where it is scraped, for the config's edge target: the controller's counter and
 * Service (`monitoring.serviceMonitor`), or the WAF tier's (its metrics Service in the platform's namespace).
 */
export function edgeMonitoring(config: FactoryConfig, ingresses: readonly IngressRow[]): Pick<MonitoringChartProps, 'counter' | 'scrape'> {
  const sm = config.monitoring.serviceMonitor;
  return config.edge.target === 'ingress-nginx' ? {
    counter: controllerRequestCounter(config, ingresses),
    scrape: { name: CONTROLLER_SERVICE_MONITOR_NAME, namespace: sm.namespace ?? config.edge.controller.namespace, selector: sm.selector, port: sm.port },
  } : {
    counter: WAF_TIER_REQUEST_COUNTER,
    scrape: { name: WAF_TIER_SERVICE_MONITOR_NAME, namespace: config.namespace, selector: WAF_TIER_METRICS_LABELS, port: WAF_TIER_METRICS_PORT_NAME },
  };
}

/** Properties of `MonitoringChart`. */
export interface MonitoringChartProps {
  /** The config: `monitoring`, `namespace` and `edge.rateLimits.statusCode` (required, no default). */
  readonly config: FactoryConfig;
  /** The counter the alerts read (the alerts never write an Ingress or route name themselves). */
  readonly counter: RequestCounter;
  /** The Service that exposes the counter. */
  readonly scrape: ScrapeTarget;
}

/** PrometheusRule `factory-security-alerts` and the ServiceMonitor of its counter. */
export class MonitoringChart extends FactoryChart {
  constructor(scope: Construct, id: string, props: MonitoringChartProps) {
    super(scope, id, { podIdentity: props.config.podSecurity });
    const { config } = props;
    const m = config.monitoring;
    const labels = { [PART_OF_LABEL]: PART_OF, ...m.selectorLabels };
    new AlertRules(this, 'alerts', {
      name: ALERTS_RULE_NAME,
      namespace: m.namespace ?? config.namespace,
      labels,
      groupName: ALERTS_GROUP_NAME,
      rules: securityAlertRules(config, props.counter),
    });
    if (m.serviceMonitor.enabled) {
      new ControllerServiceMonitor(this, 'controller-metrics', {
        name: props.scrape.name,
        namespace: props.scrape.namespace,
        labels,
        selector: props.scrape.selector,
        port: props.scrape.port,
        interval: m.serviceMonitor.interval,
      });
    }
  }
}
