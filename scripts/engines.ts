/**
 * `npm run test:engines` (run by `pretest`): makes sure the real engines of the tests are installed, from Debian/
 * Ubuntu packages: the WAF engine (nginx, libnginx-mod-http-modsecurity, modsecurity-crs), Prometheus's
 * `promtool` (prometheus) and mtail (the WAF tier's request counter). As root with apt-get and packages missing, it installs them; otherwise it stops
 * with the exact install command. Never skips.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { aptInstallCommand } from '../lib/text';
import { PROMTOOL_PACKAGES, missingPromtoolFiles } from '../lib/monitoring/promtool';
import { missingEngineFiles } from '../lib/waf/harness';
import { DEBIAN_PACKAGES, MTAIL } from '../lib/waf/targets';

/** Each engine: its packages and the files that say it is installed. */
const ENGINES = [
  { name: 'the WAF engine', packages: DEBIAN_PACKAGES, missing: missingEngineFiles },
  { name: 'promtool', packages: PROMTOOL_PACKAGES, missing: missingPromtoolFiles },
  { name: 'mtail (the WAF tier\'s request counter)', packages: [MTAIL.package], missing: () => (fs.existsSync(MTAIL.binary) ? [] : [MTAIL.binary]) },
];

function main(): number {
  const needed = ENGINES.filter((e) => e.missing().length > 0);
  if (needed.length === 0) return 0;
  const packages = needed.flatMap((e) => e.packages);
  const command = aptInstallCommand(packages);
  const isRoot = process.getuid?.() === 0;
  const hasApt = fs.existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    process.stderr.write(`engines: the tests need ${needed.map((e) => `${e.name} (missing: ${e.missing().join(', ')})`).join(' and ')}.\n` +
      `${hasApt ? 'Not running as root, so not installing them.' : 'apt-get is not available (a Debian or Ubuntu machine is needed).'} Install them with:\n` +
      `  sudo sh -c '${command}'\n`);
    return 1;
  }
  process.stderr.write(`engines: installing ${packages.join(' ')} with apt-get\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      process.stderr.write(`engines: apt-get ${args[0]} failed (exit ${r.status}); install by hand with:\n  ${command}\n`);
      return 1;
    }
  }
  const still = needed.flatMap((e) => e.missing());
  if (still.length > 0) {
    process.stderr.write(`engines: still missing after install: ${still.join(', ')}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
