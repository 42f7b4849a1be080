/**
 * Everything specific to the ingress-nginx controller (v1.15.1, its last release): the controller
 * ConfigMap keys, the Ingress annotations, the response-headers ConfigMap and the Helm values. Another
 * controller would be another module beside this one; the rest of lib/edge/ does not know these names.
 *
 * Facts this module rests on (ingress-nginx sources, v1.15.1):
 * - Every `*-snippet` Ingress annotation is Critical risk and refused by default (`annotations-risk-level:
 *   High`, `allow-snippet-annotations: "false"`), so ModSecurity's rules live in the controller ConfigMap
 *   (`modsecurity-snippet`), never on an Ingress.
 * - nginx.tmpl renders a non-empty `modsecurity-snippet` as `modsecurity_rules '<snippet>';` INSTEAD of
 *   `modsecurity_rules_file /etc/nginx/modsecurity/modsecurity.conf;` (so the snippet includes the base
 *   config itself), then, when `enable-owasp-modsecurity-crs` is "true", adds
 *   `modsecurity_rules_file /etc/nginx/owasp-modsecurity-crs/nginx-modsecurity.conf;` AFTER it. The
 *   snippet must therefore NOT include the CRS again (every CRS rule id would be defined twice and
 *   `nginx -t` refuses duplicate ids), and the custom rules in it load before the CRS, as they must.
 * - The per-location `enable-owasp-core-rules` annotation adds the CRS file only when the ConfigMap has
 *   not (`!cfg.EnableOWASPCoreRules && location.ModSecurity.OWASPRules`): no double load either.
 * - nginx reads a quoted parameter with `\` escapes (`\'`, `\\`, `\"`, `\t`, `\r`, `\n`) in a 4096-byte
 *   buffer: a longer `modsecurity_rules '…'` fails `nginx -t` ("too long parameter", ingress-nginx issue
 *   #8032). The rendered WAF configuration is about 16 KB, so it does not go into the snippet itself: it
 *   is a ConfigMap mounted into the controller pod (a file ModSecurity reads with its own parser, no such
 *   limit), and the snippet only `Include`s it. The file name carries the content hash: a rules change
 *   changes the snippet, the controller reloads, and `nginx -t` fails (keeping the running config, WAF
 *   included) until the kubelet has updated the mounted file, so no reload ever runs stale rules.
 * - `limit-rps`/`limit-rpm` render `limit_req zone=… burst=<rate × limit-burst-multiplier> nodelay;`.
 * - `ssl-ciphers` in the ConfigMap forces `ssl_prefer_server_ciphers on`; the annotations
 *   `ssl-ciphers` + `ssl-prefer-server-ciphers` set both per server, as the guide wants.
 * - The Helm chart writes `allow-snippet-annotations` from `controller.allowSnippetAnnotations` and
 *   `add-headers` from `controller.addHeaders`: the same keys in `controller.config` would be duplicated.
 */
import { createHash } from 'crypto';
import * as YAML from 'yaml';
import type { FactoryConfig } from '../config';
import { CUSTOM_RULE_IDS } from '../waf/rules';
import { type ModSecurityTarget, renderModSecurity } from '../waf/seclang';

/** The controller release these settings were checked against. */
export const INGRESS_NGINX_VERSION = 'v1.15.1';
/** The Helm chart release of that controller (its last). */
export const INGRESS_NGINX_CHART_VERSION = '4.15.1';

/** Prefix of every ingress-nginx Ingress annotation. */
export const ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io/';

/** Name of the ConfigMap holding the response headers (`add-headers`), beside the controller's. */
export const SECURITY_HEADERS_CONFIGMAP = 'factory-security-headers';

/**
 * Where the controller image keeps ModSecurity's files. The base config is included by the factory's
 * rules file (a snippet replaces the default `modsecurity_rules_file`); the CRS is loaded by the
 * controller itself after the snippet (`enable-owasp-modsecurity-crs`), so the rules include none of it.
 */
export const MODSECURITY_PATHS = {
  base: '/etc/nginx/modsecurity/modsecurity.conf',
  crs: '/etc/nginx/owasp-modsecurity-crs/nginx-modsecurity.conf',
} as const;

