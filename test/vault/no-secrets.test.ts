/** "Nothing secret in Terraform JSON": the synthesized cdk.tf.json scanned for secret literals and absolute paths. */
import { secretLiterals, absolutePaths, synthVaultToDisk } from './support';

const EXTERNAL = { vault: { location: { cidr: '203.0.113.10/32' }, address: 'https://vault.example.com:8200' } };

test('No secret in JSON: GIVEN the guide config WHEN cdk.tf.json is written THEN the scan finds no secret-looking literal', () => {
  expect(secretLiterals(JSON.parse(synthVaultToDisk()))).toEqual([]);
});

test('No secret in JSON: GIVEN Vault outside the cluster WHEN cdk.tf.json is written THEN the scan finds no secret-looking literal', () => {
  expect(secretLiterals(JSON.parse(synthVaultToDisk(EXTERNAL)))).toEqual([]);
});

test('No absolute path: GIVEN the default backend WHEN cdk.tf.json is written THEN no string is an absolute path or names this machine\'s folders', () => {
  expect(absolutePaths(synthVaultToDisk())).toEqual([]);
});

test.each([
  ['a literal password attribute', { resource: { x: { y: { password: 'hunter2' } } } }],
  ['a literal credential inside jsonencode', { resource: { x: { y: { data_json_wo: '${jsonencode({"password" = "hunter2"})}' } } } }],
  ['a literal API key inside jsonencode', { resource: { x: { y: { data_json_wo: '${jsonencode({"anthropic_key" = "abc"})}' } } } }],
  ['an Anthropic key anywhere', { resource: { x: { y: { description: 'key sk-ant-api03-abcdefghijkl' } } } }],
  ['a Vault token anywhere', { provider: { vault: [{ address: 'x', headers: 'hvs.CAESIabcdefghijklmnop' }] } }],
  ['a default on a sensitive variable', { variable: { redis_password: { sensitive: true, default: 'changeme' } } }],
])('Scanner: GIVEN %s WHEN scanned THEN it is reported (the scan can fail)', (_what, json) => {
  expect(secretLiterals(json).length).toBeGreaterThan(0);
});

test('Scanner: GIVEN an absolute state path WHEN scanned THEN it is reported (the scan can fail)', () => {
  expect(absolutePaths(JSON.stringify({ terraform: { backend: { local: { path: `${process.cwd()}/terraform.tfstate` } } } }))).toHaveLength(1);
});
