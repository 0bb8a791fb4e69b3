// Prometheus-style durations (`500ms`, `30s`, `5m`, `1h`, `1h30m`, `2d`) to milliseconds.
// Pure; used by config validation and by suites' step parameters.

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

const PART = /(\d+)(ms|s|m|h|d|w|y)/y;

/** Returns milliseconds, or an error message saying what is wrong. */
export function parseDuration(text: string): number | { error: string } {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '') return { error: 'empty duration; use e.g. 30s, 5m, 1h' };
  let total = 0;
  let pos = 0;
  let lastRank = -1;
  const order = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (!m) return { error: `"${text}" is not a duration; use e.g. 500ms, 30s, 5m, 1h` };
    const unit = m[2] as string;
    const rank = order.indexOf(unit);
    if (rank <= lastRank) return { error: `"${text}" is not a duration: units must go from largest to smallest` };
    lastRank = rank;
    total += Number(m[1]) * (UNIT_MS[unit] as number);
    pos = PART.lastIndex;
  }
  if (!Number.isSafeInteger(total)) return { error: `"${text}" is too long a duration` };
  return total;
}

/** Formats milliseconds the way a user would write them (`1m30s`, `500ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
