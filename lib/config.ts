/**
 * The typed configuration of factory-security: every value of the Security Hardening Guide lives here
 * once, as a default, and travels one way to every output that needs it.
 *
 * Operators override it without touching `lib/` through a YAML file named by `FACTORY_CONFIG`; the file
 * is a partial config (only what differs from the guide), validated strictly: unknown keys, wrong types
 * and values the guide forbids are refused with the file name and the field path.
 */
import * as fs from 'fs';
import * as YAML from 'yaml';
import * as z from 'zod/mini';
import { en } from 'zod/v4/locales';
import { configProblems } from './config-rules';
import { imagePinProblem } from './k8s/image';
import { isLabelKey, isLabelValue } from './k8s/labels';
import { isNonNegativeQuantity } from './k8s/quantity';
import { isPromDuration } from './monitoring/duration';
import { decodeText, yamlValue } from './text';

import type { ComponentName } from './component-names';
export { COMPONENT_NAMES, type ComponentName } from './component-names';

// zod's mini API (its schemas carry no chainable methods, so building the schema takes a fraction of the classic
// API's time), with the English messages the classic API sets by itself.
z.config(en());

const cpu = z.string().check(z.refine(isNonNegativeQuantity, 'must be a CPU quantity such as "500m" or "2"'));
const memory = z.string().check(z.refine(isNonNegativeQuantity, 'must be a memory quantity such as "512Mi", "512M" or "4Gi"'));
const quantities = z.strictObject({ cpu, memory });

// ---------------------------------------------------------------------------------------------------
// Field types with the guide's constraints.
// ---------------------------------------------------------------------------------------------------

const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** RFC 1123 DNS subdomain (Kubernetes object names, namespaces, hosts). */
export function isDnsName(s: string): boolean {
  return s.length <= 253 && s.split('.').every((l) => DNS_LABEL_RE.test(l));
}

const dnsLabel = z.string().check(z.regex(DNS_LABEL_RE, 'must be an RFC 1123 DNS label (lower case, digits, "-", at most 63)'));
const dnsName = z.string().check(z.refine(isDnsName, { message: 'must be an RFC 1123 DNS name (lower-case labels separated by ".")' }));
/** Kubernetes labels (selectors and the labels they select). */
const labels = z.record(
  z.string().check(z.refine(isLabelKey, 'must be a Kubernetes label key (an optional DNS prefix and "/", then at most 63 alphanumerics, "-", "_", ".")')),
  z.string().check(z.refine(isLabelValue, 'must be a Kubernetes label value (empty, or at most 63 alphanumerics, "-", "_", ".")')),
);
const port = z.number().check(z.int('must be an integer'), z.gte(1, 'must be a port from 1 to 65535'), z.lte(65535, 'must be a port from 1 to 65535'));
const id = z.number().check(z.int('must be an integer'), z.gte(1, 'must be a non-root id (1 or more)'), z.lte(2147483647));

const image = z.string().check(z.superRefine((s, ctx) => {
  const problem = imagePinProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: `image "${s}" ${problem}` });
}));

const promDuration = z.string().check(z.refine(isPromDuration, {
  message: 'must be a Prometheus duration such as "30s", "5m" or "1h"',
}));
const alertSeverity = z.enum(['info', 'warning', 'critical']);
/** One alert whose threshold is a count of responses over a window. */
const countAlert = (d: { threshold: number; window: string; for: string; severity: 'info' | 'warning' | 'critical' }) => ({
  /** The alert fires when more than this many responses are counted over `window`. */
  threshold: z._default(z.number().check(z.gte(0, 'must be 0 or more')), d.threshold),
  /** The window the responses are counted over (PromQL range). */
  window: z._default(promDuration, d.window),
  /** How long the condition must hold before the alert fires (`for:`). */
  for: z._default(promDuration, d.for),
  severity: z._default(alertSeverity, d.severity),
});

// ---------------------------------------------------------------------------------------------------
// The schema, with the guide's values as defaults.
// ---------------------------------------------------------------------------------------------------

const APP_IMAGE = 'ghcr.io/factory-de-agentes/factory:1.0.0';
/** The application's probes: liveness asks whether the process is alive, readiness whether it can serve now. */
const APP_PROBES = { liveness: '/health', readiness: '/ready' };

/** An HTTP path: a probe's, or a path prefix the edge routes. */
const httpPath = z.string().check(z.regex(/^\/[\w\-./]*$/, 'must be a URL path starting with "/"'));

