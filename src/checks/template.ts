// The alert texts of a check (`summary`, `description`): `{{value}}` and
// `{{labels.NAME}}`, nothing else. Deliberately not a template language: a check's
// text is rendered on every tick for every series, and a typo must be caught by the
// config loader (listTemplateNames + isTemplateName), not discovered in an alert.

import { formatValue } from './format-value.js';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const LABEL_NAME = /^labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/;

export interface TemplateContext {
  value: number | null;
  labels: Record<string, string>;
}

/** The names used in `text`, trimmed, each once, in order of first use. */
export function listTemplateNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) names.add(m[1] ?? '');
  return [...names];
}

/** True for the names renderAlertTemplate knows: `value` and `labels.NAME`. */
export function isTemplateName(name: string): boolean {
  return name === 'value' || LABEL_NAME.test(name);
}

/**
 * Renders `{{value}}` (formatted for humans; `no data` for null) and `{{labels.NAME}}`
 * (empty when the series has no such label). Unknown names are left as written, so a
 * mistake that slipped past validation stays visible in the alert.
 */
export function renderAlertTemplate(text: string, ctx: TemplateContext): string {
  return text.replace(PLACEHOLDER, (whole, rawName: string) => {
    if (rawName === 'value') return formatValue(ctx.value);
    const label = LABEL_NAME.exec(rawName);
    // Own labels only: `labels.constructor` must not reach Object.prototype's function.
    const name = label?.[1];
    if (name !== undefined) return Object.hasOwn(ctx.labels, name) ? (ctx.labels[name] ?? '') : '';
    return whole;
  });
}
