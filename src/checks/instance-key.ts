// The canonical name of a check instance: its series' labels, sorted by name and
// rendered as `{a="1",b="2"}` (Prometheus' own notation), `{}` for a series without
// labels. The same label set always yields the same key, whatever order Prometheus
// returned it in, so an instance keeps its state across ticks.

const NEEDS_ESCAPE = /[\\"\n]/;

function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function instanceKey(labels: Record<string, string>): string {
  const names = Object.keys(labels);
  // Most checks aggregate to one series without labels: no sort, no string to build.
  if (names.length === 0) return NO_LABELS_KEY;
  names.sort();
  let key = '{';
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    key += `${i === 0 ? '' : ','}${name}="${escapeLabelValue(labels[name] ?? '')}"`;
  }
  return `${key}}`;
}

/** The key of the single instance of a check whose query returned no series. */
export const NO_LABELS_KEY = '{}';
