// One parsed YAML input file and the problems found in it. Owns the mapping from a
// dotted field path back to the file position the user must look at: the value node for
// a wrong value, the key node for an unknown field, the parent mapping for a missing one.
// Everything echoed back from the file goes through printable(): a key may hold escapes.

import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Problem } from '../shared/errors.js';
import { printable } from './printable.js';
import { structureProblems } from './yaml-structure.js';
import { fastYamlData } from './yaml-fast.js';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** The path as shown to the user (and as problems are keyed), control characters escaped. */
export function dottedPath(path: Path): string {
  return printable(path.map(String).join('.'));
}

/**
 * Thrown by a source made with YamlSource.fast() when a problem must be reported: it has no
 * positions, so the caller starts again with YamlSource.parse() to locate every problem.
 */
export class NeedsPositions extends Error {
  constructor() {
    super('a problem needs source positions');
  }
}

export class YamlSource {
  readonly problems: Problem[] = [];
  private structureOk = true;
  /** The data of a fast() source (rendered in place by forEachString); absent for parse(). */
  private plain?: { data: unknown };

  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /**
   * The file's data without source positions (yaml-fast.ts), or undefined when only parse()
   * can read it. report() and position() throw NeedsPositions: a caller that meets a problem
   * parses again and repeats its work with positions.
   */
  static fast(file: string, text: string): YamlSource | undefined {
    const plain = fastYamlData(text);
    if (!plain) return undefined;
    const source = new YamlSource(file, undefined as unknown as Document.Parsed, undefined as unknown as LineCounter);
    source.plain = plain;
    return source;
  }

  /** Parses `text`; YAML syntax errors become problems at their own positions. */
  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, keepSourceTokens: false });
    const source = new YamlSource(file, doc, lines);
    for (const err of doc.errors) {
      const { line, col } = lines.linePos(err.pos[0]);
      // The composer recurses per nesting level; its stack overflow is the user's nesting.
      const why = err.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(err.message) ? 'nesting too deep' : firstLine(err.message);
      source.problems.push({ file, line, col, path: '', message: `YAML syntax error: ${printable(why)}` });
    }
    if (doc.errors.length === 0) {
      for (const p of structureProblems(doc)) {
        const { line, col } = lines.linePos(p.offset);
        source.problems.push({ file, line, col, path: dottedPath(p.path), message: printable(p.message) });
      }
    }
    source.structureOk = source.problems.length === 0;
    return source;
  }

  /**
   * Drops problems reported after the first `count` at any of `paths`: a scalar whose
   * substitution or template failed is reported once, not again for its raw text.
   */
  dropFollowUps(paths: ReadonlySet<string>, count: number): void {
    const kept = this.problems.filter((p, i) => i < count || !paths.has(p.path));
    this.problems.splice(0, this.problems.length, ...kept);
  }

  /** YAML syntax errors, or aliases and tags data() cannot turn into plain data. */
  get hasSyntaxErrors(): boolean {
    return !this.plain && (this.doc.errors.length > 0 || !this.structureOk);
  }

  /**
   * The document as plain data (null for an empty file). Only for a source without
   * hasSyntaxErrors: its aliases all resolve and their expansion is bounded (checked in
   * parse), so yaml's own alias-count guard, which refuses an anchor merely used often, is off.
   */
  data(): unknown {
    if (this.plain) return this.plain.data;
    return this.doc.toJS({ maxAliasCount: -1 }) as unknown;
  }

  /** forEachStringScalar over the document, or over the data of a fast() source (changed in place; `plain` unknown there: false). */
  forEachString(fn: (path: PathSegment[], value: string, setValue: (v: unknown) => void, plain: boolean) => void): void {
    if (this.plain) forEachDataString(this.plain, fn);
    else forEachStringScalar(this.doc, fn);
  }

  /** Records a problem at the node for `path` (or at the key node with `at: 'key'`). */
  report(path: Path, message: string, at: 'value' | 'key' = 'value'): void {
    if (this.plain) throw new NeedsPositions();
    const { line, col } = this.position(path, at);
    this.problems.push({ file: this.file, line, col, path: dottedPath(path), message: printable(message) });
  }

  /** 1-based position of the deepest existing node along `path`. */
  position(path: Path, at: 'value' | 'key' = 'value'): { line: number; col: number } {
    if (this.plain) throw new NeedsPositions();
    const offset = this.offsetOf(path, at);
    return this.lines.linePos(offset);
  }

  private offsetOf(path: Path, at: 'value' | 'key'): number {
    let node: unknown = this.doc.contents;
    let best = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] as PathSegment;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return best;
        if (last && at === 'key') return rangeStart(pair.key) ?? best;
        // A key without a value (`timeout:`) has no value node: point at the key.
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item: unknown = node.items[seg];
        if (item === undefined) return best;
        node = item;
      } else {
        return best;
      }
      best = rangeStart(node) ?? best;
    }
    return best;
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

/**
 * Visits every string scalar that is a value (not a key), with its path, so substitution
 * and templating can rewrite scalars in place and positions stay those of the source.
 */
export function forEachStringScalar(
  doc: Document.Parsed,
  fn: (path: PathSegment[], value: string, setValue: (v: unknown) => void, plain: boolean) => void,
): void {
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        walk(pair.value, [...path, String(pair.key.value)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string') {
      const scalar = node;
      fn(path, scalar.value as string, (v) => (scalar.value = v), scalar.type === 'PLAIN');
    }
  };
  walk(doc.contents, []);
}

/** Every string value (not a key) of plain data, as forEachStringScalar does for a document. */
function forEachDataString(
  root: { data: unknown },
  fn: (path: PathSegment[], value: string, setValue: (v: unknown) => void, plain: boolean) => void,
): void {
  const walk = (holder: Record<string, unknown> | unknown[], key: string | number, path: PathSegment[]): void => {
    const node = (holder as Record<string | number, unknown>)[key];
    if (typeof node === 'string') fn(path, node, (v) => ((holder as Record<string | number, unknown>)[key] = v), false);
    else if (Array.isArray(node)) node.forEach((_, i) => walk(node, i, [...path, i]));
    else if (node !== null && typeof node === 'object') for (const k of Object.keys(node)) walk(node as Record<string, unknown>, k, [...path, k]);
  };
  walk(root as unknown as Record<string, unknown>, 'data', []);
}
