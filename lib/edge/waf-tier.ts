/**
 * The WAF tier in the cluster (`edge.target: waf-tier`): the guide's WAF layer as a Deployment of the
 * owasp/modsecurity-crs nginx image started on the factory's files (lib/waf/waf-tier.ts), a `LoadBalancer`
 * Service that keeps client addresses (`externalTrafficPolicy: Local`: the rate limits and the per-client
 * counter count real clients), the certificate Secret mounted, and a PodDisruptionBudget and spread as for
 * the other components. Hardening (uid, seccomp, capabilities) is applied by `FactoryChart`.
 */
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { createHash } from 'crypto';
import { WAF_TIER_NAME } from '../component-names';
import type { ComponentIdentity } from '../identity';
import { componentObjectName, selectorLabels } from '../labels';
import { packConfigMapData } from '../k8s/config-map';
import type { ContainerResources } from '../limits';
import { METRICS_LOG, MTAIL_PORT } from '../waf/metrics';
import { WAF_TIER_COMMAND, WAF_TIER_HEALTH_PATH, WAF_TIER_PATHS, WAF_TIER_PORTS, WAF_TIER_SERVICE_PORT } from '../waf/waf-tier';
import { CONTAINER_SECURITY, POD_SPEC, type Spread, availability, containerResources, ephemeralStoragePatches, podPatches, serviceSelecting, size } from '../workloads';

/** The labels of the WAF tier's metrics Service, which its ServiceMonitor selects. */
export const WAF_TIER_METRICS_LABELS = { 'factory-security/scrape': 'waf-tier-metrics' } as const;
/** Name of the metrics port (container and Service). */
export const WAF_TIER_METRICS_PORT_NAME = 'metrics';
/** Object name of the WAF tier's ServiceMonitor. */
export const WAF_TIER_SERVICE_MONITOR_NAME = 'factory-waf';

/** Seconds a stopping WAF pod keeps serving before nginx stops (within the default 30 s grace period). */
export const WAF_TIER_DRAIN_SECONDS = 10;

/** The request counter's sidecar (mtail): small and fixed (it counts one short line per request). */
export const METRICS_SIDECAR_RESOURCES = {
  requests: { cpu: '50m', memory: '32Mi' },
  limits: { cpu: '200m', memory: '64Mi' },
  ephemeralStorage: { request: '16Mi', limit: '64Mi' },
} as const;

/** The pod volume of the CRS rules folder. */
const CRS_VOLUME = 'crs-rules';

/** The pod-template annotation that holds the digest of the WAF tier's files: a change rolls the pods. */
export const WAF_TIER_CONFIG_DIGEST_ANNOTATION = 'factory-security/waf-config-sha256';

/** Properties of a `WafTier`. */
export interface WafTierProps {
  /** The owasp/modsecurity-crs nginx image, pinned (required, no default). */
  readonly image: string;
  /** Number of pods (required, no default). */
  readonly replicas: number;
  /** cpu/memory requests and limits, and ephemeral-storage (required, no default). */
  readonly resources: ContainerResources;
  /** sizeLimit of the pod's one writable directory, /tmp (required, no default). */
  readonly scratchSizeLimit: string;
  /** PriorityClass of its pods (required, no default). */
  readonly priorityClassName: string;
  /** How pods spread when there is more than one (required, no default). */
  readonly spread: Spread;
  /** The files nginx reads (`wafTierFiles`), by name: the ConfigMap mounted in /etc/factory/waf (required, no default). */
  readonly files: Readonly<Record<string, string>>;
  /**
   * The CRS rules folder (`crsRuleFiles`: rule and data files by name, in load order): ConfigMaps small enough for
   * `kubectl apply`, projected into one directory, /etc/factory/crs-rules (required, no default).
   */
  readonly crsRules: ReadonlyMap<string, string>;
  /** The Secret of the TLS certificate (cert-manager's `Certificate`), `tls.crt` and `tls.key` (required, no default). */
  readonly certificateSecretName: string;
  /** The ServiceAccount of its pods (required, no default). */
  readonly identity: ComponentIdentity;
  /** The image of the request counter's sidecar, google/mtail, pinned (required, no default). */
  readonly metricsImage: string;
}

