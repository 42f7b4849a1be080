/**
 * Every cross-field rule of the configuration, in one table per concern, all run once by `parseConfig`
 * (lib/config.ts) with the one runner of lib/rules.ts: a config that breaks one is refused before any
 * construct runs, with the FACTORY_CONFIG file, the field path and the bad value. Constructs never throw
 * config errors.
 */
// Called only once lib/config.ts has loaded (parseConfig runs the rules): the import cycle is harmless.
import { type FactoryConfig, certificateDnsNames, vaultIsExternal } from './config';
import {
  HEADER_VALUE_FORBIDDEN, INGRESS_NGINX_VERSION, NGINX_PARAMETER_MAX_BYTES, burstExpressible, modsecuritySnippetFor, snippetParameterBytes,
} from './edge/ingress-nginx';
import { cpuMillis, memoryBytes } from './k8s/quantity';
import { promDurationSeconds } from './monitoring/duration';
import { type Problem, type Rule, brokenRules } from './rules';

/** What the resource rules read of a workload's settings. */
type WorkloadSettings = Pick<FactoryConfig['edge']['wafTier'], 'resources' | 'scratchSizeLimit' | 'priorityClassName'>;

/** The workloads' settings by config path: each component's, and the WAF tier's when it is the edge. */
function workloadSettings(c: FactoryConfig): [string, WorkloadSettings][] {
  return [
    ...Object.entries(c.components).map(([name, w]): [string, WorkloadSettings] => [`components.${name}`, w]),
    ...(c.edge.target === 'waf-tier' ? [['edge.wafTier', c.edge.wafTier] as [string, WorkloadSettings]] : []),
  ];
}

/** The WAF tier as the edge: a certificate it can get without an ingress controller. */
function wafTierRules(c: FactoryConfig): Rule[] {
  return [{
    path: 'edge.certificate.solver', condition: c.edge.target === 'waf-tier' && c.edge.certificate.solver.type === 'http01',
    message: 'http01 is answered through an ingress controller, which edge.target "waf-tier" does not have: use a DNS-01 solver ({type: dns01-cloudflare, apiTokenSecret: {name, key}})',
  }];
}

/** Requests and limits within the LimitRange max, and each request within its limit. */
function resourceRules(c: FactoryConfig): Rule[] {
  const max = c.limitRange.max;
  const bounded = (path: string, q: { cpu: string; memory: string }): Rule[] => [
    { path: `${path}.cpu`, condition: cpuMillis(q.cpu) > cpuMillis(max.cpu), message: `"${q.cpu}" is above the LimitRange max cpu "${max.cpu}"` },
    { path: `${path}.memory`, condition: memoryBytes(q.memory) > memoryBytes(max.memory), message: `"${q.memory}" is above the LimitRange max memory "${max.memory}"` },
  ];
  return [
    ...bounded('limitRange.default', c.limitRange.default),
    ...bounded('limitRange.defaultRequest', c.limitRange.defaultRequest),
    ...workloadSettings(c).flatMap(([at, { resources: r }]) => [
      ...bounded(`${at}.resources.limits`, r.limits),
      ...bounded(`${at}.resources.requests`, r.requests),
      { path: `${at}.resources.requests.cpu`, condition: cpuMillis(r.requests.cpu) > cpuMillis(r.limits.cpu), message: `request "${r.requests.cpu}" is above the limit "${r.limits.cpu}"` },
      { path: `${at}.resources.requests.memory`, condition: memoryBytes(r.requests.memory) > memoryBytes(r.limits.memory), message: `request "${r.requests.memory}" is above the limit "${r.limits.memory}"` },
    ]),
    ...ephemeralStorageRules(c),
  ];
}

/** Node-local scratch: each request within its limit, each limit within the LimitRange, each emptyDir within its container's limit. */
function ephemeralStorageRules(c: FactoryConfig): Rule[] {
  const lr = c.limitRange.ephemeralStorage;
  const above = (a: string, b: string) => memoryBytes(a) > memoryBytes(b);
  return [
    { path: 'limitRange.ephemeralStorage.default', condition: above(lr.default, lr.max), message: `"${lr.default}" is above the LimitRange max "${lr.max}"` },
    { path: 'limitRange.ephemeralStorage.defaultRequest', condition: above(lr.defaultRequest, lr.default), message: `"${lr.defaultRequest}" is above the default limit "${lr.default}"` },
    ...workloadSettings(c).flatMap(([at, comp]) => {
      const e = comp.resources.ephemeralStorage;
      return [
        { path: `${at}.resources.ephemeralStorage.limit`, condition: above(e.limit, lr.max), message: `"${e.limit}" is above the LimitRange max ephemeral-storage "${lr.max}"` },
        { path: `${at}.resources.ephemeralStorage.request`, condition: above(e.request, e.limit), message: `request "${e.request}" is above the limit "${e.limit}"` },
        { path: `${at}.scratchSizeLimit`, condition: above(comp.scratchSizeLimit, e.limit), message: `"${comp.scratchSizeLimit}" is above the container's ephemeral-storage limit "${e.limit}" (the kubelet would evict the pod first)` },
        {
          path: `${at}.priorityClassName`, condition: !(comp.priorityClassName in c.priorityClasses),
          message: `"${comp.priorityClassName}" is not one of priorityClasses (${Object.keys(c.priorityClasses).map((k) => `"${k}"`).join(', ')}), the classes this project creates`,
        },
      ];
    }),
  ];
}

