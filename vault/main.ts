/**
 * `npm run vault:synth` and `npx cdktf synth|deploy` (cdktf.json): config → Terraform JSON in
 * `cdktf.out/stacks/factory-vault/cdk.tf.json`. Needs no terraform binary and no network.
 */
import { App } from 'cdktf';
import { ConfigError, type FactoryConfig, loadConfig } from '../lib/config';
import { FactoryVaultStack, VAULT_STACK_NAME } from './stack';

/** The cdktf app of the Vault stack. Stack traces are off: they would put absolute paths in the JSON. */
export function buildVaultApp(config: FactoryConfig, outdir?: string): { app: App; stack: FactoryVaultStack } {
  // Under `cdktf synth|deploy` the CLI names the output folder (CDKTF_OUTDIR); `cdktf.out` otherwise.
  const app = new App({ outdir: outdir ?? process.env.CDKTF_OUTDIR ?? 'cdktf.out', stackTraces: false });
  const stack = new FactoryVaultStack(app, VAULT_STACK_NAME, { config });
  return { app, stack };
}

function main(): number {
  let config: FactoryConfig;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`vault synth refused: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const { app } = buildVaultApp(config);
  app.synth();
  process.stdout.write(`wrote ${app.outdir}/stacks/${VAULT_STACK_NAME}/cdk.tf.json\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
