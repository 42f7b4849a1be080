/**
 * Guide "Web Application Firewall", "TLS/SSL Configuration", "Security Headers" and "Audit Logging", as
 * the ingress-nginx controller receives them: controller ConfigMap, headers ConfigMap, the mounted WAF
 * rules, and the Helm values carrying the same settings.
 */
import * as YAML from 'yaml';
import { ConfigError } from '../../lib/config';
import {
  NGINX_PARAMETER_MAX_BYTES,
  controllerDeploymentPatch,
  escapeNginxSingleQuoted,
  helmValues,
  ingressNginxFiles,
  modsecurityRules,
} from '../../lib/edge/ingress-nginx';
import { WAF_CATEGORIES } from '../../lib/waf/rules';
import { synthesizeConfig } from '../../main';
import { controllerCharts, controllerConfig, controllerSynthAll, find } from '../support';

/**
 * How nginx reads the inside of a single-quoted parameter (ngx_conf_read_token): `\` escapes the next
 * character, `\"` `\'` `\\` become the character, `\t` `\r` `\n` control characters, any other `\x` stays;
 * an unescaped `'` ends the parameter.
 */
function nginxUnquote(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") throw new Error(`an unescaped ' at ${i} ends the parameter early`);
    if (c !== '\\' || i + 1 >= s.length) { out += c; continue; }
    const n = s[i + 1];
    const control: Record<string, string> = { t: '\t', r: '\r', n: '\n' };
    if (n === '"' || n === "'" || n === '\\') { out += n; i++; } else if (control[n]) { out += control[n]; i++; } else out += c;
  }
  return out;
}

/** The SecRule/SecAction blocks of a SecLang text, each with its `id:`. */
function ruleBlocks(seclang: string): Map<number, string> {
  const blocks = new Map<number, string>();
  for (const block of seclang.split(/\n(?=Sec(?:Rule|Action)\b)/)) {
    const id = /"id:(\d+),/.exec(block);
    if (id) blocks.set(Number(id[1]), block);
  }
  return blocks;
}

const charts = controllerCharts();
const controllerManifests = charts.edgeController;
const controller = find(controllerManifests, 'ConfigMap', 'ingress-nginx-controller');
const headers = find(controllerManifests, 'ConfigMap', 'factory-security-headers');
const rulesConfigMap = find(charts.edgeWaf, 'ConfigMap', 'factory-modsecurity');
const [rulesFileName, rulesFile] = Object.entries(rulesConfigMap.data as Record<string, string>)[0];
const snippet: string = controller.data['modsecurity-snippet'];

describe('ingress-nginx controller ConfigMap (guide: WAF, TLS, Security Headers)', () => {
  test('GIVEN the default controller WHEN synthesized THEN the ConfigMap is ingress-nginx/ingress-nginx-controller', () => {
    expect(controller.metadata.namespace).toBe('ingress-nginx');
    expect(controller.metadata.name).toBe('ingress-nginx-controller');
  });

  test('GIVEN "ModSecurity with NGINX" and "OWASP Core Rule Set" WHEN synthesized THEN ModSecurity and the CRS are on for every server', () => {
    expect(controller.data['enable-modsecurity']).toBe('true');
    expect(controller.data['enable-owasp-modsecurity-crs']).toBe('true');
  });

  test('GIVEN CVE-2025-1974-class risks WHEN synthesized THEN snippet annotations are refused and annotations stop at High risk', () => {
    expect(controller.data['allow-snippet-annotations']).toBe('false');
    expect(controller.data['annotations-risk-level']).toBe('High');
  });

  test('GIVEN "Rate Limiting" WHEN a request is limited THEN the controller answers 429', () => {
    expect(controller.data['limit-req-status-code']).toBe('429');
  });

  test('GIVEN "ssl_protocols TLSv1.2 TLSv1.3" WHEN synthesized THEN ssl-protocols is "TLSv1.2 TLSv1.3"', () => {
    expect(controller.data['ssl-protocols']).toBe('TLSv1.2 TLSv1.3');
  });

  test('GIVEN "ssl_prefer_server_ciphers off" WHEN synthesized THEN the ciphers are not set controller-wide (that forces prefer-server-ciphers on)', () => {
    expect(controller.data['ssl-ciphers']).toBeUndefined();
  });

  test('GIVEN "Strict-Transport-Security: max-age=31536000; includeSubDomains" WHEN synthesized THEN the hsts keys say so', () => {
    expect(controller.data.hsts).toBe('true');
    expect(controller.data['hsts-max-age']).toBe('31536000');
    expect(controller.data['hsts-include-subdomains']).toBe('true');
  });

  test('GIVEN "Security Headers" WHEN synthesized THEN add-headers names the headers ConfigMap', () => {
    expect(controller.data['add-headers']).toBe('ingress-nginx/factory-security-headers');
    expect(headers.metadata.namespace).toBe('ingress-nginx');
  });

  test('GIVEN "Security Headers" WHEN synthesized THEN the headers ConfigMap holds the five non-HSTS headers with the guide\'s values', () => {
    expect(headers.data).toEqual({
      'Content-Security-Policy': "default-src 'self'",
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'SAMEORIGIN',
      'X-XSS-Protection': '1; mode=block',
    });
  });

  test('GIVEN a header value with a double quote WHEN the config is parsed THEN it is refused naming the header and the value', () => {
    const parse = () => controllerConfig({ edge: { securityHeaders: { 'X-Frame-Options': 'SAME"ORIGIN' } } });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/edge\.securityHeaders\.X-Frame-Options: "SAME\\"ORIGIN" must not contain/);
  });
});

