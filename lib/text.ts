/** Small text and file helpers used by several modules, written once. */
import * as fs from 'fs';
import * as path from 'path';

/** Escapes a string for a regular expression (JavaScript, PCRE and RE2 alike): it matches itself only. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Writes a file atomically (a per-process staging file renamed over it): readers never see half a file. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const staged = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(staged, content);
  fs.renameSync(staged, file);
}

/**
 * The UTF-8 text of a file's bytes, or why they are not text: a NUL byte (binary data; YAML allows none) or a
 * byte sequence that is not UTF-8. The reason names the byte offset.
 */
export function decodeText(bytes: Uint8Array): { text: string } | { reason: string } {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { reason: `not a text file (NUL byte at offset ${nul})` };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { reason: 'not UTF-8 text' };
  }
}

/**
 * The plain value of a parsed YAML document, or why it has none: `yaml` refuses to expand a document whose
 * aliases would multiply its size (a "billion laughs" alias bomb) with an exception, turned into a reason here.
 */
export function yamlValue(doc: { toJS(): unknown }): { value: unknown } | { reason: string } {
  try {
    return { value: doc.toJS() };
  } catch (e) {
    return { reason: `YAML cannot be expanded: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** The command that installs Debian/Ubuntu packages (what the tests' engines tell a user to run). */
export function aptInstallCommand(packages: readonly string[]): string {
  return `apt-get update && apt-get install -y ${packages.join(' ')}`;
}
