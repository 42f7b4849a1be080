/**
 * The local WAF: the factory's rule model rendered for Debian's packages (nginx,
 * libnginx-mod-http-modsecurity, modsecurity-crs) and run on 127.0.0.1 in front of a stub upstream that
 * answers 200 to every request. Used by `npm run waf:up`, the end-to-end tests and the benchmark.
 *
 * Everything lives in a fresh temp folder (config, pid file, temp dirs, logs, the stub's unix socket);
 * `stop()` ends nginx and removes the folder, freeing the port.
 */
import { type ChildProcess, spawn, spawnSync } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { FactoryConfig } from '../config';
import { aptInstallCommand, escapeRegExp } from '../text';
import { CRS_RELEASE, crsReleaseProblem } from './crs-release';
import { type NginxTarget, renderNginx } from './nginx';
import { type ModSecurityTarget, renderModSecurity } from './seclang';
import { DEBIAN_PACKAGES, DEBIAN_PATHS, DEBIAN_TARGET, MTAIL } from './targets';
import { WAF_TIER_FILES, WAF_TIER_PATHS, WAF_TIER_PORTS, wafTierFiles, wafTierUpstream } from './waf-tier';
import { METRICS_LOG } from './metrics';

/** The exact command that installs the engine. */
export const ENGINE_INSTALL_COMMAND = aptInstallCommand(DEBIAN_PACKAGES);

/** The engine files the harness needs, and which are missing. */
export function missingEngineFiles(): string[] {
  return [DEBIAN_PATHS.nginx, DEBIAN_PATHS.module, DEBIAN_PATHS.baseConfig, DEBIAN_PATHS.crsSetup, `${DEBIAN_PATHS.crsRules}/REQUEST-901-INITIALIZATION.conf`]
    .filter((f) => !fs.existsSync(f));
}

/** Refuses to start without the engine, naming the install command. */
export function assertEngineInstalled(): void {
  const missing = missingEngineFiles();
  if (missing.length > 0) {
    throw new Error(`the WAF engine is not installed (missing ${missing.join(', ')}); install it with:\n  ${ENGINE_INSTALL_COMMAND}`);
  }
}

/** The stub's one other answer: 401 with a Set-Cookie, at this path. */
export const STUB_UNAUTHORIZED = { path: '/api/stub/unauthorized', setCookie: 'session=stub-set-cookie-value-5e1f; HttpOnly' } as const;

/** What the stub upstream answers (to every method and path). */
export const STUB_BODY = '{"ok":true}';

/**
 * The renderings the harness runs: its own (renderNginx and renderModSecurity on Debian's paths), or the WAF
 * tier's ConfigMap files as synthesized for the cluster (`relocateWafTier`).
 */
export const RENDERINGS = ['harness', 'waf-tier'] as const;
export type Rendering = (typeof RENDERINGS)[number];

export interface HarnessOptions {
  /** 127.0.0.1 port of the WAF. */
  readonly port: number;
  /** With ModSecurity (the WAF) or without (the benchmark's baseline). @default true */
  readonly modsecurity?: boolean;
  /** Also a TLS listener (self-signed certificate made with openssl) on this port. @default none */
  readonly tlsPort?: number;
  /** nginx worker processes. @default 1 */
  readonly workers?: number;
  /**
   * Load the factory's custom rules (CUSTOM_RULE_IDS). Off, the CRS (with the factory's settings and exclusions) judges
   * alone: how the tests see what one CRS rule does, since a custom rule that refuses first hides it. @default true
   */
  readonly factoryRules?: boolean;
  /**
   * An OWASP CRS release folder to load instead of Debian's `modsecurity-crs` (as released: `rules/` and
   * `crs-setup.conf.example`), e.g. the CRS 4.22.0 that the ingress-nginx controller bundles. @default Debian's CRS
   */
  readonly crs?: string;
  /**
   * ModSecurity with the CRS as its setup file ships it and nothing of the factory (no settings, exclusions or
   * custom rules): the baseline the benchmark compares the factory WAF with. @default false
   */
  readonly crsOnly?: boolean;
  /**
   * Which rendering runs: the harness's own (renderNginx and renderModSecurity on Debian's paths), or the WAF
   * tier's ConfigMap files exactly as synthesized for the cluster, with only their paths, listeners and
   * upstream moved onto this machine (`relocateWafTier`; a plain listener on `port` is added beside the TLS
   * one on `tlsPort`, which this rendering needs). @default 'harness'
   */
  readonly rendering?: Rendering;
  /**
   * With the waf-tier rendering: also run its request counter (Debian's mtail on the rendered program, fed by
   * nginx's syslog lines) with its /metrics on this 127.0.0.1 port. @default not run
   */
  readonly metricsPort?: number;
  /**
   * A command nginx runs under (the start of its command line), e.g. valgrind for the WAF benchmark's instruction
   * counts. nginx then runs as one process (`master_process off`), so that the tool sees all its work, and gets a
   * minute to start. @default none (nginx itself)
   */
  readonly wrap?: readonly string[];
}

