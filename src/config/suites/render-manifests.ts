// A suite's Kubernetes manifests, read and rendered: each file may hold several YAML
// documents; `{{namespace}}` and `{{params.x}}` are rendered per scalar (a value can never
// break the YAML around it), and every object must name its apiVersion, kind and
// metadata.name. All problems of all manifest files come back in one UserError.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { UserError, type Problem } from '../../shared/errors.js';
import type { Suite } from '../model.js';
import { tryRenderTemplate, type TemplateVars } from './render.js';

type Obj = Record<string, unknown>;

export async function renderManifests(suite: Suite): Promise<Array<Record<string, unknown>>> {
  const vars: TemplateVars = { namespace: suite.namespace, params: suite.params };
  const problems: Problem[] = [];
  const objects: Obj[] = [];
  for (const name of suite.manifests) {
    const file = join(suite.dir, name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      problems.push({ file, line: 1, col: 1, path: '', message: 'cannot read manifest file' });
      continue;
    }
    objects.push(...renderFile(file, text, vars, problems));
  }
  if (problems.length > 0) throw new UserError(problems);
  return objects;
}

/** Renders every `{{…}}` string scalar under node in place; reports each template error. */
function renderTemplates(node: unknown, path: string[], vars: TemplateVars, onError: (node: unknown, path: string, error: string) => void): void {
  if (isMap(node) || isSeq(node)) {
    node.items.forEach((item: unknown, i: number) => {
      if (isPair(item)) {
        renderTemplates(item.key, path, vars, onError);
        renderTemplates(item.value, [...path, isScalar(item.key) ? String(item.key.value) : '?'], vars, onError);
      } else {
        renderTemplates(item, [...path, String(i)], vars, onError);
      }
    });
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('{{')) {
    const r = tryRenderTemplate(node.value, vars);
    if ('error' in r) onError(node, path.join('.'), r.error);
    else node.value = r.text;
  }
}

function renderFile(file: string, text: string, vars: TemplateVars, problems: Problem[]): Obj[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const at = (node: unknown, path: string, message: string): void => {
    const range = (node as Node | null | undefined)?.range;
    const { line, col } = lines.linePos(range ? range[0] : 0);
    problems.push({ file, line, col, path, message });
  };
  if (!Array.isArray(docs)) return [];
  const out: Obj[] = [];
  docs.forEach((doc, d) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const { line, col } = lines.linePos(e.pos[0]);
        problems.push({ file, line, col, path: '', message: `YAML syntax error: ${e.message.split('\n')[0] ?? ''}` });
      }
      return;
    }
    let bad = false;
    renderTemplates(doc.contents, [], vars, (node, path, error) => {
      bad = true;
      at(node, path, error);
    });
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // an empty document between `---`
    const where = `document ${d + 1}`;
    if (typeof value !== 'object' || Array.isArray(value)) {
      at(doc.contents, '', `${where}: a manifest must be a Kubernetes object (a mapping)`);
      return;
    }
    const obj = value as Obj;
    const meta = obj['metadata'];
    const missing = [
      typeof obj['apiVersion'] === 'string' ? undefined : 'apiVersion',
      typeof obj['kind'] === 'string' ? undefined : 'kind',
      typeof meta === 'object' && meta !== null && typeof (meta as Obj)['name'] === 'string' ? undefined : 'metadata.name',
    ].filter((m): m is string => m !== undefined);
    if (missing.length > 0) {
      at(doc.contents, '', `${where}: a manifest object needs ${missing.join(', ')}`);
      return;
    }
    if (!bad) out.push(obj);
  });
  return out;
}
