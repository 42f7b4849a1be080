/**
 * The Pod Security Standards checks, one unit each, with the version history of Kubernetes'
 * pod-security-admission (policy versions v1.0 … v1.37). Ids are upstream's, so a finding can be
 * looked up in the Kubernetes documentation. Written from the standard and the upstream check
 * semantics; no upstream code is copied.
 *
 * Version notes (where the semantics changed):
 * - seccompProfile_baseline: annotations before v1.19, the `seccompProfile` fields from v1.19.
 * - seLinuxOptions: `container_engine_t` allowed from v1.31.
 * - sysctls: the safe list grows in v1.27, v1.29, v1.32 and v1.37.
 * - hostProbesAndHostLifecycle: from v1.34.
 * - procMount (baseline): from v1.35 relaxed for user-namespace pods (`hostUsers: false`);
 *   procMount_restricted (from v1.35) never relaxes.
 * - runAsNonRoot / runAsUser: relaxed for user-namespace pods from v1.35; runAsUser exists from v1.23.
 * - allowPrivilegeEscalation (v1.8), capabilities_restricted (v1.22), seccompProfile_restricted (v1.19):
 *   Windows pods (`spec.os.name: windows`) exempt from v1.25.
 */
import {
  type Check, type ContainerAt, type Finding, type PodTemplate, annotationPath, containerSecurityContext, containersOf,
  isWindows, podSecurityContext, specPath, usesUserNamespace,
} from './model';


// ---------------------------------------------------------------------------------------------------
// Baseline
// ---------------------------------------------------------------------------------------------------

/** Host namespaces must not be shared. */
export const hostNamespaces: Check = {
  id: 'hostNamespaces', level: 'baseline',
  versions: [{
    since: 0,
    check: (pod) => (['hostNetwork', 'hostPID', 'hostIPC'] as const)
      .filter((f) => pod.spec[f] === true)
      .map((f) => ({ path: specPath(pod, f), message: `must not be true (host namespaces are forbidden)` })),
  }],
};

/** Privileged containers are forbidden. */
export const privileged: Check = {
  id: 'privileged', level: 'baseline',
  versions: [{
    since: 0,
    check: (pod) => containersOf(pod)
      .filter((c) => containerSecurityContext(c).privileged === true)
      .map((c) => ({ path: `${c.path}.securityContext.privileged`, message: 'must not be true (privileged containers are forbidden)' })),
  }],
};

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

/** Capabilities beyond the default set must not be added. */
export const capabilitiesBaseline: Check = {
  id: 'capabilities_baseline', level: 'baseline',
  versions: [{
    since: 0,
    check: (pod) => containersOf(pod).flatMap((c) => {
      const add = containerSecurityContext(c).capabilities?.add;
      if (!Array.isArray(add)) return [];
      return add.flatMap((cap: string, i: number) => (BASELINE_CAPABILITIES.has(cap) ? [] : [{
        path: `${c.path}.securityContext.capabilities.add[${i}]`,
        message: `capability ${JSON.stringify(cap)} must not be added (allowed: ${[...BASELINE_CAPABILITIES].join(', ')})`,
      }]));
    }),
  }],
};

/** hostPath volumes are forbidden. */
export const hostPathVolumes: Check = {
  id: 'hostPathVolumes', level: 'baseline',
  versions: [{
    since: 0,
    check: (pod) => volumesOf(pod)
      .filter(({ volume }) => volume.hostPath != null)
      .map(({ volume, i }) => ({ path: specPath(pod, `volumes[${i}].hostPath`), message: `volume ${JSON.stringify(volume.name)} must not be a hostPath volume` })),
  }],
};

/** Host ports are forbidden. */
export const hostPorts: Check = {
  id: 'hostPorts', level: 'baseline',
  versions: [{
    since: 0,
    check: (pod) => containersOf(pod).flatMap((c) => (Array.isArray(c.container.ports) ? c.container.ports : [])
      .flatMap((p: any, i: number) => (p?.hostPort ? [{
        path: `${c.path}.ports[${i}].hostPort`, message: `host port ${p.hostPort} is forbidden (must be unset or 0)`,
      }] : []))),
  }],
};

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const appArmorAnnotationAllowed = (v: string) => v === '' || v === 'runtime/default' || v.startsWith('localhost/');
const appArmorTypeAllowed = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';

