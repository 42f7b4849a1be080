/**
 * The monitoring chart (guide: "Monitoring Alerts"): the PrometheusRule `factory-security-alerts` and,
 * when this project manages it, the ServiceMonitor of the ingress controller's metrics.
 */
import { type Construct } from 'constructs';
import type { FactoryConfig } from '../config';
import { FactoryChart } from '../chart';
import { PART_OF, PART_OF_LABEL } from '../labels';
import { type WatchedIngresses, securityAlertRules } from './alerts';
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
 * The Ingresses the alerts watch, from the edge's table: all of them, and the one with the auth rate limit
 * (it routes the authentication endpoints).
 */
export function watchedIngresses(table: readonly IngressRow[]): WatchedIngresses {
  const auth = table.filter((i) => i.rateLimit === 'auth');
  if (auth.length !== 1) throw new Error(`expected one Ingress with the auth rate limit in the Ingress table, found ${auth.length}`);
  return { all: table.map((i) => i.name), auth: auth[0].name };
}

/** Properties of `MonitoringChart`. */
export interface MonitoringChartProps {
  /** The config: `monitoring`, `namespace`, `edge.controller.namespace` and `edge.rateLimits.statusCode` (required, no default). */
  readonly config: FactoryConfig;
  /** The edge's Ingress table (the alerts never write an Ingress name themselves). */
  readonly ingresses: readonly IngressRow[];
}

/** PrometheusRule `factory-security-alerts` and the controller's ServiceMonitor. */
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
      rules: securityAlertRules(config, watchedIngresses(props.ingresses)),
    });
    if (m.serviceMonitor.enabled) {
      new ControllerServiceMonitor(this, 'controller-metrics', {
        name: CONTROLLER_SERVICE_MONITOR_NAME,
        namespace: m.serviceMonitor.namespace ?? config.edge.controller.namespace,
        labels,
        selector: m.serviceMonitor.selector,
        port: m.serviceMonitor.port,
        interval: m.serviceMonitor.interval,
      });
    }
  }
}
