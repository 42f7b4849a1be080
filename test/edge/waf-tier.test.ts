/**
 * The WAF tier in the cluster (`edge.target: waf-tier`, issue 18): what it synthesizes, read from the manifests.
 * Its rendering's behaviour (corpus, rate limits, headers, audit, counter, body limits) is proven by the WAF
 * end-to-end suites on both renderings; its TLS and health by test/waf/waf-tier-tls.test.ts.
 */
import { ConfigError, parseConfig } from '../../lib/config';
import { manifestOutputs, parseManifests, validateManifests } from '../../lib/validate';
import { WAF_TIER_CONFIG_DIGEST_ANNOTATION, WAF_TIER_METRICS_LABELS } from '../../lib/edge/waf-tier';
import { CONFIG_MAP_APPLY_BUDGET, appliedDataBytes } from '../../lib/k8s/config-map';
import * as crsRelease from '../../lib/waf/crs-release';
import { crsRuleFiles, crsSetupFile } from '../../lib/waf/crs-release';
import { MTAIL_PORT, WAF_REQUESTS_METRIC } from '../../lib/waf/metrics';
import { WAF_TIER_COMMAND, WAF_TIER_PATHS, wafTierFiles } from '../../lib/waf/waf-tier';
import { synthesizeConfig } from '../../main';
import { CONTROLLER_TARGET, allContainers, find, synthAll, synthCharts } from '../support';

const DNS01 = { type: 'dns01-cloudflare', apiTokenSecret: { name: 'cloudflare-api-token', key: 'api-token' } };
const WAF_TIER = { edge: { target: 'waf-tier', certificate: { solver: DNS01 } } };
const manifests = synthAll(WAF_TIER);
const config = parseConfig(WAF_TIER);
const deployment = find(manifests, 'Deployment', 'factory-waf');
const pod = deployment.spec.template.spec;
const container = allContainers(pod).find((c: any) => c.name === 'waf');

