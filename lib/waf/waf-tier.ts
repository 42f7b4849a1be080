/**
 * The WAF tier (`edge.target: waf-tier`): the guide's WAF layer (`Internet → [WAF/NGINX] → … → pods`) as the
 * factory's own pods, on the owasp/modsecurity-crs nginx image (`waf.image`, the standalone WAF's image), with
 * no ingress controller. Its three files come from the same renderers as the standalone WAF and the harness
 * (`renderNginx`, `renderModSecurity`); this module says where things are in the image and in the pod.
 *
 * What the image does, from its source (coreruleset/modsecurity-crs-docker: nginx/Dockerfile,
 * nginx/docker-entrypoint.d/, docker-bake.hcl), and what the WAF tier does about it:
 * - Its entrypoint renders templates into /etc/nginx and /etc/modsecurity.d, copies the engine's base config
 *   into /etc/modsecurity.d and writes a self-signed certificate into /etc/nginx/conf at every start. With a
 *   read-only root filesystem those writes fail, and emptyDirs over /etc/nginx or /etc/modsecurity.d would hide
 *   the modules, the unicode mapping and the CRS link the image ships there (the project's "read-only" variant
 *   that moves them aside is commented out of docker-bake.hcl: not published). So the pod does not run the
 *   entrypoint: its `command` starts nginx on the factory's files, and the engine's base settings (which the
 *   image has only as an entrypoint template) are rendered here (`renderEngineBase`).
 * - What nginx then reads from the image is readable by any user: the module (/etc/nginx/modules, COPY from
 *   the build stage) and /etc/modsecurity.d/unicode.mapping (COPY). Not the image's CRS (/opt/owasp-crs, of the
 *   image's own version): the CRS release the project ships (lib/waf/crs-release.ts) comes from ConfigMaps,
 *   its setup file beside the factory's files and its rules folder projected into one directory. What it writes is
 *   in /tmp (pid file, nginx's temp files, the engine's temp and data files), an emptyDir. Nothing needs
 *   uid 101 (`nginx`): the pod runs as the guide's uid 1000 like every other.
 * - Ports: no root, so nothing below 1024: TLS on 8443 (the image's SSL_PORT), health on 8080 (its PORT).
 */
import type { FactoryConfig } from '../config';
import { cpuMillis } from '../k8s/quantity';
import { crsSetupFile } from './crs-release';
import { componentObjectName } from '../labels';
import { type NginxTarget, renderNginx } from './nginx';
import { METRICS_LOG, MTAIL_PROGRAM_FILE, renderMtailProgram } from './metrics';
import { type ModSecurityTarget, renderModSecurity } from './seclang';
import { IMAGE_RUNTIME } from './standalone';

/** The WAF tier's container ports: the image's TLS port, and its plain port (`PORT`, 8080) for health. */
export const WAF_TIER_PORTS = { https: IMAGE_RUNTIME.httpsPort, health: 8080 } as const;
/** The Service's port: HTTPS. */
export const WAF_TIER_SERVICE_PORT = 443;
/** The health check nginx answers on the health port (no ModSecurity, no log). */
export const WAF_TIER_HEALTH_PATH = '/healthz';

/** The files of the WAF tier's ConfigMap, by name (mounted in `WAF_TIER_PATHS.configDir`). */
export const WAF_TIER_FILES = { nginx: 'nginx.conf', modsecurity: 'modsecurity.conf', engine: 'engine.conf', crsSetup: 'crs-setup.conf', mtail: MTAIL_PROGRAM_FILE } as const;

const CONFIG_DIR = '/etc/factory/waf';

/** Where things are in the WAF tier's container: the image's files, and the pod's mounts. */
export const WAF_TIER_PATHS = {
  /** The ConfigMap with the factory's files (read-only). */
  configDir: CONFIG_DIR,
  /** The certificate Secret (`tls.crt`, `tls.key`; read-only, updated in place by the kubelet on renewal). */
  tlsDir: '/etc/factory/tls',
  /** The pod's only writable directory (emptyDir). */
  scratchDir: '/tmp',
  module: '/etc/nginx/modules/ngx_http_modsecurity_module.so',
  unicodeMapping: '/etc/modsecurity.d/unicode.mapping',
  /** The CRS release's setup file, a file of the ConfigMap in `configDir`. */
  crsSetup: `${CONFIG_DIR}/${WAF_TIER_FILES.crsSetup}`,
  /** The CRS release's rules folder: its ConfigMaps, projected into one directory (read-only). */
  crsRules: '/etc/factory/crs-rules',
} as const;

const inConfigDir = (file: string) => `${WAF_TIER_PATHS.configDir}/${file}`;

/** The container's command: nginx on the factory's files, in the foreground, errors to the pod's log. */
export const WAF_TIER_COMMAND = ['nginx', '-c', inConfigDir(WAF_TIER_FILES.nginx), '-e', '/dev/stderr', '-g', 'daemon off;'];

/**
 * The engine's base settings, which the image only has as an entrypoint template: the request-body
 * processors and their error rules (200000-200007, the engine's recommended ids), argument and regex limits,
 * response-body inspection, the temp and data directories, the unicode mapping. The settings the factory
 * decides (engine on, body limits, JSON processor, audit log) follow in modsecurity.conf.
 */
