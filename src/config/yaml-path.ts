// A field's path inside a YAML file (keys and sequence indexes), and how it is shown.

import { printable } from './printable.js';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** The path as shown to the user (and as problems are keyed), control characters escaped. */
export function dottedPath(path: Path): string {
  return printable(path.map(String).join('.'));
}
