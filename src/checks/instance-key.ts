// The canonical name of a check instance: its series' labels, sorted by name and
// rendered as `{a="1",b="2"}` (Prometheus' own notation), `{}` for a series without
// labels. The same label set always yields the same key, whatever order Prometheus
// returned it in, so an instance keeps its state across ticks.

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function instanceKey(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  const parts = names.map((name) => `${name}="${escapeLabelValue(labels[name] ?? '')}"`);
  return `{${parts.join(',')}}`;
}

/** The key of the single instance of a check whose query returned no series. */
export const NO_LABELS_KEY = '{}';
