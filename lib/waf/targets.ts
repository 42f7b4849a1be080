/**
 * The ModSecurity targets of the factory WAF outside the cluster (the ingress-nginx target lives with
 * the controller settings in `lib/edge/`): where each one keeps the engine's base configuration and the
 * OWASP CRS.
 */
import type { ModSecurityTarget } from './seclang';

/**
 * The guide's Docker Compose service (image `owasp/modsecurity-crs`, nginx variant): the image keeps the
 * recommended engine config in /etc/modsecurity.d and the CRS in /etc/modsecurity.d/owasp-crs (a link to
 * /opt/owasp-crs, where the service mounts the repository's CRS release, in the entrypoint's manual mode);
 * the factory's CRS settings come after the setup file.
 */
export const DOCKER_IMAGE_TARGET: ModSecurityTarget = {
  baseIncludes: ['Include /etc/modsecurity.d/modsecurity.conf'],
  crsSetupIncludes: ['Include /etc/modsecurity.d/owasp-crs/crs-setup.conf'],
  crsIncludes: ['Include /etc/modsecurity.d/owasp-crs/rules/*.conf'],
};

/** Debian/Ubuntu packages `libnginx-mod-http-modsecurity` and `modsecurity-crs` (the local harness). */
export const DEBIAN_PATHS = {
  /** The recommended engine config shipped by libnginx-mod-http-modsecurity (with unicode.mapping beside it). */
  baseConfig: '/etc/nginx/modsecurity.conf',
  /** The engine's unicode mapping, beside the base config. */
  unicodeMapping: '/etc/nginx/unicode.mapping',
  crsSetup: '/etc/modsecurity/crs/crs-setup.conf',
  crsRules: '/usr/share/modsecurity-crs/rules',
  module: '/usr/lib/nginx/modules/ngx_http_modsecurity_module.so',
  nginx: '/usr/sbin/nginx',
} as const;

/** The request counter's engine (google/mtail), Debian's package, for the WAF tier's rendering. */
export const MTAIL = { package: 'mtail', binary: '/usr/bin/mtail' } as const;

/** The Debian packages the harness needs. */
export const DEBIAN_PACKAGES = ['nginx', 'libnginx-mod-http-modsecurity', 'modsecurity-crs'] as const;

export const DEBIAN_TARGET: ModSecurityTarget = {
  baseIncludes: [`Include ${DEBIAN_PATHS.baseConfig}`],
  crsSetupIncludes: [`Include ${DEBIAN_PATHS.crsSetup}`],
  crsIncludes: [`Include ${DEBIAN_PATHS.crsRules}/*.conf`],
};

/**
 * An ingress-nginx-like target on the Debian paths: the controller's snippet loads the base config itself
 * (a non-empty modsecurity-snippet replaces the default rules file) and the controller loads the CRS after
 * the snippet (`enable-owasp-modsecurity-crs`), setup file included. Used to prove that the cluster-level
 * rendering parses in a real nginx.
 */
export const INGRESS_LIKE_DEBIAN_TARGET: ModSecurityTarget = {
  baseIncludes: [`Include ${DEBIAN_PATHS.baseConfig}`],
  crsIncludes: [],
};
/** What the controller loads after the snippet when the CRS is enabled, on the Debian paths. */
export const INGRESS_LIKE_DEBIAN_CRS_LOADER = [`Include ${DEBIAN_PATHS.crsSetup}`, `Include ${DEBIAN_PATHS.crsRules}/*.conf`];