export function renderEngineBase(paths: { readonly unicodeMapping: string; readonly scratchDir: string }): string {
  return [
    '# The ModSecurity engine\'s base settings for the WAF tier (the image renders its own only from its entrypoint,',
    '# which the WAF tier does not run). Generated by factory-security (lib/waf/waf-tier.ts): do not edit.',
    'SecRule REQUEST_HEADERS:Content-Type "@rx ^(?:application(?:/soap\\+|/)|text/)xml" \\',
    '    "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"',
    'SecRequestBodyJsonDepthLimit 512',
    'SecArgumentsLimit 1000',
    'SecRule &ARGS "@ge 1000" \\',
    '    "id:200007,phase:2,t:none,log,deny,status:400,msg:\'Failed to fully parse request body due to large argument count\',severity:2"',
    'SecRule REQBODY_ERROR "!@eq 0" \\',
    '    "id:200002,phase:2,t:none,log,deny,status:400,msg:\'Failed to parse request body.\',logdata:\'%{reqbody_error_msg}\',severity:2"',
    'SecRule MULTIPART_STRICT_ERROR "!@eq 0" \\',
    '    "id:200003,phase:2,t:none,log,deny,status:400,msg:\'Multipart request body failed strict validation\'"',
    'SecRule MULTIPART_UNMATCHED_BOUNDARY "@eq 1" \\',
    '    "id:200004,phase:2,t:none,log,deny,msg:\'Multipart parser detected a possible unmatched boundary.\'"',
    'SecPcreMatchLimit 100000',
    'SecPcreMatchLimitRecursion 100000',
    'SecRule TX:/^MSC_/ "!@streq 0" \\',
    '    "id:200005,phase:2,t:none,deny,msg:\'ModSecurity internal error flagged: %{MATCHED_VAR_NAME}\'"',
    'SecResponseBodyAccess On',
    'SecResponseBodyMimeType text/plain text/html text/xml',
    'SecResponseBodyLimit 1048576',
    'SecResponseBodyLimitAction ProcessPartial',
    `SecTmpDir ${paths.scratchDir}/`,
    `SecDataDir ${paths.scratchDir}/`,
    'SecArgumentSeparator &',
    'SecCookieFormat 0',
    `SecUnicodeMapFile ${paths.unicodeMapping} 20127`,
    'SecStatusEngine Off',
    '',
  ].join('\n');
}

/** The WAF tier's ModSecurity target: its own base settings, then the CRS release's setup file and rules. */
export const WAF_TIER_MODSECURITY_TARGET: ModSecurityTarget = {
  baseIncludes: [`Include ${inConfigDir(WAF_TIER_FILES.engine)}`],
  crsSetupIncludes: [`Include ${WAF_TIER_PATHS.crsSetup}`],
  crsIncludes: [`Include ${WAF_TIER_PATHS.crsRules}/*.conf`],
};

/**
 * The variable the certificate paths are read through: with a variable, nginx loads the certificate at each
 * TLS handshake instead of once at start, so a renewed certificate (the kubelet updates the mounted Secret in
 * place) is served without a reload or a restart.
 */
export const TLS_DIR_VARIABLE = '$factory_tls_dir';

/** The upstream of every path: the api Service (the Ingresses route every path there too). */
export function wafTierUpstream(config: FactoryConfig): string {
  return `http://${componentObjectName('api')}.${config.namespace}.svc:${config.components.api.port}`;
}

/** nginx in the WAF tier's container. */
export function wafTierNginxTarget(config: FactoryConfig): NginxTarget {
  const upstream = wafTierUpstream(config);
  return {
    modulePath: WAF_TIER_PATHS.module,
    modsecurityRulesFile: inConfigDir(WAF_TIER_FILES.modsecurity),
    // One worker per CPU of the container's limit ("auto" would count the node's CPUs).
    workerProcesses: Math.max(1, Math.ceil(cpuMillis(config.edge.wafTier.resources.limits.cpu) / 1000)),
    pidFile: `${WAF_TIER_PATHS.scratchDir}/nginx.pid`,
    errorLog: '/dev/stderr',
    accessLog: '/dev/stdout',
    tempDir: WAF_TIER_PATHS.scratchDir,
    tls: {
      listen: String(WAF_TIER_PORTS.https),
      certificate: `${TLS_DIR_VARIABLE}/tls.crt`,
      certificateKey: `${TLS_DIR_VARIABLE}/tls.key`,
    },
    apiUpstream: upstream,
    defaultUpstream: upstream,
    metricsLog: METRICS_LOG.server,
    extraServers: [
      [
        '# The certificate Secret\'s folder, as a variable: the certificate is read at each handshake (renewals need no reload).',
        `map $ssl_server_name ${TLS_DIR_VARIABLE} {`,
        `    default ${WAF_TIER_PATHS.tlsDir};`,
        '}',
      ].join('\n'),
      [
        '# Health of nginx itself, for the kubelet\'s liveness probe: no ModSecurity, no log, nothing proxied.',
        'server {',
        `    listen ${WAF_TIER_PORTS.health};`,
        '    modsecurity off;',
        '    access_log off;',
        `    location = ${WAF_TIER_HEALTH_PATH} {`,
        '        return 200;',
        '    }',
        '    location / {',
        '        return 404;',
        '    }',
        '}',
      ].join('\n'),
    ],
  };
}

/** The WAF tier's ConfigMap files, by file name. */
export function wafTierFiles(config: FactoryConfig): Record<string, string> {
  return {
    [WAF_TIER_FILES.engine]: renderEngineBase(WAF_TIER_PATHS),
    [WAF_TIER_FILES.modsecurity]: renderModSecurity(config, WAF_TIER_MODSECURITY_TARGET),
    [WAF_TIER_FILES.nginx]: renderNginx(config, wafTierNginxTarget(config)),
    // The CRS release's setup file as released (the factory's CRS settings follow it in modsecurity.conf).
    [WAF_TIER_FILES.crsSetup]: crsSetupFile(),
    // The request counter's program, read by the metrics sidecar (lib/waf/metrics.ts).
    [WAF_TIER_FILES.mtail]: renderMtailProgram(),
  };
}