/** The ModSecurity target of the ingress-nginx controller (see the module comment). */
export const INGRESS_NGINX_MODSECURITY_TARGET: ModSecurityTarget = {
  baseIncludes: [`Include ${MODSECURITY_PATHS.base}`],
  crsIncludes: [],
};

/** The factory's rendered WAF configuration as a ConfigMap mounted into the controller pod. */
export const MODSECURITY_RULES = {
  /** ConfigMap (in the controller namespace) holding the rendered rules file. */
  configMapName: 'factory-modsecurity',
  /** Pod volume name. */
  volumeName: 'factory-modsecurity',
  /** Directory the ConfigMap is mounted at in the controller container. */
  mountPath: '/etc/nginx/factory-modsecurity',
  /** The controller container's name (Helm chart and static manifests alike). */
  containerName: 'controller',
} as const;

/**
 * The controller's metrics: served on its status port (also /healthz) once `--enable-metrics=true`, which
 * neither the binary (default false) nor the static manifests turn on, and the chart only with
 * `controller.metrics.enabled`.
 */
export const CONTROLLER_METRICS = {
  port: 10254,
  /** The static-install Service beside the controller's (the chart names its own `<fullname>-metrics`). */
  staticServiceName: 'ingress-nginx-controller-metrics',
  /** The label every controller pod carries beside `edge.controller.podLabels` (chart and static manifests alike). */
  componentLabel: { 'app.kubernetes.io/component': 'controller' },
} as const;

/** nginx's configuration buffer: a quoted parameter (quotes included) must be shorter. */
export const NGINX_PARAMETER_MAX_BYTES = 4096;
/** What nginx.tmpl puts around the snippet inside the quotes (`'\n      ` … `\n    '`). */
const SNIPPET_FRAME_BYTES = "'\n      ".length + "\n    '".length;

/**
 * Escapes text for an nginx single-quoted parameter: nginx turns `\\` into `\`, `\'` into `'` (and `\t`,
 * `\r`, `\n` into control characters), so every `\` is doubled and every `'` is prefixed with `\`.
 */
