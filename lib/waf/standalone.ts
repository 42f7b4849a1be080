/**
 * The guide's standalone WAF ("Deployment > Docker Compose"): `nginx/modsecurity.conf`,
 * `nginx/nginx-modsecurity.conf` and `docker-compose.security.yml`, rendered from the same config and
 * rule model as the cluster and the local harness, written by `npm run synth`.
 */
import * as YAML from 'yaml';
import type { FactoryConfig } from '../config';
import type { Outputs } from '../outputs';
import { type NginxTarget, renderNginx } from './nginx';
import { CRS_RELEASE, crsReleasePath } from './crs-release';
import { renderModSecurity } from './seclang';
import { DOCKER_IMAGE_TARGET } from './targets';

/** The generated files, by path from the project root. */
export const STANDALONE_FILES = {
  modsecurity: 'nginx/modsecurity.conf',
  nginx: 'nginx/nginx-modsecurity.conf',
  compose: 'docker-compose.security.yml',
} as const;

/**
 * What the owasp/modsecurity-crs nginx image does at start, from its source (coreruleset/modsecurity-crs-docker:
 * nginx/Dockerfile, nginx/docker-entrypoint.d/, and its nginxinc/nginx-unprivileged base), which decides where
 * the two files can go:
 * - it runs as `nginx` (uid 101) and refuses ports below 1024 for its own server (check-low-port): TLS on 8443;
 * - when the command starts with `nginx`, the entrypoint renders its templates into /etc/nginx (nginx.conf,
 *   conf.d/, includes/, modsecurity.d/), copies modsecurity.d/*.conf to /etc/modsecurity.d (the base engine config
 *   the rules include), and generates a self-signed certificate at /etc/nginx/conf/server.{crt,key} unless one is
 *   mounted. A file mounted onto a rendered path is overwritten (or the start fails when it is read-only), and
 *   pointing the templates elsewhere leaves /etc/modsecurity.d without its base config (the copy step exits 2);
 * - nginx-unprivileged keeps its pid file in /tmp (/var/run is root's);
 * - the CRS is in /opt/owasp-crs (/etc/modsecurity.d/owasp-crs links to it), and its entrypoint edits
 *   crs-setup.conf in place from environment variables unless `MANUAL_MODE=1` ("you are providing your own
 *   crs-setup.conf file mounted as volume", its README).
 * So the files go to a folder of their own, read-only, and nginx is started on them with `-c`; the CRS release
 * the project ships (lib/waf/crs-release.ts) is mounted read-only over the image's rules and setup file, in
 * manual mode (the factory's CRS settings come after the setup file, in its own rules file).
 */
export const IMAGE_RUNTIME = {
  user: 'nginx',
  httpsPort: 8443,
  pidFile: '/tmp/nginx.pid',
  /** The image's CRS folder. */
  crsDir: '/opt/owasp-crs',
  /** The entrypoint's switch that leaves a mounted crs-setup.conf alone. */
  manualMode: { MANUAL_MODE: '1' },
  /** Paths the entrypoint writes at start. */
  renderedPaths: ['/etc/nginx/nginx.conf', '/etc/nginx/conf.d/', '/etc/nginx/includes/', '/etc/nginx/modsecurity.d/', '/etc/modsecurity.d/', '/etc/nginx/conf/'],
} as const;

/** Where the two files are mounted in the container: a folder the entrypoint does not render into. */
export const CONTAINER_PATHS = {
  modsecurity: '/etc/nginx/factory/modsecurity.conf',
  nginx: '/etc/nginx/factory/nginx.conf',
} as const;

/** The Compose service name and the published port (guide). */
export const COMPOSE_SERVICE = 'nginx-waf';
export const HTTPS_PORT = 443;

/**
 * nginx inside the owasp/modsecurity-crs (nginx) image: the module in /etc/nginx/modules, the image's
 * certificate (self-signed, generated at start unless one is mounted at /etc/nginx/conf/server.{crt,key}),
 * the platform's api and dashboard as upstreams resolved through Docker's DNS at request time.
 */
export function dockerNginxTarget(config: FactoryConfig): NginxTarget {
  return {
    modulePath: 'modules/ngx_http_modsecurity_module.so',
    modsecurityRulesFile: CONTAINER_PATHS.modsecurity,
    user: IMAGE_RUNTIME.user,
    pidFile: IMAGE_RUNTIME.pidFile,
    errorLog: '/var/log/nginx/error.log',
    accessLog: '/var/log/nginx/access.log',
    tls: { listen: String(IMAGE_RUNTIME.httpsPort), certificate: '/etc/nginx/conf/server.crt', certificateKey: '/etc/nginx/conf/server.key' },
    resolver: '127.0.0.11',
    apiUpstream: `http://api:${config.components.api.port}`,
    defaultUpstream: `http://dashboard:${config.components.dashboard.port}`,
  };
}

/** A YAML string in double quotes (as the guide writes ports: "443:443", never read as a number). */
function quoted(s: string): YAML.Scalar {
  const scalar = new YAML.Scalar(s);
  scalar.type = 'QUOTE_DOUBLE';
  return scalar;
}

function renderCompose(config: FactoryConfig): string {
  const doc = {
    services: {
      [COMPOSE_SERVICE]: {
        image: config.waf.image,
        volumes: [
          `./${STANDALONE_FILES.modsecurity}:${CONTAINER_PATHS.modsecurity}:ro`,
          `./${STANDALONE_FILES.nginx}:${CONTAINER_PATHS.nginx}:ro`,
          // CRS 4.22.0 from the repository over the image's own release (see lib/waf/crs-release.ts).
          `./${crsReleasePath(CRS_RELEASE.rules)}:${IMAGE_RUNTIME.crsDir}/rules:ro`,
          `./${crsReleasePath(CRS_RELEASE.setup)}:${IMAGE_RUNTIME.crsDir}/crs-setup.conf:ro`,
        ],
        environment: Object.fromEntries(Object.entries(IMAGE_RUNTIME.manualMode).map(([k, v]) => [k, quoted(v)])),
        // The entrypoint still prepares the image (base engine config, certificate); nginx then reads these files.
        command: ['nginx', '-c', CONTAINER_PATHS.nginx, '-g', 'daemon off;'],
        ports: [quoted(`${HTTPS_PORT}:${IMAGE_RUNTIME.httpsPort}`)],
        restart: 'unless-stopped',
      },
    },
  };
  return [
    '# The standalone WAF (guide: WAF > Deployment > Docker Compose): docker-compose -f docker-compose.security.yml up -d nginx-waf',
    '# Generated by factory-security from lib/config.ts and lib/waf/: do not edit; run `npm run synth`.',
    YAML.stringify(doc, { lineWidth: 0 }).trimEnd(),
    '',
  ].join('\n');
}

/** The three standalone files. */
export function standaloneOutputs(config: FactoryConfig): Outputs {
  return new Map([
    [STANDALONE_FILES.modsecurity, renderModSecurity(config, DOCKER_IMAGE_TARGET)],
    [STANDALONE_FILES.nginx, renderNginx(config, dockerNginxTarget(config))],
    [STANDALONE_FILES.compose, renderCompose(config)],
  ]);
}
