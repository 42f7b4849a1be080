/**
 * `npm run test:crs`: the WAF suites (attack and benign corpus, rate limits, headers, audit records, the
 * brute-force counter, the scope of the CRS exclusions, encoded payloads) on an OWASP CRS release folder instead
 * of Debian's package: by default the CRS 4.22.0 the project ships (crs/coreruleset-4.22.0, what every target
 * runs), or `FACTORY_CRS=/path/to/coreruleset-X.Y.Z`, a release downloaded from the CRS project and unpacked.
 * It says whether that folder's rules are the shipped ones. CI runs it on the 4.22.0 release this team receives.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { CRS_RELEASE, crsReleaseProblem, crsRuleFiles } from '../lib/waf/crs-release';

const SUITES = ['test/waf/e2e.test.ts', 'test/waf/exclusions.test.ts', 'test/waf/rate-counter.test.ts', 'test/waf/encoded.test.ts', 'test/waf/nul-bytes.test.ts'];

function main(): number {
  const crs = process.env.FACTORY_CRS || CRS_RELEASE.dir;
  const problem = crsReleaseProblem(crs);
  if (problem) {
    process.stderr.write(`test:crs: FACTORY_CRS=${crs} is ${problem}\n`);
    return 2;
  }
  const shipped = crsRuleFiles();
  const tested = crsRuleFiles(path.resolve(crs));
  const differing = [...new Set([...shipped.keys(), ...tested.keys()])].filter((f) => shipped.get(f) !== tested.get(f));
  process.stdout.write(`test:crs: CRS folder ${crs}: ${differing.length === 0
    ? `its rules are the ones the project ships (${CRS_RELEASE.dir}, CRS ${CRS_RELEASE.version})`
    : `its rules differ from the ones the project ships (${CRS_RELEASE.dir}, CRS ${CRS_RELEASE.version}) in ${differing.length} file(s), e.g. ${differing[0]}`}\n`);
  const jest = path.join('node_modules', '.bin', 'jest');
  const r = spawnSync(jest, [...SUITES, '--runInBand'], { stdio: 'inherit', env: { ...process.env, FACTORY_CRS: path.resolve(crs) } });
  return r.status ?? 1;
}

process.exitCode = main();
