/**
 * `npm run validate -- [--only pod-security|schema|policy] [--level restricted|baseline]
 *   [--version v1.NN|latest] [PATH...]`
 *
 * Validates manifest files or folders (default `dist/`; folders are searched for *.yaml / *.yml) and
 * prints one line per violation: file, object (kind/namespace/name), field path, rule and reason.
 * Exit code: 0 clean, 1 violations, 2 unusable input (unparsable YAML, an alias bomb, binary or non-UTF-8 bytes,
 * missing path, bad option), 3 an internal error (a bug of this project: please report it).
 */
import * as fs from 'fs';
import * as path from 'path';
import { FAMILIES, type Family, UnusableInputError, formatViolation, parseManifests, validateManifests } from '../lib/validate';
import { ConfigError, loadConfig } from '../lib/config';
import { LEVELS, type Level, parsePolicyVersion } from '../lib/validate/pod-security';
import { decodeText } from '../lib/text';

const USAGE = 'usage: npm run validate -- [--only pod-security|schema|policy] [--level restricted|baseline] [--version v1.NN|latest] [PATH...]';

interface Args { only?: Family[]; level: Level; version: number; paths: string[] }

/** Parses the command line; throws UnusableInputError on a bad option. */
export function parseArgs(argv: string[]): Args {
  const args: Args = { level: 'restricted', version: parsePolicyVersion('latest')!, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UnusableInputError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--only') {
      const v = value();
      if (!(FAMILIES as readonly string[]).includes(v)) throw new UnusableInputError(`--only must be one of ${FAMILIES.join(', ')} (got "${v}")`);
      args.only = [...(args.only ?? []), v as Family];
    } else if (flag === '--level') {
      const v = value();
      if (!(LEVELS as readonly string[]).includes(v)) throw new UnusableInputError(`--level must be one of ${LEVELS.join(', ')} (got "${v}")`);
      args.level = v as Level;
    } else if (flag === '--version') {
      const v = value();
      const minor = parsePolicyVersion(v);
      if (minor === undefined) throw new UnusableInputError(`--version must be v1.0 … v1.37 or latest (got "${v}")`);
      args.version = minor;
    } else if (flag === '--help' || flag === '-h') {
      throw new UnusableInputError(USAGE);
    } else if (flag.startsWith('--')) {
      throw new UnusableInputError(`unknown option ${flag}\n${USAGE}`);
    } else {
      args.paths.push(a);
    }
  }
  if (args.paths.length === 0) args.paths = ['dist'];
  return args;
}

/** The manifest files of the given paths (folders searched recursively, sorted). */
export function collectFiles(paths: string[]): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (p: string, explicit: boolean) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new UnusableInputError(`${p}: no such file or folder`);
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) visit(path.join(p, entry), false);
    } else if (explicit || /\.ya?ml$/.test(p)) {
      const decoded = decodeText(fs.readFileSync(p));
      if ('reason' in decoded) throw new UnusableInputError(`${p}: ${decoded.reason}`);
      files.set(p.split(path.sep).join('/'), decoded.text);
    }
  };
  for (const p of paths) visit(p, true);
  return files;
}

/** The objects the operator provides, from the FACTORY_CONFIG file when one is named (as synth reads it). */
function providedObjects() {
  try {
    return loadConfig().providedObjects;
  } catch (e) {
    if (e instanceof ConfigError) throw new UnusableInputError(e.message);
    throw e;
  }
}

export function main(argv: string[]): number {
  try {
    const args = parseArgs(argv);
    const files = collectFiles(args.paths);
    if (files.size === 0) throw new UnusableInputError(`no manifest files (*.yaml, *.yml) in ${args.paths.join(', ')}`);
    const violations = validateManifests(parseManifests(files), { only: args.only, level: args.level, version: args.version, provided: providedObjects() });
    for (const v of violations) process.stdout.write(`${formatViolation(v)}\n`);
    process.stderr.write(`${violations.length} violation(s) in ${files.size} file(s)\n`);
    return violations.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UnusableInputError) {
      process.stderr.write(`validate: ${e.message}\n`);
      return 2;
    }
    // Never exit 1 (violations) or print a stack trace for a bug: one line, its own exit code.
    process.stderr.write(`validate: internal error (please report it): ${(e as Error)?.message ?? e}\n`);
    return 3;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
