// Every PromQL query a Grafana dashboard JSON sends, and Grafana's variable substitution
// done the way Grafana does it, so a test can run exactly what a user's Grafana would run:
// panel targets (rows' nested panels included, repeated panels once per value), templating
// variable queries (`label_values(...)`) and annotation queries.

export interface GrafanaTarget {
  expr?: string;
  refId?: string;
}
export interface GrafanaPanel {
  title?: string;
  type?: string;
  repeat?: string;
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
}
export interface GrafanaVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  regex?: string;
  sort?: number;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  current?: { value?: string | string[] };
}
export interface GrafanaAnnotation {
  name: string;
  expr?: string;
  step?: string;
  useValueForTime?: boolean;
  titleFormat?: string;
  textFormat?: string;
  tagKeys?: string;
}
export interface Dashboard {
  title: string;
  uid?: string;
  panels?: GrafanaPanel[];
  templating?: { list?: GrafanaVariable[] };
  annotations?: { list?: GrafanaAnnotation[] };
}

export interface PanelQueries {
  /** "Dashboard title / panel title", for assertion messages and the allow-list. */
  name: string;
  targets: Array<{ refId: string; expr: string }>;
  /** The variable the panel repeats over, if any. */
  repeat?: string;
}

/** Every panel with PromQL targets, rows' nested panels included. */
export function panelQueries(d: Dashboard): PanelQueries[] {
  const out: PanelQueries[] = [];
  const walk = (panels: GrafanaPanel[] | undefined): void => {
    for (const p of panels ?? []) {
      walk(p.panels);
      const targets = (p.targets ?? []).flatMap((t) => (t.expr ? [{ refId: t.refId ?? '?', expr: t.expr }] : []));
      if (targets.length === 0) continue;
      out.push({ name: `${d.title} / ${p.title ?? '(untitled)'}`, targets, ...(p.repeat ? { repeat: p.repeat } : {}) });
    }
  };
  walk(d.panels);
  return out;
}

export function annotationQueries(d: Dashboard): Array<{ name: string; expr: string; step?: string; annotation: GrafanaAnnotation }> {
  return (d.annotations?.list ?? [])
    .filter((a): a is GrafanaAnnotation & { expr: string } => typeof a.expr === 'string' && a.expr !== '')
    .map((a) => ({ name: `${d.title} / annotation ${a.name}`, expr: a.expr, ...(a.step ? { step: a.step } : {}), annotation: a }));
}

/** One annotation Grafana draws: a point (time === timeEnd) or a band. Times in ms. */
export interface AnnotationEvent {
  time: number;
  timeEnd: number;
  title: string;
  text: string;
  tags: string[];
}

/** `{{label}}` replaced by the series' label (empty when absent), as Grafana's legend format. */
export function renderFormat(format: string, labels: Record<string, string>): string {
  return format.replace(/\{\{\s*(.+?)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
}

/**
 * The events Grafana's Prometheus data source makes of an annotation query's range result
 * (its processEvents): per series, the points whose value is > 0 (with useValueForTime, every
 * point, at the time its value says, in ms), grouped into one band while consecutive points
 * are at most the query's step apart; title, text and tags from the series' labels.
 */
export function annotationEvents(
  a: Pick<GrafanaAnnotation, 'useValueForTime' | 'titleFormat' | 'textFormat' | 'tagKeys'>,
  series: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>,
  stepMs: number,
): AnnotationEvent[] {
  const keys = (a.tagKeys ?? '').split(',');
  const out: AnnotationEvent[] = [];
  for (const s of series) {
    const tags = Object.keys(s.metric).filter((l) => keys.includes(l)).map((l) => s.metric[l] as string);
    const active = s.values
      .map(([t, v]): [number, number] => (a.useValueForTime ? [Math.floor(parseFloat(v)), 1] : [Math.floor(t * 1000), parseFloat(v)]))
      .filter(([, v]) => v > 0)
      .map(([t]) => t);
    let open: AnnotationEvent | undefined;
    for (const t of active) {
      if (open && open.timeEnd + stepMs >= t) {
        open.timeEnd = t;
        continue;
      }
      if (open) out.push(open);
      open = { time: t, timeEnd: t, title: renderFormat(a.titleFormat ?? '', s.metric), text: renderFormat(a.textFormat ?? '', s.metric), tags };
    }
    if (open) out.push(open);
  }
  return out;
}

export function variableQuery(v: GrafanaVariable): string | undefined {
  if (v.type !== 'query') return undefined;
  return typeof v.query === 'string' ? v.query : v.query?.query;
}

/** `label_values(selector, label)` or `label_values(label)`; the only variable query form the dashboards may use. */
export function parseLabelValues(query: string): { label: string; match?: string } {
  const m = /^\s*label_values\(\s*(?:(.*),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/s.exec(query);
  if (!m) throw new Error(`unsupported variable query (only label_values is handled): ${query}`);
  const label = m[2] as string;
  return m[1] ? { label, match: m[1].trim() } : { label };
}

/** Grafana's option list: the query's values, filtered by the variable's /regex/, sorted as configured. */
export function variableOptions(v: GrafanaVariable, values: string[]): string[] {
  let out = [...values];
  const rx = /^\/(.*)\/([gimsuy]*)$/s.exec(v.regex ?? '');
  if (rx) {
    const re = new RegExp(rx[1] as string, rx[2]);
    out = out.filter((x) => re.test(x));
  }
  if (v.sort === 1 || v.sort === 3) out.sort((a, b) => a.localeCompare(b));
  if (v.sort === 2 || v.sort === 4) out.sort((a, b) => b.localeCompare(a));
  return out;
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|]/g;

/**
 * The value Grafana puts in a query when the dashboard opens with no saved selection:
 * "All" when the variable has it (its allValue, or every option as a regex), else the
 * saved current value if still offered, else the first option.
 */
export function defaultValue(v: GrafanaVariable, options: string[]): string | undefined {
  if (v.includeAll) return v.allValue ?? `(${options.map((o) => o.replace(REGEX_SPECIAL, '\\$&')).join('|')})`;
  const cur = v.current?.value;
  const saved = Array.isArray(cur) ? cur[0] : cur;
  if (saved !== undefined && options.includes(saved)) return saved;
  return options[0];
}

/** Grafana's built-in interval variables, at the values a 5-minute dashboard would use. */
export const BUILTINS: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '5m',
  __range_s: '300',
  __range_ms: '300000',
};

/** Replaces `$name`, `${name}`, `${name:format}` and `[[name]]`; throws on a variable it does not know. */
export function substitute(expr: string, values: Record<string, string>): string {
  const all = { ...BUILTINS, ...values };
  return expr.replace(/\$\{([a-zA-Z0-9_]+)(?::[^}]*)?\}|\[\[([a-zA-Z0-9_]+)\]\]|\$([a-zA-Z_][a-zA-Z0-9_]*)/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c) as string;
    const v = all[name];
    if (v === undefined) throw new Error(`unknown Grafana variable ${whole} in: ${expr}`);
    return v;
  });
}
