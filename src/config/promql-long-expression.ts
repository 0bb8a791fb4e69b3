// Syntax checking of PromQL too long or too deep for one Lezer parse. @lezer/lr forces a
// production closed after 300 left-associative reductions from one start position
// (Rec.MaxLeftAssociativeReductionCount, not configurable) and cuts stacks deeper than
// 8400 entries, so a valid `a + b + ...` of ~350 terms comes back with an error node.
// Here the expression is scanned into its parenthesised parts and binary-operator chains;
// long chains are parsed in slices of at most CHUNK operators and deep parts on their
// own (an error's offset shifted back to the whole text); a part already checked is then
// replaced by `1` padded with spaces, so the text around it keeps its positions. Every
// character is parsed at least once, so a real mistake is still found at its column.

/** Parses `text` with the PromQL grammar; the offset of the first error node, or null. */
export type ErrorOffset = (text: string) => number | null;

/** Operators per parsed slice: well under Lezer's 300 reductions. */
const CHUNK = 150;
/** Paren nesting checked as a part of its own, well under Lezer's stack cut. */
const DEPTH_STEP = 64;

const KEYWORD_OPS = new Set(['and', 'or', 'unless', 'atan2']);
/** Words after which an operand is still expected, so a following `-` or `+` is unary. */
const NOT_OPERAND_END = new Set([...KEYWORD_OPS, 'bool', 'offset', 'on', 'ignoring', 'group_left', 'group_right', 'by', 'without']);
const MODIFIERS_WITH_LABELS = new Set(['on', 'ignoring', 'group_left', 'group_right']);
const SYMBOL_OPS = ['==', '!=', '>=', '<=', '+', '-', '*', '/', '%', '^', '>', '<'];
const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** One comma-separated part of a paren group (or the whole text): an expression context. */
interface Segment {
  from: number;
  to: number;
  depth: number;
  /** Per binary operator: where it starts and where its right operand starts. */
  ops: Array<{ at: number; operand: number }>;
  children: Segment[][];
}

/** Offset of the first syntax error in `expr`, or null, for expressions of any length. */
export function longExpressionError(expr: string, errorAt: ErrorOffset): number | null {
  const top = scan(expr);
  const masked = expr.split('');
  const inner = checkSegment(top, masked, errorAt);
  if (inner !== null) return inner;
  return errorAt(masked.join(''));
}

function checkSegment(seg: Segment, masked: string[], errorAt: ErrorOffset): number | null {
  for (const group of seg.children) {
    for (const child of group) {
      const e = checkSegment(child, masked, errorAt);
      if (e !== null) return e;
    }
  }
  // Only a part holding more parts is cut out for depth: a label list (`by (a)`) is not an expression.
  const deep = seg.depth > 0 && seg.depth % DEPTH_STEP === 0 && seg.children.length > 0;
  if (seg.ops.length <= CHUNK && !deep) return null;
  if (masked.slice(seg.from, seg.to).join('').trim() === '') return null;
  for (let first = 0; first < Math.max(seg.ops.length, 1); first += CHUNK) {
    const last = Math.min(first + CHUNK, seg.ops.length);
    const from = first === 0 ? seg.from : (seg.ops[first - 1]?.operand ?? seg.from);
    const to = last === seg.ops.length ? seg.to : (seg.ops[last]?.at ?? seg.to);
    const e = errorAt(masked.slice(from, to).join(''));
    if (e !== null) return from + e;
  }
  let placed = false;
  for (let i = seg.from; i < seg.to; i++) {
    const c = masked[i] ?? ' ';
    if (!placed && !/\s/.test(c)) {
      masked[i] = '1';
      placed = true;
    } else {
      masked[i] = blank(c);
    }
  }
  return null;
}

