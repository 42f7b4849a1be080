import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { defaultConfig } from '../lib/config';
import { startHarness } from '../lib/waf/harness';
const SHAPES = [
  { name: 'GET', method: 'GET', path: '/dashboard/runs?tab=failed&page=2&q=weekly%20report' },
  { name: 'POST', method: 'POST', path: '/dashboard/notes', body: JSON.stringify({ title: 'Minutes', text: "We discussed the roadmap; Ana said we'd ship in May. ".repeat(19) }) },
];
const send = (port: number, s: any, agent: http.Agent) => new Promise<number>((resolve) => {
  const headers: Record<string, string> = { 'User-Agent': 'factory-bench/1.0', Accept: 'application/json' };
  if (s.body) { headers['Content-Type'] = 'application/json'; headers['Content-Length'] = String(Buffer.byteLength(s.body)); }
  const r = http.request({ host: '127.0.0.1', port, method: s.method, path: s.path, headers, agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
  r.on('error', () => resolve(0)); if (s.body) r.write(s.body); r.end();
});
async function count(opts: any, s: any, n: number) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'zzcg-'));
  const h = await startHarness(defaultConfig(), { port: 20000 + Math.floor(Math.random() * 40000), workers: 1, ...opts, wrap: ['valgrind', '--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}/cg.%p`] });
  if (process.env.EDIT) { /* edits apply only at start: not supported */ }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < n; i++) if ((await send(h.port, s, agent)) !== 200) throw new Error('status');
  agent.destroy(); await h.stop();
  const v = fs.readdirSync(out).reduce((a, f) => a + Number(/^summary: (\d+)$/m.exec(fs.readFileSync(path.join(out, f), 'utf8'))?.[1]), 0);
  fs.rmSync(out, { recursive: true, force: true }); return v;
}
(async () => {
  const opts = process.argv[2] === 'crs' ? { crsOnly: true } : {};
  for (const s of SHAPES) { const [a, b] = await Promise.all([count(opts, s, 10), count(opts, s, 30)]); console.log(process.argv[2] ?? 'full', s.name, ((b - a) / 20 / 1e6).toFixed(3)); }
})();