export function escapeNginxSingleQuoted(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

/** The rendered WAF configuration (SecLang) for this controller: the content of the mounted file. */
export function modsecurityRules(config: FactoryConfig): string {
  let text = renderedRules.get(config);
  if (text === undefined) renderedRules.set(config, text = renderModSecurity(config, INGRESS_NGINX_MODSECURITY_TARGET));
  return text;
}
/** Rendered once per config object: the ConfigMap, the snippet's file name and the Helm values all need it. */
const renderedRules = new WeakMap<FactoryConfig, string>();

/** The rules file's name: versioned by its content, so a change is a new file (see the module comment). */
export function modsecurityRulesFileName(config: FactoryConfig): string {
  const hash = createHash('sha256').update(modsecurityRules(config)).digest('hex').slice(0, 12);
  return `factory-modsecurity-${hash}.conf`;
}

/** A rate limit of the config, as ingress-nginx annotations express it. */
export interface RateLimit {
  readonly rate: number;
  readonly per: 'second' | 'minute';
  readonly burst: number;
}

/** The rate limits of the Ingresses, by config key (`edge.rateLimits.<key>`). */
export type RateLimitKey = 'api' | 'auth';

/** The `modsecurity-snippet` text for a rules file name (escaped for the `modsecurity_rules '…'` it lands in). */
export function modsecuritySnippetFor(controllerNamespace: string, rulesFileName: string): string {
  return escapeNginxSingleQuoted([
    `# The factory WAF (lib/waf): ConfigMap ${controllerNamespace}/${MODSECURITY_RULES.configMapName}, mounted.`,
    `# It loads ${MODSECURITY_PATHS.base}, sets SecRuleEngine On, audit logging, the CRS settings`,
    `# (allowed methods) and the custom rules ${CUSTOM_RULE_IDS}; the controller loads the CRS after it.`,
    `Include ${MODSECURITY_RULES.mountPath}/${rulesFileName}`,
  ].join('\n'));
}

/** The bytes a snippet takes as nginx's quoted parameter (quotes and the template's framing included). */
export function snippetParameterBytes(snippet: string): number {
  return Buffer.byteLength(snippet, 'utf8') + SNIPPET_FRAME_BYTES;
}

/** The ingress-nginx rate-limit constraint: burst is rate × a whole `limit-burst-multiplier` of 1 or more. */
export function burstExpressible(limit: RateLimit): boolean {
  return limit.burst % limit.rate === 0 && limit.burst >= limit.rate;
}

/** Characters a header value must not hold: ingress-nginx writes it as add_header NAME "VALUE". */
export const HEADER_VALUE_FORBIDDEN = /["\\$\p{Cc}]/u;

/**
 * The `modsecurity-snippet` value: an `Include` of the mounted rules file (the full rules exceed nginx's
 * parameter size), escaped for the `modsecurity_rules '…'` it lands in.
 */
export function modsecuritySnippet(config: FactoryConfig): string {
  return modsecuritySnippetFor(config.edge.controller.namespace, modsecurityRulesFileName(config));
}

/** `edge.rateLimits.<key>` as annotations: `limit-rps`/`limit-rpm` and `limit-burst-multiplier`. */
export function rateLimitAnnotations(limit: RateLimit): Record<string, string> {
  return {
    [`${ANNOTATION_PREFIX}${limit.per === 'second' ? 'limit-rps' : 'limit-rpm'}`]: String(limit.rate),
    [`${ANNOTATION_PREFIX}limit-burst-multiplier`]: String(limit.burst / limit.rate),
  };
}

/**
 * The annotations of one factory Ingress: ModSecurity and the CRS on (Low risk), the transaction id
 * (High), the rate limit, and the guide's ciphers with `ssl_prefer_server_ciphers off`. No snippet.
 */
export function ingressAnnotations(config: FactoryConfig, rateLimit: RateLimitKey): Record<string, string> {
  const tls = config.edge.tls;
  const annotations: Record<string, string> = {
    [`${ANNOTATION_PREFIX}enable-modsecurity`]: 'true',
    [`${ANNOTATION_PREFIX}enable-owasp-core-rules`]: 'true',
    [`${ANNOTATION_PREFIX}modsecurity-transaction-id`]: '$request_id',
    ...rateLimitAnnotations(config.edge.rateLimits[rateLimit]),
    [`${ANNOTATION_PREFIX}ssl-ciphers`]: tls.ciphers.join(':'),
    [`${ANNOTATION_PREFIX}ssl-prefer-server-ciphers`]: String(tls.preferServerCiphers),
  };
  return sortedRecord(annotations);
}

/** The response headers of every response (guide: "Security Headers", HSTS excepted). */
export function securityHeadersData(config: FactoryConfig): Record<string, string> {
  return sortedRecord({ ...config.edge.securityHeaders });
}

/**
 * The controller settings the Helm chart takes in `controller.config` (every key but the two the chart
 * writes itself: `allow-snippet-annotations` and `add-headers`).
 */
export function controllerSettings(config: FactoryConfig): Record<string, string> {
  const { edge } = config;
  return sortedRecord({
    // ModSecurity on; the snippet includes the factory's rules file; the controller loads the CRS after it.
    'enable-modsecurity': 'true',
    'enable-owasp-modsecurity-crs': 'true',
    'modsecurity-snippet': modsecuritySnippet(config),
    // Annotations above High risk (every *-snippet) are refused; pinned rather than left to the default.
    'annotations-risk-level': 'High',
    // Rate limiting: refused requests get 429.
    'limit-req-status-code': String(edge.rateLimits.statusCode),
    // TLS protocols (ciphers are per Ingress, see ingressAnnotations).
    'ssl-protocols': edge.tls.protocols.join(' '),
    // One body limit with ModSecurity's SecRequestBodyLimit (edge.requestBody); nginx's default is 1m.
    'proxy-body-size': String(edge.requestBody.maxBytes),
    // Strict-Transport-Security: max-age=31536000; includeSubDomains.
    'hsts': 'true',
    'hsts-max-age': String(edge.hsts.maxAge),
    'hsts-include-subdomains': String(edge.hsts.includeSubDomains),
  });
}

/**
 * The annotation that makes a change of the response headers reload the controller: ingress-nginx re-reads
 * its configuration only when its own ConfigMap changes (store.go: changeTriggerUpdate), never on a change of
 * the ConfigMap `add-headers` names; so the controller's ConfigMap carries a digest of the headers.
 */
export function headersDigestAnnotation(headers: Record<string, string>): Record<string, string> {
  const digest = createHash('sha256').update(JSON.stringify(Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : 1)))).digest('hex').slice(0, 16);
  return { 'factory-security/add-headers-sha256': digest };
}

