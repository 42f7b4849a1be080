/**
 * The nginx side of the factory WAF (guide: "ModSecurity with NGINX", "Rate Limiting", "Security Headers",
 * "TLS/SSL Configuration"): one renderer for the standalone `nginx/nginx-modsecurity.conf`, the local
 * harness and the benchmark's baseline. ModSecurity itself is rendered by `seclang.ts`.
 */
import type { FactoryConfig } from '../config';
import { escapeRegExp } from '../text';
import { METRICS_LOG, METRICS_LOG_FORMAT, ROUTES } from './metrics';

/** Where and how one nginx runs. */
export interface NginxTarget {
  /** `load_module` path of ngx_http_modsecurity_module. */
  readonly modulePath: string;
  /** The ModSecurity rules file (`renderModSecurity` output); undefined renders nginx WITHOUT ModSecurity (bench baseline). */
  readonly modsecurityRulesFile?: string;
  /** `user` directive (only when nginx starts as root). @default none */
  readonly user?: string;
  /** @default 'auto' */
  readonly workerProcesses?: number | 'auto';
  readonly pidFile: string;
  readonly errorLog: string;
  /** @default 'off' */
  readonly accessLog?: string;
  /** Directory for client body and proxy temp files. @default nginx's compiled-in paths */
  readonly tempDir?: string;
  /** Plain HTTP listener (`address:port` or `port`). @default none */
  readonly httpListen?: string;
  /** TLS listener and its certificate. @default none */
  readonly tls?: { readonly listen: string; readonly certificate: string; readonly certificateKey: string };
  /** `resolver` (when upstreams are host names resolved at request time). @default none */
  readonly resolver?: string;
  /** Upstream URL of the API paths (auth paths included). */
  readonly apiUpstream: string;
  /** Upstream URL of every other path (the dashboard). */
  readonly defaultUpstream: string;
  /** Extra server blocks (the harness's stub upstream). @default none */
  readonly extraServers?: string[];
  /** `server_name`. @default config.host */
  readonly serverName?: string;
  /**
   * The syslog server (`address:port`, UDP) that gets one `route=… status=…` line per request of the main
   * server, for the WAF tier's request counter (lib/waf/metrics.ts). @default none
   */
  readonly metricsLog?: string;
}

const RATE_UNIT = { second: 'r/s', minute: 'r/m' } as const;

/** Zone names of the guide ("Rate Limiting"). */
export const RATE_ZONES = { api: 'api_limit', auth: 'auth_limit' } as const;

/** The security headers of the guide ("Security Headers"), HSTS included, in a stable order. */
export function securityHeaders(config: FactoryConfig): [string, string][] {
  const h = config.edge.hsts;
  return [
    ...Object.entries(config.edge.securityHeaders),
    ['Strict-Transport-Security', `max-age=${h.maxAge}${h.includeSubDomains ? '; includeSubDomains' : ''}`],
  ];
}

