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
