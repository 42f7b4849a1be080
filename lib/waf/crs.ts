/**
 * How the factory configures the OWASP CRS (v3.3 and v4 alike), as data: the values it sets in the CRS
 * `tx` collection before the CRS initialisation rules run (REQUEST-901 only sets defaults when unset).
 *
 * Guide values (paranoia level, allowed methods) come from `config.waf`; the content types an API needs
 * are a CRS tuning of this project, kept here once.
 */
import type { FactoryConfig } from '../config';
import { type Condition, wafRules } from './rules';

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
  /**
   * Only for requests that meet every condition (`variable` and an operator such as `@rx …` or `@eq 0`), in
   * this phase; rendered as a chain of SecRules whose last link carries the actions. @default every request (a SecAction in phase 1)
   */
  readonly when?: { readonly phase: 1 | 2; readonly all: readonly Condition[] };
}

/** CRS rules removed for every request, and why. */
export const CRS_RULE_EXCLUSIONS = [
  {
    id: 941210,
    why: '"javascript:" followed by a space anywhere: course titles and searches ("JavaScript: Basics of the Language") match; ' +
      'a script URL (javascript: then code) stays refused by 1022, and tags and handlers by 941100-941160, 1020 and 1021',
  },
  {
    id: 921130,
    why: '"http/1.1" or "<html" anywhere in a value: prompts and searches about HTTP/2 or about an HTML page match; response splitting needs a line break ' +
      'before the header, status line or markup it injects, which 1050 (URL and headers) and 1052 (values, encoded) look for, and 921120 (values, raw) outside API bodies',
  },
  {
    id: 942190,
    why: 'A quote or a start of value, then union and select anywhere after it: French and Italian elisions (l’union) and sentences ("union was a great select") match; ' +
      'UNION SELECT with a column list stays refused by 1011 and libinjection (942100)',
  },
  // The CRS's "command word after a separator or at the start of a value" heuristics: CRS 3.3's 932100-932150 (split
  // and renamed in CRS 4) and CRS 4's 932235, 932250 and 932260. Plain English after ";" or at the start of a value
  // matches ("echo in the mirror", "curl and divergence", "ls 300 lexus", "sudo meaning", "wget vs curl", "; more than
  // that"); 1030 (a command after a separator, then an option, a path, a variable or an address) and 1033 (the same at
  // the start of a value, and more commands) judge the shape instead.
  ...[932100, 932105, 932110, 932115, 932150, 932235, 932250, 932260].map((id) => ({
    id, why: 'a command word after a separator or at the start of a value, whatever follows it: English prose matches; 1030 and 1033 read what follows the command',
  })),
  {
    id: 941310,
    why: 'The bytes \\xbc then \\xbe or >, read as US-ASCII with the eighth bit dropped (<script>): in UTF-8 they are the second bytes of Cyrillic м and о ' +
      'and of Japanese ー and ま, so CRS 3.3 refuses "мне нужно…" and "サーバーでエラーが発生しました", and CRS 4, which wants a slash after the first, still refuses ' +
      '"サーバー/クライアント…しました" or a pasted </div> before Japanese text; 1022 refuses the tag itself, a \\xbc that is not part of a UTF-8 character',
  },
  {
    id: 920350,
    why: 'Host header is a numeric IP: API clients on loopback, health checks and internal callers address the WAF by IP; ' +
      'it is a notice, but its 3 anomaly points plus any other notice reach the blocking threshold on benign requests',
  },
] as const;

/**
 * CRS rules that read code and prose as attacks, removed for API bodies (JSON and multipart forms) only.
 * An agent platform's users paste shell, SQL, PowerShell and PHP-like code and write SQL-like prose in
 * prompts; these generic "keyword after a separator" heuristics refuse it. Each class stays covered in those
 * bodies by structural rules: libinjection (942100, 941100, 1020), the factory's SQL (1011), command (1030)
 * and code-execution (1031) rules, and every other CRS rule. Query strings, forms, cookies and headers of
 * other requests keep them.
 */
