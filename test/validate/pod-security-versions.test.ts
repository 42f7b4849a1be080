/**
 * Pod Security semantics the upstream fixtures miss: how checks appear and change across policy
 * versions, the workload kinds whose pod templates are checked, ephemeral containers, AppArmor fields,
 * Windows exemptions and the user-namespace relaxations.
 */
import { checkPodSecurity, checksFor, parsePolicyVersion, podTemplateOf, WORKLOAD_KINDS, type Level } from '../../lib/validate/pod-security';

/** A restricted-compliant pod spec (the guide's Pod Security Context), to be spoiled one field at a time. */
function goodSpec(): any {
  const sc = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', securityContext: { ...sc } }],
    initContainers: [{ name: 'init', image: 'registry.k8s.io/pause:3.10', securityContext: { ...sc } }],
  };
}
const pod = (patch: (spec: any, meta: any) => void = () => undefined) => {
  const spec = goodSpec(); const metadata: any = { name: 'p' };
  patch(spec, metadata);
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
};
/** The distinct checks that refuse a manifest. */
const ids = (m: any, level: Level, version: string) => [...new Set(checkPodSecurity(m, level, parsePolicyVersion(version)!).map((f) => f.checkId))];

describe('policy versions', () => {
  it('GIVEN "latest", "v1.0", "v1.37" THEN they parse; "v1.38", "1.27", "v2.0" are refused', () => {
    expect(['latest', 'v1.0', 'v1.37'].map(parsePolicyVersion)).toEqual([37, 0, 37]);
    expect(['v1.38', '1.27', 'v2.0', 'v1.027'].map(parsePolicyVersion)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('GIVEN runAsUser: 0 WHEN checked at restricted THEN refused from v1.23 on, not before', () => {
    const m = pod((s) => { s.securityContext.runAsUser = 0; });
    expect(ids(m, 'restricted', 'v1.22')).toEqual([]);
    expect(ids(m, 'restricted', 'v1.23')).toEqual(['runAsUser']);
  });

  it('GIVEN no seccomp profile WHEN checked at restricted THEN refused from v1.19 on', () => {
    const m = pod((s) => { delete s.securityContext.seccompProfile; });
    expect(ids(m, 'restricted', 'v1.18')).toEqual([]);
    expect(ids(m, 'restricted', 'v1.19')).toEqual(['seccompProfile_restricted']);
  });

  it('GIVEN a seccomp "unconfined" annotation WHEN checked at baseline THEN refused before v1.19 only (fields take over)', () => {
    const m = pod((_s, meta) => { meta.annotations = { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }; });
    expect(ids(m, 'baseline', 'v1.18')).toEqual(['seccompProfile_baseline']);
    expect(ids(m, 'baseline', 'v1.19')).toEqual([]);
  });

  it('GIVEN capabilities not dropped WHEN checked at restricted THEN refused from v1.22 on', () => {
    const m = pod((s) => { delete s.containers[0].securityContext.capabilities; });
    expect(ids(m, 'restricted', 'v1.21')).toEqual([]);
    expect(ids(m, 'restricted', 'v1.22')).toEqual(['capabilities_restricted']);
  });

  it('GIVEN a probe host WHEN checked at baseline THEN refused from v1.34 on', () => {
    const m = pod((s) => { s.containers[0].readinessProbe = { httpGet: { host: '10.0.0.1', port: 80 } }; });
    expect(ids(m, 'baseline', 'v1.33')).toEqual([]);
    expect(checkPodSecurity(m, 'baseline', 34)).toEqual([expect.objectContaining({
      checkId: 'hostProbesAndHostLifecycle', path: 'spec.containers[0].readinessProbe.httpGet.host' })]);
  });

  it.each([
    ['net.ipv4.ip_local_reserved_ports', 'v1.26', 'v1.27'],
    ['net.ipv4.tcp_keepalive_time', 'v1.28', 'v1.29'],
    ['net.ipv4.tcp_rmem', 'v1.31', 'v1.32'],
    ['net.ipv4.tcp_notsent_lowat', 'v1.36', 'v1.37'],
  ])('GIVEN sysctl %s THEN refused at %s and allowed from %s', (name, before, since) => {
    const m = pod((s) => { s.securityContext.sysctls = [{ name, value: '1' }]; });
    expect(ids(m, 'baseline', before)).toEqual(['sysctls']);
    expect(ids(m, 'baseline', since)).toEqual([]);
  });

  it('GIVEN SELinux type container_engine_t THEN refused at v1.30, allowed from v1.31', () => {
    const m = pod((s) => { s.securityContext.seLinuxOptions = { type: 'container_engine_t' }; });
    expect(ids(m, 'baseline', 'v1.30')).toEqual(['seLinuxOptions']);
    expect(ids(m, 'baseline', 'v1.31')).toEqual([]);
  });

  it('GIVEN hostUsers: false and runAsNonRoot: false THEN refused at v1.34, relaxed from v1.35', () => {
    const m = pod((s) => { s.hostUsers = false; s.securityContext.runAsNonRoot = false; s.securityContext.runAsUser = 0; });
    expect(ids(m, 'restricted', 'v1.34')).toEqual(['runAsNonRoot', 'runAsUser']);
    expect(ids(m, 'restricted', 'v1.35')).toEqual([]);
  });

  it('GIVEN hostUsers: false and procMount Unmasked THEN baseline relaxes from v1.35 but restricted still refuses', () => {
    const m = pod((s) => { s.hostUsers = false; s.containers[0].securityContext.procMount = 'Unmasked'; });
    expect(ids(m, 'baseline', 'v1.34')).toEqual(['procMount']);
    expect(ids(m, 'baseline', 'v1.35')).toEqual([]);
    expect(ids(m, 'restricted', 'v1.35')).toEqual(['procMount_restricted']);
  });

  it('GIVEN a Windows pod without Linux-only fields THEN refused at v1.24 and exempt from v1.25', () => {
    const m = pod((s) => {
      s.os = { name: 'windows' };
      delete s.securityContext.seccompProfile;
      for (const c of [...s.containers, ...s.initContainers]) delete c.securityContext;
    });
    expect(ids(m, 'restricted', 'v1.24')).toEqual(expect.arrayContaining(['allowPrivilegeEscalation', 'seccompProfile_restricted', 'capabilities_restricted']));
    expect(ids(m, 'restricted', 'v1.25')).toEqual([]);
  });

  it('GIVEN restricted from v1.22 THEN the restricted checks replace the overlapping baseline ones', () => {
    const active = (v: number) => checksFor('restricted', v).map((c) => c.check.id);
    expect(active(21)).toContain('capabilities_baseline');
    expect(active(22)).not.toContain('capabilities_baseline');
    expect(active(19)).not.toContain('seccompProfile_baseline');
    expect(active(0)).not.toContain('hostPathVolumes');
  });
});

describe('fields the fixtures do not cover', () => {
  it('GIVEN an AppArmor profile field of type Unconfined THEN refused at baseline (annotations and fields)', () => {
    const m = pod((s) => { s.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' }; });
    expect(checkPodSecurity(m, 'baseline', 37)).toEqual([expect.objectContaining({
      checkId: 'appArmorProfile', path: 'spec.containers[0].securityContext.appArmorProfile.type' })]);
  });

  it('GIVEN a privileged ephemeral container THEN refused (ephemeral containers are checked)', () => {
    const m = pod((s) => { s.ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36', securityContext: { privileged: true } }]; });
    expect(checkPodSecurity(m, 'baseline', 37)).toEqual([expect.objectContaining({
      checkId: 'privileged', path: 'spec.ephemeralContainers[0].securityContext.privileged' })]);
  });

  it('GIVEN an image volume and a volume naming no source THEN admitted at restricted; a hostPath is refused', () => {
    expect(ids(pod((s) => { s.volumes = [{ name: 'i', image: { reference: 'x:1' } }, { name: 'e' }]; }), 'restricted', 'latest')).toEqual([]);
    expect(ids(pod((s) => { s.volumes = [{ name: 'h', hostPath: { path: '/' } }]; }), 'restricted', 'latest')).toEqual(['restrictedVolumes']);
  });

  it.each(WORKLOAD_KINDS)('GIVEN a %s with a hostPath volume THEN its pod template is checked and the field path is full', (kind) => {
    const template = { metadata: {}, spec: { ...goodSpec(), volumes: [{ name: 'h', hostPath: { path: '/' } }] } };
    const m: any = kind === 'Pod' ? { kind, metadata: { name: 'x' }, spec: template.spec }
      : kind === 'CronJob' ? { kind, spec: { jobTemplate: { spec: { template } } } } : { kind, spec: { template } };
    const prefix = podTemplateOf(m)!.prefix;
    expect(checkPodSecurity(m, 'baseline', 37)).toEqual([expect.objectContaining({ checkId: 'hostPathVolumes', path: `${prefix}spec.volumes[0].hostPath` })]);
  });

  it('GIVEN a kind without a pod template (Service) THEN nothing is checked', () => {
    expect(podTemplateOf({ kind: 'Service', spec: { template: { spec: {} } } })).toBeUndefined();
  });
});
