// What the YAML parser accepts but plain config data must not hold: aliases to no anchor
// (yaml's toJS throws a bare ReferenceError), aliases that contain themselves (circular
// data), alias bombs ("billion laughs": a few lines expanding to millions of values), and
// explicit tags beyond the core ones (`!!python/object`, `!!binary`, `!!timestamp` would
// silently become a string, a Buffer or a Date). Each is reported at the node, with its path.

import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

export interface StructureProblem {
  offset: number;
  path: Array<string | number>;
  message: string;
}

/** Values a document may expand to through its aliases; far above any real config. */
export const MAX_EXPANDED_VALUES = 100_000;

const CORE = 'tag:yaml.org,2002:';
const ALLOWED_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => CORE + t));

export function structureProblems(doc: Document.Parsed): StructureProblem[] {
  const problems: StructureProblem[] = [];
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  const ancestors = new Set<unknown>();
  let expanded = 0;
  let bombReported = false;

  const at = (node: unknown): number => (node as Node | null | undefined)?.range?.[0] ?? 0;

  // Values `node` stands for once its aliases are expanded.
  const walk = (node: unknown, path: Array<string | number>): number => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const name = node.source;
      if (!target) {
        problems.push({ offset: at(node), path, message: `alias *${name} refers to no anchor &${name} defined before it` });
        return 1;
      }
      if (ancestors.has(target)) {
        problems.push({ offset: at(node), path, message: `alias *${name} is inside the node it refers to (circular data)` });
        return 1;
      }
      const size = sizes.get(target) ?? 1;
      expanded += size;
      if (expanded > MAX_EXPANDED_VALUES && !bombReported) {
        bombReported = true;
        problems.push({
          offset: at(node),
          path,
          message: `alias *${name} makes the document expand to more than ${MAX_EXPANDED_VALUES} values (an alias bomb); refused`,
        });
      }
      return size;
    }
    const n = node as Node | null | undefined;
    if (!n) return 0;
    if (n.anchor) anchors.set(n.anchor, n);
    if (n.tag !== undefined && !ALLOWED_TAGS.has(n.tag) && (isScalar(n) || isMap(n) || isSeq(n))) {
      const shown = n.tag.startsWith(CORE) ? `!!${n.tag.slice(CORE.length)}` : n.tag;
      problems.push({ offset: at(n), path, message: `unsupported YAML tag ${shown}` });
    }
    let size = 1;
    expanded += 1;
    ancestors.add(n);
    if (isMap(n)) {
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        size += walk(pair.key, path);
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        size += walk(pair.value, [...path, key]);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => (size += walk(item, [...path, i])));
    }
    ancestors.delete(n);
    if (n.anchor) sizes.set(n, size);
    return size;
  };
  walk(doc.contents, []);
  return problems;
}