describe('ModSecurity rules as the controller loads them (guide: WAF, Custom Factory Rules, Audit Logging)', () => {
  test('GIVEN the snippet WHEN nginx reads it THEN it Includes the mounted rules file, and that file is in the rules ConfigMap', () => {
    const text = nginxUnquote(snippet);
    expect(text).toContain(`Include /etc/nginx/factory-modsecurity/${rulesFileName}`);
    expect(rulesConfigMap.metadata.namespace).toBe('ingress-nginx');
    expect(rulesFileName).toMatch(/^factory-modsecurity-[0-9a-f]{12}\.conf$/);
  });

  test('GIVEN the controller pods mount the rules WHEN synthesized THEN the rules ConfigMap is alone in its file, applied before the controller', () => {
    expect(charts.edgeWaf.map((m: any) => `${m.kind}/${m.metadata.name}`)).toEqual(['ConfigMap/factory-modsecurity']);
    expect(charts.edge.filter((m: any) => m.kind === 'ConfigMap')).toEqual([]);
  });

  test('GIVEN nginx\'s 4096-byte parameter buffer WHEN the snippet is framed by nginx.tmpl THEN it fits', () => {
    expect(Buffer.byteLength(`'\n      ${snippet}\n    '`)).toBeLessThan(NGINX_PARAMETER_MAX_BYTES);
  });

  test('GIVEN the mounted rules WHEN read THEN they start with the engine\'s base config (the snippet replaces the default modsecurity_rules_file)', () => {
    const directives = rulesFile.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(directives[0]).toBe('Include /etc/nginx/modsecurity/modsecurity.conf');
  });

  test('GIVEN the controller loads the CRS after the snippet WHEN the rules are read THEN neither the snippet nor the rules include the CRS (no duplicate rule ids)', () => {
    expect(nginxUnquote(snippet)).not.toMatch(/owasp-modsecurity-crs|coreruleset|crs-setup|REQUEST-9\d\d/);
    expect(rulesFile).not.toMatch(/^\s*Include\s+\S*(?:owasp-modsecurity-crs|coreruleset|crs-setup|rules\/REQUEST)/m);
  });

  test('GIVEN "SecRuleEngine On" WHEN the rules are read THEN the engine blocks, before any custom rule', () => {
    expect(rulesFile).toMatch(/^SecRuleEngine On$/m);
    expect(rulesFile).not.toMatch(/^SecRuleEngine (?:Off|DetectionOnly)$/m);
    expect(rulesFile.indexOf('SecRuleEngine On')).toBeLessThan(rulesFile.indexOf('"id:1001,'));
  });

  test('GIVEN "Audit Logging" WHEN the rules are read THEN SecAuditEngine RelevantOnly, the relevant status, the log and JSON format are set', () => {
    expect(rulesFile).toMatch(/^SecAuditEngine RelevantOnly$/m);
    expect(rulesFile).toContain('\nSecAuditLogRelevantStatus "^(?:5|4(?!04))"\n');
    expect(rulesFile).toMatch(/^SecAuditLog \/dev\/stdout$/m);
    expect(rulesFile).toMatch(/^SecAuditLogFormat JSON$/m);
  });

  test('GIVEN the API needs PUT, PATCH and DELETE WHEN the rules are read THEN tx.allowed_methods lists every configured method', () => {
    expect(rulesFile).toContain("setvar:'tx.allowed_methods=GET HEAD POST PUT PATCH DELETE OPTIONS'");
  });

  test.each(Object.entries(WAF_CATEGORIES))('GIVEN the guide\'s category %s WHEN the rules are read THEN every id of its range is a rule tagged with the category', (category, { ids: [first, last] }) => {
    const blocks = ruleBlocks(rulesFile);
    for (let id = first; id <= last; id++) {
      expect(blocks.get(id)).toBeDefined();
      expect(blocks.get(id)).toContain(`tag:'factory/${category}'`);
    }
  });

  test('GIVEN the rendered rules with single quotes WHEN escaped for modsecurity_rules \'…\' THEN nginx reads back exactly the rules', () => {
    const rules = modsecurityRules(controllerConfig());
    expect(rules).toContain("'");
    expect(nginxUnquote(escapeNginxSingleQuoted(rules))).toBe(rules);
  });

  test('GIVEN backslash escapes nginx would rewrite (\\n, \\t, \\\\, \\\') WHEN escaped THEN they survive nginx unchanged', () => {
    const text = String.raw`SecRule ARGS "@rx [\r\n\t]|\\x|\.\./" "id:9,msg:'it\'s'"`;
    expect(nginxUnquote(escapeNginxSingleQuoted(text))).toBe(text);
  });

  test('GIVEN a rules change (paranoia level 2) WHEN synthesized THEN the rules file gets a new name and the snippet follows (a reload never reads stale rules)', () => {
    const all = controllerSynthAll({ waf: { paranoiaLevel: 2 } });
    const [name2] = Object.keys(find(all, 'ConfigMap', 'factory-modsecurity').data);
    expect(name2).not.toBe(rulesFileName);
    expect(find(all, 'ConfigMap', 'ingress-nginx-controller').data['modsecurity-snippet']).toContain(name2);
  });
});

