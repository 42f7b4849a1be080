/**
 * cert-manager objects for the guide's "Certificate Management": the ClusterIssuer `letsencrypt-prod`
 * (ACME v2, Let's Encrypt production, http01 through the ingress class) and the Certificate
 * `factory-tls` whose Secret the Ingresses serve.
 *
 * The Ingresses carry no `cert-manager.io/cluster-issuer` annotation: cert-manager's ingress-shim
 * would then create a second Certificate for the same Secret. This explicit Certificate is the one.
 */
import { Construct } from 'constructs';
import type { FactoryConfig } from '../config';
import { PART_OF, PART_OF_LABEL } from '../labels';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
} from '../../imports/certificates-cert-manager.io';
import { ClusterIssuer } from '../../imports/clusterissuers-cert-manager.io';

/** The guide's certificate names, and the ACME facts they rest on (one place). */
export const TLS_CERTIFICATE = {
  /** Certificate object name (guide: `metadata.name: factory-tls`). */
  certificateName: 'factory-tls',
  /** Secret holding the key pair; the Ingresses' `tls.secretName` (guide: `secretName: factory-tls`). */
  secretName: 'factory-tls',
  /** The ClusterIssuer (guide: `issuerRef: {name: letsencrypt-prod, kind: ClusterIssuer}`). */
  issuerName: 'letsencrypt-prod',
  issuerKind: 'ClusterIssuer',
  issuerGroup: 'cert-manager.io',
  /** Let's Encrypt's ACME v2 production directory. */
  acmeServer: 'https://acme-v02.api.letsencrypt.org/directory',
  /** Secret (in cert-manager's cluster resource namespace) holding the ACME account key. */
  accountKeySecretName: 'letsencrypt-prod-account-key',
  /** ECDSA P-256: the key type the guide's first cipher (ECDHE-ECDSA-AES128-GCM-SHA256) needs. */
  privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA, size: 256 },
  /** A fresh private key on every renewal. */
  rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
} as const;

/** The names on the certificate: `edge.certificate.dnsNames`, or the host alone. */
export function certificateDnsNames(config: FactoryConfig): string[] {
  return config.edge.certificate.dnsNames ?? [config.host];
}

/** Properties of `TlsCertificates`. */
export interface TlsCertificatesProps {
  /** The config: namespace, host, ingress class and `edge.certificate`. */
  readonly config: FactoryConfig;
}

/** ClusterIssuer `letsencrypt-prod` and Certificate `factory-tls`. */
export class TlsCertificates extends Construct {
  public readonly issuer: ClusterIssuer;
  public readonly certificate: Certificate;

  constructor(scope: Construct, id: string, props: TlsCertificatesProps) {
    super(scope, id);
    const { config } = props;
    const labels = { [PART_OF_LABEL]: PART_OF };

    this.issuer = new ClusterIssuer(this, 'issuer', {
      metadata: { name: TLS_CERTIFICATE.issuerName, labels },
      spec: {
        acme: {
          server: TLS_CERTIFICATE.acmeServer,
          email: config.edge.certificate.acmeEmail,
          privateKeySecretRef: { name: TLS_CERTIFICATE.accountKeySecretName },
          solvers: [{ http01: { ingress: { ingressClassName: config.edge.ingressClassName } } }],
        },
      },
    });

    this.certificate = new Certificate(this, 'certificate', {
      metadata: { name: TLS_CERTIFICATE.certificateName, namespace: config.namespace, labels },
      spec: {
        secretName: TLS_CERTIFICATE.secretName,
        issuerRef: {
          name: TLS_CERTIFICATE.issuerName,
          kind: TLS_CERTIFICATE.issuerKind,
          group: TLS_CERTIFICATE.issuerGroup,
        },
        dnsNames: certificateDnsNames(config),
        privateKey: {
          algorithm: TLS_CERTIFICATE.privateKey.algorithm,
          size: TLS_CERTIFICATE.privateKey.size,
          rotationPolicy: TLS_CERTIFICATE.rotationPolicy,
        },
      },
    });
  }
}
