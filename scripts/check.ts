/**
 * `npm run check`: the local drift gate, the same question CI's synth job asks with `git diff --exit-code`.
 * It synthesizes every generated file in memory (`synthesize()` of main.ts, nothing is written) and compares
 * each with the committed file; it prints the stale paths and exits 1 when any differs, is missing, or is a
 * leftover in a generated directory that synth no longer produces.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../lib/config';
import { type Outputs, generatedDirs } from '../lib/outputs';
import { synthesize } from '../main';

/** How a committed file differs from what synth produces. */
export type DriftKind = 'differs' | 'missing' | 'not generated';

/** One stale path, relative to the project root (`/` separated). */
export interface Drift {
  readonly path: string;
  readonly kind: DriftKind;
}

/**
 * Compares `outputs` (path → content, from `synthesize()`) with the files under `root`; every directory
 * synth writes into (`generatedDirs`) holds generated files only, so any other file there is a leftover.
 * @returns the stale paths, sorted by path; empty when the committed files are up to date.
 */
export function findDrift(root: string, outputs: Outputs): Drift[] {
  const drift: Drift[] = [];
  for (const [rel, content] of outputs) {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) drift.push({ path: rel, kind: 'missing' });
    else if (fs.readFileSync(abs, 'utf8') !== content) drift.push({ path: rel, kind: 'differs' });
  }
  for (const dir of generatedDirs(outputs)) {
    for (const rel of filesUnder(root, dir)) {
      if (!outputs.has(rel)) drift.push({ path: rel, kind: 'not generated' });
    }
  }
  return drift.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Every file under `root/dir`, recursively, as `dir/...` paths (none when the directory is absent). */
function filesUnder(root: string, dir: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(root, `${dir}/${e.name}`) : [`${dir}/${e.name}`]);
}

/** The report printed for stale files. */
export function formatDrift(drift: readonly Drift[]): string {
  const lines = drift.map((d) => `  ${d.kind.padEnd(13)} ${d.path}`);
  return [
    `check: ${drift.length} generated file(s) differ from what synth produces:`,
    ...lines,
    'Run `npm run synth` and commit the regenerated files with the change that caused them.',
  ].join('\n');
}

function main(): number {
  const started = process.hrtime.bigint();
  let outputs: Outputs;
  try {
    outputs = synthesize();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`check refused: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const drift = findDrift(process.cwd(), outputs);
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  if (drift.length > 0) {
    const hint = process.env.FACTORY_CONFIG ? `\n(FACTORY_CONFIG=${process.env.FACTORY_CONFIG} is set: the committed files are compared with that config's output.)` : '';
    process.stderr.write(`${formatDrift(drift)}${hint}\n`);
    return 1;
  }
  process.stdout.write(`check: ${outputs.size} generated files match the committed ones (${ms} ms)\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
