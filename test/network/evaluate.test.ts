/** lib/network/evaluate.ts on cases beyond this app: the NetworkPolicy semantics the matrix relies on. */
import { type ClusterModel, type PodModel, type Probe, cidrContains, isAllowed, selectorMatches } from '../../lib/network/evaluate';

const web: PodModel = { name: 'web', namespace: 'a', labels: { app: 'web' }, ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 8080 }] };
const db: PodModel = { name: 'db', namespace: 'a', labels: { app: 'db' }, ip: '10.0.0.2', ports: [{ name: 'pg', containerPort: 5432 }] };
const mon: PodModel = { name: 'mon', namespace: 'b', labels: { app: 'mon' }, ip: '10.0.1.1' };
const monInA: PodModel = { name: 'mon-a', namespace: 'a', labels: { app: 'mon' }, ip: '10.0.0.3' };
const namespaces = { a: { 'kubernetes.io/metadata.name': 'a' }, b: { 'kubernetes.io/metadata.name': 'b', team: 'ops' } };
const np = (namespace: string, spec: any) => ({ kind: 'NetworkPolicy', metadata: { name: 'p', namespace }, spec });
const probe = (from: any, to: any, port: number, protocol: Probe['protocol'] = 'TCP'): Probe => ({ from, to, port, protocol });
const cluster = (...policies: any[]): ClusterModel => ({ namespaces, policies });

test('no policy: everything is allowed', () => {
  expect(isAllowed(cluster(), probe(web, db, 5432))).toBe(true);
});

test('policyTypes defaults to Ingress only when the policy has no egress rules', () => {
  const c = cluster(np('a', { podSelector: {} }));
  expect(isAllowed(c, probe(web, db, 5432))).toBe(false);
  expect(isAllowed(c, probe(web, mon, 80))).toBe(true);
});

test('policyTypes defaults to Ingress and Egress when the policy has egress rules', () => {
  const c = cluster(np('a', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }));
  expect(isAllowed(c, probe(web, mon, 80))).toBe(false);
  expect(isAllowed(c, probe(web, db, 5432))).toBe(true);
  expect(isAllowed(c, probe(mon, web, 80))).toBe(false);
});

test('egress isolation: a pod isolated for egress reaches only what a rule allows', () => {
  const c = cluster(np('a', { podSelector: {}, policyTypes: ['Egress'] }));
  expect(isAllowed(c, probe(web, db, 5432))).toBe(false);
  expect(isAllowed(c, probe(mon, web, 8080))).toBe(true);
});

test('policies are additive across one pod', () => {
  const c = cluster(
    np('a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
    np('a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'mon' } } }] }] }),
  );
  expect(isAllowed(c, probe(web, db, 5432))).toBe(true);
  expect(isAllowed(c, probe(monInA, db, 5432))).toBe(true);
});

test('namespaceSelector AND podSelector in one peer: both must match', () => {
  const c = cluster(np('a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } }, podSelector: { matchLabels: { app: 'mon' } } }] }] }));
  expect(isAllowed(c, probe(mon, db, 5432))).toBe(true);
  expect(isAllowed(c, probe(monInA, db, 5432))).toBe(false);
  expect(isAllowed(c, probe({ ...mon, labels: { app: 'other' } }, db, 5432))).toBe(false);
});

test('namespaceSelector OR podSelector as two peers: either matches', () => {
  const c = cluster(np('a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }, { podSelector: { matchLabels: { app: 'web' } } }] }] }));
  expect(isAllowed(c, probe({ ...mon, labels: { app: 'other' } }, db, 5432))).toBe(true);
  expect(isAllowed(c, probe(web, db, 5432))).toBe(true);
  expect(isAllowed(c, probe(monInA, db, 5432))).toBe(false);
});

test('a podSelector alone selects in the policy namespace only', () => {
  const c = cluster(np('a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'mon' } } }] }] }));
  expect(isAllowed(c, probe(monInA, db, 5432))).toBe(true);
  expect(isAllowed(c, probe(mon, db, 5432))).toBe(false);
});

test('named ports resolve on the destination pod', () => {
  const c = cluster(np('a', { podSelector: {}, ingress: [{ ports: [{ port: 'pg' }] }] }));
  expect(isAllowed(c, probe(web, db, 5432))).toBe(true);
  expect(isAllowed(c, probe(db, web, 5432))).toBe(false);
  expect(isAllowed(c, probe(web, db, 5433))).toBe(false);
});

test('UDP and TCP are distinct, TCP is the default protocol', () => {
  const c = cluster(np('a', { podSelector: {}, ingress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 80 }] }] }));
  expect(isAllowed(c, probe(web, db, 53, 'UDP'))).toBe(true);
  expect(isAllowed(c, probe(web, db, 53, 'TCP'))).toBe(false);
  expect(isAllowed(c, probe(web, db, 80, 'TCP'))).toBe(true);
  expect(isAllowed(c, probe(web, db, 80, 'UDP'))).toBe(false);
});

test('endPort opens a range', () => {
  const c = cluster(np('a', { podSelector: {}, ingress: [{ ports: [{ port: 30000, endPort: 30010 }] }] }));
  expect(isAllowed(c, probe(web, db, 30005))).toBe(true);
  expect(isAllowed(c, probe(web, db, 30011))).toBe(false);
});

test('ipBlock with except', () => {
  const c = cluster(np('a', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] }));
  expect(isAllowed(c, probe(web, { name: 'x', ip: '203.0.113.5' }, 443))).toBe(true);
  expect(isAllowed(c, probe(web, { name: 'lan', ip: '10.9.9.9' }, 443))).toBe(false);
  expect(isAllowed(c, probe(web, db, 5432))).toBe(false);
});

test('selector operators In, NotIn, Exists, DoesNotExist', () => {
  const labels = { app: 'web', tier: 'front' };
  expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'x'] }] }, labels)).toBe(true);
  expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(false);
  expect(selectorMatches({ matchExpressions: [{ key: 'quarantine', operator: 'NotIn', values: ['true'] }] }, labels)).toBe(true);
  expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels)).toBe(true);
  expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels)).toBe(false);
  expect(selectorMatches({}, labels)).toBe(true);
});

test('CIDR arithmetic', () => {
  expect(cidrContains('172.16.0.0/12', '172.31.255.255')).toBe(true);
  expect(cidrContains('172.16.0.0/12', '172.32.0.0')).toBe(false);
  expect(cidrContains('0.0.0.0/0', '8.8.8.8')).toBe(true);
  expect(cidrContains('203.0.113.10/32', '203.0.113.10')).toBe(true);
});
