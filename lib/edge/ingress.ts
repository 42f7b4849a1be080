/**
 * Ingresses on one host: one per route (the controller sets rate limits per Ingress), with TLS from the
 * Secret `factory-tls`, in front of one Service. The routes and their controller-specific annotations
 * are handed in (lib/edge/chart.ts builds them from the table `FACTORY_INGRESSES` and the config).
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PART_OF, PART_OF_LABEL } from '../labels';
import { TLS_CERTIFICATE } from './certificates';

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
