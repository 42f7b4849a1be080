/**
 * The Terraform settings of the Vault stack: an explicit state backend (never cdktf's default, which bakes
 * an absolute path into the JSON), the provider as a version constraint (the prebuilt bindings pin it
 * exactly) and the Terraform version that write-only arguments and ephemeral variables need.
 */
import { LocalBackend, S3Backend, type TerraformStack } from 'cdktf';
import * as path from 'path';
import type { FactoryConfig } from '../lib/config';

/** The vault provider versions the stack accepts: 5.6 (the bindings' schema) and later 5.x. */
export const VAULT_PROVIDER_CONSTRAINT = '~> 5.6';
/** Write-only arguments need Terraform (or OpenTofu) 1.11. */
export const TERRAFORM_VERSION_CONSTRAINT = '>= 1.11';
/** Terraform runs in `cdktf.out/stacks/<stack>/`: the project root, relative to it. */
export const STACK_DIR_TO_ROOT = '../../..';

/** Sets the backend, the provider constraint and the Terraform version on `stack`. */
export function configureTerraform(stack: TerraformStack, config: FactoryConfig): void {
  const b = config.vault.backend;
  if (b.type === 'local') {
    // Relative to the stack's working directory, so the state sits at the project root, outside the
    // regenerated cdktf.out/, and no absolute path lands in the JSON.
    new LocalBackend(stack, { path: path.posix.join(STACK_DIR_TO_ROOT, b.path) });
  } else {
    new S3Backend(stack, { bucket: b.bucket, key: b.key, region: b.region, encrypt: true });
  }
  stack.addOverride('terraform.required_version', TERRAFORM_VERSION_CONSTRAINT);
  stack.addOverride('terraform.required_providers.vault.version', VAULT_PROVIDER_CONSTRAINT);
}