function nginxString(s: string): string {
  if (/["\\\n]/.test(s)) throw new Error(`cannot render ${JSON.stringify(s)} as an nginx string`);
  return `"${s}"`;
}

/** `location` blocks for path prefixes: `= /p` and `/p/` (so `/apix` is not `/api`). */
function locations(paths: string[], body: string[]): string[] {
  return paths.flatMap((p) => {
    const base = p.replace(/\/+$/, '') || '/';
    const blocks = base === '/' ? ['/'] : [`= ${base}`, `${base}/`];
    return blocks.flatMap((b) => [`        location ${b} {`, ...body.map((l) => `            ${l}`), '        }']);
  });
}

/** A location prefix without its trailing slashes (`/` for the root). */
const prefixOf = (p: string) => p.replace(/\/+$/, '') || '/';

/**
 * `map $uri $factory_route`: the route of a request, from the same prefixes as the locations (`= /p` and
 * `/p/…`), longest first as nginx chooses a location; everything else is the default route.
 */
function routeMap(config: FactoryConfig): string[] {
  const prefixes = [
    ...config.edge.authPaths.map((p) => [prefixOf(p), ROUTES.auth] as const),
    ...config.edge.apiPaths.map((p) => [prefixOf(p), ROUTES.api] as const),
  ].filter(([p]) => p !== '/').sort((a, b) => b[0].length - a[0].length);
  return [
    '    map $uri $factory_route {',
    ...prefixes.map(([p, route]) => `        ~^${escapeRegExp(p)}(?:/|$) ${route};`),
    `        default ${ROUTES.default};`,
    '    }',
  ];
}

/** The whole nginx.conf. */
export function renderNginx(config: FactoryConfig, t: NginxTarget): string {
  const rl = config.edge.rateLimits;
  const tls = config.edge.tls;
  const proxy = (upstream: string, variable: string) => [
    ...(t.resolver ? [`set $${variable} ${upstream};`, `proxy_pass $${variable};`] : [`proxy_pass ${upstream};`]),
    'proxy_http_version 1.1;',
    'proxy_set_header Host $host;',
    'proxy_set_header X-Real-IP $remote_addr;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Forwarded-Proto $scheme;',
  ];
  const temp = t.tempDir
    ? ['client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path']
        .map((d) => `    ${d} ${t.tempDir}/${d.replace(/_temp_path$/, '')};`)
    : [];
  const lines = [
    '# nginx in front of the factory platform: ModSecurity + OWASP CRS, rate limits, TLS, security headers.',
    '# Generated by factory-security from lib/config.ts (edge, waf): do not edit; run `npm run synth`.',
    `load_module ${t.modulePath};`,
    ...(t.user ? [`user ${t.user};`] : []),
    `worker_processes ${t.workerProcesses ?? 'auto'};`,
    `pid ${t.pidFile};`,
    `error_log ${t.errorLog} warn;`,
    '',
    'events {',
    '    worker_connections 1024;',
    '}',
    '',
    'http {',
    '    default_type application/octet-stream;',
    '    server_tokens off;',
    `    access_log ${t.accessLog ?? 'off'};`,
    '    sendfile on;',
    '    keepalive_timeout 65s;',
    `    client_max_body_size ${config.edge.requestBody.maxBytes};`,
    ...temp,
    ...(t.resolver ? [`    resolver ${t.resolver} valid=10s;`] : []),
    ...(t.metricsLog ? [
      '',
      '    # The route of each request, for the request counter (lib/waf/metrics.ts): one syslog line per request.',
      ...routeMap(config),
      `    log_format ${METRICS_LOG.format} ${METRICS_LOG_FORMAT};`,
    ] : []),
    '',
    '    # Rate limiting (guide: WAF > Rate Limiting)',
    `    limit_req_zone $binary_remote_addr zone=${RATE_ZONES.api}:10m rate=${rl.api.rate}${RATE_UNIT[rl.api.per]};`,
    `    limit_req_zone $binary_remote_addr zone=${RATE_ZONES.auth}:10m rate=${rl.auth.rate}${RATE_UNIT[rl.auth.per]};`,
    `    limit_req_status ${rl.statusCode};`,
    '',
    '    # TLS (guide: Network Security > TLS/SSL Configuration)',
    `    ssl_protocols ${tls.protocols.join(' ')};`,
    `    ssl_ciphers ${tls.ciphers.join(':')};`,
    `    ssl_prefer_server_ciphers ${tls.preferServerCiphers ? 'on' : 'off'};`,
    '',
    '    server {',
    ...(t.httpListen ? [`        listen ${t.httpListen};`] : []),
    ...(t.tls ? [
      `        listen ${t.tls.listen} ssl;`,
      `        ssl_certificate ${t.tls.certificate};`,
      `        ssl_certificate_key ${t.tls.certificateKey};`,
    ] : []),
    `        server_name ${t.serverName ?? config.host};`,
    ...(t.metricsLog ? [
      `        access_log ${t.accessLog ?? 'off'};`,
      `        access_log syslog:server=${t.metricsLog},tag=${METRICS_LOG.tag},nohostname ${METRICS_LOG.format};`,
    ] : []),
    '',
    ...(t.modsecurityRulesFile ? [
      '        # ModSecurity + OWASP CRS (guide: WAF > ModSecurity with NGINX)',
      '        modsecurity on;',
      `        modsecurity_rules_file ${t.modsecurityRulesFile};`,
    ] : ['        # ModSecurity off: the baseline of the WAF benchmark', '        modsecurity off;']),
    '',
    '        # nginx refuses TRACE and CONNECT itself (405), before ModSecurity runs: answer them as the WAF does.',
    '        error_page 405 =403 @refused;',
    '        location @refused {',
    '            return 403;',
    '        }',
    '        # nginx answers an unknown Transfer-Encoding (chunked, identity: a smuggling obfuscation) with 501: it is a malformed request.',
    '        error_page 501 =400 @malformed;',
    '        location @malformed {',
    '            return 400;',
    '        }',
    '',
    '        # Security headers on every response, errors included (guide: WAF > Security Headers)',
    ...securityHeaders(config).map(([k, v]) => `        add_header ${k} ${nginxString(v)} always;`),
    '',
    `        # Authentication endpoints: ${rl.auth.rate}${RATE_UNIT[rl.auth.per]}, burst ${rl.auth.burst}`,
    ...locations(config.edge.authPaths, [
      `limit_req zone=${RATE_ZONES.auth} burst=${rl.auth.burst} nodelay;`, ...proxy(t.apiUpstream, 'api_upstream'),
    ]),
    `        # API endpoints: ${rl.api.rate}${RATE_UNIT[rl.api.per]}, burst ${rl.api.burst}`,
    ...locations(config.edge.apiPaths, [
      `limit_req zone=${RATE_ZONES.api} burst=${rl.api.burst} nodelay;`, ...proxy(t.apiUpstream, 'api_upstream'),
    ]),
    '        location / {',
    ...proxy(t.defaultUpstream, 'default_upstream').map((l) => `            ${l}`),
    '        }',
    '    }',
    ...(t.extraServers ?? []).flatMap((s) => ['', ...s.split('\n').map((l) => (l ? `    ${l}` : l))]),
    '}',
  ];
  return lines.join('\n') + '\n';
}