/**
 * The WAF tier: ConfigMaps (the factory's files, the CRS rules), Deployment (nginx, and the request counter's sidecar), LoadBalancer Service, the
 * ClusterIP Service of the counter and (more than one replica) a PodDisruptionBudget.
 */
export class WafTier extends Construct {
  public readonly deployment: kplus.Deployment;
  public readonly service: kplus.Service;
  public readonly configMap: kplus.ConfigMap;
  /** The CRS rules folder, in parts (`<name>-crs-1`, …). */
  public readonly crsConfigMaps: kplus.ConfigMap[];
  public readonly metricsService: kplus.Service;

  constructor(scope: Construct, id: string, props: WafTierProps) {
    super(scope, id);
    if (Object.keys(props.files).length === 0) throw new Error('WafTier: files must hold the nginx configuration (got none)');
    if (props.crsRules.size === 0) throw new Error('WafTier: crsRules must hold the CRS rules folder (got no file)');
    const objectName = componentObjectName(WAF_TIER_NAME);
    const labels = selectorLabels(WAF_TIER_NAME);
    // Any change of what nginx reads (the factory's files, the CRS rules) rolls the pods.
    const digest = filesDigest([...Object.entries(props.files).sort(), ...props.crsRules]);

    this.configMap = new kplus.ConfigMap(this, 'files', { metadata: { name: objectName, labels }, data: { ...props.files } });
    this.crsConfigMaps = packConfigMapData(props.crsRules).map((data, i) =>
      new kplus.ConfigMap(this, `crs-${i + 1}`, { metadata: { name: `${objectName}-crs-${i + 1}`, labels }, data }));

    this.service = serviceSelecting(this, 'service', labels, {
      metadata: { name: objectName, labels },
      type: kplus.ServiceType.LOAD_BALANCER,
      ports: [{ name: 'https', port: WAF_TIER_SERVICE_PORT, targetPort: WAF_TIER_PORTS.https }],
    });
    // Client addresses reach the pods (no SNAT to a node's address); only nodes running a WAF pod take traffic.
    ApiObject.of(this.service).addJsonPatch(JsonPatch.add('/spec/externalTrafficPolicy', 'Local'));

    this.deployment = new kplus.Deployment(this, 'workload', {
      metadata: { name: objectName, labels },
      podMetadata: { labels, annotations: { [WAF_TIER_CONFIG_DIGEST_ANNOTATION]: digest } },
      select: false,
      replicas: props.replicas,
      serviceAccount: props.identity.serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true },
    });
    this.deployment.select(kplus.LabelSelector.of({ labels }));

