/** Schema validation: Kubernetes kinds through kubernetes-models, custom resources through the shared CRDs. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesize } from '../../main';
import { manifestOutputs, parseManifests } from '../../lib/validate';
import { checkSchemas, crdDirectory, strictSchema } from '../../lib/validate/schema';

const doc = (object: any) => ({ file: 'test.yaml', object });
const certificate = (spec: any) => doc({
  apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'factory-tls', namespace: 'factory' }, spec,
});

describe('schema validation', () => {
  it('GIVEN the synthesized manifests THEN every object matches its schema', () => {
    expect(checkSchemas(parseManifests(manifestOutputs(synthesize({}))))).toEqual([]);
  });

  it('GIVEN a Deployment with replicas "2" (a string) THEN refused at spec.replicas', () => {
    const v = checkSchemas([doc({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { replicas: '2', selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c', image: 'x:1' }] } } } })]);
    expect(v).toEqual([expect.objectContaining({ path: 'spec.replicas', rule: 'schema/apps/v1', message: 'must be integer' })]);
  });

  it('GIVEN a Service port without its required "port" THEN refused naming spec.ports[0].port', () => {
    const v = checkSchemas([doc({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ name: 'tcp' }] } })]);
    expect(v).toEqual([expect.objectContaining({ path: 'spec.ports[0].port', message: 'required field is missing' })]);
  });

  it('GIVEN a valid cert-manager Certificate THEN it matches the CRD schema', () => {
    expect(checkSchemas([certificate({ secretName: 'factory-tls', dnsNames: ['factory.example.com'], issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer' } })])).toEqual([]);
  });

  it('GIVEN a Certificate with a misspelled field (dnsName) THEN refused as an unknown field naming it', () => {
    const v = checkSchemas([certificate({ secretName: 'factory-tls', dnsName: ['factory.example.com'], issuerRef: { name: 'letsencrypt-prod' } })]);
    expect(v).toEqual([expect.objectContaining({ path: 'spec.dnsName', rule: 'schema/cert-manager.io/v1', message: 'unknown field "dnsName"' })]);
  });

  it('GIVEN a Certificate without its required secretName THEN refused naming spec.secretName', () => {
    const v = checkSchemas([certificate({ dnsNames: ['factory.example.com'], issuerRef: { name: 'letsencrypt-prod' } })]);
    expect(v).toEqual([expect.objectContaining({ path: 'spec.secretName', message: 'required field is missing' })]);
  });

  it('GIVEN a ServiceMonitor (prometheus-operator) with a wrong type THEN refused against its CRD', () => {
    const v = checkSchemas([doc({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'm' },
      spec: { selector: {}, endpoints: [{ port: 'http', interval: 30 }] } })]);
    expect(v).toEqual([expect.objectContaining({ path: 'spec.endpoints[0].interval', message: 'must be string' })]);
  });

  it('GIVEN a kind with no known schema THEN refused (nothing goes unchecked)', () => {
    const v = checkSchemas([doc({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })]);
    expect(v).toEqual([expect.objectContaining({ path: 'kind', rule: 'schema/unknown-kind' })]);
  });

  it('GIVEN an object without a name THEN refused at metadata.name', () => {
    expect(checkSchemas([doc({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })]))
      .toEqual([expect.objectContaining({ path: 'metadata.name', rule: 'schema/object' })]);
  });

  it('GIVEN a CRD schema THEN declared objects become strict, preserve-unknown-fields ones stay open', () => {
    const s = strictSchema({ type: 'object', properties: { a: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { b: { type: 'string' } } } } });
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.a.additionalProperties).toBeUndefined();
  });

  it('GIVEN a CRD edited after a check (the folder index kept under size and mtime) THEN the next check judges by the edited CRD', () => {
    // GIVEN a project root holding only the Certificate CRD, and a Certificate with dnsNames that it accepts
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-crd-index-'));
    try {
      const crd = path.join(crdDirectory(root), 'certificates.yaml');
      fs.mkdirSync(path.dirname(crd), { recursive: true });
      fs.copyFileSync(path.join(crdDirectory(), 'cert-manager', 'cert-manager.io_certificates.yaml'), crd);
      const cert = certificate({ secretName: 'factory-tls', dnsNames: ['factory.example.com'], issuerRef: { name: 'letsencrypt-prod' } });
      expect(checkSchemas([cert], root)).toEqual([]);
      // WHEN the CRD renames the field (same size) and is checked again
      fs.writeFileSync(crd, fs.readFileSync(crd, 'utf8').replace(/^( +)dnsNames:$/m, '$1dnsNamez:'));
      fs.utimesSync(crd, new Date(), new Date(Date.now() + 60_000));
      // THEN the field is unknown: the index did not serve the CRD's old hash
      expect(checkSchemas([cert], root)).toEqual([expect.objectContaining({ path: 'spec.dnsNames', message: 'unknown field "dnsNames"' })]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
