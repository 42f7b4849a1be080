/**
 * The WAF tier's request counter end to end (lib/waf/metrics.ts): the ConfigMap's nginx.conf and mtail program
 * as synthesized (the harness's waf-tier rendering), nginx sending one syslog line per request, Debian's mtail
 * counting them. What the four alerts read on that target: `factory_waf_requests_total{route, status}`.
 */
import * as http from 'http';
import { defaultConfig } from '../../lib/config';
import { type Harness, STUB_UNAUTHORIZED, startHarness } from '../../lib/waf/harness';
import { ROUTES, WAF_REQUESTS_METRIC } from '../../lib/waf/metrics';
import { freePort, renderingOptions, send, sourceAddress } from './client';

const config = defaultConfig();
let waf: Harness;
beforeAll(async () => { waf = await startHarness(config, { ...(await renderingOptions('waf-tier')), metricsPort: await freePort() }); });
afterAll(async () => { await waf?.stop(); });

/** The counter's series as `route/status → value`, from mtail's /metrics. */
function scrape(): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: waf.metricsPort, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        const out: Record<string, number> = {};
        for (const m of body.matchAll(new RegExp(`^${WAF_REQUESTS_METRIC}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
          const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
          out[`${labels.route}/${labels.status}`] = Number(m[2]);
        }
        resolve(out);
      });
    }).on('error', reject);
  });
}

/** Waits until the counter holds `total` requests (mtail counts a line once it arrives, after the response). */
async function settled(total: number): Promise<Record<string, number>> {
  let last: Record<string, number> = {};
  for (let i = 0; i < 50; i++) {
    last = await scrape();
    if (Object.values(last).reduce((a, b) => a + b, 0) >= total) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

test('GIVEN requests of every route and outcome WHEN the counter is scraped THEN it holds each one under its route and status, and nothing else', async () => {
  const get = (path: string, from = sourceAddress(900)) => send(waf.port, { name: path, why: 'counter', category: 'metrics', path }, from);
  // api: three answered, one refused by the WAF, one refused by the platform (401)
  for (let i = 0; i < 3; i++) expect((await get('/api/agents')).status).toBe(200);
  expect((await get("/api/agents?id=1'%20OR%20'1'='1")).status).toBe(403);
  expect((await get(STUB_UNAUTHORIZED.path)).status).toBe(401);
  // default: a path no Ingress names
  expect((await get('/favicon.ico')).status).toBe(200);
  // auth: 7 logins from one client (burst 5: 6 pass, the 7th gets the rate limit's status), one refused attack
  const client = sourceAddress(901);
  const logins: number[] = [];
  for (let i = 0; i < 7; i++) logins.push((await send(waf.port, { name: 'login', why: 'counter', category: 'metrics', method: 'POST', path: '/api/auth/login' }, client)).status);
  expect(logins).toEqual([200, 200, 200, 200, 200, 200, config.edge.rateLimits.statusCode]);
  expect((await get("/api/auth/login?user=admin'--", sourceAddress(902))).status).toBe(403);

  expect(await settled(14)).toEqual({
    [`${ROUTES.api}/200`]: 3, [`${ROUTES.api}/403`]: 1, [`${ROUTES.api}/401`]: 1,
    [`${ROUTES.default}/200`]: 1,
    [`${ROUTES.auth}/200`]: 6, [`${ROUTES.auth}/${config.edge.rateLimits.statusCode}`]: 1, [`${ROUTES.auth}/403`]: 1,
  });
});
