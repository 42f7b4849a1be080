/**
 * The platform's Ingresses, from the table `FACTORY_INGRESSES`: one per rate limit (the controller sets
 * rate limits per Ingress), all on the config's host, with TLS from the Secret `factory-tls`, in front
 * of the api Service. The controller-specific annotations come from the controller module.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { FactoryConfig } from '../config';
import { PART_OF, PART_OF_LABEL, componentObjectName } from '../labels';
import { TLS_CERTIFICATE } from './certificates';
import { type RateLimitKey, ingressAnnotations } from './ingress-nginx';

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
];

/** The component every Ingress sends to. */
const BACKEND = 'api' as const;

/** Properties of `FactoryIngresses`. */
export interface FactoryIngressesProps {
  /** The config: namespace, host, `edge`, and the api component's port. */
  readonly config: FactoryConfig;
}

/** Every Ingress of the table. */
export class FactoryIngresses extends Construct {
  public readonly ingresses: kplus.k8s.KubeIngress[];

  constructor(scope: Construct, id: string, props: FactoryIngressesProps) {
    super(scope, id);
    const { config } = props;
    this.ingresses = FACTORY_INGRESSES.map((spec) => new kplus.k8s.KubeIngress(this, spec.name, {
      metadata: {
        name: spec.name,
        namespace: config.namespace,
        labels: { [PART_OF_LABEL]: PART_OF },
        annotations: ingressAnnotations(config, spec.rateLimit),
      },
      spec: {
        ingressClassName: config.edge.ingressClassName,
        tls: [{ hosts: [config.host], secretName: TLS_CERTIFICATE.secretName }],
        rules: [{
          host: config.host,
          http: {
            paths: spec.paths(config).map((path) => ({
              path,
              pathType: 'Prefix',
              backend: {
                service: {
                  name: componentObjectName(BACKEND),
                  port: { number: config.components[BACKEND].port },
                },
              },
            })),
          },
        }],
      },
    }));
  }
}