/** A workload's defaults: its pods' number, resources and priority (and its probes, for an application). */
type WorkloadDefaults = {
  replicas: number; priorityClassName: string; probes?: { liveness: string; readiness: string };
  requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string };
};
type ComponentDefaults = WorkloadDefaults & { port: number; image: string };

/** The settings every workload has (a component's, and the WAF tier's). */
const workloadShape = (d: WorkloadDefaults) => ({
  /** Number of pods (more than one gets a PodDisruptionBudget and spreads over nodes). */
  replicas: z._default(z.number().check(z.int(), z.gte(1, 'must be at least 1'), z.lte(50)), d.replicas),
  /** cpu/memory requests and limits of the main container, and its node-local scratch (ephemeral-storage). */
  resources: z.prefault(z.strictObject({
    requests: z.prefault(quantities, d.requests),
    limits: z.prefault(quantities, d.limits),
    /**
     * ephemeral-storage: the writable layer, the container's logs and its emptyDirs on the node's disk.
     * @default request 128Mi, limit 1Gi
     */
    ephemeralStorage: z.prefault(z.strictObject({ request: z._default(memory, '128Mi'), limit: z._default(memory, '1Gi') }), {}),
  }), {}),
  /** sizeLimit of each of its emptyDirs (`/tmp` and the component's other scratch directories). @default 256Mi */
  scratchSizeLimit: z._default(memory, '256Mi'),
  /** PriorityClass of its pods (one of `priorityClasses`): who is evicted last under node pressure. */
  priorityClassName: z._default(dnsName, d.priorityClassName),
  ...(d.probes ? {
    /** HTTP paths of the probes: liveness (the process is alive; failing it restarts the container) and readiness (it can serve; failing it only takes the pod out of its Service). */
    probes: z.prefault(z.strictObject({ liveness: z._default(httpPath, d.probes.liveness), readiness: z._default(httpPath, d.probes.readiness) }), {}),
  } : {}),
});

const componentFields = (d: ComponentDefaults) => z.strictObject({
  /** Container (and Service) port. */
  port: z._default(port, d.port),
  /** Image, pinned to a version. */
  image: z._default(image, d.image),
  ...workloadShape(d),
});
const componentSchema = (d: ComponentDefaults) => z.prefault(componentFields(d), {});

/** The ACME solver of each edge target when the config names none. */
const DEFAULT_SOLVER = {
  'waf-tier': { type: 'dns01-cloudflare', apiTokenSecret: { name: 'cloudflare-api-token', key: 'api-token' } },
  'ingress-nginx': { type: 'http01' },
} as const;

/** The WAF tier's workload settings: a component's, without port and image (the image's port; `waf.image`). */
const wafTierSchema = z.prefault(z.strictObject({
  ...workloadShape({ replicas: 2, priorityClassName: 'factory-app', requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } }),
  /**
   * The request counter's sidecar (google/mtail; lib/waf/metrics.ts), pinned.
   * @default ghcr.io/google/mtail:3.0.9 (the name its .goreleaser.yml publishes for release v3.0.9)
   */
  metricsImage: z._default(image, 'ghcr.io/google/mtail:3.0.9'),
}), {});

/** A rate limit: requests per unit, and burst. */
const rateLimit = () => z.strictObject({
  rate: z.number().check(z.int(), z.gte(1)), per: z.enum(['second', 'minute']), burst: z.number().check(z.int(), z.gte(0)),
});

