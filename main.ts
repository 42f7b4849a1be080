/**
 * `npm run synth` (and `cdk8s synth`): config → manifests and files in memory → validation → disk.
 * Any refusal exits non-zero before a single file is written.
 */
import { buildApp } from './lib/app';
import { ConfigError, loadConfig } from './lib/config';
import { INGRESS_NGINX_OUTPUT_DIR, ingressNginxFiles } from './lib/edge/ingress-nginx';
import { Outputs, synthToMemory, writeOutputs } from './lib/outputs';
import { standaloneOutputs } from './lib/waf/standalone';
import { formatViolation, manifestOutputs, parseManifests, validateManifests } from './lib/validate';

/** Every generated file of the project, from one config. */
export function synthesize(env: NodeJS.ProcessEnv = process.env): Outputs {
  const config = loadConfig(env);
  const outputs = synthToMemory((outdir) => buildApp(config, outdir).app, 'dist');
  // The standalone WAF (nginx/, docker-compose.security.yml) from the same config and rule model.
  for (const [file, content] of standaloneOutputs(config)) outputs.set(file, content);
  // The ingress-nginx Helm values and static-install patch (ingress-nginx/), from the same settings as dist/.
  for (const [file, content] of ingressNginxFiles(config)) outputs.set(file, content);
  return outputs;
}

function main(): number {
  const root = process.cwd();
  let outputs: Outputs;
  try {
    outputs = synthesize();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`synth refused: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  // Admission-grade validation (Pod Security restricted:latest, schemas, policies) before any write.
  const violations = validateManifests(parseManifests(manifestOutputs(outputs)));
  if (violations.length > 0) {
    for (const v of violations) process.stderr.write(`${formatViolation(v)}\n`);
    process.stderr.write(`synth refused: ${violations.length} violation(s); nothing was written\n`);
    return 1;
  }
  // cdk8s synth names its output folder in CDK8S_OUTDIR (it is `dist` in cdk8s.yaml).
  const distDir = process.env.CDK8S_OUTDIR ? process.env.CDK8S_OUTDIR.replace(/\/$/, '') : 'dist';
  const renamed: Outputs = new Map([...outputs].map(([k, v]) => [k.startsWith('dist/') ? `${distDir}/${k.slice(5)}` : k, v]));
  writeOutputs(root, renamed, [distDir, 'nginx', INGRESS_NGINX_OUTPUT_DIR]);
  process.stdout.write(`wrote ${renamed.size} files\n`);
  return 0;
}

// `require.main === module` also holds inside the esbuild bundle of another entry point that imports
// `synthesize` (scripts/run.mjs bundles each entry), so the entry file's name is checked too.
if (require.main === module && /(^|[\\/])main\.c?[jt]s$/.test(process.argv[1] ?? '')) process.exitCode = main();