describe('edge.target waf-tier: nothing needs an ingress controller', () => {
  test('GIVEN the WAF tier WHEN synthesized THEN no Ingress, no object in the controller\'s namespace, nothing naming the controller or its metrics', () => {
    expect(manifests.filter((m) => ['Ingress', 'IngressClass'].includes(m.kind))).toEqual([]);
    expect(manifests.filter((m) => m.metadata?.namespace === 'ingress-nginx')).toEqual([]);
    expect(JSON.stringify(manifests)).not.toMatch(/ingress\.kubernetes\.io|ingressClassName|ingress-nginx|nginx_ingress_controller/);
  });

  test('GIVEN the WAF tier THEN the alerts read its own counter and its ServiceMonitor scrapes the tier\'s metrics Service, in the platform\'s namespace', () => {
    const rule = find(manifests, 'PrometheusRule', 'factory-security-alerts');
    const exprs = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr as string));
    expect(exprs).toHaveLength(4);
    for (const e of exprs) expect(e).toMatch(new RegExp(`${WAF_REQUESTS_METRIC}\\{namespace="factory", route=~?"`));
    const sm = find(manifests, 'ServiceMonitor', 'factory-waf');
    const svc = find(manifests, 'Service', 'factory-waf-metrics');
    expect(sm.metadata.namespace).toBe('factory');
    expect(sm.spec.selector).toEqual({ matchLabels: WAF_TIER_METRICS_LABELS });
    expect(svc.metadata.labels).toMatchObject(WAF_TIER_METRICS_LABELS);
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', selector: deployment.spec.selector.matchLabels, ports: [{ name: 'metrics', port: MTAIL_PORT, targetPort: MTAIL_PORT }] });
    expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics' })]);
  });

  test('GIVEN the WAF tier THEN the request counter\'s sidecar runs mtail on the ConfigMap\'s program, fed over the pod\'s loopback, hardened like nginx', () => {
    const sidecar = allContainers(pod).find((c: any) => c.name === 'metrics');
    expect(sidecar.image).toBe('ghcr.io/google/mtail:3.0.9');
    expect(sidecar.args).toEqual(['--progs', WAF_TIER_PATHS.configDir, '--logs', 'udp://127.0.0.1:5140', '--port', '3903', '--logtostderr',
      '--http_debugging_endpoint=false', '--http_info_endpoint=false']);
    expect(sidecar.volumeMounts).toEqual([expect.objectContaining({ mountPath: WAF_TIER_PATHS.configDir, readOnly: true }), expect.objectContaining({ mountPath: '/tmp' })]);
    expect(sidecar.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(sidecar.resources).toEqual({
      requests: { cpu: '50m', memory: '32Mi', 'ephemeral-storage': '16Mi' },
      limits: { cpu: '200m', memory: '64Mi', 'ephemeral-storage': '64Mi' },
    });
    expect(find(manifests, 'ConfigMap', 'factory-waf').data['factory-waf.mtail']).toContain(`counter ${WAF_REQUESTS_METRIC} by route, status`);
  });

  test('GIVEN the WAF tier THEN the app has no controller chart (control: the controller target has it)', () => {
    expect(Object.keys(synthCharts(config))).toEqual(['namespace', 'workloads', 'network', 'edgeWaf', 'edge', 'monitoring']);
    expect(Object.keys(synthCharts(parseConfig(CONTROLLER_TARGET)))).toEqual(['namespace', 'workloads', 'network', 'edgeWaf', 'edge', 'edgeController', 'monitoring']);
  });

  test('GIVEN the WAF tier WHEN synthesized THEN the ClusterIssuer answers with DNS-01 only (no http01 solver needs an Ingress)', () => {
    expect(find(manifests, 'ClusterIssuer', 'letsencrypt-prod').spec.acme.solvers)
      .toEqual([{ dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare-api-token', key: 'api-token' } } } }]);
  });

  test('GIVEN the WAF tier and an http01 solver THEN the config is refused at edge.certificate.solver', () => {
    const http01 = { edge: { target: 'waf-tier', certificate: { solver: { type: 'http01' } } } };
    expect(() => parseConfig(http01, 'waf.yaml')).toThrow(ConfigError);
    expect(() => parseConfig(http01, 'waf.yaml')).toThrow(/waf\.yaml.*edge\.certificate\.solver: http01 is answered through an ingress controller/s);
  });

  test('GIVEN the defaults THEN the edge is the WAF tier with a DNS-01 issuer (the config names neither)', () => {
    expect(synthAll().filter((m) => m.kind === 'Deployment' && m.metadata.name === 'factory-waf')).toHaveLength(1);
    expect(find(synthAll(), 'ClusterIssuer', 'letsencrypt-prod').spec.acme.solvers[0]).toHaveProperty('dns01');
  });

  test('GIVEN the WAF tier WHEN synth validates THEN Pod Security restricted, the schemas and the policies find nothing', () => {
    const outputs = synthesizeConfig(config);
    expect(validateManifests(parseManifests(manifestOutputs(outputs)), { provided: config.providedObjects })).toEqual([]);
    expect([...outputs.keys()].filter((f) => f.startsWith('ingress-nginx/'))).toEqual([]);
  });
});

describe('how traffic reaches it: a LoadBalancer Service that keeps client addresses', () => {
  test('GIVEN the WAF tier THEN its Service is a LoadBalancer with externalTrafficPolicy Local, 443 → the TLS port 8443 only', () => {
    const svc = find(manifests, 'Service', 'factory-waf');
    expect(svc.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: deployment.spec.selector.matchLabels });
    expect(svc.spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 8443 }]);
  });

  test('GIVEN the WAF tier THEN the quota admits exactly one load balancer and counts the tier\'s pods', () => {
    const hard = find(manifests, 'ResourceQuota', 'factory-quota').spec.hard;
    const controllerHard = find(synthAll(CONTROLLER_TARGET), 'ResourceQuota', 'factory-quota').spec.hard;
    expect([hard['services.loadbalancers'], controllerHard['services.loadbalancers']]).toEqual(['1', '0']);
    // Two WAF pods more, times the headroom of 2; their two containers' cpu (1000m + 200m limits each).
    expect(Number(hard.pods) - Number(controllerHard.pods)).toBe(2 * config.quotaHeadroom);
    expect(parseInt(hard['limits.cpu'], 10) - parseInt(controllerHard['limits.cpu'], 10)).toBe(2 * (1000 + 200) * config.quotaHeadroom);
  });
});

