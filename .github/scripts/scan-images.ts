/**
 * The Trivy image matrix of `.github/workflows/security-scan.yml`, derived at run time from what this
 * repository deploys: every container image of the committed manifests in `dist/` and every service image
 * of `docker-compose.security.yml`. A new image in either is scanned without anyone editing the workflow.
 *
 * Run by the workflow's `images` job (and by the tests, the same command):
 *   node scripts/run.cjs .github/scripts/scan-images.ts >> "$GITHUB_OUTPUT"
 * which prints one line, `matrix={"include":[{"image":"…","slug":"…"},…]}`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

/** Where the deployed manifests are (relative to the project root). */
export const MANIFEST_DIR = 'dist';
/** The compose file of the standalone WAF (relative to the project root). */
export const COMPOSE_FILE = 'docker-compose.security.yml';

/** Keys whose value is a list of containers, wherever a pod spec is embedded (any kind, CRDs included). */
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

function collect(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (CONTAINER_LISTS.has(key) && Array.isArray(value)) {
      for (const c of value) {
        const image = (c as { image?: unknown } | null)?.image;
        if (typeof image === 'string' && image !== '') into.add(image);
      }
    }
    collect(value, into);
  }
}

/** Every container image of Kubernetes manifests (multi-document YAML texts), sorted and unique. */
export function imagesOfManifests(yamlTexts: readonly string[]): string[] {
  const images = new Set<string>();
  for (const text of yamlTexts) {
    for (const doc of YAML.parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`manifest YAML does not parse: ${doc.errors[0].message}`);
      collect(doc.toJS(), images);
    }
  }
  return [...images].sort();
}

/** Every service image of a compose file, sorted and unique. */
export function imagesOfCompose(yamlText: string): string[] {
  const compose = YAML.parse(yamlText) as { services?: Record<string, { image?: unknown }> } | null;
  const images = new Set<string>();
  for (const service of Object.values(compose?.services ?? {})) {
    if (typeof service?.image === 'string' && service.image !== '') images.add(service.image);
  }
  return [...images].sort();
}

/** The images this repository deploys: `dist/` manifests plus the compose file, when each exists. */
export function deployedImages(root: string): string[] {
  const dir = path.join(root, MANIFEST_DIR);
  const manifests = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    : [];
  const composePath = path.join(root, COMPOSE_FILE);
  const compose = fs.existsSync(composePath) ? imagesOfCompose(fs.readFileSync(composePath, 'utf8')) : [];
  return [...new Set([...imagesOfManifests(manifests), ...compose])].sort();
}

/** One matrix entry: the image, and a name safe for file names and SARIF categories. */
export interface ImageEntry {
  readonly image: string;
  readonly slug: string;
}

/** The GitHub Actions matrix (`include` form) for a list of images. */
export function matrixOf(images: readonly string[]): { include: ImageEntry[] } {
  return { include: images.map((image) => ({ image, slug: image.replace(/[^A-Za-z0-9._-]+/g, '-') })) };
}

function main(): number {
  const images = deployedImages(process.cwd());
  if (images.length === 0) {
    process.stderr.write(`scan-images: no container image found in ${MANIFEST_DIR}/ or ${COMPOSE_FILE}\n`);
    return 1;
  }
  process.stdout.write(`matrix=${JSON.stringify(matrixOf(images))}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