/** `<namespace>/<name>` of the response-headers ConfigMap, as `add-headers` names it. */
export function securityHeadersRef(config: FactoryConfig): string {
  return `${config.edge.controller.namespace}/${SECURITY_HEADERS_CONFIGMAP}`;
}

/** The data of the controller ConfigMap (`edge.controller.namespace`/`configMapName`). */
export function controllerConfigMapData(config: FactoryConfig): Record<string, string> {
  return sortedRecord({
    ...controllerSettings(config),
    'allow-snippet-annotations': 'false',
    'add-headers': securityHeadersRef(config),
  });
}

/** The pod volume holding the rules ConfigMap. */
export function rulesVolume(): Record<string, unknown> {
  return { name: MODSECURITY_RULES.volumeName, configMap: { name: MODSECURITY_RULES.configMapName } };
}

/** The controller container's read-only mount of the rules volume. */
export function rulesVolumeMount(): Record<string, unknown> {
  return { name: MODSECURITY_RULES.volumeName, mountPath: MODSECURITY_RULES.mountPath, readOnly: true };
}

/**
 * Values for the ingress-nginx Helm chart: the same settings as the controller ConfigMap, in the keys
 * the chart reads (`controller.config`, `controller.allowSnippetAnnotations`, `controller.addHeaders`),
 * and the rules volume (`controller.extraVolumes`, `controller.extraVolumeMounts`).
 */
export function helmValues(config: FactoryConfig): { controller: Record<string, unknown> } {
  const sm = config.monitoring.serviceMonitor;
  return {
    controller: {
      allowSnippetAnnotations: false,
      addHeaders: securityHeadersData(config),
      config: controllerSettings(config),
      configAnnotations: headersDigestAnnotation(securityHeadersData(config)),
      extraVolumes: [rulesVolume()],
      extraVolumeMounts: [rulesVolumeMount()],
      // The metrics the alerts read: --enable-metrics, the container port and the metrics Service, with the
      // labels the ServiceMonitor selects (the chart's own ServiceMonitor stays off: this project renders one).
      metrics: { enabled: true, port: CONTROLLER_METRICS.port, portName: sm.port, service: { enabled: true, labels: sm.selector } },
      // Client addresses reach nginx (the per-client rate limits and the WAF's counters), as in the static cloud manifests.
      service: { externalTrafficPolicy: 'Local' },
    },
  };
}

/** The controller container's metrics port, named as the ServiceMonitor's endpoint names it. */
function metricsContainerPort(config: FactoryConfig): Record<string, unknown> {
  return { name: config.monitoring.serviceMonitor.port, containerPort: CONTROLLER_METRICS.port, protocol: 'TCP' };
}

/**
 * Strategic-merge patch of the controller Deployment of a static-manifest install: mounts the rules
 * ConfigMap and names the metrics port (the Helm values do the same with `extraVolumes`/`extraVolumeMounts`
 * and `metrics`). Volumes, mounts and ports merge by name; the flag is a JSON patch (an args list would be replaced).
 */
export function controllerDeploymentPatch(config: FactoryConfig): Record<string, unknown> {
  return {
    spec: {
      template: {
        spec: {
          volumes: [rulesVolume()],
          containers: [{ name: MODSECURITY_RULES.containerName, volumeMounts: [rulesVolumeMount()], ports: [metricsContainerPort(config)] }],
        },
      },
    },
  };
}

