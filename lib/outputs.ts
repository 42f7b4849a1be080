/**
 * Everything a synth produces, held in memory as `relative path → content` until it has all been
 * produced and validated, then written at once: a refused synth leaves the committed files untouched.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { App } from 'cdk8s';
import { writeFileAtomic } from './text';

/** Relative path (from the project root, `/` separated) → file content. */
export type Outputs = Map<string, string>;

/**
 * The directories that hold generated files only: every top-level directory synth writes into (dist/, nginx/,
 * ingress-nginx/, ...), as `writeOutputs` owns them. A file there that synth does not produce is
 * stale. Generated files at the root (docker-compose.security.yml) are compared one by one.
 */
export function generatedDirs(outputs: Outputs): string[] {
  return [...new Set([...outputs.keys()].filter((p) => p.includes('/')).map((p) => p.slice(0, p.indexOf('/'))))].sort();
}

/** Synthesizes a cdk8s app into memory, under `dir` (e.g. `dist`). */
export function synthToMemory(makeApp: (outdir: string) => App, dir: string): Outputs {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-synth-'));
  try {
    makeApp(staging).synth();
    const out: Outputs = new Map();
    for (const file of fs.readdirSync(staging).sort()) {
      out.set(`${dir}/${file}`, fs.readFileSync(path.join(staging, file), 'utf8'));
    }
    return out;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Writes `outputs` under `root`. Each directory in `owned` is made to hold exactly the outputs under it
 * (stale files removed); files are only rewritten when their content changed.
 */
export function writeOutputs(root: string, outputs: Outputs, owned: string[]): void {
  for (const dir of owned) {
    const abs = path.join(root, dir);
    if (!fs.existsSync(abs)) continue;
    for (const file of fs.readdirSync(abs)) {
      if (!outputs.has(`${dir}/${file}`)) fs.rmSync(path.join(abs, file), { recursive: true, force: true });
    }
  }
  for (const [rel, content] of outputs) {
    const abs = path.join(root, rel);
    if (fs.existsSync(abs) && fs.readFileSync(abs, 'utf8') === content) continue;
    writeFileAtomic(abs, content);
  }
}