describe('Helm values for the ingress-nginx chart (same source as the ConfigMap)', () => {
  const values = helmValues(controllerConfig()).controller as any;

  test('GIVEN the Helm values WHEN the chart writes its ConfigMap THEN its data equals the controller ConfigMap of dist/ (but the add-headers ConfigMap name, which the chart chooses)', () => {
    const chartData = {
      ...values.config,
      'allow-snippet-annotations': String(values.allowSnippetAnnotations),
      'add-headers': controller.data['add-headers'],
    };
    expect(chartData).toEqual(controller.data);
    expect(values.config['allow-snippet-annotations']).toBeUndefined();
    expect(values.config['add-headers']).toBeUndefined();
  });

  test('GIVEN the Helm values WHEN the chart writes its headers ConfigMap THEN it holds the headers ConfigMap data', () => {
    expect(values.addHeaders).toEqual(headers.data);
  });

  test('GIVEN the Helm values and the static-install patch WHEN compared THEN both mount the rules ConfigMap at the path the snippet includes', () => {
    const pod = (controllerDeploymentPatch(controllerConfig()) as any).spec.template.spec;
    expect(values.extraVolumes).toEqual(pod.volumes);
    expect(values.extraVolumeMounts).toEqual(pod.containers[0].volumeMounts);
    expect(pod.containers[0].name).toBe('controller');
    expect(values.extraVolumes).toEqual([{ name: 'factory-modsecurity', configMap: { name: 'factory-modsecurity' } }]);
    expect(values.extraVolumeMounts).toEqual([{ name: 'factory-modsecurity', mountPath: '/etc/nginx/factory-modsecurity', readOnly: true }]);
  });

  test('GIVEN the written values file WHEN parsed as YAML THEN it is exactly the Helm values, with no Helm template syntax', () => {
    const files = ingressNginxFiles(controllerConfig());
    const text = files.get('ingress-nginx/values.yaml')!;
    expect(YAML.parse(text)).toEqual(helmValues(controllerConfig()));
    expect(text).not.toContain('{{');
    expect(YAML.parse(files.get('ingress-nginx/controller-patch.yaml')!)).toEqual(controllerDeploymentPatch(controllerConfig()));
  });
});

