/** lib/hardening.ts + lib/chart.ts: the one place every workload passes through. */
import { Cron, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { FactoryChart } from '../lib/chart';
import { defaultConfig } from '../lib/config';
import { CONTAINER_SECURITY_CONTEXT, hardeningPatches } from '../lib/hardening';
import { allContainers, podSpecs } from './support';

const GUIDE_POD = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };

function chart() {
  return new FactoryChart(Testing.app(), 'test', { podIdentity: defaultConfig().podSecurity, namespace: 'factory' });
}

test('GIVEN a CronJob with an init container that asks for privileges WHEN synthesized THEN both containers are hardened', () => {
  const c = chart();
  const job = new kplus.CronJob(c, 'job', { schedule: Cron.daily(), securityContext: { ensureNonRoot: false, user: 0 } });
  job.addInitContainer({ name: 'init', image: 'busybox:1.36.1', securityContext: { privileged: true, allowPrivilegeEscalation: true, readOnlyRootFilesystem: false } });
  job.addContainer({ name: 'main', image: 'busybox:1.36.1' });
  const [pod] = podSpecs(c.toJson());
  // fsGroupChangePolicy: cdk8s-plus' own default, kept by the merge (user 0 and ensureNonRoot false are not).
  expect(pod.spec.securityContext).toEqual({ ...GUIDE_POD, fsGroupChangePolicy: 'Always' });
  const hardened = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };
  expect(allContainers(pod.spec).map((ct) => [ct.name, ct.securityContext])).toEqual([['init', hardened], ['main', hardened]]);
});

test('GIVEN a container that adds NET_ADMIN WHEN synthesized THEN nothing is added and ALL is dropped', () => {
  const c = chart();
  const d = new kplus.Deployment(c, 'd');
  d.addContainer({ name: 'main', image: 'busybox:1.36.1', securityContext: { capabilities: { add: [kplus.Capability.NET_ADMIN] } } });
  const patched = c.toJson().find((m) => m.kind === 'Deployment');
  expect(patched.spec.template.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
});

test('GIVEN a config with another uid WHEN synthesized THEN pods run as that uid', () => {
  const config = { ...defaultConfig(), podSecurity: { runAsUser: 2000, runAsGroup: 3000, fsGroup: 4000 } };
  const c = new FactoryChart(Testing.app(), 'test', { podIdentity: config.podSecurity });
  new kplus.Pod(c, 'p').addContainer({ name: 'main', image: 'busybox:1.36.1' });
  const [pod] = podSpecs(c.toJson());
  expect(pod.spec.securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 3000, fsGroup: 4000, seccompProfile: { type: 'RuntimeDefault' } });
});

test('GIVEN an object without a pod template (a ConfigMap) WHEN synthesized THEN it is left as it is', () => {
  const c = chart();
  new kplus.ConfigMap(c, 'cm', { metadata: { name: 'cm' }, data: { a: 'b' } });
  expect(c.toJson()).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'factory' }, data: { a: 'b' }, immutable: false }]);
});

test('GIVEN a workload that sets fsGroupChangePolicy and sysctls WHEN hardened THEN both survive beside the guide\'s pod fields', () => {
  const c = chart();
  const d = new kplus.Deployment(c, 'd', {
    securityContext: {
      fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
      sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }],
    },
  });
  d.addContainer({ name: 'main', image: 'busybox:1.36.1' });
  const [pod] = podSpecs(c.toJson());
  expect(pod.spec.securityContext).toEqual({
    ...GUIDE_POD,
    fsGroupChangePolicy: 'OnRootMismatch',
    sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }],
  });
});

test('GIVEN a container that sets its own seLinuxOptions WHEN hardened THEN they survive beside the guide\'s container fields', () => {
  const c = chart();
  const d = new kplus.Deployment(c, 'd');
  d.addContainer({ name: 'main', image: 'busybox:1.36.1' });
  const manifest = c.toJson().find((m) => m.kind === 'Deployment');
  // The same merge, applied to what a raw manifest (or another construct library) sets.
  manifest.spec.template.spec.containers[0].securityContext = { seLinuxOptions: { level: 's0:c123,c456' }, privileged: true };
  const hardened = JsonPatch.apply(manifest, ...hardeningPatches(manifest, defaultConfig().podSecurity));
  expect(hardened.spec.template.spec.containers[0].securityContext).toEqual({ ...CONTAINER_SECURITY_CONTEXT, seLinuxOptions: { level: 's0:c123,c456' } });
});