/** One port per component. */
function portRules(c: FactoryConfig): Rule[] {
  const owner = new Map<number, string>();
  return Object.entries(c.components).map(([name, { port }]) => {
    const rule = { path: `components.${name}.port`, condition: owner.has(port), message: `port ${port} is already used by ${owner.get(port)}` };
    owner.set(port, name);
    return rule;
  });
}

/** Where Vault is and the address the pods use agree. */
function vaultRules(c: FactoryConfig): Rule[] {
  const external = vaultIsExternal(c);
  const address = c.vault.address;
  const addressPort = address === undefined ? undefined : Number(new URL(address).port || (address.startsWith('https:') ? 443 : 80));
  return [
    { path: 'vault.address', condition: external && address === undefined, message: 'is required when Vault is outside the cluster (vault.location is a CIDR)' },
    { path: 'vault.address', condition: addressPort !== undefined && addressPort !== c.vault.port, message: `"${address}": port ${addressPort} differs from vault.port ${c.vault.port} (the port the network policies open)` },
  ];
}

/** The certificate covers the host, and each path has one Ingress (one rate limit per path). */
function ingressRules(c: FactoryConfig): Rule[] {
  const dnsNames = certificateDnsNames(c);
  // "/" is the host's catch-all Ingress (factory-default): every other path takes the api rate limit.
  const owner = new Map<string, string>([['/', 'the catch-all Ingress factory-default']]);
  const paths = (field: 'apiPaths' | 'authPaths'): Rule[] => c.edge[field].map((path) => {
    const rule = { path: `edge.${field}`, condition: owner.has(path), message: `path "${path}" is already routed by ${owner.get(path)} (one rate limit per path)` };
    owner.set(path, `edge.${field}`);
    return rule;
  });
  return [
    { path: 'edge.certificate.dnsNames', condition: !dnsNames.includes(c.host), message: `[${dnsNames.join(', ')}] does not include the host "${c.host}" the Ingresses serve` },
    ...paths('apiPaths'),
    ...paths('authPaths'),
    {
      path: 'edge.requestBody.maxBytesWithoutFiles', condition: c.edge.requestBody.maxBytesWithoutFiles > c.edge.requestBody.maxBytes,
      message: `${c.edge.requestBody.maxBytesWithoutFiles} must not exceed maxBytes ${c.edge.requestBody.maxBytes} (a body without files is a body)`,
    },
  ];
}

/** What the ingress-nginx controller (its last release) can express (the burst and snippet only matter on that target). */
function ingressNginxRules(c: FactoryConfig): Rule[] {
  const onController = c.edge.target === 'ingress-nginx';
  // The snippet's size does not depend on the rules' content: the file name's hash has a fixed length.
  const snippetBytes = snippetParameterBytes(modsecuritySnippetFor(c.edge.controller.namespace, `factory-modsecurity-${'0'.repeat(12)}.conf`));
  return [
    ...(['api', 'auth'] as const).map((key) => {
      const { rate, burst } = c.edge.rateLimits[key];
      return {
        path: `edge.rateLimits.${key}.burst`, condition: onController && !burstExpressible(c.edge.rateLimits[key]),
        message: `burst ${burst} is not a whole multiple (1 or more) of rate ${rate}: ingress-nginx ${INGRESS_NGINX_VERSION} sets burst as rate × limit-burst-multiplier`,
      };
    }),
    {
      path: 'edge.controller.namespace', condition: onController && snippetBytes >= NGINX_PARAMETER_MAX_BYTES,
      message: `"${c.edge.controller.namespace}" makes the modsecurity-snippet take ${snippetBytes} bytes in nginx.conf; nginx refuses a parameter of ${NGINX_PARAMETER_MAX_BYTES} bytes or more ("too long parameter")`,
    },
    ...Object.entries(c.edge.securityHeaders).map(([name, value]) => ({
      path: `edge.securityHeaders.${name}`, condition: HEADER_VALUE_FORBIDDEN.test(value),
      message: `${JSON.stringify(value)} must not contain \`"\`, \`\\\`, \`$\`, a line break or another control character (ingress-nginx writes it as add_header NAME "VALUE")`,
    })),
  ];
}

/** The alerts' windows and the ServiceMonitor agree with what they watch. */
function monitoringRules(c: FactoryConfig): Rule[] {
  const m = c.monitoring;
  const spike = m.alerts.anomalySpike;
  return [
    {
      path: 'monitoring.alerts.anomalySpike.baselineWindow', condition: promDurationSeconds(spike.baselineWindow) <= promDurationSeconds(spike.window),
      message: `"${spike.baselineWindow}" must be longer than window "${spike.window}"`,
    },
    {
      path: 'monitoring.namespaceLabel', condition: m.serviceMonitor.enabled && m.namespaceLabel === 'exported_namespace',
      message: '"exported_namespace" never appears: the ServiceMonitor this project manages honors the metrics\' labels (use "namespace", or serviceMonitor.enabled: false)',
    },
    {
      path: 'monitoring.serviceMonitor.selector',
      condition: Object.keys(m.serviceMonitor.selector).length === 0,
      message: '{} must name at least one label (an empty selector matches every Service)',
    },
  ];
}

/** Every broken cross-field rule of a config whose fields each passed the schema. */
export function configProblems(c: FactoryConfig): Problem[] {
  return brokenRules([...resourceRules(c), ...wafTierRules(c), ...portRules(c), ...vaultRules(c), ...ingressRules(c), ...ingressNginxRules(c), ...monitoringRules(c)]);
}
