// `{{now}}` in step values: the job's scheduled time in epoch seconds, not the wall clock,
// so a retried or re-delivered job sends exactly the same value and changes nothing twice.

const NOW = /\{\{\s*now\s*\}\}/g;

export function substituteNow(value: string, scheduledAtMs: number): string {
  return value.replace(NOW, String(Math.floor(scheduledAtMs / 1000)));
}

export function substituteNowAll(env: Record<string, string>, scheduledAtMs: number): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, substituteNow(v, scheduledAtMs)]));
}
