/** The WAF rule model and its SecLang rendering (guide: WAF > Custom Factory Rules, Operational Security > Audit Logging). */
import { defaultConfig, parseConfig } from '../../lib/config';
import { CRS_BODY_EXCLUSIONS, CRS_RULE_EXCLUSIONS } from '../../lib/waf/crs';
import { WAF_CATEGORIES, wafRules } from '../../lib/waf/rules';
import { renderModSecurity } from '../../lib/waf/seclang';

const WAF_RULES = wafRules(defaultConfig());
import { DEBIAN_TARGET, DOCKER_IMAGE_TARGET } from '../../lib/waf/targets';

const rendered = renderModSecurity(defaultConfig(), DEBIAN_TARGET);

describe('Custom Factory Rules table', () => {
  test('GIVEN the guide id ranges WHEN the table is read THEN every id of every range is a rule of that category', () => {
    for (const [category, { ids: [from, to] }] of Object.entries(WAF_CATEGORIES)) {
      const ids = WAF_RULES.filter((r) => r.category === category).map((r) => r.id).sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
    }
  });

  test('GIVEN the guide categories WHEN listed THEN they are the seven of the guide with their ranges, and the project\'s XXE and other-injection ranges', () => {
    expect(Object.fromEntries(Object.entries(WAF_CATEGORIES).map(([k, v]) => [k, v.ids]))).toEqual({
      'directory-traversal': [1001, 1003], 'sql-injection': [1010, 1014], 'xss': [1020, 1025],
      'command-injection': [1030, 1033], 'malicious-upload': [1040, 1042], 'http-protocol': [1050, 1055], 'rate-limiting': [1060, 1061],
      'xml-external-entities': [1070, 1070], 'other-injections': [1080, 1084], 'api-reconnaissance': [1090, 1090],
      'encoded-payloads': [1091, 1096],
    });
  });

  test('GIVEN the rule table WHEN rendered THEN every rule carries its id and its category tag', () => {
    for (const r of WAF_RULES) {
      expect(rendered).toMatch(new RegExp(`"id:${r.id},\\\\\\n    phase:${r.phase},`));
      expect(rendered).toContain(`tag:'factory/${r.category}'`);
    }
    expect(WAF_RULES).toHaveLength(42);
  });

  test('GIVEN the table WHEN the encoded-payload judge 1094 is built THEN its pattern holds the pattern of every refusing rule that reads arguments', () => {
    const judge = WAF_RULES.find((r) => r.id === 1094)!;
    const readers = WAF_RULES.filter((r) => r.id < 1091 && r.action.kind === 'deny' && r.operator.op === 'rx' && r.variables.includes('ARGS'));
    expect(readers.map((r) => r.id)).toEqual(expect.arrayContaining([1001, 1011, 1021, 1030, 1031, 1032, 1033, 1081, 1082]));
    expect(judge.operator.op).toBe('rx');
    for (const r of readers) expect(judge.operator.op === 'rx' && r.operator.op === 'rx' && judge.operator.arg.includes(r.operator.arg)).toBe(true);
    // Control: a rule that does not read arguments (1050: the request line and headers) is not in it.
    const line = WAF_RULES.find((r) => r.id === 1050)!;
    expect(line.operator.op === 'rx' && judge.operator.op === 'rx' && judge.operator.arg.includes(line.operator.arg)).toBe(false);
  });

  test('GIVEN the table WHEN its transformations are read THEN only the decoding judges 1094-1096 remove NUL bytes (elsewhere a NUL is refused: test/waf/nul-bytes.test.ts)', () => {
    expect(WAF_RULES.filter((r) => r.transformations.includes('removeNulls')).map((r) => r.id)).toEqual([1094, 1095, 1096]);
  });

  test('GIVEN an auth path override WHEN the rules are built THEN the rate-limiting signal follows the config', () => {
    const rules = wafRules(parseConfig({ edge: { authPaths: ['/v2/login'], rateLimits: { auth: { rate: 3, per: 'minute', burst: 6 } } } }));
    expect(rules.find((r) => r.id === 1060)!.operator).toEqual({ op: 'rx', arg: '^(?:\\/v2\\/login)(?:/|$)' });
    expect(rules.find((r) => r.id === 1061)!.operator).toEqual({ op: 'gt', arg: '9' });
  });
});

