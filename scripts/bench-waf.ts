/**
 * `npm run bench:waf [-- --seconds 5 --concurrency 8 --rounds 3 --crs <folder>]`: the WAF's cost on loopback, in one run
 * (same nginx, same stub upstream, one worker each): nginx alone; nginx + ModSecurity + the CRS alone, as its setup file
 * ships it (the baseline; Debian's CRS, or the release folder `--crs` names, e.g. crs/coreruleset-4.22.0, in every setup); the factory's CRS settings and exclusions without its rules; and the factory WAF (settings,
 * exclusions and its rules, CUSTOM_RULE_IDS). Each is driven with a keep-alive node client for a fixed time; it prints
 * requests/s, median/p95 latency and the nginx worker's CPU time per request (from /proc) for a GET with a query
 * and a POST with a 1 KB JSON body, and each factory setup's throughput and CPU cost as ratios of the CRS alone; then,
 * where valgrind is installed, the instructions each setup executes per request (deterministic, see instructionsPerRequest). The requests go to a path without limit_req (the
 * dashboard location), so nginx's rate limits do not cap the measurement.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { type FactoryConfig, defaultConfig } from '../lib/config';
import { type HarnessOptions, freePort, startHarness } from '../lib/waf/harness';
import { CUSTOM_RULE_IDS } from '../lib/waf/rules';

interface Shape { name: string; method: string; path: string; body?: string }
const SHAPES: Shape[] = [
  { name: 'GET with query', method: 'GET', path: '/dashboard/runs?tab=failed&page=2&q=weekly%20report' },
  {
    name: 'POST 1 KB JSON', method: 'POST', path: '/dashboard/notes',
    body: JSON.stringify({ title: 'Minutes', text: "We discussed the roadmap; Ana said we'd ship in May. ".repeat(19) }),
  },
];

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

/** The pids of a harness's nginx workers (the master's children), from /proc (Linux). */
function workerPids(pidFile: string): string[] {
  const master = fs.readFileSync(pidFile, 'utf8').trim();
  return fs.readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === master; // ppid
    } catch {
      return false;
    }
  });
}

/** CPU seconds (user + system) the nginx workers of a harness have used so far, from /proc (Linux). */
function workerCpuSeconds(pidFile: string): number {
  const ticksPerSecond = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const pid of workerPids(pidFile)) {
    let stat: string;
    try { stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return ticks / ticksPerSecond;
}

/**
 * On a machine of two CPUs or more, every setup's nginx workers on the last CPU and this process (the load) on the
 * first, with taskset: setups that the scheduler would place on different CPUs (a shared VM's CPUs run at different
 * speeds) then run on the same one, and the load never competes with them. Where taskset is missing, nothing is pinned.
 */
function pinCpus(pidFiles: string[]): string {
  const cpus = os.availableParallelism();
  if (cpus < 2) return 'not pinned (1 CPU)';
  const pin = (cpu: number, pid: string) => spawnSync('taskset', ['-a', '-pc', String(cpu), pid], { stdio: 'ignore' }).status === 0;
  const pinned = pin(0, String(process.pid)) && pidFiles.every((f) => workerPids(f).every((pid) => pin(cpus - 1, pid)));
  return pinned ? `nginx workers on CPU ${cpus - 1}, the load on CPU 0` : 'not pinned (no taskset)';
}

/** One request of a shape on a keep-alive agent: its status, or 0 when it failed or timed out. */
function send(port: number, shape: Shape, agent: http.Agent): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'User-Agent': 'factory-bench/1.0', Accept: 'application/json' };
    if (shape.body) { headers['Content-Type'] = 'application/json'; headers['Content-Length'] = String(Buffer.byteLength(shape.body)); }
    const req = http.request({ host: '127.0.0.1', port, method: shape.method, path: shape.path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    // A request that never ends counts as an error instead of stalling the run.
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    if (shape.body) req.write(shape.body);
    req.end();
  });
}

/** Requests counted by the instruction runs: the difference between a run of FEW and one of MANY. */
const FEW = 10;
const MANY = 30;

