/**
 * `npm run waf:up` as a user (or a test harness) runs it: through npm, stopped by a signal sent to the npm
 * process. It must print the ready line, answer, then stop everything it started and free the port.
 */
import { type ChildProcess, spawn, spawnSync } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import { freePort, send } from './client';

const ROOT = path.resolve(__dirname, '../..');

function start(port: number, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn('npm', ['run', '--silent', 'waf:up', '--', '--port', String(port), ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line within 30 s: ${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes(`WAF ready on 127.0.0.1:${port}`)) { clearTimeout(timer); resolve(child); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`waf:up exited ${code}: ${out}`)); });
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

test.each(['SIGINT', 'SIGTERM'] as const)('GIVEN npm run waf:up WHEN npm receives %s THEN nginx stops and the port is free', async (signal) => {
  const port = await freePort();
  const child = await start(port);
  try {
    expect((await send(port, { name: 'ready', why: 'the stub upstream answers', category: 'benign', path: '/api/health' } as any)).status).toBe(200);
  } finally {
    // Signalled whatever the answer was, so a failed assertion never leaves waf:up running.
    child.kill(signal);
    await exited(child);
  }
  // nginx's master stops its workers and closes the listener right after.
  for (let i = 0; i < 40 && await listening(port); i++) await new Promise((r) => setTimeout(r, 100));
  expect(await listening(port)).toBe(false);
}, 60_000);

test('GIVEN npm run waf:up --rendering waf-tier THEN the WAF tier\'s files answer on the plain port and the TLS port is up', async () => {
  const [port, tlsPort] = [await freePort(), await freePort()];
  const child = await start(port, ['--tls-port', String(tlsPort), '--rendering', 'waf-tier']);
  try {
    expect((await send(port, { name: 'ready', why: 'the stub upstream answers', category: 'benign', path: '/api/health' } as any)).status).toBe(200);
    expect(await listening(tlsPort)).toBe(true);
  } finally {
    child.kill('SIGTERM');
    await exited(child);
  }
}, 60_000);

test('GIVEN --rendering waf-tier without --tls-port THEN usage error (exit 2) naming what is missing', () => {
  const r = spawnSync('npm', ['run', '--silent', 'waf:up', '--', '--port', '1', '--rendering', 'waf-tier'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--rendering waf-tier: the WAF tier listens with TLS; give --tls-port/);
});
