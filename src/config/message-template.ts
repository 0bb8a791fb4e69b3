// Checks' `summary` and `description` are rendered per instance by the check engine with
// only `{{value}}` and `{{labels.NAME}}`; anything else (Go-template habits such as
// `{{ $value }}`) is refused at load so an alert never goes out with a raw placeholder.

const PLACEHOLDER = /\{\{(.*?)\}\}/gs;
const LABEL = /^labels\.[A-Za-z_][A-Za-z0-9_]*$/;

/** Error message for the first bad placeholder, or null. */
export function messageTemplateError(text: string): string | null {
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = (m[1] ?? '').trim();
    if (name !== 'value' && !LABEL.test(name)) {
      return `unknown template "${m[0]}": only {{value}} and {{labels.NAME}} are allowed`;
    }
  }
  return null;
}

/** Rewrites `{{ value }}` to `{{value}}` so the engine sees one canonical form. */
export function canonicalMessageTemplate(text: string): string {
  return text.replace(PLACEHOLDER, (_whole, inner: string) => `{{${inner.trim()}}}`);
}
