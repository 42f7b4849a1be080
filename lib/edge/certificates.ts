/**
 * cert-manager objects for the guide's "Certificate Management": the ClusterIssuer `letsencrypt-prod`
 * (ACME v2, Let's Encrypt production, http01 through the ingress class or DNS-01) and the Certificate
 * `factory-tls` whose Secret the Ingresses serve.
 *
 * The Ingresses carry no `cert-manager.io/cluster-issuer` annotation: cert-manager's ingress-shim
 * would then create a second Certificate for the same Secret. This explicit Certificate is the one.
 */
import { Construct } from 'constructs';
import { PART_OF, PART_OF_LABEL } from '../labels';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
} from '../../imports/certificates-cert-manager.io';
import { ClusterIssuer, type ClusterIssuerSpecAcmeSolvers } from '../../imports/clusterissuers-cert-manager.io';

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

/**
 * How the ACME server's challenge is answered.
 * - `http01`: through the ingress controller (a temporary Ingress of the class answers /.well-known/acme-challenge).
 * - `cloudflareDns01`: a TXT record written through the DNS provider's API: needs no ingress controller and no
 *   inbound port 80, works for private clusters; the API token is a Secret in cert-manager's cluster resource
 *   namespace (default `cert-manager`), provided by the operator.
 */
export class AcmeSolver {
  /** Through the ingress controller of this IngressClass. */
  public static http01(ingressClassName: string): AcmeSolver {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ingressClassName)) throw new Error(`AcmeSolver.http01: ingressClassName must be a DNS label (got ${JSON.stringify(ingressClassName)})`);
    return new AcmeSolver({ http01: { ingress: { ingressClassName } } });
  }

  /** A DNS-01 TXT record through Cloudflare's API, with a scoped API token (Zone:DNS:Edit) read from a Secret. */
  public static cloudflareDns01(apiToken: { readonly secretName: string; readonly key: string }): AcmeSolver {
    if (apiToken.secretName === '' || apiToken.key === '') throw new Error('AcmeSolver.cloudflareDns01: the API token Secret needs a name and a key');
    return new AcmeSolver({ dns01: { cloudflare: { apiTokenSecretRef: { name: apiToken.secretName, key: apiToken.key } } } });
  }

  private constructor(public readonly solver: ClusterIssuerSpecAcmeSolvers) {}
}

/** Properties of `TlsCertificates`. */
export interface TlsCertificatesProps {
  /** Namespace of the Certificate (and of its Secret) (required, no default). */
  readonly namespace: string;
  /** Names on the certificate (required, no default; at least one). */
  readonly dnsNames: readonly string[];
  /** ACME account e-mail: Let's Encrypt's expiry notices (required, no default). */
  readonly acmeEmail: string;
  /** How the ACME challenge is answered (required, no default): `AcmeSolver.http01(…)` or `AcmeSolver.cloudflareDns01(…)`. */
  readonly solver: AcmeSolver;
}

/** ClusterIssuer `letsencrypt-prod` and Certificate `factory-tls`. */
export class TlsCertificates extends Construct {
  public readonly issuer: ClusterIssuer;
  public readonly certificate: Certificate;

  constructor(scope: Construct, id: string, props: TlsCertificatesProps) {
    super(scope, id);
    if (props.dnsNames.length === 0) throw new Error('TlsCertificates: dnsNames must name at least one DNS name');
    const labels = { [PART_OF_LABEL]: PART_OF };

    this.issuer = new ClusterIssuer(this, 'issuer', {
      metadata: { name: TLS_CERTIFICATE.issuerName, labels },
      spec: {
        acme: {
          server: TLS_CERTIFICATE.acmeServer,
          email: props.acmeEmail,
          privateKeySecretRef: { name: TLS_CERTIFICATE.accountKeySecretName },
          solvers: [props.solver.solver],
        },
      },
    });

    this.certificate = new Certificate(this, 'certificate', {
      metadata: { name: TLS_CERTIFICATE.certificateName, namespace: props.namespace, labels },
      spec: {
        secretName: TLS_CERTIFICATE.secretName,
        issuerRef: {
          name: TLS_CERTIFICATE.issuerName,
          kind: TLS_CERTIFICATE.issuerKind,
          group: TLS_CERTIFICATE.issuerGroup,
        },
        dnsNames: [...props.dnsNames],
        privateKey: {
          algorithm: TLS_CERTIFICATE.privateKey.algorithm,
          size: TLS_CERTIFICATE.privateKey.size,
          rotationPolicy: TLS_CERTIFICATE.rotationPolicy,
        },
      },
    });
  }
}
