// Kubernetes label selectors as `kubectl -l` and the API's `labelSelector` query take them,
// checked when the config loads so a step never sends one the API server answers 400 to in
// the middle of a disruption. The grammar is apimachinery's labels.Parse: comma-separated
// requirements `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (v,…)`, `key notin (v,…)`,
// `key>N`, `key<N`; keys are `[prefix/]name` (prefix a DNS subdomain ≤ 253, name ≤ 63),
// values ≤ 63 characters of the label-value alphabet. Pure: a problem is returned as text.

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SET_OP = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/s;
const BINARY_OP = /^([^=!<>\s]+)\s*(==|!=|=|<|>)\s*(.*)$/s;

function keyProblem(key: string): string | undefined {
  if (key === '') return 'a requirement has no key';
  const slash = key.indexOf('/');
  const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix === '' || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `key "${key}": the prefix must be a DNS subdomain (lower-case, at most 253 characters)`;
  }
  if (name.length > 63 || !NAME.test(name)) {
    return `key "${key}": the name must be 1-63 characters, letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

function valueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return `value "${value}": at most 63 characters, letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Splits at commas outside parentheses; undefined when parentheses do not balance. */
function splitRequirements(selector: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth < 0 || depth > 1) return undefined;
    if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  parts.push(selector.slice(start));
  return parts.map((p) => p.trim());
}

function requirementProblem(req: string): string | undefined {
  if (req === '') return 'an empty requirement (a stray comma?)';
  if (req.startsWith('!')) return keyProblem(req.slice(1).trim());
  const set = SET_OP.exec(req);
  if (set) {
    const [, key = '', op = '', inner = ''] = set;
    const values = inner.split(',').map((v) => v.trim());
    if (inner.trim() === '') return `"${req}": the values of '${op}' can't be empty`;
    return keyProblem(key) ?? values.map(valueProblem).find((p) => p !== undefined);
  }
  const bin = BINARY_OP.exec(req);
  if (bin) {
    const [, key = '', op = '', value = ''] = bin;
    if ((op === '<' || op === '>') && !/^-?\d+$/.test(value.trim())) return `"${req}": '${op}' needs an integer value`;
    return keyProblem(key) ?? valueProblem(value.trim());
  }
  if (/[\s=!<>()]/.test(req)) return `"${req}" is not a requirement (key, !key, key=value, key!=value, key in (a,b), key notin (a,b))`;
  return keyProblem(req);
}

/** What is wrong with a label selector, or undefined when the API server would accept it. */
export function labelSelectorProblem(selector: string): string | undefined {
  if (selector.trim() === '') return undefined;
  const reqs = splitRequirements(selector);
  if (!reqs) return 'unbalanced parentheses';
  for (const req of reqs) {
    const problem = requirementProblem(req);
    if (problem) return problem;
  }
  return undefined;
}
