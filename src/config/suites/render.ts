// Load-time templates of suite files and manifests: `{{namespace}}` and `{{params.NAME}}`.
// Names rendered later by someone else (`{{now}}` by the step runner, `{{value}}` and
// `{{labels.NAME}}` by the check engine) can be kept verbatim where they belong.

import { UserError } from '../../shared/errors.js';

export interface TemplateVars {
  namespace: string;
  params: Record<string, string | number | boolean>;
}

export interface RenderOptions {
  /** Names left as they are (rewritten to the canonical `{{name}}` form). */
  keep?: (name: string) => boolean;
}

const PLACEHOLDER = /\{\{(.*?)\}\}/gs;

/** Every name the template may use, for error messages. */
export function knownNames(vars: TemplateVars): string[] {
  return ['namespace', ...Object.keys(vars.params).map((p) => `params.${p}`)];
}

/** Renders without throwing: the text, or the first unknown name as an error message. */
export function tryRenderTemplate(
  text: string,
  vars: TemplateVars,
  options: RenderOptions = {},
): { text: string } | { error: string } {
  let error: string | undefined;
  const out = text.replace(PLACEHOLDER, (whole, inner: string) => {
    const name = inner.trim();
    if (name === 'namespace') return vars.namespace;
    if (name.startsWith('params.')) {
      const value = vars.params[name.slice('params.'.length)];
      if (value !== undefined) return String(value);
    }
    if (options.keep?.(name)) return `{{${name}}}`;
    error ??= `unknown template name "${whole}"; known: ${knownNames(vars)
      .map((n) => `{{${n}}}`)
      .join(', ')}`;
    return whole;
  });
  return error === undefined ? { text: out } : { error };
}

/** Renders `{{namespace}}` and `{{params.NAME}}`; an unknown name throws a UserError. */
export function renderTemplate(text: string, vars: TemplateVars, options: RenderOptions = {}): string {
  const r = tryRenderTemplate(text, vars, options);
  if ('error' in r) throw new UserError(r.error);
  return r.text;
}