describe('what the image needs, from its source', () => {
  test('GIVEN the WAF tier THEN it runs waf.image with nginx on the factory\'s files, not the image\'s entrypoint (which writes into /etc)', () => {
    expect(container.image).toBe(config.waf.image);
    expect(container.command).toEqual(WAF_TIER_COMMAND);
    expect(container.command.slice(0, 3)).toEqual(['nginx', '-c', `${WAF_TIER_PATHS.configDir}/nginx.conf`]);
    expect(container.args).toBeUndefined();
  });

  test('GIVEN the WAF tier THEN the pod keeps the guide\'s security context: uid 1000, non-root, read-only root, no capability, RuntimeDefault seccomp', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('GIVEN the WAF tier THEN /tmp is its only writable mount (emptyDir with a size limit, and its working directory)', () => {
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    const writable = container.volumeMounts.filter((m: any) => !m.readOnly);
    expect(writable.map((m: any) => m.mountPath)).toEqual(['/tmp']);
    expect(volumes[writable[0].name].emptyDir).toEqual({ sizeLimit: '256Mi' });
    expect(container.workingDir).toBe('/tmp');
  });

  test('GIVEN the WAF tier THEN the certificate Secret of the Certificate is mounted whole (no subPath: renewals reach the files)', () => {
    const cert = find(manifests, 'Certificate', 'factory-tls');
    const tls = pod.volumes.find((v: any) => v.secret);
    expect(tls.secret).toEqual({ secretName: cert.spec.secretName, defaultMode: 0o440 });
    expect(container.volumeMounts.find((m: any) => m.name === tls.name)).toEqual({ name: tls.name, mountPath: WAF_TIER_PATHS.tlsDir, readOnly: true });
  });

  test('GIVEN the WAF tier THEN its ConfigMap holds exactly the rendered files, mounted read-only', () => {
    const cm = find(manifests, 'ConfigMap', 'factory-waf');
    expect(cm.data).toEqual(wafTierFiles(config));
    const volume = pod.volumes.find((v: any) => v.configMap?.name === 'factory-waf');
    expect(container.volumeMounts.find((m: any) => m.name === volume.name)).toEqual({ name: volume.name, mountPath: WAF_TIER_PATHS.configDir, readOnly: true });
  });

  test('GIVEN the WAF tier THEN its CRS ConfigMaps, projected into one read-only directory, hold exactly the repository\'s CRS 4.22.0 rules folder', () => {
    const volume = pod.volumes.find((v: any) => (v.projected?.sources ?? []).some((s: any) => s.configMap));
    const parts = volume.projected.sources.map((s: any) => find(manifests, 'ConfigMap', s.configMap.name).data);
    expect(Object.assign({}, ...parts)).toEqual(Object.fromEntries(crsRuleFiles()));
    expect(container.volumeMounts.find((m: any) => m.name === volume.name)).toEqual({ name: volume.name, mountPath: WAF_TIER_PATHS.crsRules, readOnly: true });
  });

  test('GIVEN the CRS ConfigMaps THEN each fits kubectl apply\'s annotation budget (control: the whole folder in one would not)', () => {
    const parts = manifests.filter((m: any) => m.kind === 'ConfigMap' && /^factory-waf-crs-\d+$/.test(m.metadata.name));
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.filter((m: any) => appliedDataBytes(m.data) > CONFIG_MAP_APPLY_BUDGET).map((m: any) => m.metadata.name)).toEqual([]);
    expect(appliedDataBytes(Object.fromEntries(crsRuleFiles()))).toBeGreaterThan(CONFIG_MAP_APPLY_BUDGET);
  });

  test('GIVEN the WAF tier THEN ModSecurity loads the release\'s setup file, then its rules, from the pod\'s mounts, never the image\'s own CRS', () => {
    const files = wafTierFiles(config);
    const modsec = files['modsecurity.conf'];
    const setup = modsec.indexOf(`Include ${WAF_TIER_PATHS.crsSetup}\n`);
    expect(setup).toBeGreaterThan(0);
    expect(modsec.indexOf(`Include ${WAF_TIER_PATHS.crsRules}/*.conf\n`)).toBeGreaterThan(setup);
    expect(modsec).not.toContain('/opt/owasp-crs');
    expect(files['crs-setup.conf']).toBe(crsSetupFile());
  });

  test('GIVEN a WAF setting changed THEN the pod template\'s config digest changes (the pods roll; nginx reads its files at start)', () => {
    const digest = (m: any[]) => find(m, 'Deployment', 'factory-waf').spec.template.metadata.annotations[WAF_TIER_CONFIG_DIGEST_ANNOTATION];
    const changed = synthAll({ ...WAF_TIER, waf: { paranoiaLevel: 2 } });
    expect(digest(manifests)).toMatch(/^[0-9a-f]{64}$/);
    expect(digest(changed)).not.toBe(digest(manifests));
    expect(digest(synthAll(WAF_TIER))).toBe(digest(manifests));
  });

  test('GIVEN one CRS rule file changed THEN the pod template\'s config digest changes (the rules are files nginx reads at start too)', () => {
    const digest = (m: any[]) => find(m, 'Deployment', 'factory-waf').spec.template.metadata.annotations[WAF_TIER_CONFIG_DIGEST_ANNOTATION];
    const rules = new Map(crsRuleFiles());
    const [last] = [...rules.keys()].slice(-1);
    rules.set(last, `${rules.get(last)}\n# changed\n`);
    const spy = jest.spyOn(crsRelease, 'crsRuleFiles').mockReturnValue(rules);
    try {
      expect(digest(synthAll(WAF_TIER))).not.toBe(digest(manifests));
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('operations: disruption budget, spread, resources and probes as for the other components', () => {
  test('GIVEN 2 replicas THEN a PodDisruptionBudget of maxUnavailable 1 selects exactly the tier\'s pods, and they spread over nodes', () => {
    expect(find(manifests, 'PodDisruptionBudget', 'factory-waf').spec).toEqual({ maxUnavailable: 1, selector: deployment.spec.selector });
    expect(pod.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: deployment.spec.selector }]);
  });

  test('GIVEN 1 replica THEN no PodDisruptionBudget (it would block every drain)', () => {
    const one = synthAll({ edge: { ...WAF_TIER.edge, wafTier: { replicas: 1 } } });
    expect(one.filter((m) => m.kind === 'PodDisruptionBudget' && m.metadata.name === 'factory-waf')).toEqual([]);
  });

  test('GIVEN the defaults THEN requests 250m/256Mi, limits 1 CPU/512Mi, ephemeral-storage 128Mi/1Gi, priority factory-app', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '128Mi' },
      limits: { cpu: '1000m', memory: '512Mi', 'ephemeral-storage': '1Gi' },
    });
    expect(pod.priorityClassName).toBe('factory-app');
  });

  test('GIVEN a WAF pod stopping (rollout, drain) THEN it keeps serving 10 s before nginx stops, within the grace period', () => {
    expect(container.lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '10'] } } });
    expect(pod.terminationGracePeriodSeconds).toBe(30);
  });

  test('GIVEN the WAF tier THEN liveness asks nginx\'s health location and readiness the TLS port: two different checks', () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
    expect(container.readinessProbe.tcpSocket).toEqual({ port: 8443 });
  });

  test('GIVEN WAF tier limits above the LimitRange THEN the config is refused naming edge.wafTier', () => {
    expect(() => parseConfig({ edge: { ...WAF_TIER.edge, wafTier: { resources: { limits: { cpu: '3', memory: '512Mi' } } } } }, 'big.yaml'))
      .toThrow(/edge\.wafTier\.resources\.limits\.cpu: "3" is above the LimitRange max cpu "2"/);
  });

  test('GIVEN the controller target THEN the WAF tier\'s settings are not judged (control: the same limits pass)', () => {
    expect(() => parseConfig({ edge: { target: 'ingress-nginx', wafTier: { resources: { limits: { cpu: '3', memory: '512Mi' } } } } })).not.toThrow();
  });
});