/** The default AppArmor profile must not be disabled (annotations and, since they exist, the fields). */
export const appArmorProfile: Check = {
  id: 'appArmorProfile', level: 'baseline',
  versions: [{
    since: 0,
    check: (pod) => {
      const out: Finding[] = [];
      for (const [k, v] of Object.entries(pod.metadata.annotations ?? {})) {
        if (k.startsWith(APPARMOR_ANNOTATION_PREFIX) && !appArmorAnnotationAllowed(String(v))) {
          out.push({ path: annotationPath(pod, k), message: `AppArmor profile ${JSON.stringify(v)} is forbidden (allowed: "runtime/default", "localhost/*")` });
        }
      }
      const podProfile = podSecurityContext(pod).appArmorProfile;
      if (podProfile && !appArmorTypeAllowed(podProfile.type)) {
        out.push({ path: specPath(pod, 'securityContext.appArmorProfile.type'), message: `AppArmor profile type ${JSON.stringify(podProfile.type)} is forbidden (allowed: RuntimeDefault, Localhost)` });
      }
      for (const c of containersOf(pod)) {
        const p = containerSecurityContext(c).appArmorProfile;
        if (p && !appArmorTypeAllowed(p.type)) {
          out.push({ path: `${c.path}.securityContext.appArmorProfile.type`, message: `AppArmor profile type ${JSON.stringify(p.type)} is forbidden (allowed: RuntimeDefault, Localhost)` });
        }
      }
      return out;
    },
  }],
};

const seLinuxCheck = (allowedTypes: readonly string[]) => (pod: PodTemplate): Finding[] => {
  const out: Finding[] = [];
  const inspect = (opts: any, path: string) => {
    if (!opts || typeof opts !== 'object') return;
    if (!allowedTypes.includes(opts.type ?? '')) {
      out.push({ path: `${path}.type`, message: `SELinux type ${JSON.stringify(opts.type)} is forbidden (allowed: ${allowedTypes.filter(Boolean).join(', ')})` });
    }
    if (opts.user) out.push({ path: `${path}.user`, message: 'SELinux user must not be set' });
    if (opts.role) out.push({ path: `${path}.role`, message: 'SELinux role must not be set' });
  };
  inspect(podSecurityContext(pod).seLinuxOptions, specPath(pod, 'securityContext.seLinuxOptions'));
  for (const c of containersOf(pod)) inspect(containerSecurityContext(c).seLinuxOptions, `${c.path}.securityContext.seLinuxOptions`);
  return out;
};

const SELINUX_TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];

/** SELinux: only the container types; user and role unset. */
export const seLinuxOptions: Check = {
  id: 'seLinuxOptions', level: 'baseline',
  versions: [
    { since: 0, check: seLinuxCheck(SELINUX_TYPES_1_0) },
    { since: 31, check: seLinuxCheck([...SELINUX_TYPES_1_0, 'container_engine_t']) },
  ],
};

/** The findings of a non-default `procMount` (shared by procMount and procMount_restricted). */
function unmaskedProcMounts(pod: PodTemplate): Finding[] {
  return containersOf(pod).flatMap((c) => {
    const pm = containerSecurityContext(c).procMount;
    return pm == null || pm === 'Default' ? [] : [{
      path: `${c.path}.securityContext.procMount`, message: `procMount ${JSON.stringify(pm)} is forbidden (allowed: Default)`,
    }];
  });
}

/** The default /proc masks are required (relaxed for user-namespace pods from v1.35). */
export const procMount: Check = {
  id: 'procMount', level: 'baseline',
  versions: [
    { since: 0, check: unmaskedProcMounts },
    { since: 35, check: (pod) => (usesUserNamespace(pod) ? [] : unmaskedProcMounts(pod)) },
  ],
};

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
const seccompAnnotationAllowed = (v: string) => v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
const seccompTypeAllowed = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';

