// One parsed YAML input file and the problems found in it. Owns the mapping from a
// dotted field path back to the file position the user must look at: the value node for
// a wrong value, the key node for an unknown field, the parent mapping for a missing one.
// Everything echoed back from the file goes through printable(): a key may hold escapes.
// The `yaml` library (positions) is loaded only by parse(); fast() needs js-yaml only.

import type { Document, LineCounter } from 'yaml';
import type { Problem } from '../shared/errors.js';
import { printable } from './printable.js';
import { fastYamlData } from './yaml-fast.js';
import { dottedPath, type Path, type PathSegment } from './yaml-path.js';

export { dottedPath, type Path, type PathSegment } from './yaml-path.js';

type Positions = typeof import('./yaml-positions.js');

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
  private plain?: { data: unknown; text: string };

  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    /** yaml-positions.ts, once loaded by parse(); absent for a fast() source. */
    private readonly positions?: Positions,
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
    source.plain = { ...plain, text };
    return source;
  }

  /**
   * Whether a string value was written unquoted (a plain scalar), as forEachString tells a
   * parse() source. A fast() source answers from its text: every place the value appears on
   * one line must agree (all bare, or all in the same quotes); anything else — the value not
   * found as written (escapes, folded or block scalars) or written both ways — throws
   * NeedsPositions, so the caller reads the file with positions.
   */
  writtenPlain(value: string, plainFromParse: boolean): boolean {
    if (!this.plain) return plainFromParse;
    const { text } = this.plain;
    if (value.includes('\n')) throw new NeedsPositions();
    const styles = new Set<string>();
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) styles.add(styleAt(text, at, value.length));
    if (styles.size !== 1 || styles.has('?')) throw new NeedsPositions();
    return styles.has('plain');
  }

  /** Parses `text` with positions; YAML syntax errors become problems at their own positions. */
  static async parse(file: string, text: string): Promise<YamlSource> {
    const positions = await import('./yaml-positions.js');
    const { doc, lines, syntax, structure } = positions.parseWithPositions(text);
    const source = new YamlSource(file, doc, lines, positions);
    for (const err of syntax) {
      const { line, col } = lines.linePos(err.offset);
      source.problems.push({ file, line, col, path: '', message: err.message });
    }
    for (const p of structure) {
      const { line, col } = lines.linePos(p.offset);
      source.problems.push({ file, line, col, path: dottedPath(p.path), message: printable(p.message) });
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
    else this.positions?.forEachStringScalar(this.doc, fn);
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
    const offset = this.positions?.offsetOf(this.doc, path, at) ?? 0;
    return this.lines.linePos(offset);
  }
}

/**
 * How the text at `at` was written: in quotes ('"' or "'"), bare after a key, a dash or a
 * flow indicator on the same line ('plain'), or '?' (e.g. a line of a block scalar).
 */
function styleAt(text: string, at: number, length: number): string {
  const before = text[at - 1] ?? '';
  if ((before === '"' || before === "'") && text[at + length] === before) return before;
  const line = text.slice(text.lastIndexOf('\n', at - 1) + 1, at);
  return /^[^"'#]*[:\-[,{?]\s+$/.test(line) || /^[^"'#]*[[,{]$/.test(line) ? 'plain' : '?';
}

/** Every string value (not a key) of plain data, as yaml-positions.ts does for a document. */
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
