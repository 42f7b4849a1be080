/** Shared helpers of the Vault tests: synthesize the stack (in memory or to disk) and scan its JSON. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
// The cdktf matchers' types (toHaveResourceWithProperties, …); each test file calls Testing.setupJest().
import 'cdktf/lib/testing/adapters/jest';
import { parseConfig } from '../../lib/config';
import { buildVaultApp } from '../../vault/main';
import { FactoryVaultStack, VAULT_STACK_NAME } from '../../vault/stack';

/** The stack's Terraform JSON as a string (cdktf `Testing.synth`), for a config override. */
export function synthVault(override: unknown = {}): string {
  const stack = new FactoryVaultStack(Testing.app(), VAULT_STACK_NAME, { config: parseConfig(override) });
  return Testing.synth(stack);
}

/** The stack's Terraform JSON, parsed. */
export function vaultJson(override: unknown = {}): any {
  return JSON.parse(synthVault(override));
}

/** Runs the real app (as `npm run vault:synth` does) into a temporary folder; returns the cdk.tf.json text. */
export function synthVaultToDisk(override: unknown = {}): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-vault-'));
  try {
    buildVaultApp(parseConfig(override), outdir).app.synth();
    return fs.readFileSync(path.join(outdir, 'stacks', VAULT_STACK_NAME, 'cdk.tf.json'), 'utf8');
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Attribute or object-key names that hold credentials. */
const SECRET_NAME = /^(data_json(_wo)?|\w+_key|(\w+_)?(pass|password|secret|token|jwt|apikey|credentials?)(_wo)?)$/i;
/** Literal shapes of real credentials. */
const SECRET_SHAPES: { name: string; re: RegExp }[] = [
  { name: 'Anthropic key', re: /sk-ant-[\w-]{8,}/ },
  { name: 'Vault token', re: /\b(hvs|hvb|hvr)\.[\w-]{8,}|\bs\.[A-Za-z0-9]{24}\b/ },
  { name: 'JWT', re: /eyJ[\w-]{8,}\.[\w-]{8,}\./ },
  { name: 'PEM private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { name: 'AWS access key', re: /\bAKIA[0-9A-Z]{16}\b/ },
  { name: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{20,}/ },
];
/** A value that is only references (variables, resource attributes), no literal. */
const REFERENCE_ONLY = /^\$\{(var|data|local|vault_)[\w.\-[\]]*\}$/;

/**
 * Every place in the JSON that looks like a secret literal: a known credential shape anywhere; a
 * credential-named attribute, map key or jsonencode key holding a literal; a default on a sensitive or
 * credential-named variable.
 */
export function secretLiterals(json: any): string[] {
  const found: string[] = [];
  const visit = (v: any, at: string, name: string) => {
    if (typeof v === 'string') {
      for (const s of SECRET_SHAPES) if (s.re.test(v)) found.push(`${at}: ${s.name}`);
      if (SECRET_NAME.test(name) && !REFERENCE_ONLY.test(v) && !v.startsWith('${jsonencode(')) found.push(`${at}: literal in credential field "${name}"`);
      // Inside jsonencode({...}): every credential-named key must be fed by a variable.
      for (const m of v.matchAll(/"([\w-]+)"\s*=\s*([^,}]+)/g)) {
        if (SECRET_NAME.test(m[1]) && !/^var\.\w+$/.test(m[2].trim())) found.push(`${at}: jsonencode key "${m[1]}" = ${m[2].trim()}`);
      }
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => visit(x, `${at}[${i}]`, name));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '//') continue;
        visit(x, `${at}.${k}`, k);
      }
    }
  };
  visit(json, '$', '');
  for (const [name, variable] of Object.entries<any>(json.variable ?? {})) {
    if ((variable.sensitive || SECRET_NAME.test(name)) && variable.default !== undefined) found.push(`variable.${name}: has a default`);
  }
  return found;
}

/** Every string in the JSON that is an absolute file path or names this machine's folders. */
export function absolutePaths(text: string): string[] {
  const found: string[] = [];
  const machine = [process.cwd(), os.homedir(), os.tmpdir()].filter((p) => p.length > 1);
  const visit = (v: any) => {
    if (typeof v === 'string') {
      if (/^\/(?!\/)/.test(v) || /^[A-Za-z]:[\\/]/.test(v) || machine.some((m) => v.includes(m))) found.push(v);
    } else if (v !== null && typeof v === 'object') {
      Object.values(v).forEach(visit);
    }
  };
  visit(JSON.parse(text));
  return found;
}
