/**
 * No rule of the table removes NUL bytes before it judges (lib/waf/rules.ts, `Transformation`): a NUL hidden in a
 * payload (<scr%00ipt>) would otherwise break its pattern. This proves, through a real nginx + ModSecurity + CRS, that
 * a NUL byte is refused wherever a table rule reads — the URI, arguments and their names in every body the engine
 * parses, headers, cookies, XML and upload names — while the same values without it pass (the control).
 */
import { defaultConfig } from '../../lib/config';
import { type Harness, startHarness } from '../../lib/waf/harness';
import { type CorpusEntry, freePort, send } from './client';

jest.setTimeout(120000);

/** FACTORY_CRS: a CRS release folder to judge instead of Debian's package (see test/waf/e2e.test.ts). */
const crs = process.env.FACTORY_CRS || undefined;

let waf: Harness;
beforeAll(async () => { waf = await startHarness(defaultConfig(), { port: await freePort(), crs }); });
afterAll(async () => { await waf?.stop(); });

type Request = Omit<CorpusEntry, 'name' | 'why' | 'category'>;
/**
 * A request carrying `value` in one place (`encoded`: as a URI or header carries it, percent-encoded), and how a NUL
 * there is refused: 403 by the WAF; 400 where nginx itself refuses it (the path), or the engine cannot parse the body
 * (a NUL is not XML; a multipart part header with one is malformed: 200002/200003).
 */
const PLACES: [string, 400 | 403, (value: string, encoded: string) => Request][] = [
  ['the path', 400, (_v, e) => ({ path: `/api/agents/${e}` })],
  ['a query value', 403, (_v, e) => ({ path: `/api/search?q=${e}` })],
  ['a query name', 403, (_v, e) => ({ path: `/api/search?${e}=1` })],
  ['a form value', 403, (_v, e) => ({ method: 'POST', path: '/api/notes', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `note=${e}` })],
  ['a JSON value', 403, (v) => ({ method: 'POST', path: '/api/notes', json: { note: v } })],
  ['a JSON key', 403, (v) => ({ method: 'POST', path: '/api/notes', json: { [v]: 1 } })],
  ['a multipart field', 403, (v) => ({ method: 'POST', path: '/api/files', form: { fields: { caption: v }, files: [{ field: 'file', filename: 'a.csv', contentType: 'text/csv', content: 'a\n' }] } })],
  ['an upload name', 400, (v) => ({ method: 'POST', path: '/api/files', form: { files: [{ field: 'file', filename: `${v}.csv`, contentType: 'text/csv', content: 'a\n' }] } })],
  ['an XML body', 400, (v) => ({ method: 'POST', path: '/api/xml', headers: { 'Content-Type': 'application/xml' }, body: `<note>${v}</note>` })],
  ['a custom header', 403, (_v, e) => ({ path: '/api/agents', headers: { 'X-Note': e } })],
  ['the User-Agent', 403, (_v, e) => ({ path: '/api/agents', headers: { 'User-Agent': `agent ${e}` } })],
  ['the Referer', 403, (_v, e) => ({ path: '/api/agents', headers: { Referer: `https://factory.example.com/${e}` } })],
  ['a cookie', 403, (_v, e) => ({ path: '/api/agents', headers: { Cookie: `note=${e}` } })],
];

const status = async (r: Request) => (await send(waf.port, { name: 'nul', why: 'NUL byte', category: 'nul', ...r })).status;

describe.each(PLACES)('%s', (_place, refusal, request) => {
  test(`GIVEN a value with a NUL byte in it WHEN sent THEN it is refused (${refusal})`, async () => {
    expect(await status(request('weekly\0report', 'weekly%00report'))).toBe(refusal);
  });
  test('GIVEN the same value with a space instead (control) WHEN sent THEN it passes', async () => {
    expect(await status(request('weekly report', 'weekly%20report'))).toBe(200);
  });
});