/**
 * Instructions nginx executes per request of a shape (one process, ModSecurity included), counted by
 * valgrind's cachegrind: two runs, of FEW and of MANY requests one after the other, and the difference divided by
 * MANY - FEW, so that the start, the configuration load and the shutdown cancel out. The same count on every run, within a
 * fraction of a percent:
 * what a busy shared machine does to the clock does not reach it.
 */
async function instructionsPerRequest(config: FactoryConfig, opts: HarnessOptions, shape: Shape): Promise<number> {
  const count = async (n: number): Promise<number> => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-cachegrind-'));
    try {
      const wrap = ['valgrind', '--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}/cg.out`];
      // Each run its own ports, which the system reports free (a random port can be one a client connection holds).
      const h = await startHarness(config, { ...opts, port: await freePort(), ...(opts.tlsPort === undefined ? {} : { tlsPort: await freePort() }), wrap });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < n; i++) {
          const status = await send(h.port, shape, agent);
          if (status !== 200) throw new Error(`${shape.name} answered ${status} under valgrind`);
        }
      } finally {
        agent.destroy();
        await h.stop();
      }
      return Number(/^summary: (\d+)$/m.exec(fs.readFileSync(path.join(out, 'cg.out'), 'utf8'))?.[1]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  };
  const [few, many] = await Promise.all([count(FEW), count(MANY)]);
  if (!Number.isFinite(many - few)) throw new Error('cachegrind wrote no instruction count');
  return (many - few) / (MANY - FEW);
}

