/**
 * The one renderer of ModSecurity SecLang: config + the rule table (`lib/waf/rules.ts`) + the CRS
 * settings (`lib/waf/crs.ts`) → the ModSecurity configuration of one target (the ingress-nginx controller,
 * the standalone `nginx/modsecurity.conf`, the local harness). Targets differ only in where the engine's
 * base configuration and the OWASP CRS files live.
 */
import type { FactoryConfig } from '../config';
import { JSON_CONTENT_TYPE_RX, crsSettings } from './crs';
import { CUSTOM_RULE_IDS, type WafRule, authPathRegex, wafRules } from './rules';

/** Where a target's engine files live. */
export interface ModSecurityTarget {
  /** Lines that load the OWASP CRS setup and rule files on this target, in order. */
  readonly crsIncludes: string[];
  /** Lines that load the engine's recommended base config (or empty if the target loads it). */
  readonly baseIncludes: string[];
  /**
   * Lines that load the CRS setup file (`crs-setup.conf`) when it may set `tx` values itself (the
   * owasp/modsecurity-crs image edits it from environment variables): rendered BEFORE the factory's CRS
   * settings, so the factory's values win. Leave empty when `crsIncludes` loads the setup file.
   * @default []
   */
  readonly crsSetupIncludes?: string[];
}

/**
 * The parts of an audit record: A (the transaction: time, client, URI, status), H (the trailer: the rules
 * that matched and why) and Z. Never B and F (request and response headers: `Authorization`, `Cookie`,
 * `Set-Cookie`) nor C, I, J and E (request and response bodies: passwords of login requests, prompts):
 * libmodsecurity 3 has no sanitising action, so leaving those parts out is the only redaction that holds.
 */
export const AUDIT_LOG_PARTS = 'AHZ';

/** The rules of the per-client counter (in the factory settings' range 1100-1199). */
export const CLIENT_COUNTER_RULE_IDS = [1106, 1107, 1108] as const;

/**
 * The per-client counter that 1060 increments and 1061 reads, as libmodsecurity 3 can keep it:
 * - 1106 opens the `ip` collection of the client address in its own, earlier rule (libmodsecurity runs a
 *   rule's setvar before its initcol: an initcol beside the setvar counted every client on one empty key),
 *   and names the current window (the calendar minute, or second, of the auth rate limit);
 * - 1107 and 1108 start the client's count again when its window is not the current one: libmodsecurity 3.0
 *   does not apply `expirevar`, so a count would otherwise never expire.
 */
export function clientCounterRules(per: 'second' | 'minute', authPathRx: string): string[] {
  const window = `%{TIME_YEAR}%{TIME_MON}%{TIME_DAY}%{TIME_HOUR}%{TIME_MIN}${per === 'second' ? '%{TIME_SEC}' : ''}`;
  const [open, first, reset] = CLIENT_COUNTER_RULE_IDS;
  // Only authentication requests open a collection (the others never touch it: no per-request cost, and no
  // setvar ever lands on an unopened collection).
  const onAuth = (id: number) => `SecRule REQUEST_FILENAME "@rx ${operatorPattern(authPathRx)}" "id:${id},phase:1,pass,nolog,t:none,t:normalisePath,chain"`;
  return [
    `SecRule REQUEST_FILENAME "@rx ${operatorPattern(authPathRx)}" "id:${open},phase:1,pass,nolog,t:none,t:normalisePath,initcol:ip=%{REMOTE_ADDR},setvar:tx.factory_window=${window}"`,
    onAuth(first),
    `    SecRule &IP:FACTORY_AUTH_WINDOW "@eq 0" "t:none,setvar:ip.factory_auth_window=%{tx.factory_window}"`,
    onAuth(reset),
    `    SecRule IP:FACTORY_AUTH_WINDOW "!@streq %{tx.factory_window}" "t:none,setvar:ip.factory_auth_count=0,setvar:ip.factory_auth_window=%{tx.factory_window}"`,
  ];
}

