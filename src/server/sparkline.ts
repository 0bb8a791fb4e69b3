// The geometry of the status page's sparklines: a check's last values (oldest first, null for
// a tick without a value) as the `d` of one SVG path in a width × height box, y growing down.
// Gaps break the line; a lone point between gaps is a zero-length stroke the page draws with
// round caps (a dot). Pure; the page only sets the path on an <svg> it builds.

export interface Sparkline {
  /** SVG path data: only M, L and h commands and numbers, nothing the page must escape. */
  d: string;
  min: number;
  max: number;
  /** The newest finite value. */
  last: number;
  /** Values drawn (ticks), gaps included. */
  points: number;
}

const PAD = 1;

/** Rounds to one decimal, without a trailing ".0". */
function coord(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** The path of `values` in a width × height box; undefined when no value is finite. */
export function sparklinePath(values: Array<number | null>, width = 120, height = 20): Sparkline | undefined {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return undefined;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = height - 2 * PAD;
  const y = (v: number): number => (max === min ? height / 2 : PAD + ((max - v) / (max - min)) * span);
  const x = (i: number): number => (values.length === 1 ? width / 2 : (i / (values.length - 1)) * width);
  const parts: string[] = [];
  let drawing = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (drawing && !parts[parts.length - 1]?.startsWith('L')) parts.push('h0');
      drawing = false;
      return;
    }
    parts.push(`${drawing ? 'L' : 'M'}${coord(x(i))},${coord(y(v))}`);
    drawing = true;
  });
  if (drawing && !parts[parts.length - 1]?.startsWith('L')) parts.push('h0');
  return { d: parts.join(''), min, max, last: finite[finite.length - 1] as number, points: values.length };
}