async function drive(port: number, shape: Shape, seconds: number, concurrency: number, pidFile: string) {
  const cpuBefore = workerCpuSeconds(pidFile);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + seconds * 1000;
  const one = async () => {
    const t0 = process.hrtime.bigint();
    const status = await send(port, shape, agent);
    if (status === 200) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6); else errors++;
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (Date.now() < deadline) await one(); }));
  const elapsed = (Date.now() - started) / 1000;
  const cpu = workerCpuSeconds(pidFile) - cpuBefore;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { rps: latencies.length / elapsed, median: q(0.5), p95: q(0.95), errors, n: latencies.length, cpuMs: (cpu * 1000) / Math.max(1, latencies.length + errors) };
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 5);
  const concurrency = arg('concurrency', 8);
  const config = defaultConfig();
  const crsAt = process.argv.indexOf('--crs');
  const crs = crsAt >= 0 ? process.argv[crsAt + 1] : undefined;
  const rows: string[] = [];
  const BASELINE = 'nginx + ModSecurity + CRS alone (baseline)';
  const setups = [
    { name: 'nginx alone', opts: { modsecurity: false } },
    { name: BASELINE, opts: { crs, crsOnly: true } },
    { name: `factory CRS settings and exclusions, without ${CUSTOM_RULE_IDS}`, opts: { crs, factoryRules: false } },
    { name: `the factory WAF (settings, exclusions, ${CUSTOM_RULE_IDS})`, opts: { crs } },
    // The cluster's WAF tier: its ConfigMap files as synthesized (1 worker for its 1-CPU limit, the counter's line per request).
    { name: 'the WAF tier\'s files (edge.target waf-tier), relocated', opts: { crs, rendering: 'waf-tier' as const, tlsPort: await freePort() } },
  ];
  // Every setup runs at once (its own nginx), and the measurements alternate between them in rounds: a
  // machine that slows down for a while slows every setup alike, and the median of the rounds is reported.
  const rounds = arg('rounds', 3);
  const harnesses = [];
  for (const setup of setups) {
    const workers = 'rendering' in setup.opts ? {} : { workers: 1 };
    harnesses.push(await startHarness(config, { port: await freePort(), ...workers, ...setup.opts }));
  }
  const pinning = pinCpus(harnesses.map((h) => h.pidFile));
  const rps = new Map<string, number>();
  // nginx worker CPU per request: what the WAF costs, much less disturbed by a busy machine than throughput.
  const cpu = new Map<string, number>();
  try {
    const runs = new Map<string, { rps: number; median: number; p95: number; n: number; errors: number; cpuMs: number }[]>();
    for (let round = 0; round < rounds; round++) {
      for (const [i, setup] of setups.entries()) {
        for (const shape of SHAPES) {
          if (round === 0) await drive(harnesses[i].port, shape, 1, concurrency, harnesses[i].pidFile); // warm-up
          const key = `${setup.name}|${shape.name}`;
          runs.set(key, [...(runs.get(key) ?? []), await drive(harnesses[i].port, shape, seconds, concurrency, harnesses[i].pidFile)]);
        }
      }
    }
    for (const setup of setups) {
      for (const shape of SHAPES) {
        const all = runs.get(`${setup.name}|${shape.name}`)!.sort((a, b) => a.rps - b.rps);
        const r = all[Math.floor(all.length / 2)];
        const cpuMs = all.map((x) => x.cpuMs).sort((a, b) => a - b)[Math.floor(all.length / 2)];
        rps.set(`${setup.name}|${shape.name}`, r.rps);
        cpu.set(`${setup.name}|${shape.name}`, cpuMs);
        rows.push(`| ${setup.name} | ${shape.name} | ${r.rps.toFixed(0)} | ${r.median.toFixed(2)} | ${r.p95.toFixed(2)} | ${cpuMs.toFixed(2)} | ${r.n} | ${all.reduce((e, x) => e + x.errors, 0)} |`);
      }
    }
  } finally {
    for (const h of harnesses) await h.stop();
  }
  for (const setup of setups.slice(2)) {
    for (const shape of SHAPES) {
      const key = `${setup.name}|${shape.name}`;
      const ratio = rps.get(key)! / rps.get(`${BASELINE}|${shape.name}`)!;
      // The CPU ratio is written the same way round: the CRS alone's CPU per request over this setup's (1.00× = as cheap).
      const cpuRatio = cpu.get(`${BASELINE}|${shape.name}`)! / cpu.get(key)!;
      rows.push(`| ${setup.name} ÷ CRS alone | ${shape.name} | ${ratio.toFixed(2)}× | | | ${cpuRatio.toFixed(2)}× | | |`);
    }
  }
  process.stdout.write([
    `WAF benchmark (${crs === undefined ? 'Debian\'s CRS' : `the CRS of ${crs}`}): loopback, 1 nginx worker each, ${concurrency} keep-alive connections, median of ${arg('rounds', 3)} alternating rounds of ${seconds}s per row, ${pinning} (node ${process.version})`,
    '| setup | request | requests/s | median ms | p95 ms | worker CPU ms/request | requests | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n'));

  // Instructions per request: the cost without the clock (valgrind, where installed).
  if (spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status !== 0) {
    process.stdout.write('Instructions per request: not counted (valgrind is not installed: apt-get install valgrind)\n');
    return;
  }
  const instructions = new Map<string, number>();
  const counted = [];
  for (const setup of setups.slice(1)) {
    const workers = 'rendering' in setup.opts ? {} : { workers: 1 };
    for (const shape of SHAPES) {
      const n = await instructionsPerRequest(config, { port: 0, ...workers, ...setup.opts }, shape);
      instructions.set(`${setup.name}|${shape.name}`, n);
      counted.push(`| ${setup.name} | ${shape.name} | ${(n / 1e6).toFixed(3)} M | ${setup.name === BASELINE ? '' : `${((instructions.get(`${BASELINE}|${shape.name}`) ?? NaN) / n).toFixed(2)}×`} |`);
    }
  }
  process.stdout.write([
    `Instructions per request (valgrind cachegrind, nginx as one process, ModSecurity included; (${MANY} requests - ${FEW} requests) / ${MANY - FEW}), and the CRS alone's count over each setup's (1.00× = as cheap):`,
    '| setup | request | instructions/request | ÷ CRS alone |',
    '| --- | --- | ---: | ---: |',
    ...counted,
    '',
  ].join('\n'));
}

main().catch((e) => { process.stderr.write(`bench:waf failed: ${e instanceof Error ? e.message : e}\n`); process.exitCode = 1; });
