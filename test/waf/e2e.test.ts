/**
 * End to end through a real nginx + ModSecurity + OWASP CRS (the local harness, Debian packages): the
 * attack corpus is refused, the benign corpus passes, rate limits answer 429, the guide's headers are on
 * every response and the audit log names the refusing rule. One nginx per rendering.
 */
import { defaultConfig } from '../../lib/config';
import { CHECK_DIR, STUB_UNAUTHORIZED, checkModSecurityParses, crsVersion, type Harness, startHarness } from '../../lib/waf/harness';
import { securityHeaders } from '../../lib/waf/nginx';
import { INGRESS_LIKE_DEBIAN_CRS_LOADER, DEBIAN_PATHS } from '../../lib/waf/targets';
import { MODSECURITY_PATHS, MODSECURITY_RULES, modsecurityRules, modsecurityRulesFileName, modsecuritySnippet } from '../../lib/edge/ingress-nginx';
import { type CorpusEntry, RENDERINGS, type Reply, auditRecordOf, renderingOptions, send, sourceAddress } from './client';
import { ATTACKS, BENIGN } from './corpus';

jest.setTimeout(120000);
const config = defaultConfig();
let nextAddress = 0;
/** Each corpus request from its own loopback address, so rate limits never mix with detection. */
const fresh = () => sourceAddress(nextAddress++);

/**
 * FACTORY_CRS names an OWASP CRS release folder to run the whole suite on instead of Debian's package (CI
 * runs it a second time on the CRS 4.22.0 that the ingress-nginx controller bundles; see the README).
 */
const crs = process.env.FACTORY_CRS || undefined;
const REFUSED = [403, 400];

/**
 * Each rendering of the WAF runs the whole suite: the harness's own (the standalone WAF's renderers on Debian's
 * paths) and the WAF tier's ConfigMap files as synthesized for the cluster (`edge.target: waf-tier`), relocated.
 */
