// Two kinds of error, kept apart on purpose:
// - UserError: the user's input is wrong (config, CLI arguments, an unknown suite).
//   Printed as plain messages, no stack trace, exit code 2. Fix the input, not the code.
// - Fault: something outside mesh-soak misbehaved (Prometheus timed out, Redis is down,
//   the Kubernetes API said 500). Counted in metrics, retried or reported as `unknown`.
// The CLI (src/cli.ts) is the one place that turns either into an exit code.
//
// src/shared/: errors, time helpers (sleep, withTimeout), version and package root.
// May import: nothing in src/.

/** One precise problem in one input file: `FILE:LINE:COL: path.to.field: message`. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  /** Dotted path of the field, e.g. `suites.1.schedule.every`; empty for the whole document. */
  path: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = `${p.file}:${p.line}:${p.col}`;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** A mistake in user input; carries every problem found, not just the first. */
export class UserError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[] | string) {
    const list: Problem[] =
      typeof problems === 'string' ? [{ file: '', line: 0, col: 0, path: '', message: problems }] : problems;
    super(list.map(formatLine).join('\n'));
    this.name = 'UserError';
    this.problems = list;
  }
}

function formatLine(p: Problem): string {
  return p.file ? formatProblem(p) : p.path ? `${p.path}: ${p.message}` : p.message;
}

/** Something outside mesh-soak failed; `kind` is a short, metric-friendly label. */
export class Fault extends Error {
  readonly kind: string;
  constructor(kind: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Fault';
    this.kind = kind;
  }
}

/** The message of anything thrown, for logs and outcomes. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
