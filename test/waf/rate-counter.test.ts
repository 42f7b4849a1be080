/**
 * Guide "Custom Factory Rules" 1060/1061 (rate limiting): the per-client counter of authentication requests,
 * end to end through a real nginx + ModSecurity, from distinct client addresses. 1060 counts the requests of
 * one address in the current window (a calendar minute, or second, of the auth limit); 1061 flags that
 * address once it has sent more than rate + burst; every other client stays unflagged; a new window starts
 * the count again.
 */
import { type FactoryConfig, defaultConfig, parseConfig } from '../../lib/config';
import { type Harness, startHarness } from '../../lib/waf/harness';
import { type CorpusEntry, RENDERINGS, auditRecords, renderingOptions, send, sourceAddress } from './client';

jest.setTimeout(60000);
let nextAddress = 2000;
const fresh = () => sourceAddress(nextAddress++);
const login = (n: string): CorpusEntry => ({ name: 'login', why: 'counted', category: 'rate', method: 'POST', path: `/api/auth/login?n=${n}` });

/** The rule ids of each audit record, by the marker in its URI. */
function flagged(waf: Harness): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { entry } of auditRecords(waf.auditLog)) {
    const t = entry.transaction;
    const n = /[?&]n=([\w-]+)/.exec(t.request.uri)?.[1];
    if (n) out.set(n, t.messages.map((m: any) => m.details.ruleId));
  }
  return out;
}
const settle = () => new Promise((r) => setTimeout(r, 300));

/**
 * Sends `count` logins from one new address inside one window of `windowMs` (the counter's windows are
 * calendar-aligned: a burst that crossed a boundary is sent again from another address), and returns the
 * address's markers.
 */
async function burstInOneWindow(waf: Harness, count: number, windowMs: number, tag: string): Promise<string[]> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const from = fresh();
    const markers = Array.from({ length: count }, (_, i) => `${tag}${attempt}-${i}`);
    const t0 = Date.now();
    for (const m of markers) await send(waf.port, login(m), from);
    if (Math.floor(t0 / windowMs) === Math.floor(Date.now() / windowMs)) return markers;
  }
  throw new Error('three bursts in a row crossed a window boundary');
}

/** Both renderings: the harness's own and the WAF tier's ConfigMap files. */
describe.each(RENDERINGS)('%s rendering', (rendering) => {
  describe('the guide\'s auth limit (5 r/min, burst 5): 1061 above 10 requests a minute', () => {
    const config: FactoryConfig = defaultConfig();
    let waf: Harness;
    beforeAll(async () => { waf = await startHarness(config, await renderingOptions(rendering)); });
    afterAll(async () => { await waf?.stop(); });

    test('GIVEN 12 logins from one client in a minute THEN 1061 flags its 11th and 12th request, and only those', async () => {
      const markers = await burstInOneWindow(waf, 12, 60_000, 'a');
      await settle();
      const log = flagged(waf);
      const withSignal = markers.filter((m) => (log.get(m) ?? []).includes('1061'));
      expect(withSignal).toEqual(markers.slice(10));
    });

    test('GIVEN that client flagged WHEN other clients send an auth request and an API request THEN neither is flagged', async () => {
      await burstInOneWindow(waf, 12, 60_000, 'b');
      const other = fresh();
      await send(waf.port, login('other-auth'), other);
      await send(waf.port, { name: 'api', why: 'not auth', category: 'rate', path: '/api/agents?n=other-api&id=1%27%20OR%20%271%27=%271' }, other);
      await settle();
      const log = flagged(waf);
      expect(log.get('other-auth') ?? []).not.toContain('1061');
      // The API request is audit-logged (refused by the SQLi rules): it is in the log, without 1061.
      expect(log.get('other-api')).toContain('1011');
      expect(log.get('other-api')).not.toContain('1061');
    });
  });

  describe('a per-second auth limit (5 r/s, burst 5): the count starts again in the next second', () => {
    let waf: Harness;
    beforeAll(async () => { waf = await startHarness(parseConfig({ edge: { rateLimits: { auth: { rate: 5, per: 'second', burst: 5 } } } }), await renderingOptions(rendering)); });
    afterAll(async () => { await waf?.stop(); });

    test('GIVEN a client flagged in one second WHEN it logs in again in a later second THEN it is not flagged (the count expired)', async () => {
      const from = fresh();
      let markers: string[] = [];
      for (let attempt = 0; attempt < 5 && markers.length === 0; attempt++) {
        const t0 = Date.now();
        const batch = Array.from({ length: 12 }, (_, i) => `s${attempt}-${i}`);
        for (const m of batch) await send(waf.port, login(m), from);
        if (Math.floor(t0 / 1000) === Math.floor(Date.now() / 1000)) markers = batch;
        else await new Promise((r) => setTimeout(r, 1100)); // let the split burst's counts expire before trying again
      }
      expect(markers).toHaveLength(12);
      await new Promise((r) => setTimeout(r, 1100));
      await send(waf.port, login('later'), from);
      await settle();
      const log = flagged(waf);
      expect(markers.filter((m) => (log.get(m) ?? []).includes('1061'))).toEqual(markers.slice(10));
      // 'later' is 200 (a new second, under the nginx limit) so it is not audit-logged unless a rule flagged it.
      expect(log.get('later') ?? []).not.toContain('1061');
    });
  });
});
