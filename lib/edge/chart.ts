/**
 * The edge charts. With `edge.target: waf-tier`: `edge-waf` holds the WAF tier (ConfigMap, Deployment,
 * LoadBalancer Service, PDB, ServiceAccount) and `edge` the ClusterIssuer and Certificate; nothing needs an
 * ingress controller. With `edge.target: ingress-nginx` they are applied at different times:
 * - `edge-waf`: the WAF rules ConfigMap the controller mounts (always applied, BEFORE the controller is
 *   installed or patched: its pods cannot start without it);
 * - `edge`: cert-manager's ClusterIssuer and Certificate, and the Ingresses (always applied, once the
 *   controller runs: its admission webhook validates Ingresses);
 * - `edge-controller`: the ingress controller's ConfigMaps. A controller installed with Helm takes the
 *   same settings from `ingress-nginx/values.yaml` (applying this file too is harmless: same data).
 */
import { type Construct } from 'constructs';
import { type FactoryConfig, certificateDnsNames } from '../config';
import { FactoryChart } from '../chart';
import { componentObjectName } from '../labels';
import { AcmeSolver, TlsCertificates } from './certificates';
import { FactoryIngresses } from './ingress';
import { type RateLimitKey, controllerConfigMapData, ingressAnnotations, modsecurityRules, modsecurityRulesFileName, securityHeadersData } from './ingress-nginx';
import { IngressNginxSettings, IngressNginxWafRules } from './ingress-nginx-configmaps';
import { WAF_TIER_NAME } from '../component-names';
import { ComponentIdentity } from '../identity';
import { crsRuleFiles } from '../waf/crs-release';
import { wafTierFiles } from '../waf/waf-tier';
import { TLS_CERTIFICATE } from './certificates';
import { WafTier } from './waf-tier';

/** One Ingress of the platform. */
export interface FactoryIngressSpec {
  /** Object name. */
  readonly name: string;
  /** The path prefixes it routes (from the config). */
  readonly paths: (c: FactoryConfig) => string[];
  /** Its rate limit: `edge.rateLimits.<key>` (guide: "Rate Limiting"). */
  readonly rateLimit: RateLimitKey;
}

/** The Ingress table: API endpoints at 10 r/s (burst 20), auth endpoints at 5 r/min (burst 5). */
export const FACTORY_INGRESSES: readonly FactoryIngressSpec[] = [
  { name: 'factory-api', paths: (c) => c.edge.apiPaths, rateLimit: 'api' },
  { name: 'factory-auth', paths: (c) => c.edge.authPaths, rateLimit: 'auth' },
  // The host's catch-all: without an Ingress for "/", ingress-nginx serves the paths no Ingress routes (a
  // browser's /favicon.ico) from a root location carrying the annotations of the first Ingress it sorts
  // (same creation time: the greater name, factory-auth), so they would spend the auth budget.
  { name: 'factory-default', paths: () => ['/'], rateLimit: 'api' },
];

/** The ACME solver the config names. */
function acmeSolver(config: FactoryConfig): AcmeSolver {
  const solver = config.edge.certificate.solver;
  return solver.type === 'http01'
    ? AcmeSolver.http01(config.edge.ingressClassName)
    : AcmeSolver.cloudflareDns01({ secretName: solver.apiTokenSecret.name, key: solver.apiTokenSecret.key });
}

/** Properties of the edge charts. */
export interface EdgeChartProps {
  /** The config: `host`, `namespace`, `edge` and `waf` (required, no default). */
  readonly config: FactoryConfig;
}

/** ClusterIssuer, Certificate and (ingress-nginx target) the Ingresses. */
export class EdgeChart extends FactoryChart {
  public readonly certificates: TlsCertificates;
  public readonly ingresses?: FactoryIngresses;

  constructor(scope: Construct, id: string, props: EdgeChartProps) {
    super(scope, id, { podIdentity: props.config.podSecurity });
    const { config } = props;
    this.certificates = new TlsCertificates(this, 'tls', {
      namespace: config.namespace,
      dnsNames: certificateDnsNames(config),
      acmeEmail: config.edge.certificate.acmeEmail,
      solver: acmeSolver(config),
    });
    if (config.edge.target !== 'ingress-nginx') return;
    this.ingresses = new FactoryIngresses(this, 'ingresses', {
      namespace: config.namespace,
      host: config.host,
      ingressClassName: config.edge.ingressClassName,
      backend: { service: componentObjectName('api'), port: config.components.api.port },
      routes: FACTORY_INGRESSES.map((spec) => ({ name: spec.name, paths: spec.paths(config), annotations: ingressAnnotations(config, spec.rateLimit) })),
    });
  }
}

/** The WAF: the WAF tier, or (ingress-nginx target) the rendered rules as the ConfigMap the controller mounts. */
export class EdgeWafChart extends FactoryChart {
  public readonly wafTier?: WafTier;

  constructor(scope: Construct, id: string, props: EdgeChartProps) {
    const { config } = props;
    const tier = config.edge.target === 'waf-tier';
    super(scope, id, { podIdentity: config.podSecurity, namespace: tier ? config.namespace : undefined });
    if (tier) {
      const w = config.edge.wafTier;
      this.wafTier = new WafTier(this, 'waf-tier', {
        image: config.waf.image, replicas: w.replicas, resources: w.resources, scratchSizeLimit: w.scratchSizeLimit,
        priorityClassName: w.priorityClassName, spread: config.spread, files: wafTierFiles(config), crsRules: crsRuleFiles(),
        certificateSecretName: TLS_CERTIFICATE.secretName, identity: new ComponentIdentity(this, 'waf-identity', { name: WAF_TIER_NAME }),
        metricsImage: w.metricsImage,
      });
      return;
    }
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