/** The seccomp fields (pod and containers) set to a forbidden type. */
function badSeccompTypes(pod: PodTemplate): Finding[] {
  const out: Finding[] = [];
  const podProfile = podSecurityContext(pod).seccompProfile;
  if (podProfile && !seccompTypeAllowed(podProfile.type)) {
    out.push({ path: specPath(pod, 'securityContext.seccompProfile.type'), message: `seccomp profile type ${JSON.stringify(podProfile.type)} is forbidden (allowed: RuntimeDefault, Localhost)` });
  }
  for (const c of containersOf(pod)) {
    const p = containerSecurityContext(c).seccompProfile;
    if (p && !seccompTypeAllowed(p.type)) {
      out.push({ path: `${c.path}.securityContext.seccompProfile.type`, message: `seccomp profile type ${JSON.stringify(p.type)} is forbidden (allowed: RuntimeDefault, Localhost)` });
    }
  }
  return out;
}

/** Seccomp must not be disabled: annotations before v1.19, fields from v1.19. */
export const seccompProfileBaseline: Check = {
  id: 'seccompProfile_baseline', level: 'baseline',
  versions: [
    {
      since: 0,
      check: (pod) => {
        const annotations = pod.metadata.annotations ?? {};
        const keys = [SECCOMP_POD_ANNOTATION, ...containersOf(pod).map((c) => SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.container.name)];
        return keys.filter((k) => k in annotations && !seccompAnnotationAllowed(String(annotations[k])))
          .map((k) => ({ path: annotationPath(pod, k), message: `seccomp profile ${JSON.stringify(annotations[k])} is forbidden (allowed: "runtime/default", "docker/default", "localhost/*")` }));
      },
    },
    { since: 19, check: badSeccompTypes },
  ],
};

