/**
 * The OWASP CRS release the factory WAF runs on every target: 4.22.0, the release the ingress-nginx v1.15.1
 * controller bundles, kept in the repository (`crs/coreruleset-4.22.0/`, see `crs/SOURCE.md`) so that the
 * Compose service and the WAF tier load exactly the rules the e2e suite proves (`npm run test:crs`), not the
 * CRS their image happens to ship. The owasp/modsecurity-crs images are only published with build-minute tags
 * (`<crs>-nginx-YYYYMMDDHHMM`) or LTS tags (`<crs>-nginx-lts`), and none names 4.22: the image's own README
 * documents this way of running another CRS version (a folder mounted over /opt/owasp-crs/rules).
 */
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../validate/schema';

/** The release: its version and its folder, relative to the project root. */
export const CRS_RELEASE = {
  version: '4.22.0',
  dir: 'crs/coreruleset-4.22.0',
  /** The setup file as released (the engine reads it as crs-setup.conf). */
  setup: 'crs-setup.conf.example',
  rules: 'rules',
} as const;

/** The shipped release's folder, absolute. */
function shippedRelease(): string {
  return path.join(projectRoot(), CRS_RELEASE.dir);
}

/** Why a folder is not an OWASP CRS release folder (it needs the setup example and rules/), or undefined. */
export function crsReleaseProblem(dir: string): string | undefined {
  const missing = [CRS_RELEASE.setup, `${CRS_RELEASE.rules}/`].filter((f) => !fs.existsSync(path.join(dir, f)));
  return missing.length === 0 ? undefined : `not an OWASP CRS release folder (it needs ${CRS_RELEASE.setup} and ${CRS_RELEASE.rules}/; missing ${missing.join(', ')})`;
}

/** `crs/coreruleset-4.22.0/<file>` from the project root. */
export function crsReleasePath(file: string): string {
  return `${CRS_RELEASE.dir}/${file}`;
}

/**
 * The files the engine reads from the rules folder, by name in name order (the order `Include rules/*.conf`
 * loads them): the rule files and the data files they read (`@pmFromFile`), not the two `*.conf.example`
 * exclusion templates.
 */
export function crsRuleFiles(release = shippedRelease()): Map<string, string> {
  const dir = path.join(release, CRS_RELEASE.rules);
  const names = fs.readdirSync(dir).filter((f) => /\.(conf|data)$/.test(f)).sort();
  return new Map(names.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** The release's setup file (`crs-setup.conf.example`). */
export function crsSetupFile(release = shippedRelease()): string {
  return fs.readFileSync(path.join(release, CRS_RELEASE.setup), 'utf8');
}
