/** Helpers of the CI tests: the workflow and the Dependabot config as parsed YAML, and their steps. */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..');
export const WORKFLOW_PATH = path.join(ROOT, '.github', 'workflows', 'security-scan.yml');
export const DEPENDABOT_PATH = path.join(ROOT, '.github', 'dependabot.yml');

/** A step of a job, as written in the workflow. */
export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

/** A job of the workflow. */
export interface Job {
  name?: string;
  needs?: string | string[];
  'runs-on': string;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix?: unknown };
  container?: { image: string } | string;
  steps: Step[];
}

/** The workflow file parsed with the `yaml` package (YAML 1.2: `on` is a key, not a boolean). */
export function loadYaml(file: string): any {
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
  return doc.toJS();
}

export const workflowText = (): string => fs.readFileSync(WORKFLOW_PATH, 'utf8');
export const workflow = (): any => loadYaml(WORKFLOW_PATH);

/** The jobs of the workflow, by id. */
export function jobs(): Record<string, Job> {
  return workflow().jobs;
}

/** Every step of every job, with its job id. */
export function allSteps(): { job: string; step: Step }[] {
  return Object.entries(jobs()).flatMap(([job, j]) => j.steps.map((step) => ({ job, step })));
}

/** The one step of a job that uses `action` (owner/repo[/path], without the ref); fails unless exactly one. */
export function stepUsing(job: Job, action: string): Step {
  const found = job.steps.filter((s) => s.uses?.split('@')[0] === action);
  if (found.length !== 1) throw new Error(`expected one step using ${action}, found ${found.length}`);
  return found[0];
}

/** The steps of a job whose `run:` contains `command`. */
export function stepsRunning(job: Job, command: string): Step[] {
  return job.steps.filter((s) => s.run?.includes(command));
}

/** The jobs that use `action` in some step. */
export function jobsUsing(action: string): [string, Job][] {
  return Object.entries(jobs()).filter(([, j]) => j.steps.some((s) => s.uses?.split('@')[0] === action));
}