/** The safe sysctls, by the version that introduced them. */
const SAFE_SYSCTLS: { since: number; names: string[] }[] = [
  { since: 0, names: ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'] },
  { since: 27, names: ['net.ipv4.ip_local_reserved_ports'] },
  { since: 29, names: ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'] },
  { since: 32, names: ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'] },
  { since: 37, names: ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat'] },
];

const sysctlsCheck = (allowed: Set<string>) => (pod: PodTemplate): Finding[] => {
  const sysctls = podSecurityContext(pod).sysctls;
  if (!Array.isArray(sysctls)) return [];
  return sysctls.flatMap((s: any, i: number) => (allowed.has(s?.name) ? [] : [{
    path: specPath(pod, `securityContext.sysctls[${i}].name`), message: `sysctl ${JSON.stringify(s?.name)} is not in the safe set`,
  }]));
};

/** Only the safe sysctls (a set that grows with the versions). */
export const sysctls: Check = {
  id: 'sysctls', level: 'baseline',
  versions: SAFE_SYSCTLS.map(({ since }) => ({
    since,
    check: sysctlsCheck(new Set(SAFE_SYSCTLS.filter((s) => s.since <= since).flatMap((s) => s.names))),
  })),
};

/** Windows HostProcess containers are forbidden. */
export const windowsHostProcess: Check = {
  id: 'windowsHostProcess', level: 'baseline',
  versions: [{
    since: 0,
    check: (pod) => {
      const out: Finding[] = [];
      if (podSecurityContext(pod).windowsOptions?.hostProcess === true) {
        out.push({ path: specPath(pod, 'securityContext.windowsOptions.hostProcess'), message: 'must not be true (Windows HostProcess is forbidden)' });
      }
      for (const c of containersOf(pod)) {
        if (containerSecurityContext(c).windowsOptions?.hostProcess === true) {
          out.push({ path: `${c.path}.securityContext.windowsOptions.hostProcess`, message: 'must not be true (Windows HostProcess is forbidden)' });
        }
      }
      return out;
    },
  }],
};

/** Probes and lifecycle handlers must not name a host (from v1.34). */
export const hostProbesAndHostLifecycle: Check = {
  id: 'hostProbesAndHostLifecycle', level: 'baseline',
  versions: [{
    since: 34,
    check: (pod) => containersOf(pod).flatMap((c) => {
      const out: Finding[] = [];
      const handlers: [string, any][] = [
        ['livenessProbe', c.container.livenessProbe], ['readinessProbe', c.container.readinessProbe],
        ['startupProbe', c.container.startupProbe],
        ['lifecycle.postStart', c.container.lifecycle?.postStart], ['lifecycle.preStop', c.container.lifecycle?.preStop],
      ];
      for (const [name, h] of handlers) {
        for (const kind of ['httpGet', 'tcpSocket']) {
          const host = h?.[kind]?.host;
          if (host) out.push({ path: `${c.path}.${name}.${kind}.host`, message: `host ${JSON.stringify(host)} is forbidden (must be unset)` });
        }
      }
      return out;
    }),
  }],
};

// ---------------------------------------------------------------------------------------------------
// Restricted
// ---------------------------------------------------------------------------------------------------

/** The volume sources the restricted level allows. */
const RESTRICTED_VOLUME_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

function volumesOf(pod: PodTemplate): { volume: any; i: number }[] {
  return (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).map((volume: any, i: number) => ({ volume: volume ?? {}, i }));
}

/** Only core volume types (and PVCs). */
export const restrictedVolumes: Check = {
  id: 'restrictedVolumes', level: 'restricted',
  versions: [{
    since: 0,
    overrides: ['hostPathVolumes'],
    // A volume naming no source is defaulted to emptyDir by the API server.
    check: (pod) => volumesOf(pod)
      .filter(({ volume }) => Object.keys(volume).some((k) => k !== 'name') && !RESTRICTED_VOLUME_SOURCES.some((s) => volume[s] != null))
      .map(({ volume, i }) => {
        const source = Object.keys(volume).filter((k) => k !== 'name');
        return {
          path: specPath(pod, `volumes[${i}].${source[0]}`),
          message: `volume ${JSON.stringify(volume.name)} has a restricted type ${JSON.stringify(source[0])} (allowed: ${RESTRICTED_VOLUME_SOURCES.join(', ')})`,
        };
      }),
  }],
};

const windowsExempt = (check: (pod: PodTemplate) => Finding[]) => (pod: PodTemplate) => (isWindows(pod) ? [] : check(pod));

function privilegeEscalationAllowed(pod: PodTemplate): Finding[] {
  return containersOf(pod)
    .filter((c) => containerSecurityContext(c).allowPrivilegeEscalation !== false)
    .map((c) => ({ path: `${c.path}.securityContext.allowPrivilegeEscalation`, message: 'must be false' }));
}

/** Privilege escalation must be disallowed (from v1.8; Windows pods exempt from v1.25). */
export const allowPrivilegeEscalation: Check = {
  id: 'allowPrivilegeEscalation', level: 'restricted',
  versions: [
    { since: 8, check: privilegeEscalationAllowed },
    { since: 25, check: windowsExempt(privilegeEscalationAllowed) },
  ],
};

/** Containers must run as non-root: the pod sets runAsNonRoot true, or every container does; none sets false. */
function rootAllowed(pod: PodTemplate): Finding[] {
  const out: Finding[] = [];
  const podValue = podSecurityContext(pod).runAsNonRoot;
  if (podValue === false) out.push({ path: specPath(pod, 'securityContext.runAsNonRoot'), message: 'must not be false' });
  for (const c of containersOf(pod)) {
    const v = containerSecurityContext(c).runAsNonRoot;
    if (v === false) out.push({ path: `${c.path}.securityContext.runAsNonRoot`, message: 'must not be false' });
    else if (v == null && podValue !== true) {
      out.push({ path: `${c.path}.securityContext.runAsNonRoot`, message: 'must be true (here or on the pod securityContext)' });
    }
  }
  return out;
}

/** runAsNonRoot (relaxed for user-namespace pods from v1.35). */
export const runAsNonRoot: Check = {
  id: 'runAsNonRoot', level: 'restricted',
  versions: [
    { since: 0, check: rootAllowed },
    { since: 35, check: (pod) => (usesUserNamespace(pod) ? [] : rootAllowed(pod)) },
  ],
};

function rootUser(pod: PodTemplate): Finding[] {
  const out: Finding[] = [];
  if (podSecurityContext(pod).runAsUser === 0) out.push({ path: specPath(pod, 'securityContext.runAsUser'), message: 'must not be 0 (root)' });
  for (const c of containersOf(pod)) {
    if (containerSecurityContext(c).runAsUser === 0) out.push({ path: `${c.path}.securityContext.runAsUser`, message: 'must not be 0 (root)' });
  }
  return out;
}

/** runAsUser must not be 0 (from v1.23; relaxed for user-namespace pods from v1.35). */
export const runAsUser: Check = {
  id: 'runAsUser', level: 'restricted',
  versions: [
    { since: 23, check: rootUser },
    { since: 35, check: (pod) => (usesUserNamespace(pod) ? [] : rootUser(pod)) },
  ],
};

/** A seccomp profile is required: on the pod, or on every container; never a forbidden type. */
function seccompMissingOrBad(pod: PodTemplate): Finding[] {
  const out = badSeccompTypes(pod);
  const podProfile = podSecurityContext(pod).seccompProfile;
  const podSet = podProfile != null && seccompTypeAllowed(podProfile.type);
  if (!podSet) {
    for (const c of containersOf(pod)) {
      if (containerSecurityContext(c).seccompProfile == null) {
        out.push({ path: `${c.path}.securityContext.seccompProfile.type`, message: 'must be RuntimeDefault or Localhost (here or on the pod securityContext)' });
      }
    }
  }
  return out;
}

/** seccomp required (from v1.19; Windows pods exempt from v1.25). */
export const seccompProfileRestricted: Check = {
  id: 'seccompProfile_restricted', level: 'restricted',
  versions: [
    { since: 19, check: seccompMissingOrBad, overrides: ['seccompProfile_baseline'] },
    { since: 25, check: windowsExempt(seccompMissingOrBad), overrides: ['seccompProfile_baseline'] },
  ],
};

function unrestrictedCapabilities(pod: PodTemplate): Finding[] {
  return containersOf(pod).flatMap((c: ContainerAt) => {
    const out: Finding[] = [];
    const caps = containerSecurityContext(c).capabilities ?? {};
    if (!(Array.isArray(caps.drop) && caps.drop.includes('ALL'))) {
      out.push({ path: `${c.path}.securityContext.capabilities.drop`, message: 'must include "ALL"' });
    }
    (Array.isArray(caps.add) ? caps.add : []).forEach((cap: string, i: number) => {
      if (cap !== 'NET_BIND_SERVICE') {
        out.push({ path: `${c.path}.securityContext.capabilities.add[${i}]`, message: `capability ${JSON.stringify(cap)} must not be added (only NET_BIND_SERVICE)` });
      }
    });
    return out;
  });
}

/** Drop ALL capabilities, add at most NET_BIND_SERVICE (from v1.22; Windows pods exempt from v1.25). */
export const capabilitiesRestricted: Check = {
  id: 'capabilities_restricted', level: 'restricted',
  versions: [
    { since: 22, check: unrestrictedCapabilities, overrides: ['capabilities_baseline'] },
    { since: 25, check: windowsExempt(unrestrictedCapabilities), overrides: ['capabilities_baseline'] },
  ],
};

/** The default /proc masks, even for user-namespace pods (from v1.35). */
export const procMountRestricted: Check = {
  id: 'procMount_restricted', level: 'restricted',
  versions: [{ since: 35, check: unmaskedProcMounts }],
};

/** Every check, baseline first (the order of the report). */
export const CHECKS: readonly Check[] = [
  hostNamespaces, privileged, capabilitiesBaseline, hostPathVolumes, hostPorts, appArmorProfile, seLinuxOptions,
  procMount, seccompProfileBaseline, sysctls, windowsHostProcess, hostProbesAndHostLifecycle,
  restrictedVolumes, allowPrivilegeEscalation, runAsNonRoot, runAsUser, seccompProfileRestricted,
  capabilitiesRestricted, procMountRestricted,
];
