/**
 * A memo on disk of what every synth repeats on input that did not change: the two YAML conversions (cdk8s
 * writing each manifest object as YAML, and the judge reading each manifest document back as kubectl
 * does, YAML 1.1) and the schema verdict of each document read (lib/validate/schema.ts). Most of dist/ is
 * the same from one synth to the next (the CRS rule ConfigMaps alone are 0.9 MB), and those conversions
 * were most of a synth's time; loading the schema validators was a tenth of it.
 *
 * An entry is content-addressed: its name is the SHA-1 (as git names its objects) of what computes it (the library and its
 * version, the options) and of the exact input, so a hit returns what the computation returned for the same
 * bytes; any other input misses. Only plain data (`isExactJson`) is stored.
 *
 * The memo of a checkout is one file, `.build/yaml/memo.v8` (`rm -rf .build` empties it): the entries of the
 * last run that missed, in V8's serialization format (read in one go: no text to parse, no file per entry).
 * Only a run that missed writes it, atomically, with the entries that run used (so it holds one synth's
 * entries, never more); an unreadable file is an empty memo and only costs the computation. The tests run
 * without one.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import { writeFileAtomic } from './text';

/** An entry: a text, or a value in V8's serialization (deserialized anew at each hit, so no two hits share objects). */
type Entry = string | Uint8Array;

export class YamlMemo {
  /** The memo of the project checkout at `root`: `.build/yaml/memo.v8`. */
  public static inProject(root: string): YamlMemo {
    return new YamlMemo(path.join(root, '.build', 'yaml', 'memo.v8'));
  }

  /** What the file held, read at the first lookup. */
  private stored?: Map<string, Entry>;
  /** The entries this run looked up or computed: what `save` writes. */
  private readonly used = new Map<string, Entry>();
  private missed = false;

  private constructor(private readonly file: string) {}

  /** How many entries this run used (hits and stored misses). */
  public get size(): number {
    return this.used.size;
  }

  /**
   * The text `compute` returns for `input`, from the memo when `purpose` (what computes it, with its
   * version) already ran on the same input; a miss computes and keeps it. `compute` answers undefined
   * for what must not be stored (nothing is then).
   */
  public text(purpose: string, input: string, compute: () => string): string;
  public text(purpose: string, input: string, compute: () => string | undefined): string | undefined;
  public text(purpose: string, input: string, compute: () => string | undefined): string | undefined {
    const entry = this.entry(YamlMemo.entryName(purpose, input), (): Entry | undefined => compute());
    return typeof entry === 'string' ? entry : undefined;
  }

  /**
   * The value `compute` returns for `input`, as `text` does, for plain data (`isExactJson`): another value is
   * not stored. Each hit is a new copy.
   */
  public value(purpose: string, input: string, compute: () => unknown): unknown {
    return this.valueNamed(YamlMemo.entryName(purpose, input), compute);
  }

  /** The value `compute` returns, as `value` does, stored under `name` (`entryName` of what computes it and its input). */
  public valueNamed(name: string, compute: () => unknown): unknown {
    const entry = this.entry(name, () => {
      const v = compute();
      return v !== undefined && isExactJson(v) ? v8.serialize(v) : undefined;
    });
    return entry === undefined || typeof entry === 'string' ? undefined : v8.deserialize(entry);
  }

  /**
   * The name of an entry: the SHA-1 (as git names its objects) of what computes it and of its exact input. Two equal
   * names stand for the same computation on the same bytes, so for equal results.
   */
  public static entryName(purpose: string, input: string): string {
    return crypto.createHash('sha1').update(purpose).update('\0').update(input).digest('hex');
  }

  /** Writes the entries this run used, when it missed (atomically; a read-only checkout still synthesizes). */
  public save(): void {
    if (!this.missed) return;
    try {
      writeFileAtomic(this.file, v8.serialize([...this.used]));
    } catch {
      // a memo is an optimisation
    }
  }

  private entry(name: string, compute: () => Entry | undefined): Entry | undefined {
    let entry = this.used.get(name) ?? this.load().get(name);
    if (entry === undefined) {
      entry = compute();
      if (entry === undefined) return undefined;
      this.missed = true;
    }
    this.used.set(name, entry);
    return entry;
  }

  private load(): Map<string, Entry> {
    if (this.stored) return this.stored;
    this.stored = new Map();
    try {
      // Pairs, checked without `instanceof` (which fails on values of another realm, a jest sandbox's).
      const read: unknown = v8.deserialize(fs.readFileSync(this.file));
      if (Array.isArray(read)) {
        for (const pair of read as unknown[]) {
          if (!Array.isArray(pair) || pair.length !== 2) continue;
          const [k, v] = pair as unknown[];
          if (typeof k === 'string' && (typeof v === 'string' || ArrayBuffer.isView(v))) this.stored.set(k, v as Entry);
        }
      }
    } catch {
      // no memo yet, or one this node cannot read: an empty memo
    }
    return this.stored;
  }
}

/**
 * Whether `JSON.parse(JSON.stringify(value))` (and V8's deserialization of its serialization) gives back exactly
 * that value: plain objects (no `__proto__` key) and arrays without holes, of strings, finite numbers other than
 * -0, booleans and null. Anything else — undefined, a Date, a Map, NaN, a class instance — is not plain data.
 */
export function isExactJson(v: unknown): boolean {
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
