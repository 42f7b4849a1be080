/**
 * The platform's Ingresses, from the table `FACTORY_INGRESSES`: one per rate limit (the controller sets
 * rate limits per Ingress), all on the config's host, with TLS from the Secret `factory-tls`, in front
 * of the api Service. The controller-specific annotations come from the controller module.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { FactoryConfig } from '../config';
import { PART_OF, PART_OF_LABEL } from '../labels';
import { TLS_CERTIFICATE } from './certificates';
import type { RateLimitKey } from './ingress-nginx';

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

/** One Ingress: its name, the path prefixes it routes and its controller annotations. */
export interface IngressRoute {
  readonly name: string;
  readonly paths: readonly string[];
  /** Controller-specific annotations (rate limit, WAF, ciphers); none is a snippet. @default {} */
  readonly annotations?: Record<string, string>;
}

/** Properties of `FactoryIngresses`. */
export interface FactoryIngressesProps {
  /** Namespace of the Ingresses (required, no default). */
  readonly namespace: string;
  /** The host every Ingress serves, with TLS (required, no default). */
  readonly host: string;
  /** IngressClass of every Ingress (required, no default). */
  readonly ingressClassName: string;
  /** The Secret holding the certificate. @default factory-tls */
  readonly tlsSecretName?: string;
  /** The Service every path sends to, and its port (required, no default). */
  readonly backend: { readonly service: string; readonly port: number };
  /** The Ingresses, one per rate limit (required, no default). */
  readonly routes: readonly IngressRoute[];
}

/** One Ingress per route, on one host, with TLS, in front of one Service. */
export class FactoryIngresses extends Construct {
  public readonly ingresses: kplus.k8s.KubeIngress[];

  constructor(scope: Construct, id: string, props: FactoryIngressesProps) {
    super(scope, id);
    const tlsSecretName = props.tlsSecretName ?? TLS_CERTIFICATE.secretName;
    this.ingresses = props.routes.map((route) => new kplus.k8s.KubeIngress(this, route.name, {
      metadata: {
        name: route.name,
        namespace: props.namespace,
        labels: { [PART_OF_LABEL]: PART_OF },
        annotations: route.annotations,
      },
      spec: {
        ingressClassName: props.ingressClassName,
        tls: [{ hosts: [props.host], secretName: tlsSecretName }],
        rules: [{
          host: props.host,
          http: {
            paths: route.paths.map((path) => ({
              path,
              pathType: 'Prefix',
              backend: { service: { name: props.backend.service, port: { number: props.backend.port } } },
            })),
          },
        }],
      },
    }));
  }
}