describe.each(RENDERINGS)('%s rendering', (rendering) => {
  let waf: Harness;
  beforeAll(async () => { waf = await startHarness(config, { ...(await renderingOptions(rendering)), crs }); });
  afterAll(async () => { await waf?.stop(); });

  describe('attack corpus (every entry must be refused: 403 ModSecurity, or 400 nginx)', () => {
    const results: { e: CorpusEntry; r: Reply }[] = [];
    beforeAll(async () => { for (const e of ATTACKS) results.push({ e, r: await send(waf.port, e, fresh()) }); });
    afterAll(() => {
      const refused = results.filter(({ r }) => REFUSED.includes(r.status)).length;
      process.stdout.write(`WAF detection (${rendering} rendering, CRS ${crsVersion(crs)}): ${refused}/${results.length} attacks refused\n`);
    });
    test(`GIVEN ${ATTACKS.length} attacks across the guide categories WHEN sent THEN the corpus has at least 40, each with a why`, () => {
      expect(ATTACKS.length).toBeGreaterThanOrEqual(40);
      expect(new Set(ATTACKS.map((a) => a.category))).toEqual(new Set(['sqli', 'xss', 'traversal', 'lfi-rfi', 'cmdi', 'upload', 'protocol', 'scanner', 'xxe', 'ldap', 'mail', 'nosql', 'deserialization', 'prototype-pollution', 'api-reconnaissance', 'xpath']));
      for (const a of ATTACKS) expect(a.why.length).toBeGreaterThan(10);
    });
    test.each(ATTACKS.map((a, i) => [a.category, a.name, i] as const))('GIVEN a %s attack (%s) WHEN sent THEN it is refused', (_c, _n, i) => {
      const { e, r } = results[i];
      expect({ name: e.name, status: r.status, refused: REFUSED.includes(r.status) }).toMatchObject({ refused: true });
    });
  });

  describe('benign corpus (every entry must pass with 200)', () => {
    const results: { e: CorpusEntry; r: Reply }[] = [];
    beforeAll(async () => { for (const e of BENIGN) results.push({ e, r: await send(waf.port, e, fresh()) }); });
    afterAll(() => {
      const fp = results.filter(({ r }) => r.status !== 200).length;
      process.stdout.write(`WAF false positives (${rendering} rendering, CRS ${crsVersion(crs)}): ${fp}/${results.length} benign requests refused\n`);
    });
    test(`GIVEN ${BENIGN.length} agent-platform requests WHEN sent THEN the corpus has at least 40, each with a why`, () => {
      expect(BENIGN.length).toBeGreaterThanOrEqual(40);
      for (const b of BENIGN) expect(b.why.length).toBeGreaterThan(10);
      expect(new Set(BENIGN.map((b) => b.method ?? 'GET'))).toEqual(new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']));
    });
    test.each(BENIGN.map((b, i) => [b.category, b.name, i] as const))('GIVEN a benign %s request (%s) WHEN sent THEN it passes with 200', (_c, _n, i) => {
      const { e, r } = results[i];
      expect({ name: e.name, status: r.status }).toEqual({ name: e.name, status: 200 });
    });
  });

  describe('Rate Limiting', () => {
    const burst = async (path: string, n: number, method = 'GET') => {
      const from = fresh();
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) statuses.push((await send(waf.port, { name: 'burst', why: 'rate limit', category: 'rate', method, path }, from)).status);
      return statuses;
    };
    test('GIVEN api_limit 10 r/s burst 20 nodelay WHEN 60 API requests arrive at once THEN 1 + 20 pass, plus at most what refilled while they arrived, and the rest get 429', async () => {
      const { rate, per, burst: size } = config.edge.rateLimits.api;
      expect([rate, per, size]).toEqual([10, 'second', 20]);
      const from = fresh();
      const entry: CorpusEntry = { name: 'burst', why: 'rate limit', category: 'rate', method: 'GET', path: '/api/agents' };
      const started = process.hrtime.bigint();
      const statuses = (await Promise.all(Array.from({ length: 60 }, () => send(waf.port, entry, from)))).map((r) => r.status);
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      // The bucket refills one request per 1000/rate ms while the burst is in flight (+1: nginx counts in whole ms).
      const refilled = Math.floor((elapsedMs * rate) / 1000) + 1;
      const passed = statuses.filter((s) => s === 200).length;
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
      expect(passed).toBeGreaterThanOrEqual(1 + size);
      expect(passed).toBeLessThanOrEqual(1 + size + refilled);
    });
    test('GIVEN auth_limit 5 r/min burst 5 nodelay WHEN 10 auth requests arrive THEN 6 pass and 4 get 429', async () => {
      const s = await burst('/api/auth/login', 10, 'POST');
      expect(s).toEqual([...Array(6).fill(200), ...Array(4).fill(429)]);
    });
  });

  describe('Security Headers on every response', () => {
    const expectHeaders = (r: Reply) => {
      for (const [name, value] of securityHeaders(config)) expect([name, r.headers[name.toLowerCase()]]).toEqual([name, value]);
    };
    test('GIVEN a benign request WHEN answered 200 THEN the six headers are present', async () => {
      const r = await send(waf.port, BENIGN[0], fresh());
      expect(r.status).toBe(200);
      expectHeaders(r);
    });
    test('GIVEN an attack WHEN refused 403 THEN the six headers are present', async () => {
      const r = await send(waf.port, ATTACKS[0], fresh());
      expect(r.status).toBe(403);
      expectHeaders(r);
    });
    test('GIVEN the auth limit exceeded WHEN answered 429 THEN the six headers are present', async () => {
      const from = fresh();
      let r: Reply | undefined;
      for (let i = 0; i < 7; i++) r = await send(waf.port, { name: 'h', why: 'rate', category: 'rate', method: 'POST', path: '/api/auth/token' }, from);
      expect(r!.status).toBe(429);
      expectHeaders(r!);
    });
  });

  describe('Audit Logging', () => {
    /** The audit record (raw JSON line and parsed) of the request whose URI holds the marker; waits for it (the engine writes after the response). */
    const auditRecord = async (marker: string): Promise<{ raw: string; entry: any }> => {
      const record = await auditRecordOf(waf.auditLog, (r) => r.raw.includes(marker));
      if (!record) throw new Error(`no audit record for ${marker}`);
      return record;
    };

    test('GIVEN a refused request WHEN the audit log is read THEN it records the transaction with the refusing rule id', async () => {
      const marker = `audit-${Date.now()}`;
      const r = await send(waf.port, { name: 'a', why: 'audit', category: 'sqli', path: `/api/${marker}?id=1'%20OR%20'1'='1` }, fresh());
      expect(r.status).toBe(403);
      const { entry } = await auditRecord(marker);
      expect(entry.transaction.response.http_code).toBe(403);
      expect(entry.transaction.messages.map((m: any) => m.details.ruleId)).toContain('1011');
    });

    test('GIVEN a refused request carrying Authorization and Cookie WHEN audit-logged THEN the record holds neither value (nor any request header or body)', async () => {
      const marker = `redact-${Date.now()}`;
      const bearer = 'eyJhbGciOiJIUzI1NiJ9.audit-bearer-secret-7c2d';
      const cookie = 'audit-cookie-secret-91ab';
      const r = await send(waf.port, {
        name: 'redact', why: 'credentials on a refused request', category: 'sqli', method: 'POST', path: `/api/${marker}?id=1'%20OR%20'1'='1`,
        headers: { Authorization: `Bearer ${bearer}`, Cookie: `session=${cookie}` }, json: { password: 'audit-body-password-3f' },
      }, fresh());
      expect(r.status).toBe(403);
      const { raw, entry } = await auditRecord(marker);
      expect(entry.transaction.messages.map((m: any) => m.details.ruleId)).toContain('1011');
      for (const secret of [bearer, cookie, 'audit-body-password-3f']) expect(raw).not.toContain(secret);
      expect(entry.transaction.request.headers ?? {}).toEqual({});
    });

    test('GIVEN an upstream 401 that sets a cookie WHEN audit-logged (4xx is relevant) THEN the record holds no Set-Cookie value', async () => {
      const from = fresh();
      const r = await send(waf.port, { name: 'set-cookie', why: 'a refused login', category: 'auth', path: `${STUB_UNAUTHORIZED.path}?m=setcookie-${Date.now()}` }, from);
      expect(r.status).toBe(401);
      expect(r.headers['set-cookie']).toEqual([STUB_UNAUTHORIZED.setCookie]);
      const { raw, entry } = await auditRecord('m=setcookie-');
      expect(entry.transaction.response.http_code).toBe(401);
      expect(raw).not.toContain('stub-set-cookie-value-5e1f');
    });
  });
});

describe('cluster-level rendering parses', () => {
  test('GIVEN the controller ConfigMap snippet and mounted rules file on Debian paths WHEN nginx -t loads them as ingress-nginx does THEN they parse', () => {
    const rules = modsecurityRules(config).replace(`Include ${MODSECURITY_PATHS.base}`, `Include ${DEBIAN_PATHS.baseConfig}`);
    const snippet = modsecuritySnippet(config).replace(`${MODSECURITY_RULES.mountPath}/`, `${CHECK_DIR}/`);
    expect(snippet).toContain(CHECK_DIR);
    const files = { [modsecurityRulesFileName(config)]: rules, 'crs.conf': INGRESS_LIKE_DEBIAN_CRS_LOADER.join('\n') + '\n' };
    expect(() => checkModSecurityParses({ inlineRules: snippet, files, rulesFiles: ['crs.conf'] })).not.toThrow();
  });
});
