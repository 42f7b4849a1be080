/**
 * .github/workflows/security-scan.yml: the guide's "CI/CD Security Scanning" section. GitHub Actions cannot
 * run here, so these tests read the workflow and assert every trigger, scanner, setting and permission.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseConfig } from '../../lib/config';
import { synthesize, synthesizeConfig } from '../../main';
import { CONTROLLER_TARGET } from '../support';
import { type Job, ROOT, type Step, allSteps, jobs, jobsUsing, stepUsing, stepsRunning, workflow, workflowText } from './support';

const TRIVY = 'aquasecurity/trivy-action';
const SNYK = 'snyk/actions/node';
const GITLEAKS = 'gitleaks/gitleaks-action';
const UPLOAD_SARIF = 'github/codeql-action/upload-sarif';
const CHECKOUT = 'actions/checkout';

const wf = workflow();
const J = jobs();

/** The job that has a step using `action`; fails unless exactly one. */
function onlyJobUsing(action: string, where: (step: Step) => boolean = () => true): Job {
  const found = jobsUsing(action).filter(([, j]) => j.steps.some((s) => s.uses?.startsWith(`${action}@`) && where(s)));
  if (found.length !== 1) throw new Error(`expected one job using ${action}, found ${found.length}`);
  return found[0][1];
}

const trivyImageJob = onlyJobUsing(TRIVY, (s) => (s.with?.['scan-type'] ?? 'image') === 'image');
const trivyImage = stepUsing(trivyImageJob, TRIVY);
const trivyConfigJob = onlyJobUsing(TRIVY, (s) => s.with?.['scan-type'] === 'config');
const trivyConfig = stepUsing(trivyConfigJob, TRIVY);
const snykJob = onlyJobUsing(SNYK);
const snyk = stepUsing(snykJob, SNYK);
const gitleaksJob = onlyJobUsing(GITLEAKS);
const gitleaks = stepUsing(gitleaksJob, GITLEAKS);
const semgrepSteps = allSteps().filter(({ step }) => /\bsemgrep ci\b/.test(step.run ?? ''));

describe('Scheduled Scans: the workflow triggers', () => {
  test('GIVEN a push WHEN its branch is main or develop THEN the scans run (no other branch, no path filter)', () => {
    expect(wf.on.push).toEqual({ branches: ['main', 'develop'] });
  });

  test('GIVEN any pull request THEN the scans run (no branch or path filter)', () => {
    expect('pull_request' in wf.on).toBe(true);
    expect(wf.on.pull_request ?? {}).toEqual({});
  });

  test('GIVEN the schedule THEN the scans run daily at 2 AM UTC (cron 0 2 * * *)', () => {
    expect(wf.on.schedule).toEqual([{ cron: '0 2 * * *' }]);
  });

  test('GIVEN a manual run THEN ignore-unfixed is a boolean input, false unless chosen', () => {
    const input = wf.on.workflow_dispatch.inputs['ignore-unfixed'];
    expect(input.type).toBe('boolean');
    expect(input.default).toBe(false);
  });
});

describe('Trivy - Container Vulnerability Scanner: every image dist/ deploys', () => {
  test('the image scan reads the image from the matrix entry', () => {
    expect(trivyImage.with?.['image-ref']).toBe('${{ matrix.image }}');
  });

  test("format: 'sarif'", () => {
    expect(trivyImage.with?.format).toBe('sarif');
  });

  test("severity: 'CRITICAL,HIGH'", () => {
    expect(trivyImage.with?.severity).toBe('CRITICAL,HIGH');
  });

  test("exit-code: '1' (a string, as the guide writes it): findings fail the job", () => {
    expect(trivyImage.with?.['exit-code']).toBe('1');
  });

  test('ignore-unfixed comes from the workflow input (false on push, pull request and schedule)', () => {
    expect(trivyImage.with?.['ignore-unfixed']).toBe('${{ inputs.ignore-unfixed == true }}');
  });

  test('the matrix is derived at run time from the images job, which runs .github/scripts/scan-images.ts', () => {
    expect(trivyImageJob.strategy?.matrix).toBe('${{ fromJSON(needs.images.outputs.matrix) }}');
    expect([trivyImageJob.needs].flat()).toContain('images');
    const images = J.images;
    expect(images.outputs?.matrix).toBe('${{ steps.derive.outputs.matrix }}');
    const derive = images.steps.find((s) => s.id === 'derive');
    expect(derive?.run).toBe('node scripts/run.cjs .github/scripts/scan-images.ts >> "$GITHUB_OUTPUT"');
  });

  test('one vulnerable image does not cancel the scans of the others (fail-fast: false)', () => {
    expect(trivyImageJob.strategy?.['fail-fast']).toBe(false);
  });

  test('the platform image is pulled from ghcr.io with the job token (packages: read)', () => {
    expect(trivyImage.env).toEqual({ TRIVY_USERNAME: '${{ github.actor }}', TRIVY_PASSWORD: '${{ secrets.GITHUB_TOKEN }}' });
    expect(trivyImageJob.permissions?.packages).toBe('read');
  });
});

