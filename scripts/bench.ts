/**
 * `npm run bench`: the median of 5 synths, measured two ways:
 * - the whole command users run (`node scripts/run.mjs main.ts`: transpile, load, synth, validate, write);
 * - the app alone, in process (`synthesize()`: config, charts, validation, in memory).
 * It writes nothing new: dist/ is regenerated identical.
 */
import { spawnSync } from 'child_process';
import { performance } from 'perf_hooks';
import { synthesize } from '../main';

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeCommand(): number {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['scripts/run.mjs', 'main.ts'], { encoding: 'utf8', env: { ...process.env, FACTORY_CONFIG: '' } });
  if (run.status !== 0) throw new Error(`synth failed: ${run.stderr}`);
  return performance.now() - t0;
}

function timeInProcess(): number {
  const t0 = performance.now();
  synthesize({});
  return performance.now() - t0;
}

timeInProcess(); // warm the module cache once, as a long-lived process would
const command = Array.from({ length: RUNS }, timeCommand);
const inProcess = Array.from({ length: RUNS }, timeInProcess);
process.stdout.write(`synth, whole command (node scripts/run.mjs main.ts): median of ${RUNS} = ${(median(command) / 1000).toFixed(2)} s\n`);
process.stdout.write(`synth, app alone in process (synthesize()):          median of ${RUNS} = ${(median(inProcess) / 1000).toFixed(2)} s\n`);
