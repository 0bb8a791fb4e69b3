// The `yaml` library's side of YamlSource: parsing a file with source positions, walking
// its nodes, and mapping a path back to an offset. Loaded only when a file needs positions
// (a problem to locate, `${VAR}` substitution, anchors or tags): `yaml` costs a fifth of a
// second to load, and most runs of `validate` and start-up read files js-yaml already read.

import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { printable } from './printable.js';
import { structureProblems, type StructureProblem } from './yaml-structure.js';
import type { Path, PathSegment } from './yaml-path.js';

export interface Positioned {
  doc: Document.Parsed;
  lines: LineCounter;
  /** YAML syntax errors, each at its offset, with a message fit for the user. */
  syntax: Array<{ offset: number; message: string }>;
  /** Aliases and tags plain data must not hold (yaml-structure.ts); only when syntax is empty. */
  structure: StructureProblem[];
}

export function parseWithPositions(text: string): Positioned {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, keepSourceTokens: false });
  const syntax = doc.errors.map((err) => {
    // The composer recurses per nesting level; its stack overflow is the user's nesting.
    const why = err.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(err.message) ? 'nesting too deep' : firstLine(err.message);
    return { offset: err.pos[0], message: `YAML syntax error: ${printable(why)}` };
  });
  return { doc, lines, syntax, structure: syntax.length === 0 ? structureProblems(doc) : [] };
}

/** Offset of the deepest existing node along `path` (the key node with `at: 'key'`). */
export function offsetOf(doc: Document.Parsed, path: Path, at: 'value' | 'key'): number {
  let node: unknown = doc.contents;
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

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}
