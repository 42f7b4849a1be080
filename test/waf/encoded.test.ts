/**
 * Values sent base64-encoded (rules 1091-1096, lib/waf/rules.ts), through a real nginx + ModSecurity + CRS: each
 * encoded attack of the corpus is refused by a decoding judge itself (the audit record names 1094, 1095 or 1096,
 * not a rule that read the token as it came), every value of a request is decoded (not only the last one), ids
 * and keys of random bytes pass, and the arguments of an API body stay unjudged while the query beside them is.
 */
import { defaultConfig } from '../../lib/config';
import { type Harness, startHarness } from '../../lib/waf/harness';
import { type CorpusEntry, auditRecordOf, freePort, ruleIds, send, sourceAddress } from './client';
import { ENCODED_ATTACKS, base64 } from './corpus';

jest.setTimeout(120000);

/** FACTORY_CRS: a CRS release folder to judge instead of Debian's package (see test/waf/e2e.test.ts). */
const crs = process.env.FACTORY_CRS || undefined;

let waf: Harness;
let n = 0;
beforeAll(async () => { waf = await startHarness(defaultConfig(), { port: await freePort(), crs }); });
afterAll(async () => { await waf?.stop(); });

/** Sends the request from an address of its own; the status and the rules its audit record names (none when it passed). */
async function judged(e: Omit<CorpusEntry, 'name' | 'why' | 'category'>): Promise<{ status: number; rules: string[] }> {
  const from = sourceAddress(7000 + n++);
  const r = await send(waf.port, { name: 'encoded', why: 'decoding', category: 'encoded', ...e }, from);
  return { status: r.status, rules: ruleIds(await auditRecordOf(waf.auditLog, (a) => a.entry.transaction.client_ip === from, r.status !== 200)) };
}
/** Refused, and by a decoding judge alone (a deny stops the phase: its record names one rule). */
const byDecodingJudge = { status: 403, rules: [expect.stringMatching(/^109[456]$/)] };

describe.each(ENCODED_ATTACKS.map((a) => [a.name, a] as const))('%s', (_name, attack) => {
  test('GIVEN the encoded attack WHEN sent THEN a decoding judge (1094-1096) refuses it, not a rule that read the token', async () => {
    expect(await judged(attack)).toEqual(byDecodingJudge);
  });
});

describe('every value of a request is decoded', () => {
  const xss = base64('<svg onload=alert(document.domain)>');
  const benign = [base64('Quarterly report, draft 2'), base64(Buffer.from('9f3a61c07be24d18a5e0', 'hex'))];
  test('GIVEN an encoded attack after two benign base64 values in the query THEN it is refused', async () => {
    expect(await judged({ path: `/api/search?a=${encodeURIComponent(benign[0])}&b=${encodeURIComponent(benign[1])}&q=${encodeURIComponent(xss)}` })).toEqual(byDecodingJudge);
  });
  test('GIVEN an encoded attack before a benign base64 value in custom headers THEN it is refused', async () => {
    expect(await judged({ path: '/api/agents', headers: { 'X-Context': xss, 'X-Trace': benign[0] } })).toEqual(byDecodingJudge);
  });
  test('GIVEN the same benign values alone THEN they pass (control)', async () => {
    expect(await judged({ path: `/api/search?a=${encodeURIComponent(benign[0])}&b=${encodeURIComponent(benign[1])}`, headers: { 'X-Trace': benign[0] } })).toEqual({ status: 200, rules: [] });
  });
});

test('GIVEN 300 values of random bytes base64-encoded (ids, keys, signatures) in a query, a form and a header THEN none is refused', async () => {
  let x = 2463534242;
  const bytes = (len: number) => Buffer.from(Array.from({ length: len }, () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) & 0xff; }));
  const refused: string[] = [];
  for (let i = 0; i < 300; i++) {
    const v = base64(bytes(6 + (i % 42)));
    const r = await judged({ method: 'POST', path: `/api/items?id=${encodeURIComponent(v)}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Key': v }, body: `token=${v}` });
    if (r.status !== 200) refused.push(`${v} ${r.rules.join(',')}`);
  }
  expect(refused).toEqual([]);
});

describe('the arguments of an API body are not decoded (files travel base64-encoded there); the rest of the request is', () => {
  const xss = base64('<img src=x onerror=alert(document.cookie)>');
  test('GIVEN an encoded attack as a field of a JSON body THEN it passes', async () => {
    expect(await judged({ method: 'POST', path: '/api/knowledge/files', json: { name: 'a.html', content_base64: xss } })).toEqual({ status: 200, rules: [] });
  });
  test('GIVEN the same JSON body with a query string THEN it is refused (control: the exclusion is scoped to bodies without one)', async () => {
    expect(await judged({ method: 'POST', path: '/api/knowledge/files?folder=docs', json: { name: 'a.html', content_base64: xss } })).toEqual(byDecodingJudge);
  });
  test('GIVEN the encoded attack in the query of a GET with Content-Type: application/json and no body THEN it is refused', async () => {
    expect(await judged({ path: `/api/search?q=${encodeURIComponent(xss)}`, headers: { 'Content-Type': 'application/json' } })).toEqual(byDecodingJudge);
  });
  test('GIVEN the encoded attack in a custom header beside a JSON body THEN it is refused', async () => {
    expect(await judged({ method: 'POST', path: '/api/runs', headers: { 'X-Context': xss }, json: { prompt: 'Summarise the release notes' } })).toEqual(byDecodingJudge);
  });
});