describe('one body limit and client addresses, in every target (rendered files)', () => {
  const outputsOf = (input: object) => synthesizeConfig(controllerConfig(input));
  const limits = (outputs: Map<string, string>) => ({
    helm: YAML.parse(outputs.get('ingress-nginx/values.yaml')!).controller.config['proxy-body-size'],
    controllerConfigMap: YAML.parseAllDocuments(outputs.get('dist/0005-edge-controller.k8s.yaml')!).map((d) => d.toJS()).find((o) => o.metadata.name === 'ingress-nginx-controller').data['proxy-body-size'],
    modsecurityInCluster: /^SecRequestBodyLimit (\d+)$/m.exec(Object.values(YAML.parse(outputs.get('dist/0003-edge-waf.k8s.yaml')!).data as Record<string, string>)[0])?.[1],
    nginxStandalone: /client_max_body_size (\d+);/.exec(outputs.get('nginx/nginx-modsecurity.conf')!)?.[1],
    modsecurityStandalone: /^SecRequestBodyLimit (\d+)$/m.exec(outputs.get('nginx/modsecurity.conf')!)?.[1],
  });

  test('GIVEN the default config THEN nginx (both targets) and ModSecurity (both targets) take the same 12.5 MiB limit', () => {
    expect(Object.values(limits(outputsOf({})))).toEqual(Array(5).fill('13107200'));
  });

  test('GIVEN edge.requestBody.maxBytes 2097152 THEN every target follows it', () => {
    expect(Object.values(limits(outputsOf({ edge: { requestBody: { maxBytes: 2097152 } } })))).toEqual(Array(5).fill('2097152'));
  });

  test('GIVEN a no-files limit above the total limit THEN the config is refused naming the field', () => {
    expect(() => controllerConfig({ edge: { requestBody: { maxBytes: 65536, maxBytesWithoutFiles: 131072 } } })).toThrow(/edge\.requestBody\.maxBytesWithoutFiles: 131072 must not exceed maxBytes 65536/);
  });

  test('GIVEN the Helm values THEN the controller Service keeps client addresses (externalTrafficPolicy Local, as the static cloud manifests)', () => {
    expect(YAML.parse(outputsOf({}).get('ingress-nginx/values.yaml')!).controller.service).toEqual({ externalTrafficPolicy: 'Local' });
  });

  test('GIVEN other metrics labels and Prometheus selector labels in config THEN the metrics Services and the monitoring objects follow', () => {
    const outputs = outputsOf({ monitoring: { selectorLabels: { prometheus: 'platform' }, serviceMonitor: { selector: { team: 'edge' } } } });
    const monitoring = YAML.parseAllDocuments(outputs.get('dist/0006-monitoring.k8s.yaml')!).map((d) => d.toJS());
    const sm = monitoring.find((o) => o.kind === 'ServiceMonitor');
    expect(sm.spec.selector.matchLabels).toEqual({ team: 'edge' });
    expect(YAML.parse(outputs.get('ingress-nginx/values.yaml')!).controller.metrics.service.labels).toEqual({ team: 'edge' });
    expect(YAML.parse(outputs.get('ingress-nginx/metrics-service.k8s.yaml')!).metadata.labels).toEqual({ team: 'edge' });
    for (const o of monitoring) expect(o.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'factory', prometheus: 'platform' });
  });
});

describe('a change of the response headers reloads the controller', () => {
  const controllerConfigMap = (input: object) => YAML.parseAllDocuments(synthesizeConfig(controllerConfig(input)).get('dist/0005-edge-controller.k8s.yaml')!)
    .map((d) => d.toJS()).find((o) => o.metadata.name === 'ingress-nginx-controller');
  const values = (input: object) => YAML.parse(synthesizeConfig(controllerConfig(input)).get('ingress-nginx/values.yaml')!).controller;

  test('GIVEN another X-Frame-Options THEN the controller\'s own ConfigMap changes (the only ConfigMap whose change reloads it), in both install paths', () => {
    const other = { edge: { securityHeaders: { 'X-Frame-Options': 'DENY' } } };
    expect(controllerConfigMap(other).metadata.annotations).not.toEqual(controllerConfigMap({}).metadata.annotations);
    expect(values(other).configAnnotations).not.toEqual(values({}).configAnnotations);
    expect(values({}).configAnnotations).toEqual(controllerConfigMap({}).metadata.annotations);
  });

  test('GIVEN a control: an unrelated change (the api rate limit) THEN the headers digest stays', () => {
    const other = { edge: { rateLimits: { api: { rate: 20, per: 'second', burst: 40 } } } };
    expect(controllerConfigMap(other).metadata.annotations).toEqual(controllerConfigMap({}).metadata.annotations);
  });
});
