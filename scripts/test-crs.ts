/**
 * `FACTORY_CRS=/path/to/coreruleset-X.Y.Z npm run test:crs`: the WAF suites (attack and benign corpus, rate
 * limits, headers, audit records, the brute-force counter, the scope of the CRS exclusions, encoded payloads) on an OWASP CRS
 * release folder of your own instead of Debian's package: e.g. the CRS 4.22.0 that the ingress-nginx
 * controller bundles, downloaded from the CRS project's releases and unpacked. CI runs it on 4.22.0.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const SUITES = ['test/waf/e2e.test.ts', 'test/waf/exclusions.test.ts', 'test/waf/rate-counter.test.ts', 'test/waf/encoded.test.ts'];

function main(): number {
  const crs = process.env.FACTORY_CRS;
  if (!crs) {
    process.stderr.write('test:crs: set FACTORY_CRS to an OWASP CRS release folder (with rules/ and crs-setup.conf.example)\n');
    return 2;
  }
  if (!fs.existsSync(path.join(crs, 'rules')) || !fs.existsSync(path.join(crs, 'crs-setup.conf.example'))) {
    process.stderr.write(`test:crs: FACTORY_CRS=${crs} is not an OWASP CRS release folder (it needs rules/ and crs-setup.conf.example)\n`);
    return 2;
  }
  const jest = path.join('node_modules', '.bin', 'jest');
  const r = spawnSync(jest, [...SUITES, '--runInBand'], { stdio: 'inherit', env: { ...process.env, FACTORY_CRS: path.resolve(crs) } });
  return r.status ?? 1;
}

process.exitCode = main();