/** Keeps line breaks (a `#` comment ends at one) and blanks everything else. */
function blank(c: string): string {
  return c === '\n' || c === '\r' ? c : ' ';
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  /** Scans up to `closer` (not consumed) or the end; returns the segments between commas. */
  group(closer: string | null, depth: number): Segment[] {
    const segments: Segment[] = [];
    let seg = this.segment(this.pos, depth);
    let operandEnded = false;
    let pendingOperand: { at: number } | null = null;
    let labelsFollow = false;
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos] as string;
      if (c === closer) break;
      if (this.skipTrivia(c)) continue;
      if (c === ',' && closer === ')') {
        seg.to = this.pos;
        segments.push(seg);
        this.pos++;
        seg = this.segment(this.pos, depth);
        operandEnded = false;
        pendingOperand = null;
        continue;
      }
      const start = this.pos;
      const op = operandEnded ? this.binaryOperator() : null;
      if (op) {
        pendingOperand = { at: start };
        operandEnded = false;
        labelsFollow = false;
        continue;
      }
      if (pendingOperand) {
        const word = /^[A-Za-z_]+/.exec(t.slice(this.pos, this.pos + 12))?.[0] ?? '';
        if (word === 'bool' || MODIFIERS_WITH_LABELS.has(word)) {
          this.pos += word.length;
          labelsFollow = MODIFIERS_WITH_LABELS.has(word);
          continue;
        }
        if (c === '(' && labelsFollow) {
          this.pos++;
          this.group(')', depth + 1);
          if (t[this.pos] === ')') this.pos++;
          labelsFollow = false;
          continue;
        }
        seg.ops.push({ at: pendingOperand.at, operand: start });
        pendingOperand = null;
      }
      labelsFollow = false;
      operandEnded = this.operand(c, depth, seg);
    }
    seg.to = this.pos;
    segments.push(seg);
    return segments;
  }

  /** Whitespace and `#` comments: skipped; true when c was trivia. */
  skipTrivia(c: string): boolean {
    if (/\s/.test(c)) {
      this.pos++;
      return true;
    }
    if (c !== '#') return false;
    while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.pos++;
    return true;
  }

  /** Scans one operand (a group, a string, a word or a stray character); true when it ends an operand. */
  operand(c: string, depth: number, seg: Segment): boolean {
    const close = CLOSER[c];
    if (close) {
      this.pos++;
      const inner = this.group(close, c === '(' ? depth + 1 : depth);
      if (c === '(') seg.children.push(inner);
      if (this.text[this.pos] === close) this.pos++;
      return true;
    }
    if (c === '"' || c === "'" || c === '`') {
      this.string(c);
      return true;
    }
    if (/[A-Za-z0-9_:.]/.test(c)) return !NOT_OPERAND_END.has(this.word());
    // `@`, a stray closer, a lone `=`: not an operand end; Lezer judges it.
    this.pos++;
    return c === ')' || c === ']' || c === '}';
  }

  segment(from: number, depth: number): Segment {
    return { from, to: from, depth, ops: [], children: [] };
  }

  private binaryOperator(): boolean {
    const t = this.text;
    for (const op of SYMBOL_OPS) {
      if (t.startsWith(op, this.pos)) {
        this.pos += op.length;
        return true;
      }
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(t.slice(this.pos, this.pos + 8))?.[0];
    if (word && KEYWORD_OPS.has(word) && !/[A-Za-z0-9_:]/.test(t[this.pos + word.length] ?? '')) {
      this.pos += word.length;
      return true;
    }
    return false;
  }

  private word(): string {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length && /[A-Za-z0-9_:.]/.test(t[this.pos] as string)) this.pos++;
    // `1e-5`: the sign belongs to the number's exponent, not a binary minus.
    if (/^[0-9.]+[eE]$/.test(t.slice(start, this.pos)) && /[-+]/.test(t[this.pos] ?? '')) {
      this.pos++;
      while (this.pos < t.length && /[0-9]/.test(t[this.pos] as string)) this.pos++;
    }
    return t.slice(start, this.pos);
  }

  private string(quote: string): void {
    const t = this.text;
    this.pos++;
    while (this.pos < t.length && t[this.pos] !== quote) this.pos += t[this.pos] === '\\' && quote !== '`' ? 2 : 1;
    this.pos++;
  }
}

function scan(expr: string): Segment {
  const [top] = new Scanner(expr).group(null, 0);
  return top ?? { from: 0, to: expr.length, depth: 0, ops: [], children: [] };
}