/** JSON patch of the static controller Deployment: appends `--enable-metrics=true` to the controller's arguments. */
export function controllerMetricsFlagPatch(): Record<string, unknown>[] {
  return [{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--enable-metrics=true' }];
}

/** The metrics Service of a static install: the controller pods' status port, with the labels the ServiceMonitor selects. */
export function staticMetricsService(config: FactoryConfig): Record<string, unknown> {
  const port = config.monitoring.serviceMonitor.port;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: CONTROLLER_METRICS.staticServiceName, namespace: config.edge.controller.namespace, labels: config.monitoring.serviceMonitor.selector },
    spec: {
      type: 'ClusterIP',
      selector: { ...config.edge.controller.podLabels, ...CONTROLLER_METRICS.componentLabel },
      ports: [{ name: port, port: CONTROLLER_METRICS.port, targetPort: port, protocol: 'TCP' }],
    },
  };
}

/** Where the controller files go (project-relative); `npm run synth` owns the folder. */
export const INGRESS_NGINX_OUTPUT_DIR = 'ingress-nginx';

function generatedHeader(lines: string[]): string {
  return [
    `# Generated by \`npm run synth\` from lib/config.ts for ingress-nginx ${INGRESS_NGINX_VERSION}: do not edit.`,
    ...lines.map((l) => `# ${l}`),
  ].join('\n') + '\n';
}

/**
 * The controller files beside dist/: the Helm values and the Deployment patch for static installs, by
 * project-relative path.
 */
export function ingressNginxFiles(config: FactoryConfig): Map<string, string> {
  // Helm and kubectl read YAML 1.1: written as 1.1, a string like "on" or "yes" is quoted, never a boolean.
  const yaml = (v: unknown) => YAML.stringify(v, { lineWidth: 0, version: '1.1' });
  return new Map([
    [`${INGRESS_NGINX_OUTPUT_DIR}/values.yaml`, generatedHeader([
      'Values for the ingress-nginx Helm chart: the settings of dist/*-edge-controller.k8s.yaml (not applied',
      'with Helm) and the mount of the WAF rules ConfigMap (dist/*-edge-waf.k8s.yaml, applied first). Install or upgrade with',
      `  helm upgrade --install ingress-nginx ingress-nginx/ingress-nginx --version ${INGRESS_NGINX_CHART_VERSION} -n ${config.edge.controller.namespace} --create-namespace -f ${INGRESS_NGINX_OUTPUT_DIR}/values.yaml`,
    ]) + yaml(helmValues(config))],
    [`${INGRESS_NGINX_OUTPUT_DIR}/controller-patch.yaml`, generatedHeader([
      'For a controller installed from static manifests: mounts the WAF rules ConfigMap (dist/*-edge-waf.k8s.yaml,',
      'applied first) and names the metrics port. Apply with',
      `  kubectl -n ${config.edge.controller.namespace} patch deployment ingress-nginx-controller --patch-file ${INGRESS_NGINX_OUTPUT_DIR}/controller-patch.yaml`,
    ]) + yaml(controllerDeploymentPatch(config))],
    [`${INGRESS_NGINX_OUTPUT_DIR}/controller-metrics-patch.json`, JSON.stringify(controllerMetricsFlagPatch(), null, 2) + '\n'],
    [`${INGRESS_NGINX_OUTPUT_DIR}/metrics-service.k8s.yaml`, generatedHeader([
      'For a controller installed from static manifests (the Helm values make their own): the metrics Service the',
      'ServiceMonitor of dist/*-monitoring.k8s.yaml selects. With the metrics flag (JSON patch, apply once):',
      `  kubectl -n ${config.edge.controller.namespace} patch deployment ingress-nginx-controller --type json --patch-file ${INGRESS_NGINX_OUTPUT_DIR}/controller-metrics-patch.json`,
      `  kubectl apply -f ${INGRESS_NGINX_OUTPUT_DIR}/metrics-service.k8s.yaml`,
    ]) + yaml(staticMetricsService(config))],
  ]);
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