export interface Harness {
  readonly port: number;
  readonly tlsPort?: number;
  /** The temp folder holding everything. */
  readonly dir: string;
  /** nginx's pid file (the master's pid). */
  readonly pidFile: string;
  /** ModSecurity's audit log (JSON, one transaction a line). */
  readonly auditLog: string;
  readonly errorLog: string;
  /** The rendered files. */
  readonly files: { nginxConf: string; modsecurityConf: string };
  /** 127.0.0.1 port of the request counter's /metrics (waf-tier rendering with `metricsPort`). */
  readonly metricsPort?: number;
  /** Stops nginx, waits for it to exit, removes the temp folder. */
  stop(): Promise<void>;
}

function nginxTest(prefix: string, conf: string, errorLog: string): void {
  const r = spawnSync(DEBIAN_PATHS.nginx, ['-t', '-q', '-p', prefix, '-c', conf, '-e', errorLog], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nginx -t refused ${conf}:\n${r.stderr}`);
}

/** A TCP port on 127.0.0.1 that the system reports free (it gave it to a listener that then closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Resolves when 127.0.0.1:port accepts a connection, or rejects after timeoutMs. */
async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with code ${child.exitCode} before accepting requests`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx did not accept requests on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The config with the audit log moved into the harness folder (nothing else changes). */
function withAuditLog(config: FactoryConfig, logPath: string): FactoryConfig {
  return { ...config, waf: { ...config.waf, audit: { ...config.waf.audit, logPath } } };
}

/** Makes a folder usable by nginx's workers (user nobody when nginx starts as root). */
function shareWithWorkers(p: string): void {
  if (process.getuid?.() !== 0) return;
  fs.chmodSync(p, fs.statSync(p).isDirectory() ? 0o755 : 0o644);
  const nobody = 65534;
  fs.chownSync(p, nobody, nobody);
}

function selfSignedCertificate(dir: string, host: string): { certificate: string; certificateKey: string } {
  const certificate = path.join(dir, 'tls.crt');
  const certificateKey = path.join(dir, 'tls.key');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '1', '-subj', `/CN=${host}`, '-keyout', certificateKey, '-out', certificate], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl could not make a self-signed certificate: ${r.stderr}`);
  return { certificate, certificateKey };
}

/** The stub upstream's server block (on a unix socket of the harness folder). */
function stubServer(dir: string): string {
  return [
    '# Stub upstream: answers 200 to every request (the platform is not needed to test the WAF).',
    'server {',
    `    listen unix:${dir}/stub.sock;`,
    '    modsecurity off;',
    '    location / {',
    '        default_type application/json;',
    `        return 200 '${STUB_BODY}';`,
    '    }',
    '    # A refused login, as the platform answers one: 401 with a session cookie (audit-redaction tests).',
    `    location = ${STUB_UNAUTHORIZED.path} {`,
    `        add_header Set-Cookie "${STUB_UNAUTHORIZED.setCookie}" always;`,
    '        return 401;',
    '    }',
    '}',
  ].join('\n');
}

/** The nginx target of the harness (also the benchmark's). */
function harnessNginxTarget(dir: string, opts: HarnessOptions, modsecurityConf?: string, tls?: { certificate: string; certificateKey: string }): NginxTarget {
  const stub = `unix:${dir}/stub.sock`;
  return {
    modulePath: DEBIAN_PATHS.module,
    modsecurityRulesFile: modsecurityConf,
    workerProcesses: opts.workers ?? 1,
    pidFile: path.join(dir, 'nginx.pid'),
    errorLog: path.join(dir, 'error.log'),
    tempDir: path.join(dir, 'temp'),
    httpListen: `127.0.0.1:${opts.port}`,
    tls: tls && opts.tlsPort ? { listen: `127.0.0.1:${opts.tlsPort}`, ...tls } : undefined,
    apiUpstream: `http://${stub}`,
    defaultUpstream: `http://${stub}`,
    serverName: '_',
    extraServers: [stubServer(dir)],
  };
}

/** Where the harness keeps what the WAF tier's pod has elsewhere. */
interface Relocation {
  readonly dir: string;
  readonly port: number;
  readonly tlsPort: number;
  readonly tlsDir: string;
  readonly crsSetup: string;
  readonly crsRules: string;
  readonly auditLog: string;
  readonly errorLog: string;
  /** Where nginx sends the request counter's lines (UDP `127.0.0.1:port`). */
  readonly metricsLog: string;
}

/**
 * The WAF tier's files (as synthesized into its ConfigMap) moved onto this machine: each path of the image or
 * the pod becomes its Debian or harness counterpart, the listeners bind 127.0.0.1 (plus a plain one for the test
 * client), the api upstream is the stub. Every directive, rule and setting is otherwise the cluster's, byte for
 * byte; a file that still names a pod path afterwards is refused.
 */
export function relocateWafTier(config: FactoryConfig, files: Record<string, string>, r: Relocation): Record<string, string> {
  const moves: [string, string][] = [
    [WAF_TIER_PATHS.configDir, r.dir],
    [WAF_TIER_PATHS.tlsDir, r.tlsDir],
    [WAF_TIER_PATHS.module, DEBIAN_PATHS.module],
    [WAF_TIER_PATHS.unicodeMapping, DEBIAN_PATHS.unicodeMapping],
    [WAF_TIER_PATHS.crsSetup, r.crsSetup],
    [WAF_TIER_PATHS.crsRules, r.crsRules],
    [`${WAF_TIER_PATHS.scratchDir}/`, `${r.dir}/scratch/`],
    [`SecAuditLog ${config.waf.audit.logPath}`, `SecAuditLog ${r.auditLog}`],
    ['/dev/stderr', r.errorLog],
    ['access_log /dev/stdout;', `access_log ${r.dir}/access.log;`],
    [`listen ${WAF_TIER_PORTS.https} ssl;`, `listen 127.0.0.1:${r.tlsPort} ssl;\n        listen 127.0.0.1:${r.port};`],
    [`listen ${WAF_TIER_PORTS.health};`, `listen unix:${r.dir}/health.sock;`],
    [wafTierUpstream(config), `http://unix:${r.dir}/stub.sock`],
    [`syslog:server=${METRICS_LOG.server},`, `syslog:server=${r.metricsLog},`],
  ];
  const to = new Map(moves);
  const anyOf = new RegExp([...to.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    // One pass: a replacement is never moved again (the harness folder may itself be under /tmp).
    let moved = text.replace(anyOf, (m) => to.get(m)!);
    if (name === WAF_TIER_FILES.nginx) moved = moved.replace(/\}\n$/, `${stubServer(r.dir).split('\n').map((l) => `    ${l}`).join('\n')}\n}\n`);
    // (The harness folder and the CRS folder may themselves be under /tmp: every replacement is set aside before looking.)
    const outside = [...to.values(), r.dir].sort((a, b) => b.length - a.length).reduce((t, placed) => t.split(placed).join(''), moved);
    const left = [WAF_TIER_PATHS.configDir, WAF_TIER_PATHS.tlsDir, '/opt/owasp-crs', '/etc/modsecurity.d', ` ${WAF_TIER_PATHS.scratchDir}/`].find((p) => outside.includes(p));
    if (left) throw new Error(`${name}: the WAF tier's path ${left} was not relocated`);
    out[name] = moved;
  }
  return out;
}

/** The CRS setup file and rules folder: Debian's, or a CRS release folder's (its setup file copied from the example). */
function crsFiles(dir: string, crs: string | undefined): { setup: string; rules: string } {
  if (crs === undefined) return { setup: DEBIAN_PATHS.crsSetup, rules: DEBIAN_PATHS.crsRules };
  const root = path.resolve(crs);
  const problem = crsReleaseProblem(root);
  if (problem) throw new Error(`${crs}: ${problem}`);
  const setup = path.join(dir, 'crs-setup.conf');
  fs.copyFileSync(path.join(root, CRS_RELEASE.setup), setup);
  return { setup, rules: path.join(root, CRS_RELEASE.rules) };
}

/** Debian's engine with that CRS. */
function crsTarget(files: { setup: string; rules: string }): ModSecurityTarget {
  return { baseIncludes: DEBIAN_TARGET.baseIncludes, crsSetupIncludes: [`Include ${files.setup}`], crsIncludes: [`Include ${files.rules}/*.conf`] };
}

/** The version of a CRS release folder (from its setup file), or of Debian's package. */
export function crsVersion(crs: string | undefined): string {
  const file = crs === undefined ? DEBIAN_PATHS.crsSetup : path.join(crs, CRS_RELEASE.setup);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return /OWASP (?:ModSecurity Core Rule Set|CRS) ver\.(\S+)/.exec(text)?.[1] ?? 'unknown';
}

/** The rule ids of a CRS release folder, or of Debian's package. */
export function crsRuleIds(crs: string | undefined): Set<number> {
  const dir = crs === undefined ? DEBIAN_PATHS.crsRules : path.join(crs, CRS_RELEASE.rules);
  const ids = new Set<number>();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.conf'))) {
    for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/\bid:(\d+)/g)) ids.add(Number(m[1]));
  }
  return ids;
}

