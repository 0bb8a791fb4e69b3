// Rules that span several fields: a schedule has exactly one of every/cron, and check
// names are unique within their list. Run on the raw data, independently of the schema
// result, so they are reported together with every other problem.

import type { Path, YamlSource } from './yaml-source.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reports a schedule that is not exactly one of every/cron; true when it is fine. */
export function checkScheduleShape(source: YamlSource, raw: unknown, path: Path): boolean {
  if (!isRecord(raw)) return false;
  const hasEvery = raw['every'] !== undefined;
  const hasCron = raw['cron'] !== undefined;
  if (hasEvery && hasCron) source.report(path, 'both every and cron are set; use exactly one');
  else if (!hasEvery && !hasCron) source.report(path, 'a schedule needs every or cron');
  else return true;
  return false;
}

export function checkUniqueNames(source: YamlSource, raw: unknown, path: Path): void {
  if (!Array.isArray(raw)) return;
  const first = new Map<string, number>();
  raw.forEach((item: unknown, i) => {
    if (!isRecord(item) || typeof item['name'] !== 'string') return;
    const name = item['name'];
    const seen = first.get(name);
    if (seen === undefined) {
      first.set(name, i);
      return;
    }
    const line = source.position([...path, seen, 'name']).line;
    source.report([...path, i, 'name'], `duplicate check name '${name}' (first used on line ${line})`);
  });
}

export { isRecord };
