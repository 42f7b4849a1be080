/**
 * `npm run waf:up -- --port <p> [--tls-port <q>] [--crs <folder>] [--rendering harness|waf-tier]`: the factory WAF
 * (nginx + ModSecurity + OWASP CRS from Debian's packages, or the CRS release folder given, rendered from the
 * same config and rule model as nginx/ and the cluster) on 127.0.0.1:<p>, in front of a stub upstream
 * answering 200. `--rendering waf-tier` runs the WAF tier's ConfigMap files as synthesized (relocated; it
 * needs --tls-port). Runs until SIGINT or SIGTERM.
 */
import { ConfigError, loadConfig } from '../lib/config';
import { RENDERINGS, type Rendering, startHarness } from '../lib/waf/harness';

function parsePort(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!value || !Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${flag}: expected a port from 1 to 65535, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  return n;
}

class UsageError extends Error {}

interface Args { port: number; tlsPort?: number; crs?: string; rendering: Rendering }

function parseArgs(argv: string[]): Args {
  let port: number | undefined;
  let tlsPort: number | undefined;
  let crs: string | undefined;
  let rendering: Args['rendering'] = 'harness';
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (flag === '--port') port = parsePort(flag, value);
    else if (flag === '--tls-port') tlsPort = parsePort(flag, value);
    else if (flag === '--crs') {
      if (!value) throw new UsageError('--crs: expected an OWASP CRS release folder');
      crs = value;
    } else if (flag === '--rendering') {
      const known = RENDERINGS.find((r) => r === value);
      if (!known) throw new UsageError(`--rendering: expected ${RENDERINGS.join(' or ')}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
      rendering = known;
    }
    else throw new UsageError(`unknown argument ${JSON.stringify(argv[i])}`);
  }
  if (port === undefined) throw new UsageError('--port is required');
  if (rendering === 'waf-tier' && tlsPort === undefined) throw new UsageError('--rendering waf-tier: the WAF tier listens with TLS; give --tls-port');
  return { port, tlsPort, crs, rendering };
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`waf:up: ${e.message}\nusage: npm run waf:up -- --port <port> [--tls-port <port>] [--crs <CRS release folder>] [--rendering harness|waf-tier]\n`);
      return 2;
    }
    throw e;
  }
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`waf:up refused: ${e.message}\n`); return 1; }
    throw e;
  }
  const harness = await startHarness(config, { port: args.port, tlsPort: args.tlsPort, crs: args.crs, rendering: args.rendering });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`waf:up: ${signal}, stopping\n`);
    harness.stop().then(() => process.exit(0), (e) => { process.stderr.write(`${e}\n`); process.exit(1); });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // `npm run` may end on a signal without passing it on (its `sh -c` does not forward it): when the
  // parent goes away (this process is re-parented), stop as for a signal, so nginx never outlives it.
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) stop('parent process exited'); }, 250).unref();
  process.stdout.write(`WAF ready on 127.0.0.1:${harness.port}\n`);
  if (harness.tlsPort) process.stdout.write(`WAF (TLS, self-signed) ready on 127.0.0.1:${harness.tlsPort}\n`);
  process.stderr.write(`waf:up: audit log ${harness.auditLog}, error log ${harness.errorLog}\n`);
  return new Promise<number>(() => { /* runs until a signal */ });
}

main().then((code) => { process.exitCode = code; }, (e) => { process.stderr.write(`waf:up failed: ${e instanceof Error ? e.message : e}\n`); process.exitCode = 1; });
