/**
 * The CRS exclusions for API bodies (lib/waf/crs.ts, rule 1105) cannot be switched on by a header. For every
 * excluded CRS rule, an attack that rule catches (found against the CRS alone) is refused BY THAT RULE in the
 * query string with and without a JSON Content-Type, beside a JSON or multipart body, and in a cookie beside a
 * JSON body; while the same text inside the JSON body is no longer judged by it (the exclusion still works).
 * The factory's own rules are left out of this harness so that no custom rule refuses first and hides the CRS
 * rule under test (the full WAF is judged by test/waf/e2e.test.ts).
 */
import { defaultConfig } from '../../lib/config';
import { CRS_BODY_EXCLUSIONS } from '../../lib/waf/crs';
import { type Harness, crsRuleIds, crsVersion, startHarness } from '../../lib/waf/harness';
import { type CorpusEntry, auditRecordOf, freePort, ruleIds, send, sourceAddress } from './client';

jest.setTimeout(120000);

/**
 * One attack per excluded rule and CRS line (3 or 4), each caught by that rule in a query string of the CRS
 * alone (found by sending candidates to it; a rule can need another shape on another line).
 */
const CAUGHT_BY: Record<number, Partial<Record<3 | 4, string>>> = {
  921110: { 3: 'x GET /admin HTTP/1.1', 4: 'x GET /admin HTTP/1.1' },
  921120: { 3: 'x\r\nLocation: http://evil.example', 4: 'x\r\nLocation: http://evil.example' },
  932120: { 3: 'Invoke-Expression $x', 4: 'Invoke-Expression $x' },
  932125: { 4: '|gci -recurse' },
  932130: { 3: '$(whoami)', 4: '$(whoami)' },
  932140: { 3: 'for %i in (a) do echo %i', 4: 'for %i in (a) do echo %i' },
  932160: { 3: '/bin/bash', 4: '/bin/bash' },
  932230: { 4: ';ls -la' },
  932280: { 4: 'echo {a,b}' },
  932370: { 4: '& cmd.exe /c type win.ini' },
  932380: { 4: '& dir /s' },
  933135: { 4: '${_GET}' },
  933160: { 3: 'system("id")', 4: 'system("id")' },
  933210: { 3: "('system')('id')", 4: '$a=("sys"."tem");$a("id")' },
  934130: { 4: '__proto__[isAdmin]=1' },
  934100: { 3: 'this.constructor.constructor("return process")()', 4: 'process.mainModule.require("child_process")' },
  941160: { 3: '<img src=x onerror=alert(1)>', 4: '<img src=x onerror=alert(1)>' },
  941180: { 3: 'document.cookie', 4: 'document.cookie' },
  941370: { 3: 'window[x]', 4: 'window[x]' },
  942151: { 4: 'substring(password,1,1)' },
  942550: { 4: "'{\"a\":1}' @> '{\"a\":1}'" },
  941390: { 4: 'alert(1)' },
  942230: { 3: 'select a having b>1', 4: 'select a having b>1' },
  942270: { 3: 'union select password from users', 4: 'union select password from users' },
  942290: { 3: '[$ne]=1', 4: '[$ne]=1' },
  942350: { 3: '; delete from users', 4: '; delete from users' },
  942360: { 3: '1 union all select 1', 4: '1 union all select 1' },
};

/** Excluded rules whose SecRule reads arguments and the body but not cookies (921110: ARGS_NAMES|ARGS|REQUEST_BODY|XML:/*). */
const NOT_READING_COOKIES = new Set([921110]);

/** FACTORY_CRS: a CRS release folder to judge instead of Debian's package (see test/waf/e2e.test.ts). */
const crs = process.env.FACTORY_CRS || undefined;
const line = Number(crsVersion(crs).split('.')[0]) as 3 | 4;
/** The excluded rules that exist in the CRS under test. */
const EXCLUDED_HERE = CRS_BODY_EXCLUSIONS.filter((e) => (e.crs as readonly number[]).includes(line));

let waf: Harness;
let n = 0;
beforeAll(async () => { waf = await startHarness(defaultConfig(), { port: await freePort(), factoryRules: false, crs }); });
afterAll(async () => { await waf?.stop(); });