export const CRS_BODY_EXCLUSIONS = [
  // CRS 3.3 and 4
  { id: 932120, crs: [3, 4], why: 'PowerShell cmdlet names: prompts about PowerShell (Get-ChildItem, Where-Object) match' },
  { id: 932130, crs: [3, 4], why: 'Shell expressions $(...) and ${...}: JavaScript template literals and shell snippets match' },
  { id: 933210, crs: [3, 4], why: 'PHP variable function call: markdown links ([dashboard](https://...)) in prompts match' },
  { id: 933160, crs: [3, 4], why: 'PHP function call names: prose about exec() or system() in other languages matches' },
  { id: 934100, crs: [3, 4], why: 'Node.js injection words: a pasted log or stack trace (process.on, require) matches' },
  { id: 941160, crs: [3, 4], why: 'HTML tag with attributes: HTML pasted into a prompt (<img src="/logo.png">) matches; active HTML stays refused by 941100, 941110, 941120, 1020 and 1021' },
  { id: 941180, crs: [3, 4], why: 'DOM property names (.innerHTML, document.write): front-end code in prompts matches' },
  { id: 941370, crs: [3, 4], why: 'A JavaScript global followed by a bracket (window[name], self[\x27x\x27]): front-end code in prompts matches; a member called by a computed name stays refused outside API bodies by 1024, a built dialog name by 1022, and script and handlers by 941100-941120, 1020 and 1021' },
  { id: 921110, crs: [3, 4], targets: ['ARGS', 'ARGS_NAMES', 'REQUEST_BODY'], why: 'A method, a path and HTTP/1.1 anywhere in the body (a pasted access-log line, "DELETE 75oBC$" at the start of a multipart line): nginx re-frames every request it proxies, so a body cannot smuggle one' },
  { id: 921120, crs: [3, 4], why: 'A line break then Location:, Set-Cookie: or Host:: an HTTP exchange pasted into a prompt to debug it matches; encoded line breaks stay refused by 1052' },
  { id: 932140, crs: [3, 4], why: 'Windows IF and FOR: JavaScript and C conditions in prompts (if (user.role == \x27admin\x27 || …)) match; cmd.exe stays refused by 1030 and 1031' },
  { id: 932160, crs: [3, 4], why: 'Unix shell words and paths (${HOME}, bin/bash): shell instructions in prompts match; commands stay refused by 1030 and 1031, system files by 930120 and 1003' },
  { id: 942230, crs: [3, 4], why: 'Conditional SQL (if (x > , having count >): code and prose about queries in prompts match; IF(...,SLEEP()) stays refused by 1011 and 942100' },
  { id: 942270, crs: [3, 4], why: 'union ... select ... from across a sentence: prose about unions and select committees matches' },
  { id: 942290, crs: [3, 4], why: 'MongoDB operators ($first, $ne) anywhere in a value: GraphQL variables ($first: Int!) match; operators as JSON keys stay refused by 1012' },
  { id: 942350, crs: [3, 4], why: 'A semicolon then a SQL verb: prose such as "; TRUNCATE empties the table" matches' },
  { id: 942360, crs: [3, 4], why: 'SQL keyword sequences: SQL code blocks and prose with delete/select words match' },
  // CRS 4 only (what 932100-932150 became, and new heuristics)
  { id: 932125, crs: [4], why: 'Windows command or PowerShell alias after a separator: code spans (`ls -la`) and shell lines in prompts match' },
  { id: 932230, crs: [4], why: 'Unix command after a separator: code spans and backticks (`ls -la`) in prompts match' },
  { id: 932280, crs: [4], why: 'Brace expansion {a,b}: regular expressions ({2,}) and code in prompts match' },
  { id: 932370, crs: [4], why: 'Windows command after a separator: code blocks (```bash) in prompts match' },
  { id: 932380, crs: [4], why: 'Windows command after a separator (second pattern): Dockerfiles and shell lines in prompts match' },
  { id: 933135, crs: [4], why: 'PHP variables (${...}): JavaScript template literals (${user.name}) in prompts match' },
  { id: 934130, crs: [4], why: 'Prototype pollution words (__proto__, constructor.prototype) anywhere in a value: JavaScript questions in prompts match; __proto__ as a key or at the start of a value stays refused by 1084' },
  { id: 942151, crs: [4], why: 'SQL function names followed by a parenthesis (json(, concat(, left(): code in prompts (print(r.json())) matches; SQL stays refused by libinjection (942100) and 1011' },
  { id: 942550, crs: [4], why: 'A quoted JSON literal near an operator (curl -d \x27{"a":1}\x27 -H …): pasted commands and code match; JSON operators in SQL stay refused by libinjection (942100)' },
  { id: 941390, crs: [4], why: 'JavaScript method calls (alert(, import {): front-end code in prompts matches; script and handlers stay refused by 941100-941120, 1020 and 1021' },
] as const;

/**
 * When CRS_BODY_EXCLUSIONS apply: a body the engine actually parsed as JSON or multipart (a Content-Type header
 * alone, on a request without a body, switches nothing off) and no query-string argument (which the exclusion
 * would otherwise cover too: ModSecurity 3.0 removes a rule's ARGS as a whole, query and body alike).
 */
export const BODY_EXCLUSION_CONDITIONS = [
  { variable: 'REQBODY_PROCESSOR', operator: '@rx ^(?:JSON|MULTIPART)$' },
  { variable: 'REQUEST_BODY_LENGTH', operator: '@gt 0' },
  { variable: '&ARGS_GET', operator: '@eq 0' },
] as const;

/** What a body exclusion removes from a rule unless its entry says otherwise: the arguments and their names. */
const ARGS_TARGETS = ['ARGS', 'ARGS_NAMES'] as const;

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
      id: 1105,
      comment: 'CRS rules that read code and prose as attacks, and the factory rules marked outsideApiBodies, off for the arguments of a request whose body ' +
        'was parsed as JSON or multipart and that has no query string (see CRS_BODY_EXCLUSIONS); cookies, headers and the path stay judged by them',
      setvars: [],
      ctl: [
        ...CRS_BODY_EXCLUSIONS.map((e): [number, readonly string[]] => [e.id, 'targets' in e ? e.targets : ARGS_TARGETS]),
        ...wafRules(config).filter((r) => r.outsideApiBodies).map((r): [number, readonly string[]] => [r.id, ARGS_TARGETS]),
      ].flatMap(([id, targets]) => targets.map((t) => `ctl:ruleRemoveTargetById=${id};${t}`)),
      when: { phase: 2, all: BODY_EXCLUSION_CONDITIONS },
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