describe('Trivy config (misconfiguration) scan of dist/', () => {
  test('scan-type config on the dist directory', () => {
    expect(trivyConfig.with?.['scan-type']).toBe('config');
    expect(trivyConfig.with?.['scan-ref']).toBe('dist');
  });

  test("format sarif, severity 'CRITICAL,HIGH', exit-code '1'", () => {
    expect(trivyConfig.with).toMatchObject({ format: 'sarif', severity: 'CRITICAL,HIGH', 'exit-code': '1' });
  });

  test('both Trivy scans pin the Trivy binary to the same exact version', () => {
    expect(trivyImage.with?.version).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(trivyConfig.with?.version).toBe(trivyImage.with?.version);
  });
});

describe('Snyk - Dependency Vulnerability Scanner (this repository: npm)', () => {
  test('uses the node flavour of the Snyk action (the guide scans Python; this project is npm)', () => {
    expect(snyk.uses).toMatch(/^snyk\/actions\/node@/);
  });

  test('SNYK_TOKEN comes from the repository secrets', () => {
    expect(snyk.env?.SNYK_TOKEN).toBe('${{ secrets.SNYK_TOKEN }}');
  });

  test('args: --severity-threshold=high', () => {
    expect(String(snyk.with?.args).split(/\s+/)).toContain('--severity-threshold=high');
  });
});

describe('Gitleaks - Secret Scanner', () => {
  test('GITHUB_TOKEN is the job token from secrets', () => {
    expect(gitleaks.env?.GITHUB_TOKEN).toBe('${{ secrets.GITHUB_TOKEN }}');
  });

  test('GITLEAKS_LICENSE (optional) comes from the repository secrets', () => {
    expect(gitleaks.env?.GITLEAKS_LICENSE).toBe('${{ secrets.GITLEAKS_LICENSE }}');
  });

  test('the checkout fetches the whole history (fetch-depth: 0)', () => {
    expect(stepUsing(gitleaksJob, CHECKOUT).with?.['fetch-depth']).toBe(0);
  });

  test('no pull-request comments, so no pull-request write permission', () => {
    expect(gitleaks.env?.GITLEAKS_ENABLE_COMMENTS).toBe(false);
    expect(gitleaksJob.permissions?.['pull-requests']).toBe('read');
  });
});

