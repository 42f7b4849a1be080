/**
 * Guide "Secrets Management" for the pods that cannot log in to Vault themselves (PostgreSQL, Redis): the
 * External Secrets Operator's SecretStore and ExternalSecrets, rendered from the Vault path table, strictly
 * valid against the operator's v2.9.0 CRDs, refreshed as configured.
 */
import { checkSchemas } from '../lib/validate/schema';
import { SECRET_PATHS, pathsReadBy, syncedKeys } from '../vault/paths';
import { find, synthAll } from './support';

const all = synthAll();
const doc = (object: any) => ({ file: 'test.yaml', object });

test('GIVEN the guide WHEN synthesized THEN one SecretStore and one ExternalSecret per Secret the pods read (factory-postgresql, factory-redis)', () => {
  expect(all.filter((m) => m.kind === 'SecretStore').map((m) => m.metadata.name)).toEqual(['factory-vault']);
  expect(all.filter((m) => m.kind === 'ExternalSecret').map((m) => [m.metadata.name, m.spec.target.name])).toEqual([
    ['factory-postgresql', 'factory-postgresql'], ['factory-redis', 'factory-redis'],
  ]);
});

test('GIVEN the ExternalSecrets THEN each copies the password of its Vault path, owns its Secret and refreshes every 1h', () => {
  const pg = find(all, 'ExternalSecret', 'factory-postgresql');
  expect(pg.spec).toMatchObject({ refreshInterval: '1h', secretStoreRef: { kind: 'SecretStore', name: 'factory-vault' }, target: { creationPolicy: 'Owner' } });
  expect(pg.spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'factory/database', property: 'password' } }]);
  expect(find(all, 'ExternalSecret', 'factory-redis').spec.data).toEqual([{ secretKey: 'password', remoteRef: { key: 'factory/redis', property: 'password' } }]);
});

test('GIVEN redis WHEN its Secret is rendered THEN it holds redis.conf with requirepass, the password quoted by the template', () => {
  expect(find(all, 'ExternalSecret', 'factory-redis').spec.target.template).toEqual({
    engineVersion: 'v2', data: { 'redis.conf': 'requirepass {{ .password | quote }}\n' },
  });
});

test('GIVEN vault.sync.refreshInterval 15m in config THEN every ExternalSecret refreshes every 15m', () => {
  const intervals = synthAll({ vault: { sync: { refreshInterval: '15m' } } }).filter((m) => m.kind === 'ExternalSecret').map((m) => m.spec.refreshInterval);
  expect(intervals).toEqual(['15m', '15m']);
});

test.each(['1h30m', '90s', '1500ms', '250\u00b5s', '250\u03bcs'])('GIVEN vault.sync.refreshInterval %s (a Go duration; Go reads the micro sign and the Greek mu alike) THEN it is accepted as written', (interval) => {
  const intervals = synthAll({ vault: { sync: { refreshInterval: interval } } }).filter((m) => m.kind === 'ExternalSecret').map((m) => m.spec.refreshInterval);
  expect(intervals).toEqual([interval, interval]);
});

test('GIVEN the synthesized SecretStore and ExternalSecrets WHEN validated against the operator\'s CRDs THEN they conform (control: there are three)', () => {
  const docs = all.filter((m) => m.apiVersion === 'external-secrets.io/v1').map(doc);
  expect(docs).toHaveLength(3);
  expect(checkSchemas(docs)).toEqual([]);
});

test('GIVEN a SecretStore with a misspelled field WHEN validated THEN it is refused naming the field (strict, like the API server)', () => {
  const store = structuredClone(find(all, 'SecretStore', 'factory-vault'));
  store.spec.provider.vault.auth.kubernetes.rol = store.spec.provider.vault.auth.kubernetes.role;
  expect(checkSchemas([doc(store)])).toEqual([expect.objectContaining({ path: 'spec.provider.vault.auth.kubernetes.rol', message: 'unknown field "rol"' })]);
});

test('GIVEN an ExternalSecret with an unknown creationPolicy WHEN validated THEN it is refused naming the allowed values', () => {
  const es = structuredClone(find(all, 'ExternalSecret', 'factory-redis'));
  es.spec.target.creationPolicy = 'Always';
  expect(checkSchemas([doc(es)])).toEqual([expect.objectContaining({ path: 'spec.target.creationPolicy', message: expect.stringMatching(/must be one of .*"Owner"/) })]);
});

test('GIVEN the path table THEN the sync reads exactly the paths whose keys it syncs', () => {
  expect(pathsReadBy('sync').map((p) => p.name)).toEqual([...new Set(syncedKeys().map(({ path }) => path.name))]);
  expect(SECRET_PATHS.every((p) => p.readers.includes('api'))).toBe(true);
});
