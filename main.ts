/**
 * `npm run synth` (and `cdk8s synth`): config → manifests and files in memory → validation → disk.
 * Any refusal exits non-zero before a single file is written.
 */
import * as path from 'path';
import { buildApp } from './lib/app';
import { ConfigError, type FactoryConfig, loadConfig } from './lib/config';
import { INGRESS_NGINX_OUTPUT_DIR, ingressNginxFiles } from './lib/edge/ingress-nginx';
import { type Outputs, generatedDirs, synthToMemory, writeOutputs } from './lib/outputs';
import { standaloneOutputs } from './lib/waf/standalone';
import { formatViolation, manifestOutputs, parseManifests, validateManifests } from './lib/validate';
import { YamlMemo } from './lib/yaml-memo';

/** Every generated file of the project, from the config FACTORY_CONFIG names (or the guide's). */
export function synthesize(env: NodeJS.ProcessEnv = process.env): Outputs {
  return synthesizeConfig(loadConfig(env));
}

/** Every generated file of the project, from one config (each object's YAML from the memo, if given one). */
export function synthesizeConfig(config: FactoryConfig, memo?: YamlMemo): Outputs {
  const outputs = synthToMemory((outdir) => buildApp(config, outdir).app, 'dist', memo);
  // The standalone WAF (nginx/, docker-compose.security.yml) from the same config and rule model.
  for (const [file, content] of standaloneOutputs(config)) outputs.set(file, content);
  // The ingress-nginx Helm values and static-install patch (ingress-nginx/), from the same settings as dist/
  // (that target only: with the WAF tier, no ingress controller is installed).
  if (config.edge.target === 'ingress-nginx') for (const [file, content] of ingressNginxFiles(config)) outputs.set(file, content);
  return outputs;
}

function main(): number {
  const root = process.cwd();
  // What the last synths of this checkout already converted to and from YAML and judged (lib/yaml-memo.ts).
  const memo = YamlMemo.inProject(root);
  let outputs: Outputs;
  let config: FactoryConfig;
  try {
    config = loadConfig();
    outputs = synthesizeConfig(config, memo);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`synth refused: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  // Admission-grade validation (Pod Security restricted:latest, schemas, policies) before any write.
  const docs = parseManifests(manifestOutputs(outputs), memo);
  const violations = validateManifests(docs, { provided: config.providedObjects, memo });
  memo.save(); // what this run converted and judged, whatever the verdict
  if (violations.length > 0) {
    for (const v of violations) process.stderr.write(`${formatViolation(v)}\n`);
    process.stderr.write(`synth refused: ${violations.length} violation(s); nothing was written\n`);
    return 1;
  }
  // A target not chosen leaves no files behind (ingress-nginx/ is emptied when the WAF tier is the edge).
  writeOutputs(root, outputs, [...generatedDirs(outputs), ...(config.edge.target === 'waf-tier' ? [INGRESS_NGINX_OUTPUT_DIR] : [])]);
  // Under `cdk8s synth`, the CLI empties its output folder (CDK8S_OUTDIR, a staging folder set in
  // cdk8s.yaml) before running the app; dist/ is written above only once everything passed, and the
  // manifests are mirrored to the staging folder for the CLI.
  const staging = process.env.CDK8S_OUTDIR;
  if (staging && path.resolve(staging) !== path.resolve(root, 'dist')) {
    const rel = path.relative(root, path.resolve(staging));
    const mirrored: Outputs = new Map([...outputs].filter(([k]) => k.startsWith('dist/')).map(([k, v]) => [`${rel}/${k.slice(5)}`, v]));
    writeOutputs(root, mirrored, []);
  }
  process.stdout.write(`wrote ${outputs.size} files\n`);
  return 0;
}

// `require.main === module` also holds inside the esbuild bundle of another entry point that imports
// `synthesize` (scripts/run.cjs bundles each entry), so the entry file's name is checked too.
if (require.main === module && /(^|[\\/])main\.c?[jt]s$/.test(process.argv[1] ?? '')) process.exitCode = main();
