/**
 * How the factory configures the OWASP CRS (v3.3 and v4 alike), as data: the values it sets in the CRS
 * `tx` collection before the CRS initialisation rules run (REQUEST-901 only sets defaults when unset).
 *
 * Guide values (paranoia level, allowed methods) come from `config.waf`; the content types an API needs
 * are a CRS tuning of this project, kept here once.
 */
import type { FactoryConfig } from '../config';

/**
 * Request content types the API accepts. The CRS default list refuses JSON variants (`merge-patch+json`,
 * `json-patch+json`, `vnd.api+json`, `x-ndjson`) and raw CSV/PDF bodies with 920420, which API clients send.
 */
export const ALLOWED_REQUEST_CONTENT_TYPES = [
  'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/related', 'text/xml', 'application/xml',
  'application/soap+xml', 'application/json', 'application/merge-patch+json', 'application/json-patch+json',
  'application/vnd.api+json', 'application/problem+json', 'application/ld+json', 'application/x-ndjson',
  'application/csp-report', 'application/reports+json', 'application/octet-stream', 'text/plain', 'text/csv',
  'application/pdf',
] as const;

/** A SecAction of the factory's CRS settings: an id (1100-1199, outside the guide's ranges) and its setvars. */
export interface CrsSetting {
  readonly id: number;
  readonly comment: string;
  readonly setvars: readonly string[];
  /** `ctl:` actions. @default none */
  readonly ctl?: readonly string[];
}

/** CRS rules removed for every request, and why. */
export const CRS_RULE_EXCLUSIONS = [
  {
    id: 920350,
    why: 'Host header is a numeric IP: API clients on loopback, health checks and internal callers address the WAF by IP; ' +
      'it is a notice, but its 3 anomaly points plus any other notice reach the blocking threshold on benign requests',
  },
] as const;

/** The settings, from the config. */
export function crsSettings(config: FactoryConfig): CrsSetting[] {
  const pl = config.waf.paranoiaLevel;
  return [
    {
      id: 1101, comment: `Paranoia level ${pl} (CRS 3: paranoia_level; CRS 4: blocking/detection levels)`,
      setvars: [`tx.paranoia_level=${pl}`, `tx.blocking_paranoia_level=${pl}`, `tx.detection_paranoia_level=${pl}`],
    },
    {
      id: 1102, comment: 'Methods the API needs (the CRS refuses PUT, PATCH and DELETE by default)',
      setvars: [`tx.allowed_methods=${config.waf.allowedMethods.join(' ')}`],
    },
    {
      id: 1104, comment: 'Rules of the CRS that refuse ordinary API traffic, switched off (see CRS_RULE_EXCLUSIONS)',
      setvars: [], ctl: CRS_RULE_EXCLUSIONS.map((e) => `ctl:ruleRemoveById=${e.id}`),
    },
    {
      id: 1103, comment: 'Request content types the API accepts',
      setvars: [`tx.allowed_request_content_type=${ALLOWED_REQUEST_CONTENT_TYPES.map((t) => `|${t}|`).join(' ')}`],
    },
  ];
}

/**
 * Content types parsed as JSON (so the CRS and the custom rules see every JSON field as ARGS): the base
 * configuration only switches the JSON processor on for `application/json` itself.
 */
export const JSON_CONTENT_TYPE_RX = String.raw`^application/(?:[a-z0-9.-]+\+)?json(?:\s*;|$)`;

/** Largest request body ModSecurity buffers, uploads included (the engine's recommended 12.5 MiB); nginx's client_max_body_size follows it. */
export const REQUEST_BODY_LIMIT_BYTES = 13107200;
/** Largest request body without files (JSON, forms): the engine's recommended 128 KiB. */
export const REQUEST_BODY_NO_FILES_LIMIT_BYTES = 131072;
