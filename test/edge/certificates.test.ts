/**
 * Guide "Certificate Management": cert-manager ClusterIssuer `letsencrypt-prod` and Certificate
 * `factory-tls`, checked in the synthesized objects and against cert-manager's own CRD schemas.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as YAML from 'yaml';
import { ConfigError, defaultConfig, parseConfig } from '../../lib/config';
import { CONTROLLER_TARGET, synthAll, synthCharts, find } from '../support';
import { crdDirectory } from '../../lib/validate/schema';

const CRDS = path.join(crdDirectory(), 'cert-manager');

/** The openAPIV3Schema of a CRD file's served version. */
function crdSchema(file: string, version: string): object {
  const crd = YAML.parse(fs.readFileSync(path.join(CRDS, file), 'utf8'));
  return crd.spec.versions.find((v: any) => v.name === version).schema.openAPIV3Schema;
}

function validator(file: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(crdSchema(file, 'v1'));
}

describe('cert-manager (guide: Certificate Management)', () => {
  // The controller's target: its Ingresses and http01 solver (the WAF tier's issuer is tested below and in waf-tier.test.ts).
  const edge = synthCharts(parseConfig(CONTROLLER_TARGET)).edge;
  const issuer = find(edge, 'ClusterIssuer', 'letsencrypt-prod');
  const certificate = find(edge, 'Certificate', 'factory-tls');

  test('GIVEN the guide WHEN synthesized THEN ClusterIssuer letsencrypt-prod uses the Let\'s Encrypt ACME v2 production directory', () => {
    expect(issuer.apiVersion).toBe('cert-manager.io/v1');
    expect(issuer.spec.acme.server).toBe('https://acme-v02.api.letsencrypt.org/directory');
  });

  test('GIVEN the guide WHEN synthesized THEN the ACME account uses the configured e-mail and its own key Secret', () => {
    expect(issuer.spec.acme.email).toBe(defaultConfig().edge.certificate.acmeEmail);
    expect(issuer.spec.acme.privateKeySecretRef).toEqual({ name: 'letsencrypt-prod-account-key' });
  });

  test('GIVEN ingress class nginx WHEN synthesized THEN the only solver is http01 through that ingress class', () => {
    expect(issuer.spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'nginx' } } }]);
  });

  test('GIVEN the ClusterIssuer WHEN synthesized THEN it is cluster-scoped (no namespace)', () => {
    expect(issuer.metadata.namespace).toBeUndefined();
  });

  test('GIVEN the guide WHEN synthesized THEN Certificate factory-tls writes Secret factory-tls in the factory namespace', () => {
    expect(certificate.apiVersion).toBe('cert-manager.io/v1');
    expect(certificate.metadata.namespace).toBe('factory');
    expect(certificate.spec.secretName).toBe('factory-tls');
  });

  test('GIVEN the guide WHEN synthesized THEN the Certificate is issued by ClusterIssuer letsencrypt-prod', () => {
    expect(certificate.spec.issuerRef).toEqual({ name: 'letsencrypt-prod', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  });

  test('GIVEN no dnsNames override WHEN synthesized THEN the Certificate names the host factory.example.com alone', () => {
    expect(certificate.spec.dnsNames).toEqual(['factory.example.com']);
  });

  test('GIVEN the guide WHEN synthesized THEN the key is ECDSA P-256, rotated on every renewal', () => {
    expect(certificate.spec.privateKey).toEqual({ algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' });
  });

  test('GIVEN dnsNames and host overrides WHEN synthesized THEN the Certificate carries those names', () => {
    const all = synthAll({ host: 'app.example.org', edge: { certificate: { dnsNames: ['app.example.org', 'www.example.org'] } } });
    expect(find(all, 'Certificate', 'factory-tls').spec.dnsNames).toEqual(['app.example.org', 'www.example.org']);
  });

  test('GIVEN dnsNames that do not include the host WHEN the config is parsed THEN it is refused naming edge.certificate.dnsNames, before any construct runs', () => {
    const parse = () => parseConfig({ edge: { certificate: { dnsNames: ['other.example.com'] } } });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/edge\.certificate\.dnsNames: \[other\.example\.com\] does not include the host "factory\.example\.com"/);
  });

  test('GIVEN cert-manager\'s CRD schemas WHEN the ClusterIssuer and Certificate are validated THEN both conform', () => {
    const validIssuer = validator('cert-manager.io_clusterissuers.yaml');
    const validCertificate = validator('cert-manager.io_certificates.yaml');
    expect(validIssuer(issuer) ? [] : validIssuer.errors).toEqual([]);
    expect(validCertificate(certificate) ? [] : validCertificate.errors).toEqual([]);
  });

  test('GIVEN the Ingresses WHEN synthesized THEN none asks cert-manager for a second Certificate (no cert-manager.io annotation)', () => {
    const ingresses = edge.filter((m) => m.kind === 'Ingress');
    expect(ingresses.length).toBe(3);
    for (const ingress of ingresses) {
      expect(Object.keys(ingress.metadata.annotations ?? {}).filter((k) => k.startsWith('cert-manager.io/'))).toEqual([]);
    }
  });
});

describe('an issuance path without an ingress controller: DNS-01', () => {
  const dns01 = { edge: { target: 'ingress-nginx', certificate: { solver: { type: 'dns01-cloudflare', apiTokenSecret: { name: 'cloudflare-api-token', key: 'api-token' } } } } };

  test('GIVEN the default (the WAF tier, no ingress controller) THEN the ClusterIssuer answers DNS-01 through Cloudflare with the token Secret cloudflare-api-token', () => {
    expect(find(synthAll(), 'ClusterIssuer', 'letsencrypt-prod').spec.acme.solvers).toEqual([{ dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare-api-token', key: 'api-token' } } } }]);
  });

  test('GIVEN edge.target ingress-nginx and no solver THEN the ClusterIssuer answers http01 through the ingress class', () => {
    expect(find(synthAll(CONTROLLER_TARGET), 'ClusterIssuer', 'letsencrypt-prod').spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'nginx' } } }]);
  });

  test('GIVEN solver dns01-cloudflare THEN the ClusterIssuer writes a TXT record through Cloudflare with the named token, and no http01', () => {
    const issuer = find(synthAll(dns01), 'ClusterIssuer', 'letsencrypt-prod');
    expect(issuer.spec.acme.solvers).toEqual([{ dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare-api-token', key: 'api-token' } } } }]);
  });

  test('GIVEN solver dns01-cloudflare THEN the ClusterIssuer passes cert-manager\'s ClusterIssuer schema', () => {
    const validate = validator('cert-manager.io_clusterissuers.yaml');
    const ok = validate(find(synthAll(dns01), 'ClusterIssuer', 'letsencrypt-prod'));
    expect([ok, validate.errors ?? []]).toEqual([true, []]);
  });

  test('GIVEN dns01-cloudflare without its token Secret THEN the config is refused naming the field', () => {
    expect(() => parseConfig({ edge: { certificate: { solver: { type: 'dns01-cloudflare' } } } })).toThrow(/edge\.certificate\.solver\.apiTokenSecret/);
  });

  test('GIVEN an unknown solver type THEN the config is refused naming the field', () => {
    expect(() => parseConfig({ edge: { certificate: { solver: { type: 'dns01-route53' } } } })).toThrow(/edge\.certificate\.solver\.type/);
  });
});
