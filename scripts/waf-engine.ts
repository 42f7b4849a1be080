/**
 * `npm run waf:engine` (run by `pretest`): makes sure the WAF engine of the end-to-end tests is installed
 * (Debian/Ubuntu packages nginx, libnginx-mod-http-modsecurity, modsecurity-crs). As root with apt-get and
 * the packages missing, it installs them; otherwise it stops with the exact install command. Never skips.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { ENGINE_INSTALL_COMMAND, missingEngineFiles } from '../lib/waf/harness';
import { DEBIAN_PACKAGES } from '../lib/waf/targets';

function main(): number {
  if (missingEngineFiles().length === 0) return 0;
  const isRoot = process.getuid?.() === 0;
  const hasApt = fs.existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    process.stderr.write(`waf:engine: the WAF end-to-end tests need ${DEBIAN_PACKAGES.join(', ')} (missing: ${missingEngineFiles().join(', ')}).\n` +
      `${hasApt ? 'Not running as root, so not installing them.' : 'apt-get is not available (a Debian or Ubuntu machine is needed).'} Install them with:\n` +
      `  sudo sh -c '${ENGINE_INSTALL_COMMAND}'\n`);
    return 1;
  }
  process.stderr.write(`waf:engine: installing ${DEBIAN_PACKAGES.join(' ')} with apt-get\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...DEBIAN_PACKAGES]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      process.stderr.write(`waf:engine: apt-get ${args[0]} failed (exit ${r.status}); install by hand with:\n  ${ENGINE_INSTALL_COMMAND}\n`);
      return 1;
    }
  }
  const still = missingEngineFiles();
  if (still.length > 0) {
    process.stderr.write(`waf:engine: still missing after install: ${still.join(', ')}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