/** Stops a process started by the harness (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A UDP port of 127.0.0.1 that is free now. */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.on('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Renders, checks (`nginx -t`) and starts the local WAF; resolves once it accepts requests. */
export async function startHarness(config: FactoryConfig, opts: HarnessOptions): Promise<Harness> {
  assertEngineInstalled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-waf-'));
  shareWithWorkers(dir);
  fs.mkdirSync(path.join(dir, 'temp'));
  shareWithWorkers(path.join(dir, 'temp'));
  const auditLog = path.join(dir, 'modsec_audit.log');
  const errorLog = path.join(dir, 'error.log');
  fs.writeFileSync(auditLog, '');
  shareWithWorkers(auditLog);
  const modsecurity = opts.modsecurity ?? true;
  const modsecurityConf = path.join(dir, 'modsecurity.conf');
  const nginxConf = path.join(dir, 'nginx.conf');
  const crs = crsFiles(dir, opts.crs);
  let counter: ChildProcess | undefined;
  const wafTier = (opts.rendering ?? 'harness') === 'waf-tier';
  if (wafTier) {
    if (opts.tlsPort === undefined || !modsecurity || opts.crsOnly || opts.factoryRules === false || opts.workers !== undefined) {
      throw new Error('the waf-tier rendering runs as synthesized: it needs tlsPort, and takes no modsecurity, crsOnly, factoryRules or workers option');
    }
    const tlsDir = path.join(dir, 'tls');
    fs.mkdirSync(tlsDir);
    const tls = selfSignedCertificate(tlsDir, config.host);
    // The workers read the certificate at each handshake (as the pod's nginx does).
    for (const f of [tlsDir, tls.certificate, tls.certificateKey]) shareWithWorkers(f);
    fs.mkdirSync(path.join(dir, 'scratch'));
    shareWithWorkers(path.join(dir, 'scratch'));
    const metricsLog = `127.0.0.1:${await freeUdpPort()}`;
    const relocated = relocateWafTier(config, wafTierFiles(config), {
      dir, port: opts.port, tlsPort: opts.tlsPort, tlsDir, crsSetup: crs.setup, crsRules: crs.rules, auditLog, errorLog, metricsLog,
    });
    if (opts.metricsPort !== undefined) {
      if (!fs.existsSync(MTAIL.binary)) throw new Error(`the request counter needs mtail (missing ${MTAIL.binary}); install it with:\n  ${aptInstallCommand([MTAIL.package])}`);
      counter = spawn(MTAIL.binary, ['--progs', dir, '--logs', `udp://${metricsLog}`, '--port', String(opts.metricsPort), '--address', '127.0.0.1', '--logtostderr'],
        { stdio: ['ignore', 'ignore', 'ignore'] });
    }
    for (const [name, text] of Object.entries(relocated)) fs.writeFileSync(path.join(dir, name), text);
  } else {
    const target = crsTarget(crs);
    if (modsecurity) {
      fs.writeFileSync(modsecurityConf, opts.crsOnly
        ? [...target.baseIncludes, 'SecRuleEngine On', 'SecRequestBodyAccess On', ...(target.crsSetupIncludes ?? []), ...target.crsIncludes, ''].join('\n')
        : renderModSecurity(withAuditLog(config, auditLog), target, { factoryRules: opts.factoryRules ?? true }));
    }
    const tls = opts.tlsPort ? selfSignedCertificate(dir, config.host) : undefined;
    fs.writeFileSync(nginxConf, renderNginx(config, harnessNginxTarget(dir, opts, modsecurity ? modsecurityConf : undefined, tls)));
  }
  let child: ChildProcess | undefined;
  const stop = async () => {
    for (const p of [counter, child]) if (p) await stopProcess(p);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    nginxTest(dir, nginxConf, errorLog);
    const [command, ...args] = [...(opts.wrap ?? []), DEBIAN_PATHS.nginx, '-p', dir, '-c', nginxConf, '-e', errorLog, '-g', opts.wrap ? 'daemon off; master_process off;' : 'daemon off;'];
    child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    await waitForPort(opts.port, child, opts.wrap ? 60000 : 15000).catch((e) => {
      throw new Error(`${e.message}\n${stderr}${fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : ''}`);
    });
    if (opts.tlsPort) await waitForPort(opts.tlsPort, child, 5000);
    if (counter && opts.metricsPort !== undefined) await waitForPort(opts.metricsPort, counter, 10000);
  } catch (e) {
    await stop();
    throw e;
  }
  const pidFile = path.join(dir, wafTier ? 'scratch' : '', 'nginx.pid');
  return { port: opts.port, tlsPort: opts.tlsPort, metricsPort: counter ? opts.metricsPort : undefined, dir, pidFile, auditLog, errorLog, files: { nginxConf, modsecurityConf }, stop };
}

/** Placeholder for the check's temp folder inside `inlineRules` (where `files` are written). */
export const CHECK_DIR = '__DIR__';

/**
 * `nginx -t` on a ModSecurity configuration rendered for another target, loaded as a controller loads it:
 * `modsecurityRules` inline in `modsecurity_rules '…'` (already escaped) or as a file, then extra rule files.
 * Returns nginx's verdict (throws with nginx's message when refused).
 */
export function checkModSecurityParses(parts: { inlineRules?: string; files?: Record<string, string>; rulesFiles?: string[] }): void {
  assertEngineInstalled();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-waf-check-'));
  try {
    for (const [name, content] of Object.entries(parts.files ?? {})) fs.writeFileSync(path.join(dir, name), content);
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(conf, [
      `load_module ${DEBIAN_PATHS.module};`,
      `pid ${dir}/nginx.pid;`,
      'events {}',
      'http {',
      '    modsecurity on;',
      ...(parts.inlineRules !== undefined ? [`    modsecurity_rules '\n      ${parts.inlineRules.split(CHECK_DIR).join(dir)}\n    ';`] : []),
      ...(parts.rulesFiles ?? []).map((f) => `    modsecurity_rules_file ${path.isAbsolute(f) ? f : path.join(dir, f)};`),
      '}',
      '',
    ].join('\n'));
    nginxTest(dir, conf, path.join(dir, 'error.log'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders a target's ModSecurity configuration and proves it parses in the real engine. */
export function checkTargetParses(config: FactoryConfig, target: ModSecurityTarget, after: string[] = []): void {
  checkModSecurityParses({
    files: { 'modsecurity.conf': renderModSecurity(config, target), 'after.conf': after.join('\n') + '\n' },
    rulesFiles: ['modsecurity.conf', ...(after.length ? ['after.conf'] : [])],
  });
}
