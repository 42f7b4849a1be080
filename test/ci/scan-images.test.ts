/**
 * .github/scripts/scan-images.ts: the Trivy matrix is every image this repository deploys, so a new image
 * is scanned without anyone editing the workflow, and nothing in dist/ escapes the scan.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { deployedImages, imagesOfCompose, imagesOfManifests, matrixOf } from '../../.github/scripts/scan-images';
import { synthesize } from '../../main';
import { allContainers, podSpecs, synthAll } from '../support';
import { ROOT, jobs } from './support';

/** The dist/ manifests synth produces for the guide's config (the environment's FACTORY_CONFIG ignored). */
const distOutputs = [...synthesize({})].filter(([p]) => p.startsWith('dist/')).map(([, text]) => text);

/** The same images, found another way: the test helpers' pod specs of every chart. */
const imagesFromPodSpecs = [...new Set(podSpecs(synthAll()).flatMap(({ spec }) => allContainers(spec).map((c) => c.image)))].sort();

/** And a third way: every `image:` line of the YAML text, whatever object it is in. */
const imageLines = (text: string): string[] => [...text.matchAll(/^\s*(?:-\s+)?image:\s*["']?([^"'\s#]+)/gm)].map((m) => m[1]);

function tempRoot(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-images-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('Image Scanning: the Trivy matrix follows what dist/ deploys', () => {
  test('GIVEN the synthesized manifests THEN the matrix images equal the images of every pod spec', () => {
    expect(imagesFromPodSpecs.length).toBeGreaterThan(0);
    expect(imagesOfManifests(distOutputs)).toEqual(imagesFromPodSpecs);
  });

  test('GIVEN the committed dist/ THEN every image: line in it is in the matrix, and nothing else from dist/ is', () => {
    const dir = path.join(ROOT, 'dist');
    const lines = fs.readdirSync(dir).flatMap((f) => imageLines(fs.readFileSync(path.join(dir, f), 'utf8')));
    const compose = fs.existsSync(path.join(ROOT, 'docker-compose.security.yml'))
      ? imagesOfCompose(fs.readFileSync(path.join(ROOT, 'docker-compose.security.yml'), 'utf8')) : [];
    expect(deployedImages(ROOT)).toEqual([...new Set([...lines, ...compose])].sort());
  });

  test('GIVEN a new workload kind with a new image (a CronJob, a custom resource) THEN the matrix scans it', () => {
    const extra = YAML.stringify({
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: {
        initContainers: [{ name: 'init', image: 'busybox:1.36.1' }],
        containers: [{ name: 'backup', image: 'ghcr.io/factory-de-agentes/backup:2.0.0' }] } } } } },
    }) + '---\n' + YAML.stringify({
      apiVersion: 'example.io/v1', kind: 'Runner', metadata: { name: 'custom' },
      spec: { podTemplate: { spec: { containers: [{ name: 'r', image: 'example/runner:0.1.0' }] } } },
    });
    const images = imagesOfManifests([...distOutputs, extra]);
    expect(images).toEqual([...imagesFromPodSpecs, 'busybox:1.36.1', 'example/runner:0.1.0', 'ghcr.io/factory-de-agentes/backup:2.0.0'].sort());
  });

  test('GIVEN docker-compose.security.yml THEN the WAF service image is scanned too', () => {
    const root = tempRoot({
      'dist/0001-workloads.k8s.yaml': distOutputs.join('---\n'),
      'docker-compose.security.yml': 'services:\n  nginx-waf:\n    image: owasp/modsecurity-crs:4.8.0-nginx-202411071011\n    ports: ["443:443"]\n',
    });
    try {
      expect(deployedImages(root)).toEqual([...imagesFromPodSpecs, 'owasp/modsecurity-crs:4.8.0-nginx-202411071011'].sort());
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('each image appears once in the matrix, with a slug fit for a file name and a SARIF category', () => {
    const m = matrixOf(['ghcr.io/factory-de-agentes/factory:1.0.0', 'redis:7.4.2-alpine']);
    expect(m).toEqual({ include: [
      { image: 'ghcr.io/factory-de-agentes/factory:1.0.0', slug: 'ghcr.io-factory-de-agentes-factory-1.0.0' },
      { image: 'redis:7.4.2-alpine', slug: 'redis-7.4.2-alpine' },
    ] });
  });

  test('a manifest that does not parse is refused (no silent empty matrix)', () => {
    expect(() => imagesOfManifests(['kind: Deployment\nspec: [unclosed'])).toThrow(/does not parse/);
  });
});

describe('the images job step, run here as the workflow runs it', () => {
  test('GIVEN the committed repository WHEN the derive step runs THEN $GITHUB_OUTPUT holds the matrix of deployedImages()', () => {
    const step = jobs().images.steps.find((s) => s.id === 'derive')!;
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'factory-gh-output-')), 'output');
    fs.writeFileSync(out, '');
    try {
      execFileSync('bash', ['-e', '-c', step.run!], { cwd: ROOT, env: { ...process.env, GITHUB_OUTPUT: out }, stdio: 'pipe' });
      const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      const [key, json] = [lines[0].slice(0, lines[0].indexOf('=')), lines[0].slice(lines[0].indexOf('=') + 1)];
      expect(key).toBe('matrix');
      expect(JSON.parse(json)).toEqual(matrixOf(deployedImages(ROOT)));
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });
});
