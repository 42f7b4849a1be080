/**
 * `npm run bench`: medians of 11, side by side with their floors, all in the same run:
 * - `npm run synth` against `node -e "require('cdk8s-plus-27')"` (loading the construct library alone),
 *   and the same synth without npm's own start (`node scripts/run.cjs main.ts`) against the same floor;
 * - `npx cdk8s synth` against `npx cdk8s --version` (starting the CLI alone);
 * - the app alone, in process (`synthesize()`: config, charts, every file, in memory), and the
 *   validation of its manifests (Pod Security, schemas, policies).
 * It writes nothing new: dist/ is regenerated identical.
 */
import { spawnSync } from 'child_process';
import { performance } from 'perf_hooks';
import { manifestOutputs, parseManifests, validateManifests } from '../lib/validate';
import { synthesize } from '../main';

const RUNS = 11;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall time of one command, in ms; throws when it fails. */
function timeCommand(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const run = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, FACTORY_CONFIG: '', CDK8S_CHECK_UPGRADE: 'false' } });
  if (run.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${run.stderr}`);
  return performance.now() - t0;
}
/** A command as the report names it. */
interface Command { readonly name: string; readonly cmd: string; readonly args: string[] }

/** Medians of a command and its floor run alternately (A, floor, A, floor, …), so a machine that slows down for a while slows both alike. */
function pairOf(a: Command, floor: Command): { a: Command; t: number; floor: Command; floorT: number } {
  const ta: number[] = [];
  const tf: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ta.push(timeCommand(a.cmd, a.args));
    tf.push(timeCommand(floor.cmd, floor.args));
  }
  return { a, t: median(ta), floor, floorT: median(tf) };
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
timeCommand('npm', ['run', '-s', 'synth']); // a fresh bundle, as after any edit; then measured warm
const LIBRARY_FLOOR: Command = { name: 'node -e "require(\'cdk8s-plus-27\')"', cmd: process.execPath, args: ['-e', "require('cdk8s-plus-27')"] };
const pairs = [
  pairOf({ name: 'npm run synth', cmd: 'npm', args: ['run', '-s', 'synth'] }, LIBRARY_FLOOR),
  pairOf({ name: 'node scripts/run.cjs main.ts (npm run synth without npm\'s own start)', cmd: process.execPath, args: ['scripts/run.cjs', 'main.ts'] }, LIBRARY_FLOOR),
  pairOf({ name: 'npm run (npm\'s own start: `npm run -s env`)', cmd: 'npm', args: ['run', '-s', 'env'] }, LIBRARY_FLOOR),
  pairOf({ name: 'npx cdk8s synth', cmd: 'npx', args: ['cdk8s', 'synth'] }, { name: 'npx cdk8s --version', cmd: 'npx', args: ['cdk8s', '--version'] }),
];
const inProcess = Array.from({ length: RUNS }, timeInProcess);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
for (const { a, t, floor, floorT } of pairs) {
  process.stdout.write(`${a.name}: median of ${RUNS} = ${s(t)}; floor ${floor.name} = ${s(floorT)}; ratio ${(t / floorT).toFixed(2)}\n`);
}
process.stdout.write(`synth, app alone in process (synthesize()): median of ${RUNS} = ${s(median(inProcess.map((x) => x[0])))}\n`);
process.stdout.write(`validation of its manifests, in process:    median of ${RUNS} = ${s(median(inProcess.map((x) => x[1])))}\n`);
