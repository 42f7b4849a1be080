/**
 * A memo on disk of the two YAML conversions every synth repeats on input that did not change: cdk8s
 * writing each manifest object as YAML, and the judge reading each manifest document back as kubectl
 * does (YAML 1.1). Most of dist/ is the same from one synth to the next (the CRS rule ConfigMaps alone are
 * 0.9 MB), and those two conversions were most of a synth's time.
 *
 * An entry is content-addressed: its name is the SHA-1 (as git names its objects) of what computes it (the library and its
 * version, the options) and of the exact input, so a hit returns what the computation returned for the same
 * bytes; any other input misses. Entries are written atomically, a value that cannot be stored exactly
 * (see `exactJson`) is never stored, and an unreadable memo only costs the computation. The memo of a
 * checkout is `.build/yaml/` (`rm -rf .build` empties it); the tests run without one.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from './text';

export class YamlMemo {
  /** The memo of the project checkout at `root`: `.build/yaml/`. */
  public static inProject(root: string): YamlMemo {
    return new YamlMemo(path.join(root, '.build', 'yaml'));
  }

  private constructor(private readonly dir: string) {}

  /**
   * The text `compute` returns for `input`, from the memo when `purpose` (what computes it, with its
   * version) already ran on the same input; a miss computes and stores it. `compute` answers undefined
   * for what must not be stored (nothing is then).
   */
  public text(purpose: string, input: string, compute: () => string): string;
  public text(purpose: string, input: string, compute: () => string | undefined): string | undefined;
  public text(purpose: string, input: string, compute: () => string | undefined): string | undefined {
    const file = path.join(this.dir, crypto.createHash('sha1').update(purpose).update('\0').update(input).digest('hex'));
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      // a miss
    }
    const value = compute();
    if (value !== undefined) {
      try {
        writeFileAtomic(file, value);
      } catch {
        // a memo is an optimisation: a read-only checkout still synthesizes
      }
    }
    return value;
  }
}

/**
 * The JSON text of a value when `JSON.parse` gives back exactly that value: plain objects (no `__proto__`
 * key) and arrays without holes, of strings, finite numbers other than -0, booleans and null. Anything
 * else — undefined, a Date, a Map, NaN — has no exact JSON, and the answer is undefined.
 */
export function exactJson(value: unknown): string | undefined {
  return isExactJson(value) ? JSON.stringify(value) : undefined;
}

function isExactJson(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!(i in v) || !isExactJson(v[i])) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      if (Object.getOwnPropertySymbols(v).length > 0) return false;
      for (const k in v) if (k === '__proto__' || !isExactJson((v as Record<string, unknown>)[k])) return false;
      return true;
    }
    default:
      return false;
  }
}

/**
 * The documents of a YAML stream as separate texts, split at its `---` lines: a line that starts with
 * `---` and a space, a tab or its end is a document marker wherever it stands (YAML forbids it inside any
 * content), and documents share nothing (anchors are per document). A stream with directives (`%` lines)
 * or document-end markers (`...`), whose meaning spans documents, is not split: the answer is undefined.
 */
export function yamlDocuments(text: string): string[] | undefined {
  if (/^\uFEFF?%/.test(text) || text.includes('\n%') || startsLine(text, '...')) return undefined;
  const starts = [0];
  for (let at = text.indexOf('\n---'); at >= 0; at = text.indexOf('\n---', at + 4)) {
    if (isMarkerEnd(text, at + 4)) starts.push(at + 1);
  }
  return starts.map((s, i) => text.slice(s, starts[i + 1]));
}

/** Whether a line of `text` is `marker` followed by a space, a tab or the line's end. */
function startsLine(text: string, marker: string): boolean {
  if (text.startsWith(marker) && isMarkerEnd(text, marker.length)) return true;
  for (let at = text.indexOf(`\n${marker}`); at >= 0; at = text.indexOf(`\n${marker}`, at + 1)) {
    if (isMarkerEnd(text, at + 1 + marker.length)) return true;
  }
  return false;
}

const isMarkerEnd = (text: string, at: number) => at === text.length || ' \t\r\n'.includes(text[at]);
