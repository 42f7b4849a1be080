/**
 * The edge charts, applied at different times:
 * - `edge-waf`: the WAF rules ConfigMap the controller mounts (always applied, BEFORE the controller is
 *   installed or patched: its pods cannot start without it);
 * - `edge`: cert-manager's ClusterIssuer and Certificate, and the Ingresses (always applied, once the
 *   controller runs: its admission webhook validates Ingresses);
 * - `edge-controller`: the ingress controller's ConfigMaps. A controller installed with Helm takes the
 *   same settings from `ingress-nginx/values.yaml` (applying this file too is harmless: same data).
 */
import { type Construct } from 'constructs';
import type { FactoryConfig } from '../config';
import { FactoryChart } from '../chart';
import { TlsCertificates } from './certificates';
import { FactoryIngresses } from './ingress';
import { IngressNginxSettings, IngressNginxWafRules } from './ingress-nginx';

/** Properties of the edge charts. */
export interface EdgeChartProps {
  /** The config: `host`, `namespace`, `edge` and `waf` (required, no default). */
  readonly config: FactoryConfig;
}

/** ClusterIssuer, Certificate and Ingresses. */
export class EdgeChart extends FactoryChart {
  public readonly certificates: TlsCertificates;
  public readonly ingresses: FactoryIngresses;

  constructor(scope: Construct, id: string, props: EdgeChartProps) {
    super(scope, id, { podIdentity: props.config.podSecurity });
    this.certificates = new TlsCertificates(this, 'tls', { config: props.config });
    this.ingresses = new FactoryIngresses(this, 'ingresses', { config: props.config });
  }
}

/** The rendered WAF rules, as the ConfigMap the controller mounts. */
export class EdgeWafChart extends FactoryChart {
  constructor(scope: Construct, id: string, props: EdgeChartProps) {
    super(scope, id, { podIdentity: props.config.podSecurity });
    new IngressNginxWafRules(this, 'waf-rules', { config: props.config });
  }
}

/** The ingress controller's ConfigMaps (controller settings and response headers). */
export class EdgeControllerChart extends FactoryChart {
  constructor(scope: Construct, id: string, props: EdgeChartProps) {
    super(scope, id, { podIdentity: props.config.podSecurity });
    new IngressNginxSettings(this, 'ingress-nginx', { config: props.config });
  }
}
