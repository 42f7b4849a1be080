/**
 * `npm run bench`: the median of 5 synths, measured two ways:
 * - the whole command users run (`node scripts/run.mjs main.ts`: transpile, load, synth, validate, write);
 * - the app alone, in process (`synthesize()`: config, charts, every file, in memory), and the
 *   validation of its manifests (Pod Security, schemas, policies).
 * It writes nothing new: dist/ is regenerated identical.
 */
import { spawnSync } from 'child_process';
import { performance } from 'perf_hooks';
import { manifestOutputs, parseManifests, validateManifests } from '../lib/validate';
import { synthesize } from '../main';

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeCommand(): number {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['scripts/run.mjs', 'main.ts'], { encoding: 'utf8', env: { ...process.env, FACTORY_CONFIG: '' } });
  if (run.status !== 0) throw new Error(`synth failed: ${run.stderr}`);
  return performance.now() - t0;
}

/** In process: [synthesize() in memory, validation of its manifests]. */
function timeInProcess(): [number, number] {
  const t0 = performance.now();
  const outputs = synthesize({});
  const t1 = performance.now();
  validateManifests(parseManifests(manifestOutputs(outputs)));
  return [t1 - t0, performance.now() - t1];
}

timeInProcess(); // warm the module cache once, as a long-lived process would
const command = Array.from({ length: RUNS }, timeCommand);
const inProcess = Array.from({ length: RUNS }, timeInProcess);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
process.stdout.write(`synth, whole command (node scripts/run.mjs main.ts): median of ${RUNS} = ${s(median(command))}\n`);
process.stdout.write(`synth, app alone in process (synthesize()):          median of ${RUNS} = ${s(median(inProcess.map((x) => x[0])))}\n`);
process.stdout.write(`validation of its manifests, in process:             median of ${RUNS} = ${s(median(inProcess.map((x) => x[1])))}\n`);