/** Sends the request with a unique marker in its query, from its own address; the status and the CRS rules that matched. */
async function judged(e: Omit<CorpusEntry, 'name' | 'why' | 'category'>, query = ''): Promise<{ status: number; rules: string[] }> {
  // The marker is a path segment: a query string of its own would keep the exclusion off.
  const marker = `x${n}m${Date.now()}`;
  const r = await send(waf.port, { name: marker, why: 'exclusion scope', category: 'exclusion', ...e, path: `/api/runs/${marker}${query ? `?${query}` : ''}` }, sourceAddress(5000 + n++));
  return { status: r.status, rules: ruleIds(await auditRecordOf(waf.auditLog, (a) => a.raw.includes(marker), r.status !== 200)) };
}

const prompt = { prompt: 'Summarise the release notes' };

test(`GIVEN CRS ${crsVersion(crs)} THEN the table holds an attack for every excluded rule of that CRS line, and each such rule is in its files`, () => {
  expect(EXCLUDED_HERE.length).toBeGreaterThan(10);
  for (const e of EXCLUDED_HERE) expect([e.id, CAUGHT_BY[e.id]?.[line]]).toEqual([e.id, expect.any(String)]);
  const rules = crsRuleIds(crs);
  expect(EXCLUDED_HERE.filter((e) => !rules.has(e.id)).map((e) => e.id)).toEqual([]);
  // ... and the rules said to be of the other line only are not in it (the table's crs field is true).
  expect(CRS_BODY_EXCLUSIONS.filter((e) => !(e.crs as readonly number[]).includes(line) && rules.has(e.id)).map((e) => e.id)).toEqual([]);
});

describe.each(EXCLUDED_HERE.map((e) => [e.id, CAUGHT_BY[e.id]![line]!] as const))('excluded rule %i (%s)', (id, attack) => {
  const q = `q=${encodeURIComponent(attack)}`;
  const caught = { status: 403, rules: expect.arrayContaining([String(id)]) };

  test('GIVEN the attack in the query string of a plain GET THEN that rule refuses it (control)', async () => {
    expect(await judged({}, q)).toEqual(caught);
  });
  test('GIVEN the same GET with Content-Type: application/json and no body THEN that rule still refuses it', async () => {
    expect(await judged({ headers: { 'Content-Type': 'application/json' } }, q)).toEqual(caught);
  });
  test('GIVEN the attack in the query string beside a JSON body THEN that rule still refuses it', async () => {
    expect(await judged({ method: 'POST', json: prompt }, q)).toEqual(caught);
  });
  test('GIVEN the attack in the query string beside a multipart body THEN that rule still refuses it', async () => {
    expect(await judged({ method: 'POST', form: { fields: { title: 'notes' } } }, q)).toEqual(caught);
  });
  test('GIVEN the attack in a cookie beside a JSON body THEN that rule judges it exactly as on a request without a body (headers stay judged)', async () => {
    // A cookie value cannot hold a raw ";" (it separates cookies) or a line break: such an attack goes percent-encoded,
    // which the command-injection and splitting rules do not decode in cookies, on either request alike.
    const encoded = /[;\r\n]/.test(attack);
    const cookie = `q=${encoded ? encodeURIComponent(attack) : attack}`;
    const verdict = (r: { status: number; rules: string[] }) => ({ status: r.status, byThisRule: r.rules.includes(String(id)) });
    const withoutBody = verdict(await judged({ headers: { Cookie: cookie } }));
    const besideJson = verdict(await judged({ method: 'POST', json: prompt, headers: { Cookie: cookie } }));
    expect(besideJson).toEqual(withoutBody);
    if (!encoded && !NOT_READING_COOKIES.has(id)) expect(withoutBody).toEqual({ status: 403, byThisRule: true });
  });
  test('GIVEN the same text inside a JSON body (no query string) THEN that rule no longer judges it (the exclusion applies)', async () => {
    const r = await judged({ method: 'POST', json: { prompt: attack } });
    expect(r.rules).not.toContain(String(id));
  });
});
