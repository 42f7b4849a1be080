/**
 * The library entry point (lib/index.ts, imported as `factory-security`): the README's example, a
 * cdk8s app of another team, compiles (npm test type-checks examples/), runs, and writes manifests that
 * pass the project's own validation (restricted, schemas, policies), with its values and the guide's hardening.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseManifests, validateManifests } from 'factory-security';

const ROOT = path.resolve(__dirname, '..');
let out: string;
let status: number | null;
let docs: any[];

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-library-'));
  status = spawnSync(process.execPath, ['scripts/run.cjs', 'examples/library.ts', out], { cwd: ROOT, encoding: 'utf8' }).status;
  docs = parseManifests(fs.readdirSync(out).sort().map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')] as [string, string]));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const find = (kind: string, name: string) => docs.find((d) => d.object.kind === kind && d.object.metadata.name === name)?.object;

test('GIVEN the README example WHEN run THEN it exits 0 and writes its two charts', () => {
  expect(status).toBe(0);
  expect(fs.readdirSync(out).sort()).toEqual(['billing-namespace.k8s.yaml', 'billing.k8s.yaml']);
});

test('GIVEN its manifests WHEN validated like dist/ THEN there is no violation (restricted:latest, schemas, policies)', () => {
  expect(docs.map((d) => d.object.kind)).toEqual(['Namespace', 'ServiceAccount', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'ServiceAccount', 'Deployment']);
  expect(validateManifests(docs)).toEqual([]);
});

test('GIVEN HardenedNamespace with its own name THEN the guide\'s Pod Security labels are on it', () => {
  expect(find('Namespace', 'billing').metadata.labels).toMatchObject({
    'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.27',
  });
});

test('GIVEN FlowPolicies with one flow THEN default-deny-all and one policy per side, on port 5432', () => {
  const names = docs.filter((d) => d.object.kind === 'NetworkPolicy').map((d) => d.object.metadata.name);
  expect(names).toEqual(['default-deny-all', 'allow-web-to-db-ingress', 'allow-web-to-db-egress']);
  expect(find('NetworkPolicy', 'allow-web-to-db-ingress').spec.ingress[0].ports).toEqual([{ port: 5432, protocol: 'TCP' }]);
});

test('GIVEN a plain cdk8s-plus Deployment in a FactoryChart THEN it runs as the app\'s uid with seccomp RuntimeDefault and ALL dropped', () => {
  const pod = find('Deployment', 'web').spec.template.spec;
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 2000, runAsGroup: 2000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } });
  expect(pod.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
});