/** SecLang quoting of an action value: the text between `'...'`. Single quotes are not allowed in it. */
function actionText(s: string): string {
  if (/['"]|%(?!\{)/.test(s)) throw new Error(`WAF rule text must not contain a quote or a % that is not a %{macro}: ${s}`);
  return s;
}

/**
 * A regex for a double-quoted SecLang operator argument: quotes become PCRE escapes (\x22, \x27), so the
 * rendered file holds no quote inside an operator (safe in SecLang and in an nginx single-quoted string).
 */
function operatorPattern(rx: string): string {
  return rx.replace(/"/g, '\\x22').replace(/'/g, '\\x27');
}

function renderOperator(rule: WafRule): string {
  const o = rule.operator;
  switch (o.op) {
    case 'rx': return `@rx ${operatorPattern(o.arg)}`;
    case 'gt': return `@gt ${o.arg}`;
    case 'detectSQLi': return '@detectSQLi';
    case 'detectXSS': return '@detectXSS';
    case 'unconditionalMatch': return '@unconditionalMatch';
  }
}

function renderDisruptive(rule: WafRule): string[] {
  switch (rule.action.kind) {
    case 'deny': return ['deny', `status:${rule.action.status}`, 'log', 'auditlog'];
    case 'signal': return ['pass', 'log', 'auditlog'];
    case 'track': return ['pass', 'nolog'];
  }
}

/** One custom rule as SecLang (with a guard: a chain whose starter is the guard, the rule's test its link). */
export function renderRule(rule: WafRule): string {
  const transformations = ['t:none', ...rule.transformations.map((t) => `t:${t}`)].join(',');
  const actions = [
    `id:${rule.id}`,
    `phase:${rule.phase}`,
    ...renderDisruptive(rule),
    ...(rule.guard ? ['t:none'] : [transformations]),
    `msg:'${actionText(rule.message)}'`,
    ...(rule.action.kind === 'track' ? [] : [`logdata:'Matched Data: %{MATCHED_VAR} found within %{MATCHED_VAR_NAME}'`]),
    `severity:'${rule.severity}'`,
    `tag:'factory/${rule.category}'`,
    ...rule.tags.map((t) => `tag:'${actionText(t)}'`),
    ...(rule.guard ? ['chain'] : rule.extraActions ?? []),
  ];
  const test = `SecRule ${rule.variables.join('|')} "${renderOperator(rule)}"`;
  return [
    `# ${rule.id} ${rule.category}: ${rule.rationale.replace(/\s+/g, ' ')}`,
    rule.guard ? `SecRule ${rule.guard.variable} "${operatorPattern(rule.guard.operator)}" \\` : `${test} \\`,
    `    "${actions.join(',\\\n    ')}"`,
    // The link runs the rule's test and its further actions (a setvar runs once per value it matched).
    ...(rule.guard ? [`    ${test} "${[transformations, ...(rule.extraActions ?? [])].join(',')}"`] : []),
  ].join('\n');
}

const HEADER = [
  '# ModSecurity configuration of the factory WAF.',
  '# Generated by factory-security from lib/config.ts (waf, edge) and lib/waf/rules.ts: do not edit; run `npm run synth`.',
];

/** The whole ModSecurity configuration for one target. */
export function renderModSecurity(config: FactoryConfig, target: ModSecurityTarget, options: { readonly factoryRules?: boolean } = {}): string {
  const factoryRules = options.factoryRules ?? true;
  const a = config.waf.audit;
  const section = (title: string, lines: string[]) => (lines.length ? ['', `# --- ${title}`, ...lines] : []);
  const lines = [
    ...HEADER,
    ...section('Engine base configuration (recommended settings of the engine)', target.baseIncludes),
    ...section('Engine: blocking mode and request bodies', [
      'SecRuleEngine On',
      'SecRequestBodyAccess On',
      `SecRequestBodyLimit ${config.edge.requestBody.maxBytes}`,
      `SecRequestBodyNoFilesLimit ${config.edge.requestBody.maxBytesWithoutFiles}`,
      'SecRequestBodyLimitAction Reject',
      `SecRule REQUEST_HEADERS:Content-Type "@rx ${operatorPattern(JSON_CONTENT_TYPE_RX)}" \\`,
      `    "id:1100,phase:1,pass,nolog,t:none,t:lowercase,ctl:requestBodyProcessor=JSON"`,
    ]),
    ...section('Audit logging (guide: Operational Security > Audit Logging)', [
      `SecAuditEngine ${a.engine}`,
      `SecAuditLogRelevantStatus "${a.relevantStatus}"`,
      `SecAuditLogParts ${AUDIT_LOG_PARTS}`,
      'SecAuditLogType Serial',
      `SecAuditLogFormat ${a.format}`,
      `SecAuditLog ${a.logPath}`,
    ]),
    ...section('OWASP CRS setup', target.crsSetupIncludes ?? []),
    ...section('OWASP CRS settings (set before the CRS initialisation, which keeps values already set)',
      crsSettings(config).flatMap((s) => {
        const actions = [...s.setvars.map((v) => (/\s|\|/.test(v) ? `setvar:'${v}'` : `setvar:${v}`)), ...(s.ctl ?? [])].join(',');
        if (!s.when) return [`# ${s.comment}`, `SecAction "id:${s.id},phase:1,pass,nolog,t:none,${actions}"`];
        // A chain: flow actions on the starter, the settings on the last link (they run only when every link matched).
        const links = s.when.all.map((c, i) => {
          const last = i === s.when!.all.length - 1;
          const head = i === 0 ? `id:${s.id},phase:${s.when!.phase},pass,nolog,t:none` : 't:none';
          return `${i === 0 ? '' : '    '}SecRule ${c.variable} "${operatorPattern(c.operator)}" "${head}${last ? `,${actions}` : ',chain'}"`;
        });
        return [`# ${s.comment}`, ...links];
      })),
    ...section('Per-client counter of the rate-limiting rules 1060/1061: a collection per client address, and a window that resets it',
      clientCounterRules(config.edge.rateLimits.auth.per, authPathRegex(config))),
    ...section(`Custom factory rules ${CUSTOM_RULE_IDS} (guide: WAF > Custom Factory Rules), loaded before the CRS rules`,
      factoryRules ? wafRules(config).flatMap((r) => [renderRule(r), '']) : []),
    ...section('OWASP CRS rules', target.crsIncludes),
  ];
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