describe('renderModSecurity', () => {
  test('GIVEN a guarded rule (1093) WHEN rendered THEN its guard starts a chain with the id and actions, and the link runs its test and keeps each match', () => {
    const start = rendered.indexOf('SecRule TX:factory_b64_n "@gt 0"');
    const block = rendered.slice(start, rendered.indexOf('\n\n', start));
    expect(block).toMatch(/^SecRule TX:factory_b64_n "@gt 0" \\\n {4}"id:1093,\\\n {4}phase:2,\\\n {4}pass,\\\n {4}nolog,\\\n {4}t:none,/);
    expect(block).toMatch(/chain"\n {4}SecRule TX:\/\^factory_b64_\[0-9\]\/ "@rx [^"]+" "t:none,t:base64DecodeExt,setvar:tx\.factory_decoded_n=\+1,setvar:'tx\.factory_decoded_%\{tx\.factory_decoded_n\}=%\{MATCHED_VAR\}'"$/);
  });

  test('GIVEN the guide WHEN rendered THEN the engine is On (blocking), not DetectionOnly', () => {
    expect(rendered).toMatch(/^SecRuleEngine On$/m);
    expect(rendered).not.toMatch(/DetectionOnly/);
  });

  test('GIVEN the guide Audit Logging WHEN rendered THEN RelevantOnly, the relevant status and JSON format are set, to the container\'s log stream', () => {
    expect(rendered).toMatch(/^SecAuditEngine RelevantOnly$/m);
    expect(rendered).toMatch(/^SecAuditLogRelevantStatus "\^\(\?:5\|4\(\?!04\)\)"$/m);
    expect(rendered).toMatch(/^SecAuditLog \/dev\/stdout$/m);
    expect(rendered).toMatch(/^SecAuditLogFormat JSON$/m);
  });

  test('GIVEN the guide\'s log path in config WHEN rendered THEN it is used (the file of the guide\'s NGINX host)', () => {
    expect(renderModSecurity(parseConfig({ waf: { audit: { logPath: '/var/log/nginx/modsec_audit.log' } } }), DEBIAN_TARGET)).toMatch(/^SecAuditLog \/var\/log\/nginx\/modsec_audit\.log$/m);
  });

  test('GIVEN audit records WHEN rendered THEN they carry parts A, H and Z only: no headers (Authorization, Cookie, Set-Cookie), no bodies', () => {
    expect(rendered).toMatch(/^SecAuditLogParts AHZ$/m);
  });

  test('GIVEN the API methods WHEN rendered THEN the CRS allowed methods include PUT, PATCH and DELETE', () => {
    expect(rendered).toContain("setvar:'tx.allowed_methods=GET HEAD POST PUT PATCH DELETE OPTIONS'");
  });

  test('GIVEN prompts with code in API bodies WHEN rendered THEN the CRS code-shaped heuristics lose their ARGS only when a JSON or multipart body was parsed and there is no query string', () => {
    const lines = rendered.split('\n');
    const start = lines.findIndex((l) => l.includes('id:1105,'));
    expect(lines.slice(start, start + 3).map((l) => l.trim().split(' "')[0])).toEqual(['SecRule REQBODY_PROCESSOR', 'SecRule REQUEST_BODY_LENGTH', 'SecRule &ARGS_GET']);
    expect(lines[start]).toContain('"id:1105,phase:2,pass,nolog,t:none,chain"');
    const actions = lines[start + 2];
    for (const e of CRS_BODY_EXCLUSIONS) expect(actions).toContain(`ctl:ruleRemoveTargetById=${e.id};ARGS,ctl:ruleRemoveTargetById=${e.id};ARGS_NAMES`);
    // Whole rules are removed only by the global exclusions (1104), never by a body condition.
    expect([...rendered.matchAll(/ctl:ruleRemoveById=(\d+)/g)].map((m) => Number(m[1])).sort()).toEqual(CRS_RULE_EXCLUSIONS.map((e) => e.id).sort());
    expect(CRS_BODY_EXCLUSIONS.map((e) => e.id)).not.toContain(942100);
    expect(CRS_BODY_EXCLUSIONS.map((e) => e.id)).not.toContain(941100);
  });

  test('GIVEN paranoia level 1 WHEN rendered THEN the CRS 3 and CRS 4 variables are both set', () => {
    expect(rendered).toContain('setvar:tx.paranoia_level=1,setvar:tx.blocking_paranoia_level=1');
  });

  test('GIVEN a target WHEN rendered THEN base config, CRS setup, factory settings, custom rules and CRS rules come in that order', () => {
    const at = (s: string) => { const i = rendered.indexOf(s); expect(i).toBeGreaterThanOrEqual(0); return i; };
    const order = [DEBIAN_TARGET.baseIncludes[0], 'SecRuleEngine On', DEBIAN_TARGET.crsSetupIncludes![0], 'id:1102', 'id:1001', 'id:1061', DEBIAN_TARGET.crsIncludes[0]].map(at);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('GIVEN the docker image target WHEN rendered THEN it loads the image files', () => {
    const docker = renderModSecurity(defaultConfig(), DOCKER_IMAGE_TARGET);
    expect(docker).toContain('Include /etc/modsecurity.d/modsecurity.conf');
    expect(docker).toContain('Include /etc/modsecurity.d/owasp-crs/crs-setup.conf');
    expect(docker).toContain('Include /etc/modsecurity.d/owasp-crs/rules/*.conf');
  });

  test('GIVEN the rendered rules WHEN embedded in nginx single quotes THEN no operator holds a raw quote', () => {
    for (const line of rendered.split('\n').filter((l) => l.startsWith('SecRule '))) {
      const operator = /"(!?@[^"]*)"/.exec(line)![1];
      expect(operator).not.toMatch(/'/);
    }
  });
});

describe('per-client counter of 1060/1061', () => {
  test('GIVEN the rendered rules THEN the ip collection is opened in its own rule before 1060 (not beside its setvar), and 1060 carries no initcol', () => {
    const at = (s: string) => rendered.indexOf(s);
    expect(at('initcol:ip=%{REMOTE_ADDR}')).toBeGreaterThan(-1);
    expect(at('initcol:ip=%{REMOTE_ADDR}')).toBeLessThan(at('id:1060'));
    expect(rendered.split('\n').filter((l) => l.includes('initcol'))).toHaveLength(1);
  });

  test('GIVEN the guide\'s per-minute auth limit THEN the window is the calendar minute; a per-second limit adds the second', () => {
    expect(rendered).toContain('setvar:tx.factory_window=%{TIME_YEAR}%{TIME_MON}%{TIME_DAY}%{TIME_HOUR}%{TIME_MIN}"');
    const perSecond = renderModSecurity(parseConfig({ edge: { rateLimits: { auth: { rate: 5, per: 'second', burst: 5 } } } }), DEBIAN_TARGET);
    expect(perSecond).toContain('setvar:tx.factory_window=%{TIME_YEAR}%{TIME_MON}%{TIME_DAY}%{TIME_HOUR}%{TIME_MIN}%{TIME_SEC}"');
  });
});
