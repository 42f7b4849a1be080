/**
 * The Pod Security checker agrees with every upstream fixture of pod-security-admission, copied into
 * fixtures/pod-security-admission (baseline and restricted, v1.27 and v1.37; see its SOURCE.md): every
 * pass/ manifest is admitted, every fail/ manifest is refused, at its level and version. Each is read by
 * the parser `npm run validate` uses (YAML 1.1, as kubectl reads it).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseManifests } from '../../lib/validate';
import { checkPodSecurity, parsePolicyVersion, type Level } from '../../lib/validate/pod-security';

const FIXTURES = path.join(__dirname, 'fixtures', 'pod-security-admission');

function cases(outcome: 'pass' | 'fail'): [string, Level, string, any][] {
  const out: [string, Level, string, any][] = [];
  for (const level of ['baseline', 'restricted'] as Level[]) {
    for (const version of fs.readdirSync(path.join(FIXTURES, level)).sort()) {
      const dir = path.join(FIXTURES, level, version, outcome);
      for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
        const name = `${level}/${version}/${outcome}/${file}`;
        const docs = parseManifests([[name, fs.readFileSync(path.join(dir, file), 'utf8')]]);
        if (docs.length !== 1) throw new Error(`${name}: expected one manifest, found ${docs.length}`);
        out.push([name, level, version, docs[0].object]);
      }
    }
  }
  return out;
}

const passCases = cases('pass');
const failCases = cases('fail');

describe('Pod Security Standards: upstream pod-security-admission fixtures', () => {
  it('GIVEN the upstream fixtures THEN both levels and both versions (v1.27, v1.37) are covered', () => {
    const seen = new Set([...passCases, ...failCases].map(([name]) => name.split('/').slice(0, 3).join('/')));
    expect([...seen].sort()).toEqual([
      'baseline/v1.27/fail', 'baseline/v1.27/pass', 'baseline/v1.37/fail', 'baseline/v1.37/pass',
      'restricted/v1.27/fail', 'restricted/v1.27/pass', 'restricted/v1.37/fail', 'restricted/v1.37/pass',
    ]);
  });

  it('GIVEN the upstream fixtures THEN all 274 are read: 66 to admit, 208 to refuse (as SOURCE.md counts them)', () => {
    expect([passCases.length, failCases.length]).toEqual([66, 208]);
  });

  it.each(passCases)('GIVEN %s WHEN checked at its level and version THEN it is admitted', (_name, level, version, pod) => {
    expect(checkPodSecurity(pod, level, parsePolicyVersion(version)!)).toEqual([]);
  });

  it.each(failCases)('GIVEN %s WHEN checked at its level and version THEN it is refused', (_name, level, version, pod) => {
    expect(checkPodSecurity(pod, level, parsePolicyVersion(version)!).length).toBeGreaterThan(0);
  });
});