    const r = props.resources;
    const probe = { periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(2) };
    const container = this.deployment.addContainer({
      name: WAF_TIER_NAME,
      image: props.image,
      // Not the image's entrypoint (it writes into /etc at start): nginx on the factory's files.
      command: WAF_TIER_COMMAND,
      // libmodsecurity keeps its shared collections (the per-client counter) in its working directory.
      workingDir: WAF_TIER_PATHS.scratchDir,
      ports: [{ name: 'https', number: WAF_TIER_PORTS.https }, { name: 'health', number: WAF_TIER_PORTS.health }],
      resources: containerResources(r),
      // Alive while nginx answers its health location; ready while the TLS port accepts connections.
      liveness: kplus.Probe.fromHttpGet(WAF_TIER_HEALTH_PATH, { port: WAF_TIER_PORTS.health, initialDelaySeconds: Duration.seconds(10), ...probe }),
      readiness: kplus.Probe.fromTcpSocket({ port: WAF_TIER_PORTS.https, initialDelaySeconds: Duration.seconds(2), ...probe }),
      startup: kplus.Probe.fromTcpSocket({ port: WAF_TIER_PORTS.https, failureThreshold: 30, ...probe }),
      // A pod that stops keeps serving while the load balancer and the endpoints drop it; only then does nginx get
      // the image's stop signal (SIGQUIT, a graceful stop, in nginx's official images; not verified for this one).
      lifecycle: { preStop: kplus.Handler.fromCommand(['sleep', String(WAF_TIER_DRAIN_SECONDS)]) },
      securityContext: CONTAINER_SECURITY,
    });
    const files = kplus.Volume.fromConfigMap(this, 'files-volume', this.configMap, { name: 'waf-files' });
    container.mount(WAF_TIER_PATHS.configDir, files, { readOnly: true });
    const secret = kplus.Secret.fromSecretName(this, 'tls-secret', props.certificateSecretName);
    // Not a subPath mount: the kubelet updates these files in place when cert-manager renews the certificate.
    container.mount(WAF_TIER_PATHS.tlsDir, kplus.Volume.fromSecret(this, 'tls-volume', secret, { name: 'tls', defaultMode: 0o440 }), { readOnly: true });
    const scratch = kplus.Volume.fromEmptyDir(this, 'scratch', 'tmp', { sizeLimit: size(props.scratchSizeLimit) });
    container.mount(WAF_TIER_PATHS.scratchDir, scratch);
    // The CRS rules folder: one directory from its ConfigMaps (a projected volume, which cdk8s-plus cannot express).
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.add(`${POD_SPEC}/volumes/-`, { name: CRS_VOLUME, projected: { sources: this.crsConfigMaps.map((c) => ({ configMap: { name: c.name } })) } }),
      JsonPatch.add(`${POD_SPEC}/containers/${this.deployment.containers.indexOf(container)}/volumeMounts/-`, { name: CRS_VOLUME, mountPath: WAF_TIER_PATHS.crsRules, readOnly: true }),
    );

    // The request counter (lib/waf/metrics.ts): mtail reads nginx's syslog lines on the pod's loopback and serves
    // /metrics; its program is a file of the same ConfigMap (mtail loads only the *.mtail files there).
    const m = METRICS_SIDECAR_RESOURCES;
    const metrics = this.deployment.addContainer({
      name: 'metrics',
      image: props.metricsImage,
      // No debugging (pprof) or info endpoints on the scraped port: both default on in mtail 3.0.9 (cmd/mtail/main.go).
      args: ['--progs', WAF_TIER_PATHS.configDir, '--logs', `udp://${METRICS_LOG.server}`, '--port', String(MTAIL_PORT), '--logtostderr',
        '--http_debugging_endpoint=false', '--http_info_endpoint=false'],
      ports: [{ name: WAF_TIER_METRICS_PORT_NAME, number: MTAIL_PORT }],
      resources: containerResources(m),
      liveness: kplus.Probe.fromHttpGet('/', { port: MTAIL_PORT, initialDelaySeconds: Duration.seconds(5), ...probe }),
      readiness: kplus.Probe.fromTcpSocket({ port: MTAIL_PORT, initialDelaySeconds: Duration.seconds(2), ...probe }),
      securityContext: CONTAINER_SECURITY,
    });
    metrics.mount(WAF_TIER_PATHS.configDir, files, { readOnly: true });
    // The guide's writable /tmp for every container (mtail's working directory; it writes nothing with --logtostderr).
    metrics.mount(WAF_TIER_PATHS.scratchDir, scratch);
    this.metricsService = serviceSelecting(this, 'metrics-service', labels, {
      metadata: { name: `${objectName}-metrics`, labels: { ...labels, ...WAF_TIER_METRICS_LABELS } },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: WAF_TIER_METRICS_PORT_NAME, port: MTAIL_PORT, targetPort: MTAIL_PORT }],
    });

    ApiObject.of(this.deployment).addJsonPatch(
      ...podPatches({ container: this.deployment.containers.indexOf(container), priorityClassName: props.priorityClassName, ephemeralStorage: r.ephemeralStorage }),
      ...ephemeralStoragePatches(this.deployment.containers.indexOf(metrics), m.ephemeralStorage),
      ...availability(this, { objectName, labels, replicas: props.replicas, spread: props.spread }),
    );
  }
}

/**
 * The SHA-256 of named files, each hashed as its name, its length in UTF-8 bytes and its content (so no two lists
 * of files hash alike by moving bytes from one field to the next), without building one text of them all.
 */
function filesDigest(files: Iterable<readonly [string, string]>): string {
  const hash = createHash('sha256');
  for (const [name, content] of files) hash.update(`${name}\0${Buffer.byteLength(content, 'utf8')}\0`).update(content);
  return hash.digest('hex');
}
