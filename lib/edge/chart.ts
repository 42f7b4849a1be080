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
import { componentObjectName } from '../labels';
import { TlsCertificates } from './certificates';
import { FACTORY_INGRESSES, FactoryIngresses } from './ingress';
import { controllerConfigMapData, ingressAnnotations, modsecurityRules, modsecurityRulesFileName, securityHeadersData } from './ingress-nginx';
import { IngressNginxSettings, IngressNginxWafRules } from './ingress-nginx-configmaps';

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
    const { config } = props;
    this.certificates = new TlsCertificates(this, 'tls', {
      namespace: config.namespace,
      dnsNames: config.edge.certificate.dnsNames ?? [config.host],
      acmeEmail: config.edge.certificate.acmeEmail,
      ingressClassName: config.edge.ingressClassName,
    });
    this.ingresses = new FactoryIngresses(this, 'ingresses', {
      namespace: config.namespace,
      host: config.host,
      ingressClassName: config.edge.ingressClassName,
      backend: { service: componentObjectName('api'), port: config.components.api.port },
      routes: FACTORY_INGRESSES.map((spec) => ({ name: spec.name, paths: spec.paths(config), annotations: ingressAnnotations(config, spec.rateLimit) })),
    });
  }
}

/** The rendered WAF rules, as the ConfigMap the controller mounts. */
export class EdgeWafChart extends FactoryChart {
  constructor(scope: Construct, id: string, props: EdgeChartProps) {
    super(scope, id, { podIdentity: props.config.podSecurity });
    const { config } = props;
    new IngressNginxWafRules(this, 'waf-rules', {
      namespace: config.edge.controller.namespace, fileName: modsecurityRulesFileName(config), rules: modsecurityRules(config),
    });
  }
}

/** The ingress controller's ConfigMaps (controller settings and response headers). */
export class EdgeControllerChart extends FactoryChart {
  constructor(scope: Construct, id: string, props: EdgeChartProps) {
    super(scope, id, { podIdentity: props.config.podSecurity });
    const { config } = props;
    new IngressNginxSettings(this, 'ingress-nginx', {
      namespace: config.edge.controller.namespace,
      configMapName: config.edge.controller.configMapName,
      settings: controllerConfigMapData(config),
      headers: securityHeadersData(config),
    });
  }
}