export const configSchema = z.strictObject({
  /** The namespace every object of the platform lives in. */
  namespace: z._default(dnsLabel, 'factory'),
  /** The public host name of the platform (Ingress, certificate). */
  host: z._default(dnsName, 'factory.example.com'),
  /** Identity every pod runs as ("Pod Security Context"). */
  podSecurity: z.prefault(z.strictObject({
    runAsUser: z._default(id, 1000),
    runAsGroup: z._default(id, 1000),
    fsGroup: z._default(id, 1000),
  }), {}),
  /** The namespace LimitRange ("Resource Limits"), type Container. */
  limitRange: z.prefault(z.strictObject({
    default: z.prefault(quantities, { cpu: '500m', memory: '512Mi' }),
    defaultRequest: z.prefault(quantities, { cpu: '100m', memory: '128Mi' }),
    max: z.prefault(quantities, { cpu: '2', memory: '4Gi' }),
    /** ephemeral-storage of a container: its default limit, default request and maximum. */
    ephemeralStorage: z.prefault(z.strictObject({
      default: z._default(memory, '1Gi'), defaultRequest: z._default(memory, '128Mi'), max: z._default(memory, '4Gi'),
    }), {}),
  }), {}),
  /**
   * PriorityClasses this project creates (name → value): under node pressure the scheduler preempts, and the
   * kubelet evicts, lower values first. The data stores outrank the stateless apps, which reconnect.
   */
  priorityClasses: z._default(
    z.record(dnsName, z.number().check(
      z.int(), z.gte(0, 'must be at least 0'), z.lte(1000000000, 'must be at most 1000000000 (higher is reserved for the system)'),
    )),
    { 'factory-data': 20000, 'factory-app': 10000 },
  ),
  /**
   * How the pods of a component with more than one replica spread: over `topologyKey`, at most one pod of
   * difference (topologySpreadConstraints, plus a preferred pod anti-affinity on the same key).
   */
  spread: z.prefault(z.strictObject({
    topologyKey: z._default(z.string().check(z.regex(/^[\w.\-/]+$/, 'must be a node label key')), 'kubernetes.io/hostname'),
    /** ScheduleAnyway keeps pods schedulable on a one-node cluster; DoNotSchedule refuses a second pod on a node. */
    whenUnsatisfiable: z._default(z.enum(['ScheduleAnyway', 'DoNotSchedule']), 'ScheduleAnyway'),
  }), {}),
  /**
   * ResourceQuota headroom over the sum of the workloads' requests and limits (rolling updates surge
   * one extra pod per Deployment; 2 leaves room for that and for a manual scale-up).
   */
  quotaHeadroom: z._default(z.number().check(z.gte(1, 'must be at least 1 (the workloads must fit)'), z.lte(10)), 2),
  /** The platform's components (guide: "Network Policies" flow diagram for the ports). */
  components: z.prefault(z.strictObject({
    api: componentSchema({
      port: 8000, image: APP_IMAGE, replicas: 2, priorityClassName: 'factory-app', probes: APP_PROBES,
      requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' },
    }),
    worker: componentSchema({
      port: 8001, image: APP_IMAGE, replicas: 2, priorityClassName: 'factory-app', probes: APP_PROBES,
      requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' },
    }),
    dashboard: componentSchema({
      port: 9001, image: APP_IMAGE, replicas: 1, priorityClassName: 'factory-app', probes: APP_PROBES,
      requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' },
    }),
    // 7.4.7: after 7.4.3 (CVE-2025-21605, output buffers of unauthenticated clients) and 7.4.6 (CVE-2025-49844,
    // -46817, -46818, -46819: Lua), from redis' 7.4 release notes.
    redis: componentSchema({
      port: 6379, image: 'redis:7.4.7-alpine', replicas: 1, priorityClassName: 'factory-data',
      requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '1Gi' },
    }),
    // 16.11: after 16.7 (CVE-2025-1094, quoting in libpq), 16.10 (CVE-2025-8713, -8714, -8715) and 16.11
    // (CVE-2025-12817, -12818), from PostgreSQL's release notes.
    postgresql: componentSchema({
      port: 5432, image: 'postgres:16.11-alpine', replicas: 1, priorityClassName: 'factory-data',
      requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' },
    }),
  }), {}),
  /** The edge: ingress controller, TLS, certificates, rate limits and response headers (guide: WAF, Network Security). */
  edge: z.prefault(z.pipe(z.strictObject({
    /**
     * What serves the platform to the internet:
     * - `ingress-nginx`: the ingress-nginx controller (retired upstream in March 2026: no fixes since), configured
     *   through its ConfigMaps and the factory Ingresses;
     * - `waf-tier`: the guide's WAF layer as the factory's own Deployment (the owasp/modsecurity-crs nginx image,
     *   `waf.image`) behind a `LoadBalancer` Service, rendered from the same rule model and nginx renderer as the
     *   standalone WAF; no ingress controller. Needs a DNS-01 solver (`edge.certificate.solver`).
     * @default waf-tier (the guide's own WAF layer, on an image its maintainers still release; nothing retired on
     * the internet-facing path)
     */
    target: z._default(z.enum(['ingress-nginx', 'waf-tier']), 'waf-tier'),
    /** The WAF tier's pods (`edge.target: waf-tier`): replicas, resources, scratch and priority, as a component's. */
    wafTier: wafTierSchema,
    /** IngressClass of the factory Ingresses and of the ACME http01 solver. */
    ingressClassName: z._default(dnsLabel, 'nginx'),
    /** The ingress controller: its namespace, its ConfigMap name and its pods' labels. */
    controller: z.prefault(z.strictObject({
      namespace: z._default(dnsLabel, 'ingress-nginx'),
      configMapName: z._default(dnsLabel, 'ingress-nginx-controller'),
      podLabels: z._default(labels, { 'app.kubernetes.io/name': 'ingress-nginx' }),
    }), {}),
    /** cert-manager: ClusterIssuer `letsencrypt-prod` and Certificate `factory-tls`. */
    certificate: z.prefault(z.strictObject({
      /** ACME account e-mail (Let's Encrypt expiry notices). */
      acmeEmail: z._default(z.email('must be an e-mail address'), 'security@factory.example.com'),
      /** Names on the certificate; default: the host alone. */
      dnsNames: z.optional(z.array(dnsName).check(z.minLength(1, 'must name at least one DNS name'))),
      /**
       * How Let's Encrypt's challenge is answered. @default with `edge.target: waf-tier`
       * `{type: dns01-cloudflare, apiTokenSecret: {name: cloudflare-api-token, key: api-token}}` (the WAF tier has no
       * ingress controller to answer http01); with `ingress-nginx` `{type: http01}` (through `ingressClassName`).
       * `{type: dns01-cloudflare, apiTokenSecret: {name, key}}`: a TXT record through Cloudflare's API (no ingress
       * controller, no inbound port 80); the Secret lives in cert-manager's namespace, provided by the operator.
       */
      solver: z.optional(z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('http01') }),
        z.strictObject({
          type: z.literal('dns01-cloudflare'),
          apiTokenSecret: z.strictObject({ name: dnsName, key: z.string().check(z.regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key')) }),
        }),
      ])),
    }), {}),
    /** Path prefixes served by the api (rate limit "API endpoints"). */
    apiPaths: z._default(z.array(httpPath).check(z.minLength(1)), ['/api']),
    /** Path prefixes of authentication (rate limit "Auth endpoints"). */
    authPaths: z._default(z.array(httpPath).check(z.minLength(1)), ['/api/auth']),
    /**
     * The largest request bodies, one limit for every target: nginx's `client_max_body_size` (standalone WAF,
     * and `proxy-body-size` of the controller) and ModSecurity's `SecRequestBodyLimit` take `maxBytes`;
     * `maxBytesWithoutFiles` is ModSecurity's `SecRequestBodyNoFilesLimit` (JSON and forms, uploads excluded).
     * Beyond either the request gets 413. @default 12.5 MiB and 128 KiB (the engine's recommended values)
     */
    requestBody: z.prefault(z.strictObject({
      maxBytes: z._default(z.number().check(z.int(), z.gte(1024, 'must be at least 1024 bytes'), z.lte(1073741824, 'must be at most 1 GiB')), 13107200),
      maxBytesWithoutFiles: z._default(z.number().check(z.int(), z.gte(1024, 'must be at least 1024 bytes')), 131072),
    }), {}),
    /** Rate limits (guide: "Rate Limiting"): requests per unit, and burst. */
    rateLimits: z.prefault(z.strictObject({
      api: z.prefault(rateLimit(), { rate: 10, per: 'second', burst: 20 }),
      auth: z.prefault(rateLimit(), { rate: 5, per: 'minute', burst: 5 }),
      /** HTTP status of a rate-limited request. */
      statusCode: z._default(z.number().check(z.int(), z.gte(400), z.lte(599)), 429),
    }), {}),
    /** TLS (guide: "TLS/SSL Configuration"). */
    tls: z.prefault(z.strictObject({
      protocols: z._default(z.array(z.enum(['TLSv1.2', 'TLSv1.3'])).check(z.minLength(1)), ['TLSv1.2', 'TLSv1.3']),
      ciphers: z._default(
        z.array(z.string().check(z.regex(/^[A-Z0-9-]+$/, 'must be an OpenSSL cipher name'))).check(z.minLength(1)),
        ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
      ),
      preferServerCiphers: z._default(z.boolean(), false),
    }), {}),
    /** Response headers on every response (guide: "Security Headers"); HSTS is separate. */
    securityHeaders: z._default(z.record(z.string().check(z.regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')), z.string()), {
      'X-Frame-Options': 'SAMEORIGIN',
      'X-Content-Type-Options': 'nosniff',
      'X-XSS-Protection': '1; mode=block',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'Content-Security-Policy': "default-src 'self'",
    }),
    /** Strict-Transport-Security: max-age=31536000; includeSubDomains. */
    hsts: z.prefault(z.strictObject({
      maxAge: z._default(z.number().check(z.int(), z.gte(0)), 31536000),
      includeSubDomains: z._default(z.boolean(), true),
    }), {}),
  }), z.transform((edge) => ({ ...edge, certificate: { ...edge.certificate, solver: edge.certificate.solver ?? DEFAULT_SOLVER[edge.target] } }))), {}),
  /** The WAF: ModSecurity + OWASP CRS (guide: "Web Application Firewall", "Audit Logging"). */
  waf: z.prefault(z.strictObject({
    /**
     * Image of the standalone `nginx-waf` Compose service (guide: WAF > Deployment > Docker Compose) and of the
     * WAF tier, pinned. Either runs the repository's CRS 4.22.0 (lib/waf/crs-release.ts), not the image's own.
     * @default owasp/modsecurity-crs:4.25.1-nginx-lts (the CRS project's LTS nginx image, from its
     * docker-bake.hcl: nginx 1.30.4, ModSecurity 3.0.16; rebuilt with base-image updates, its CRS version fixed)
     */
    image: z._default(image, 'owasp/modsecurity-crs:4.25.1-nginx-lts'),
    /** OWASP CRS paranoia level. */
    paranoiaLevel: z._default(z.number().check(z.int(), z.gte(1), z.lte(4)), 1),
    /** HTTP methods the API needs (CRS refuses PUT, PATCH, DELETE unless listed). */
    allowedMethods: z._default(
      z.array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])).check(z.minLength(1)),
      ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    ),
    /** Audit logging (guide: "Audit Logging"). */
    audit: z.prefault(z.strictObject({
      engine: z._default(z.enum(['On', 'Off', 'RelevantOnly']), 'RelevantOnly'),
      relevantStatus: z._default(z.string().check(
        z.refine((r) => !/["\p{Cc}]|\\$/u.test(r), 'must be one line without double quotes or a trailing backslash (it is a quoted SecLang value)'),
        z.refine((r) => { try { new RegExp(r); return true; } catch { return false; } }, 'must be a regular expression of HTTP status codes'),
      ), '^(?:5|4(?!04))'),
      /**
       * Where the records go. @default /dev/stdout: in a container the guide's /var/log/nginx/modsec_audit.log is
       * a file that `kubectl logs` and `docker compose logs` never show, lost on restart and never rotated.
       */
      logPath: z._default(z.string().check(z.regex(/^\/[\w\-./]+$/, 'must be an absolute path')), '/dev/stdout'),
      format: z._default(z.enum(['JSON', 'Native']), 'JSON'),
    }), {}),
  }), {}),
  /** Where Vault is, for the pods that read secrets (network flows; Vault's own settings may join here). */
  vault: z.prefault(z.strictObject({
    /** Vault's API port. */
    port: z._default(port, 8200),
    /** In the cluster (its namespace and pod labels) or outside it (a CIDR). */
    location: z._default(z.union([
      z.strictObject({ namespace: dnsLabel, podLabels: labels }),
      z.strictObject({ cidr: z.cidrv4('must be an IPv4 CIDR such as "203.0.113.10/32"') }),
    ]), { namespace: 'vault', podLabels: { 'app.kubernetes.io/name': 'vault' } }),
    /**
     * VAULT_ADDR of the api and worker pods. @default `https://vault.<location.namespace>.svc:<port>` in the
     * cluster; required when Vault is outside it (location is a CIDR).
     */
    address: z.optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as "https://vault.example.com:8200"' })),
    /** The Kubernetes API server as Vault reaches it (`kubernetes_host` of the auth config). @default https://kubernetes.default.svc */
    kubernetesHost: z._default(z.url({ protocol: /^https$/, error: 'must be an https URL' }), 'https://kubernetes.default.svc'),
    /** Audience of the api pods' projected token, and the only one the role accepts. @default vault */
    audience: z._default(z.string().check(z.regex(/^[\w.:/-]+$/, 'must be a non-empty audience without spaces')), 'vault'),
    /** Lifetime of the projected token in seconds (Kubernetes refuses less than 600). @default 600 */
    tokenExpirationSeconds: z._default(z.number().check(
      z.int('must be an integer'), z.gte(600, 'must be at least 600 (the Kubernetes minimum)'), z.lte(86400, 'must be at most 86400 (a day)'),
    ), 600),
    /** KV v2 mount (guide: "Required Vault Paths"). @default secret */
    kvMount: z._default(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a Vault mount path without slashes')), 'secret'),
    /** Folder of the platform's secrets under the mount. @default factory */
    secretsPrefix: z._default(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a path segment without slashes')), 'factory'),
    /** Policy granting the platform read+list on its secrets (guide: "Vault Policy"). @default factory-secrets */
    policyName: z._default(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a Vault policy name')), 'factory-secrets'),
    /** Path of the Kubernetes auth method. @default kubernetes */
    authPath: z._default(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a Vault mount path without slashes')), 'kubernetes'),
    /** The Kubernetes auth role (guide: "Kubernetes Auth Role"). @default factory-api */
    role: z._default(dnsLabel, 'factory-api'),
    /** The worker's Kubernetes auth role: bound to `factory-worker`, with a policy of its own (the paths the worker reads). @default factory-worker */
    workerRole: z._default(dnsLabel, 'factory-worker'),
    /**
     * The External Secrets Operator's sync of the data stores' passwords into the Secrets their pods read:
     * a SecretStore (Kubernetes auth with its own role and ServiceAccount) and one ExternalSecret per Secret.
     */
    sync: z.prefault(z.strictObject({
      /** The sync's Kubernetes auth role, with a policy reading exactly the synced paths. @default factory-secrets-sync */
      role: z._default(dnsLabel, 'factory-secrets-sync'),
      /** The ServiceAccount the SecretStore logs in as (no pod runs on it). @default factory-secrets-sync */
      serviceAccount: z._default(dnsLabel, 'factory-secrets-sync'),
      /** The SecretStore's name. @default factory-vault */
      storeName: z._default(dnsLabel, 'factory-vault'),
      /** How often each ExternalSecret re-reads Vault (a Go duration; µ written as escapes, so the bundle stays ASCII). @default 1h */
      refreshInterval: z._default(z.string().check(z.regex(/^(?:\d+(?:\.\d+)?(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/, 'must be a Go duration such as "15m" or "1h"')), '1h'),
    }), {}),
    /** TTL of the Vault tokens the role issues, seconds (guide: ttl=1h). @default 3600 */
    tokenTtlSeconds: z._default(z.number().check(z.int('must be an integer'), z.gte(60, 'must be at least 60'), z.lte(86400, 'must be at most 86400')), 3600),
    /** Custom metadata of every secret path: who owns it and how often it is rotated (guide: "Regular Security Tasks"). */
    secretsOwner: z._default(z.string().check(z.minLength(1, 'must name the owning team')), 'platform-security'),
    /** @default monthly (guide: "Rotate secrets | Monthly") */
    rotation: z._default(z.enum(['weekly', 'monthly', 'quarterly']), 'monthly'),
    /** Terraform state of the Vault stack: a local file (path relative to the project root) or an encrypted S3 object. */
    backend: z._default(z.discriminatedUnion('type', [
      z.strictObject({
        type: z.literal('local'),
        path: z._default(
          z.string().check(z.regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w./-]+$/, 'must be a relative path inside the project (no leading "/", no "..")')),
          'terraform.factory-vault.tfstate',
        ),
      }),
      z.strictObject({
        type: z.literal('s3'), bucket: z.string().check(z.minLength(3)), key: z.string().check(z.minLength(1)), region: z.string().check(z.minLength(1)),
      }),
    ]), { type: 'local', path: 'terraform.factory-vault.tfstate' }),
  }), {}),
  /** Zero-trust network (guide: "Network Policies"): switches for the flows the diagram does not draw. */
  network: z.prefault(z.strictObject({
    /** Every pod → cluster DNS on 53/UDP and 53/TCP. */
    dns: z.prefault(z.strictObject({
      enabled: z._default(z.boolean(), true),
      namespace: z._default(dnsLabel, 'kube-system'),
      podLabels: z._default(labels, { 'k8s-app': 'kube-dns' }),
    }), {}),
    /** api and worker → Vault. */
    vault: z.prefault(z.strictObject({ enabled: z._default(z.boolean(), true) }), {}),
    /** api and worker → external HTTPS (the model provider). */
    externalHttps: z.prefault(z.strictObject({
      enabled: z._default(z.boolean(), true),
      /** Destination CIDR; narrow it to the provider's ranges where they are known. */
      cidr: z._default(z.cidrv4('must be an IPv4 CIDR'), '0.0.0.0/0'),
      /** Excepted from it: the private ranges, so the rule cannot reach inside the cluster or the LAN. */
      except: z._default(z.array(z.cidrv4('must be an IPv4 CIDR')), ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10']),
      port: z._default(port, 443),
    }), {}),
  }), {}),
  /**
   * Objects the pods reference that the operator provides outside dist/ (a registry pull Secret, a CA
   * ConfigMap), each with the reason. Any other reference dist/ does not create refuses the synth.
   */
  providedObjects: z._default(z.array(z.strictObject({
    kind: z.enum(['Secret', 'ConfigMap', 'ServiceAccount', 'PersistentVolumeClaim']),
    name: dnsName,
    reason: z.string().check(z.minLength(1, 'must say why the operator provides it')),
  })), []),
  /** Persistent storage of the data stores. */
  storage: z.prefault(z.strictObject({
    /** StorageClass of the PVCs; omitted means the cluster default. */
    storageClassName: z.optional(dnsName),
    redis: z._default(memory, '8Gi'),
    postgresql: z._default(memory, '20Gi'),
  }), {}),
  /**
   * Monitoring (guide: "Monitoring Alerts"): the PrometheusRule `factory-security-alerts`, one alert per
   * signal of the guide, and the ServiceMonitor that scrapes the ingress controller's metrics.
   */
  monitoring: z.prefault(z.strictObject({
    /** Namespace of the PrometheusRule. @default the platform's namespace */
    namespace: z.optional(dnsLabel),
    /**
     * Labels on the PrometheusRule and ServiceMonitor for Prometheus' rule and ServiceMonitor selectors.
     * @default `release: kube-prometheus-stack`: what a kube-prometheus-stack release of that name selects
     * (its `ruleSelector` and `serviceMonitorSelector` match `release: <release name>`); set yours, or `{}`.
     */
    selectorLabels: z._default(labels, { release: 'kube-prometheus-stack' }),
    /** The README every alert's runbook_url points into (its "Incident response" section). */
    runbookBaseUrl: z._default(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).check(
      z.refine((u) => !/[\s\p{Cc}]/u.test(u), 'must not contain whitespace or control characters (a URL parser drops them silently)'),
      z.refine((u) => !u.includes('#'), 'must not carry a "#" fragment (the section anchor is added to it)'),
    ), 'https://github.com/factory-de-agentes/factory-security/blob/main/README.md'),
    /**
     * The label that carries the Ingress' namespace on ingress-nginx's metrics: `namespace` when the scrape
     * honors the metrics' own labels (this project's ServiceMonitor does), `exported_namespace` otherwise.
     */
    namespaceLabel: z._default(z.enum(['namespace', 'exported_namespace']), 'namespace'),
    /** The alerts: thresholds, windows, `for:` durations and severities. */
    alerts: z.prefault(z.strictObject({
      /** "Blocked requests exceeding threshold": WAF refusals (403) on the factory Ingresses. */
      blockedRequests: z.prefault(z.strictObject(countAlert({ threshold: 50, window: '5m', for: '5m', severity: 'warning' })), {}),
      /** "Authentication failures": 401/403 on the auth Ingress, and the application's own counter when named. */
      authFailures: z.prefault(z.strictObject({
        ...countAlert({ threshold: 20, window: '5m', for: '5m', severity: 'warning' }),
        /** The application's counter of failed logins (a Prometheus counter), counted with the same threshold. @default none */
        appCounterMetric: z.optional(z.string().check(z.regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus metric name'))),
      }), {}),
      /** "Anomaly score spikes": the WAF block rate against its own baseline over a longer window. */
      anomalySpike: z.prefault(z.strictObject({
        /** The alert fires when the block rate over `window` is more than `factor` times the baseline rate. */
        factor: z._default(z.number().check(z.gt(1, 'must be more than 1 (a rise over the baseline)')), 3),
        window: z._default(promDuration, '5m'),
        /** The baseline: the block rate over this window, ending where `window` starts. */
        baselineWindow: z._default(promDuration, '1h'),
        /**
         * Blocks per second the baseline is never taken below: no division by zero, and a rise only counts
         * once the rate reaches factor × baselineFloor (0.15/s, 45 blocks in 5 minutes, by default).
         */
        baselineFloor: z._default(z.number().check(z.gt(0, 'must be more than 0 (it guards the division)')), 0.05),
        for: z._default(promDuration, '2m'),
        severity: z._default(alertSeverity, 'critical'),
      }), {}),
      /** "Rate limit triggers": responses with the rate limit's status (edge.rateLimits.statusCode). */
      rateLimited: z.prefault(z.strictObject(countAlert({ threshold: 100, window: '5m', for: '5m', severity: 'warning' })), {}),
    }), {}),
    /**
     * Prometheus' pods (their namespace and labels): with `edge.target: waf-tier` the network policies let them
     * reach the WAF tier's counter (its metrics port, 3903) and nothing else of the namespace.
     * @default namespace `monitoring`, `app.kubernetes.io/name: prometheus` (kube-prometheus-stack's Prometheus)
     */
    prometheus: z.prefault(z.strictObject({
      namespace: z._default(dnsLabel, 'monitoring'),
      podLabels: z._default(labels, { 'app.kubernetes.io/name': 'prometheus' }),
    }), {}),
    /**
     * The ServiceMonitor of the edge's counter: the ingress controller's metrics Service (port 10254, `/metrics`),
     * or with `edge.target: waf-tier` the WAF tier's (`factory-waf-metrics`, port `metrics`, in the platform's
     * namespace; `namespace`, `selector` and `port` below are the controller's).
     */
    serviceMonitor: z.prefault(z.strictObject({
      /** Whether this project manages it (false when the controller's own chart or the platform team does). */
      enabled: z._default(z.boolean(), true),
      /** Its namespace. @default edge.controller.namespace */
      namespace: z.optional(dnsLabel),
      /**
       * Labels of the controller's metrics Service: this project puts them on it (the Helm values'
       * `controller.metrics.service.labels`, the static install's `ingress-nginx/metrics-service.yaml`) and the
       * ServiceMonitor selects them, so it selects that Service and no other.
       */
      selector: z._default(labels, { 'factory-security/scrape': 'ingress-nginx-metrics' }),
      /** Name of the metrics port on that Service. */
      port: z._default(z.string().check(z.regex(/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/, 'must be a port name (IANA_SVC_NAME)')), 'metrics'),
      interval: z._default(promDuration, '30s'),
    }), {}),
  }), {}),
});

export type FactoryConfig = z.output<typeof configSchema>;
export type ComponentConfig = FactoryConfig['components'][ComponentName];

/** Whether Vault runs outside the cluster (`vault.location` is a CIDR): both the cdktf stack and the token reviewer follow it. */
export function vaultIsExternal(c: FactoryConfig): boolean {
  return 'cidr' in c.vault.location;
}

/** The names on the certificate: `edge.certificate.dnsNames`, or the host alone. */
export function certificateDnsNames(c: FactoryConfig): string[] {
  return c.edge.certificate.dnsNames ?? [c.host];
}

/** The size of each data store's PersistentVolumeClaim, by component (the components without one are absent). */
export function dataStoreStorage(c: FactoryConfig): Partial<Record<ComponentName, string>> {
  return { redis: c.storage.redis, postgresql: c.storage.postgresql };
}

/** A refused configuration: names the source, the field path and the reason. */
export class ConfigError extends Error {
  constructor(readonly source: string, readonly issues: { path: string; message: string }[]) {
    // One issue: one line. Several: a header line, then one line each.
    super(issues.length === 1
      ? `invalid configuration in ${source}: ${issues[0].path || '(root)'}: ${issues[0].message}`
      : `invalid configuration in ${source}:\n` + issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** A field's message with the bad value it refused (quoted as JSON, cut at 80 characters), unless it already quotes it. */
function withValue(message: string, value: unknown): string {
  if (value === undefined) return message;
  const json = JSON.stringify(value) ?? String(value);
  const shown = json.length > 80 ? `${json.slice(0, 77)}...` : json;
  return message.includes(json) ? message : `${message} (got ${shown})`;
}

/** Validates a parsed (partial) config object and returns the full config. */
export function parseConfig(input: unknown, source = 'config'): FactoryConfig {
  // jitless: a config is parsed once per process, and compiling zod's eval-based fast path costs more than it saves.
  const result = configSchema.safeParse(input ?? {}, { reportInput: true, jitless: true });
  if (!result.success) {
    throw new ConfigError(source, result.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`
        // A record key's own refusal is nested inside zod's "Invalid key in record".
        : i.code === 'invalid_key' ? withValue(i.issues[0]?.message ?? i.message, i.input)
          : withValue(i.message, i.input),
    })));
  }
  const problems = configProblems(result.data);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result.data;
}

/** The guide's configuration, with no override. */
export function defaultConfig(): FactoryConfig {
  return parseConfig({}, 'defaults');
}

/**
 * Loads the config: the file named by `FACTORY_CONFIG` (YAML) over the guide's defaults, or the
 * defaults alone when the variable is unset.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): FactoryConfig {
  const file = env.FACTORY_CONFIG;
  if (file === undefined || file === '') return defaultConfig();
  const source = `FACTORY_CONFIG=${file}`;
  const refuse = (message: string) => new ConfigError(source, [{ path: '', message }]);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw refuse(`cannot read the file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const decoded = decodeText(bytes);
  if ('reason' in decoded) throw refuse(decoded.reason);
  const doc = YAML.parseDocument(decoded.text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(source, doc.errors.map((e) => ({
      path: '', message: `YAML syntax error: ${e.message.split('\n')[0]}`,
    })));
  }
  const parsed = yamlValue(doc);
  if ('reason' in parsed) throw refuse(parsed.reason);
  return parseConfig(parsed.value, source);
}
