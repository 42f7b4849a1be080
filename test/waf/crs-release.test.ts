/** The CRS release the project ships (crs/coreruleset-4.22.0, lib/waf/crs-release.ts): what crs/SOURCE.md says it is. */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectRoot } from '../../lib/validate/schema';
import { CRS_RELEASE, crsRuleFiles } from '../../lib/waf/crs-release';

const root = path.join(projectRoot(), CRS_RELEASE.dir);
const source = fs.readFileSync(path.join(projectRoot(), 'crs', 'SOURCE.md'), 'utf8');

/** Every file under a folder, as `./relative/path`, in byte order (what `find . -type f | sort` lists in the C locale). */
function filesUnder(dir: string, rel = '.'): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, `${rel}/${e.name}`) : [`${rel}/${e.name}`]))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** `find . -type f | sort | xargs sha256sum | sha256sum`, computed here. */
function folderDigest(dir: string): string {
  const lines = filesUnder(dir).map((f) => `${createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')}  ${f}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}

test('GIVEN crs/SOURCE.md THEN the folder digest it records is the folder\'s (no file was edited, added or removed)', () => {
  const recorded = /sha256sum` = `([0-9a-f]{64})`/.exec(source)?.[1];
  expect(recorded).toMatch(/^[0-9a-f]{64}$/);
  expect(folderDigest(root)).toBe(recorded);
});

test('GIVEN the control: one byte changed in a copy THEN the digest differs', () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'crs-copy-'));
  try {
    fs.cpSync(root, copy, { recursive: true });
    fs.appendFileSync(path.join(copy, 'rules', 'REQUEST-901-INITIALIZATION.conf'), '#');
    expect(folderDigest(copy)).not.toBe(folderDigest(root));
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

test('GIVEN the release THEN its version is the one SOURCE.md names and every rule file says it (ver:\'OWASP_CRS/4.22.0\')', () => {
  expect(source).toContain(`tag \`v${CRS_RELEASE.version}\``);
  const conf = [...crsRuleFiles()].filter(([f]) => /^(REQUEST|RESPONSE)-9\d\d-.*\.conf$/.test(f) && !/EXCLUSION-RULES/.test(f));
  expect(conf.length).toBeGreaterThan(20);
  expect(conf.filter(([, text]) => !text.includes(`ver:'OWASP_CRS/${CRS_RELEASE.version}'`)).map(([f]) => f)).toEqual([]);
});

test('GIVEN the rules folder THEN the engine reads its rule and data files only (the two exclusion templates are not loaded)', () => {
  const names = [...crsRuleFiles().keys()];
  // Control: the folder does hold the two templates, so the filter has something to leave out.
  expect(fs.readdirSync(path.join(root, CRS_RELEASE.rules)).filter((f) => f.endsWith('.conf.example'))).toHaveLength(2);
  expect(names.filter((f) => f.endsWith('.example'))).toEqual([]);
  expect(names).toContain('REQUEST-901-INITIALIZATION.conf');
  expect(names).toContain('unix-shell.data');
  expect(names).toEqual([...names].sort());
});
