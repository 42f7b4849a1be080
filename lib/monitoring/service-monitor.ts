/**
 * The ServiceMonitor that has Prometheus scrape the ingress controller's metrics (the source of every
 * security alert), for clusters where this project manages it (`monitoring.serviceMonitor.enabled`).
 *
 * `honorLabels: true` keeps the metrics' own `namespace` label (the Ingress' namespace) instead of renaming
 * it `exported_namespace` under the target's (the controller's) namespace: the alerts match on it.
 */
import { Construct } from 'constructs';
import { ServiceMonitor } from '../../imports/servicemonitors-monitoring.coreos.com';

/** Properties of `ControllerServiceMonitor`. */
export interface ControllerServiceMonitorProps {
  /** Object name of the ServiceMonitor (required, no default). */
  readonly name: string;
  /** The controller's namespace: the ServiceMonitor lives there and selects Services there only. */
  readonly namespace: string;
  /** Labels of the ServiceMonitor (Prometheus' serviceMonitorSelector matches on them). @default {} */
  readonly labels?: Record<string, string>;
  /** Labels of the controller's metrics Service. */
  readonly selector: Record<string, string>;
  /** Name of the metrics port on that Service. */
  readonly port: string;
  /** Scrape interval. */
  readonly interval: string;
}

/** The path ingress-nginx serves its metrics on. */
export const CONTROLLER_METRICS_PATH = '/metrics';

/** ServiceMonitor of the ingress controller's metrics Service. */
export class ControllerServiceMonitor extends Construct {
  constructor(scope: Construct, id: string, props: ControllerServiceMonitorProps) {
    super(scope, id);
    if (Object.keys(props.selector).length === 0) {
      throw new Error(`ServiceMonitor ${props.name}: selector must name at least one label (an empty selector matches every Service)`);
    }
    new ServiceMonitor(this, 'monitor', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        selector: { matchLabels: { ...props.selector } },
        namespaceSelector: { matchNames: [props.namespace] },
        endpoints: [{ port: props.port, path: CONTROLLER_METRICS_PATH, interval: props.interval, honorLabels: true }],
      },
    });
  }
}