describe('Semgrep - Static Application Security Testing (SAST)', () => {
  test('every Semgrep run is the guide\'s command: semgrep ci --sarif --output=semgrep-results.sarif', () => {
    expect(semgrepSteps.length).toBeGreaterThan(0);
    for (const { step } of semgrepSteps) expect(step.run).toBe('semgrep ci --sarif --output=semgrep-results.sarif');
  });

  test('SEMGREP_APP_TOKEN is optional: with it the platform policy runs, without it public rulesets do', () => {
    const withToken = semgrepSteps.filter(({ step }) => step.env?.SEMGREP_APP_TOKEN === '${{ secrets.SEMGREP_APP_TOKEN }}');
    const withoutToken = semgrepSteps.filter(({ step }) => typeof step.env?.SEMGREP_RULES === 'string');
    expect(withToken).toHaveLength(1);
    expect(withoutToken).toHaveLength(1);
    expect(withToken[0].step.if).toBe("steps.token.outputs.configured == 'true'");
    expect(withoutToken[0].step.if).toBe("steps.token.outputs.configured != 'true'");
    // The two exclude each other (Semgrep refuses SEMGREP_RULES with a token).
    expect(withoutToken[0].step.env?.SEMGREP_APP_TOKEN).toBeUndefined();
  });

  test('runs in the Semgrep image pinned to a version and a digest', () => {
    const job = J[semgrepSteps[0].job];
    const image = typeof job.container === 'string' ? job.container : job.container?.image;
    expect(image).toMatch(/^semgrep\/semgrep:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
  });
});

/** The SARIF file each scanner job writes, read from the scanner's own settings in the workflow. */
function sarifProduced(jobId: string): string {
  const job = J[jobId];
  for (const s of job.steps) {
    if (s.uses?.startsWith(`${TRIVY}@`)) return String(s.with?.output);
    if (s.uses?.startsWith(`${SNYK}@`)) return /--sarif-file-output=(\S+)/.exec(String(s.with?.args))?.[1] ?? '';
    // gitleaks-action always writes its report to results.sarif in the workspace.
    if (s.uses?.startsWith(`${GITLEAKS}@`)) return 'results.sarif';
    const semgrep = /\bsemgrep ci\b.*--output=(\S+)/.exec(s.run ?? '');
    if (semgrep) return semgrep[1];
  }
  throw new Error(`job ${jobId} runs no scanner`);
}

const SCANNER_JOBS = Object.keys(J).filter((id) =>
  J[id].steps.some((s) => [TRIVY, SNYK, GITLEAKS].some((a) => s.uses?.startsWith(`${a}@`)) || /\bsemgrep ci\b/.test(s.run ?? '')));

describe('Viewing Results: every SARIF file is uploaded to the Security tab', () => {
  test('the scanner jobs are Trivy (image and config), Snyk, Gitleaks and Semgrep', () => {
    expect(SCANNER_JOBS.sort()).toEqual([jobsUsing(GITLEAKS)[0][0], semgrepSteps[0].job, jobsUsing(SNYK)[0][0],
      ...jobsUsing(TRIVY).map(([id]) => id)].sort());
    expect(SCANNER_JOBS).toHaveLength(5);
  });

  test.each(SCANNER_JOBS)('%s uploads the SARIF file it writes with upload-sarif, after the scan', (id) => {
    const job = J[id];
    const upload = stepUsing(job, UPLOAD_SARIF);
    expect(upload.with?.sarif_file).toBe(sarifProduced(id));
    const scanIndex = job.steps.findIndex((s) => [TRIVY, SNYK, GITLEAKS].some((a) => s.uses?.startsWith(`${a}@`)) || /\bsemgrep ci\b/.test(s.run ?? ''));
    expect(job.steps.indexOf(upload)).toBeGreaterThan(scanIndex);
  });

  test.each(SCANNER_JOBS)('%s uploads even when the scanner fails on findings (if: always())', (id) => {
    expect(stepUsing(J[id], UPLOAD_SARIF).if).toMatch(/^always\(\)( && hashFiles\(.+\) != '')?$/);
  });

  test('every upload has its own category, so one scanner does not replace another\'s alerts', () => {
    const categories = SCANNER_JOBS.map((id) => stepUsing(J[id], UPLOAD_SARIF).with?.category);
    expect(new Set(categories).size).toBe(SCANNER_JOBS.length);
    expect(stepUsing(trivyImageJob, UPLOAD_SARIF).with?.category).toContain('${{ matrix.slug }}');
  });
});

describe('least-privilege permissions', () => {
  test('the workflow default is contents: read only', () => {
    expect(wf.permissions).toEqual({ contents: 'read' });
  });

  test('every job declares its own permissions', () => {
    for (const [id, job] of Object.entries(J)) expect([id, typeof job.permissions]).toEqual([id, 'object']);
  });

  test('security-events: write exactly in the jobs that upload SARIF', () => {
    const writers = Object.keys(J).filter((id) => J[id].permissions?.['security-events'] === 'write').sort();
    const uploaders = jobsUsing(UPLOAD_SARIF).map(([id]) => id).sort();
    expect(writers).toEqual(uploaders);
  });

  test('no job may write anything but security events', () => {
    for (const [id, job] of Object.entries(J)) {
      const writes = Object.entries(job.permissions ?? {}).filter(([scope, level]) => level === 'write' && scope !== 'security-events');
      expect([id, writes]).toEqual([id, []]);
    }
  });

  test('no checkout leaves the job token in .git/config (persist-credentials: false)', () => {
    const checkouts = allSteps().filter(({ step }) => step.uses?.startsWith(`${CHECKOUT}@`));
    expect(checkouts.length).toBe(Object.keys(J).length);
    for (const { job, step } of checkouts) expect([job, step.with?.['persist-credentials']]).toEqual([job, false]);
  });
});

describe('synth job: generated files are reproducible and committed', () => {
  const synth = J.synth;
  const runs = synth.steps.map((s) => s.run ?? '');
  const at = (cmd: string) => runs.findIndex((r) => r.split('\n').some((line) => line.trim() === cmd));

  test('runs npm ci, npm run synth, npm run vault:synth, npm test, in this order', () => {
    const order = ['npm ci', 'npm run synth', 'npm run vault:synth', 'npm test'].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  const gate = () => {
    const steps = stepsRunning(synth, 'git diff --exit-code');
    expect(steps).toHaveLength(1);
    return steps[0];
  };
  /** The pathspec after `--` of the command in the gate step that starts with `prefix`. */
  const pathspec = (prefix: string) => {
    const line = gate().run!.split('\n').map((l) => l.trim()).find((l) => l.startsWith(prefix));
    return line ? line.slice(line.indexOf(' -- ') + 4).replace(/\)"$/, '').split(/\s+/) : [];
  };

  test('fails when git diff --exit-code shows drift in dist/ and every other committed generated file', () => {
    expect(pathspec('git diff --exit-code --')).toEqual(['dist/', 'nginx/', 'ingress-nginx/', 'docker-compose.security.yml', 'imports/']);
    expect(synth.steps.indexOf(gate())).toBeGreaterThan(at('npm test'));
  });

  test('GIVEN every path synth writes on either edge target (and imports/) THEN the gate covers it', () => {
    const written = [...new Set([...synthesize({}).keys(), ...synthesizeConfig(parseConfig(CONTROLLER_TARGET)).keys()]
      .map((p) => (p.includes('/') ? `${p.slice(0, p.indexOf('/'))}/` : p)))];
    expect(pathspec('git diff --exit-code --').sort()).toEqual([...written, 'imports/'].sort());
  });

  test('also fails on a generated file that was never committed (untracked)', () => {
    expect(pathspec('test -z "$(git status --porcelain --untracked-files=all --')).toEqual(pathspec('git diff --exit-code --'));
  });

  test('imports/ is regenerated with cdk8s import (from crds/ of the checkout) before the diff', () => {
    const importStep = stepsRunning(synth, 'npx cdk8s import');
    expect(importStep).toHaveLength(1);
    expect(importStep[0].run).toBe('npx cdk8s import');
    expect(synth.steps.indexOf(importStep[0])).toBeLessThan(synth.steps.indexOf(gate()));
  });

  test('every npm script the workflow runs exists in package.json', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
    const used = allSteps().flatMap(({ step }) => [...(step.run ?? '').matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]));
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect([name, typeof scripts[name]]).toEqual([name, 'string']);
  });
});

describe('supply chain: every action pinned to a full commit SHA (the guide\'s @master is not)', () => {
  const uses = allSteps().map(({ step }) => step.uses).filter((u): u is string => !!u);

  test('every uses: is owner/repo[/path]@<40 hex> (never @master, @main or a movable tag like @v2)', () => {
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
  });

  test('every pinned uses: line names its exact release version in a comment', () => {
    const lines = workflowText().split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(lines).toHaveLength(uses.length);
    for (const l of lines) expect(l).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  test('an action is pinned to the same commit everywhere it is used', () => {
    const shaOf = new Map<string, Set<string>>();
    for (const u of uses) {
      const [action, sha] = u.split('@');
      const repo = action.split('/').slice(0, 2).join('/');
      shaOf.set(repo, (shaOf.get(repo) ?? new Set()).add(sha));
    }
    for (const [repo, shas] of shaOf) expect([repo, shas.size]).toEqual([repo, 1]);
  });

  test('gitleaks-action is pinned to a release of v3 (the guide\'s v2 runs on Node 20, gone from GitHub runners)', () => {
    expect(workflowText()).toMatch(/gitleaks\/gitleaks-action@[0-9a-f]{40} # v3\.\d+\.\d+\n/);
  });
});
