// Loading one suite folder: suite.yaml parsed, `{{namespace}}`/`{{params.x}}` rendered
// per scalar (so positions stay right), then validated like the config, steps included,
// and merged with the config entry's params, schedule, tick and enabled flag. Every
// problem of the suite file is returned together; nothing throws for user mistakes.

import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Problem } from '../../shared/errors.js';
import { checkScheduleShape, checkUniqueNames, isRecord } from '../cross-checks.js';
import type { Schedule, Step, Suite } from '../model.js';
import { ms, toCheckSpec, toSchedule } from '../resolve.js';
import { countRange, STEP_KINDS, stepSchemas, suiteFileSchema, type StepKind } from '../schema.js';
import { didYouMean } from '../suggest.js';
import { validateAt } from '../zod-problems.js';
import { dottedPath, NeedsPositions, YamlSource, type Path } from '../yaml-source.js';
import { tryRenderTemplate, type TemplateVars } from './render.js';
import { benchmarkSection } from './benchmark-section.js';
import { guardSourceQuery } from '../guard-source.js';

export type ParamValue = string | number | boolean;

/** What the config's entry for this suite contributes. */
export interface SuiteEntry {
  params: Record<string, ParamValue>;
  /** Overrides the suite's disruption schedule. */
  schedule?: Schedule;
  tickMs: number;
  enabled: boolean;
}

export interface LoadedSuite {
  suite?: Suite;
  problems: Problem[];
  /** The suite's declared params (the config entry may only set these). */
  knownParams: string[];
  hasDisruption: boolean;
  hasBenchmark?: boolean;
}

const NOT_RENDERED = new Set(['name', 'namespace', 'params', 'manifests']);

function isParamValue(v: unknown): v is ParamValue {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Names rendered later by someone else, allowed only where they belong. */
function keepFor(path: Path): ((name: string) => boolean) | undefined {
  if (path[0] === 'disruption' && path[1] === 'steps') return (n) => n === 'now' || /^choice\.[a-z][A-Za-z0-9_]*$/.test(n);
  if (path[0] === 'checks' && (path[2] === 'summary' || path[2] === 'description')) {
    return (n) => n === 'value' || /^labels\.[A-Za-z_][A-Za-z0-9_]*$/.test(n);
  }
  return undefined;
}

export async function loadSuite(dir: string, entry: SuiteEntry): Promise<LoadedSuite> {
  const absDir = resolve(dir);
  const file = join(absDir, 'suite.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    return { problems: [{ file, line: 1, col: 1, path: '', message: `cannot read suite file (${why})` }], knownParams: [], hasDisruption: false };
  }
  // Without positions first (much faster); any problem, and the file is read again with them.
  const fast = YamlSource.fast(file, text);
  if (fast) {
    try {
      return await loadSuiteFrom(fast, absDir, entry);
    } catch (err) {
      if (!(err instanceof NeedsPositions)) throw err;
    }
  }
  const source = await YamlSource.parse(file, text);
  if (source.hasSyntaxErrors) return { problems: source.problems, knownParams: [], hasDisruption: false };
  return loadSuiteFrom(source, absDir, entry);
}

async function loadSuiteFrom(source: YamlSource, absDir: string, entry: SuiteEntry): Promise<LoadedSuite> {
  const raw = source.data();
  if (!isRecord(raw)) {
    source.report([], 'a suite file must be a mapping (name, namespace, checks, ...)');
    return { problems: source.problems, knownParams: [], hasDisruption: false };
  }
  const defaults: Record<string, ParamValue> = {};
  if (isRecord(raw['params'])) for (const [k, v] of Object.entries(raw['params'])) if (isParamValue(v)) defaults[k] = v;
  const knownParams = Object.keys(defaults);
  const params: Record<string, ParamValue> = { ...defaults };
  for (const [k, v] of Object.entries(entry.params)) if (k in defaults) params[k] = v;
  const vars: TemplateVars = { namespace: typeof raw['namespace'] === 'string' ? raw['namespace'] : '', params };
  const hasDisruption = raw['disruption'] !== undefined;

  const failed = new Set<string>();
  source.forEachString((path, value, setValue) => {
    if (NOT_RENDERED.has(String(path[0])) || !value.includes('{{')) return;
    const keep = keepFor(path);
    const r = tryRenderTemplate(value, vars, keep ? { keep } : {});
    if ('error' in r) {
      source.report(path, r.error);
      failed.add(dottedPath(path));
    } else {
      setValue(r.text);
    }
  });
  const templateProblems = source.problems.length;
  const rendered = source.data() as Record<string, unknown>;
  const parsed = validateAt(source, suiteFileSchema, rendered);
  checkUniqueNames(source, rendered['checks'], ['checks']);
  const { steps, schedule } = disruptionOf(source, rendered['disruption'], parsed?.disruption?.schedule, entry.schedule);
  await checkFiles(source, absDir, rendered['manifests'], steps);
  const benchmark = benchmarkSection(source, rendered['benchmark'], parsed?.benchmark, { hasDisruption, entrySchedule: entry.schedule });
  source.dropFollowUps(failed, templateProblems);
  if (!parsed || source.problems.length > 0) return { problems: source.problems, knownParams, hasDisruption, hasBenchmark: rendered['benchmark'] !== undefined };
  const suite: Suite = {
    name: parsed.name,
    description: parsed.description,
    dir: absDir,
    namespace: parsed.namespace,
    params,
    manifests: parsed.manifests,
    checks: parsed.checks.map(toCheckSpec),
    tickMs: entry.tickMs,
    enabled: entry.enabled,
  };
  if (parsed.disruption && schedule) suite.disruption = { schedule, steps: steps.filter((s): s is Step => s !== undefined) };
  Object.assign(suite, parsed.guard !== undefined ? guardFields(parsed.guard) : {}, benchmark ? { benchmark } : {});
  return { suite, problems: [], knownParams, hasDisruption, hasBenchmark: rendered['benchmark'] !== undefined };
}

/** The guard and, when it names metrics, its data-source query (config/guard-source.ts). */
function guardFields(guard: string): Pick<Suite, 'guard' | 'guardSource'> {
  const source = guardSourceQuery(guard);
  return source === undefined ? { guard } : { guard, guardSource: source };
}

/** The disruption's steps and schedule (the entry's overrides the suite's); problems reported on source. */
function disruptionOf(
  source: YamlSource,
  rawDisruption: unknown,
  suiteSchedule: Parameters<typeof toSchedule>[0],
  entrySchedule: Schedule | undefined,
): { steps: Array<Step | undefined>; schedule: Schedule | undefined } {
  if (isRecord(rawDisruption) && rawDisruption['schedule'] !== undefined) {
    checkScheduleShape(source, rawDisruption['schedule'], ['disruption', 'schedule']);
  }
  const steps = isRecord(rawDisruption) && Array.isArray(rawDisruption['steps']) ? toSteps(source, rawDisruption['steps']) : [];
  checkChoices(source, steps);
  if (isRecord(rawDisruption) && entrySchedule === undefined && rawDisruption['schedule'] === undefined) {
    source.report(['disruption'], "the disruption has no schedule: set disruption.schedule here, or schedule in the config's entry");
  }
  return { steps, schedule: entrySchedule ?? toSchedule(suiteSchedule) };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function checkManifests(source: YamlSource, dir: string, manifests: unknown[]): Promise<void> {
  for (const [i, m] of manifests.entries()) {
    if (typeof m !== 'string' || m === '') continue;
    if (!(await isFile(join(dir, m)))) source.report(['manifests', i], `manifest file '${m}' does not exist in ${dir}`);
  }
}

/** The suite's manifests and its steps' files exist. */
async function checkFiles(source: YamlSource, dir: string, manifests: unknown, steps: Array<Step | undefined>): Promise<void> {
  if (Array.isArray(manifests)) await checkManifests(source, dir, manifests);
  await checkStepFiles(source, dir, steps);
}

/** applyManifest/deleteManifest name files in the suite folder. */
async function checkStepFiles(source: YamlSource, dir: string, steps: Array<Step | undefined>): Promise<void> {
  for (const [i, step] of steps.entries()) {
    const kind = step && ('applyManifest' in step ? 'applyManifest' : 'deleteManifest' in step ? 'deleteManifest' : undefined);
    if (!step || !kind) continue;
    const file = 'applyManifest' in step ? step.applyManifest.file : 'deleteManifest' in step ? step.deleteManifest.file : '';
    if (!(await isFile(join(dir, file)))) source.report(['disruption', 'steps', i, kind, 'file'], `manifest file '${file}' does not exist in ${dir}`);
  }
}

function toSteps(source: YamlSource, raw: unknown[]): Array<Step | undefined> {
  return raw.map((item, i) => {
    const path: Path = ['disruption', 'steps', i];
    if (!isRecord(item) || Object.keys(item).length !== 1) {
      source.report(path, `a step is a mapping with exactly one of: ${STEP_KINDS.join(', ')}`);
      return undefined;
    }
    const kind = Object.keys(item)[0] as string;
    if (!(STEP_KINDS as string[]).includes(kind)) {
      source.report([...path, kind], `unknown step '${kind}'${didYouMean(kind, STEP_KINDS)} (known: ${STEP_KINDS.join(', ')})`, 'key');
      return undefined;
    }
    return toStep(source, kind as StepKind, item[kind], [...path, kind]);
  });
}

function toStep(source: YamlSource, kind: StepKind, value: unknown, path: Path): Step | undefined {
  switch (kind) {
    case 'rolloutRestart': {
      const v = validateAt(source, stepSchemas.rolloutRestart, value, path);
      return v && { rolloutRestart: withNamespace({ deployment: v.deployment }, v.namespace) };
    }
    case 'waitRollout': {
      const v = validateAt(source, stepSchemas.waitRollout, value, path);
      return v && { waitRollout: withNamespace({ deployment: v.deployment, timeoutMs: ms(v.timeout) }, v.namespace) };
    }
    case 'scale': {
      const v = validateAt(source, stepSchemas.scale, value, path);
      return v && { scale: withNamespace({ deployment: v.deployment, replicas: v.replicas }, v.namespace) };
    }
    case 'setEnv': {
      const v = validateAt(source, stepSchemas.setEnv, value, path);
      if (!v) return undefined;
      const env = Object.fromEntries(Object.entries(v.env).map(([k, x]) => [k, String(x)]));
      return { setEnv: withNamespace(v.selector === undefined ? { env } : { selector: v.selector, env }, v.namespace) };
    }
    case 'deletePods': {
      const v = validateAt(source, stepSchemas.deletePods, value, path);
      return v && { deletePods: withNamespace({ selector: v.selector, keep: v.keep }, v.namespace) };
    }
    case 'sleep': {
      const v = validateAt(source, stepSchemas.sleep, value, path);
      return v && { sleep: { durationMs: ms(v.duration) } };
    }
    default:
      return toNewStep(source, kind, value, path);
  }
}

/** The step kinds of the chaos and canary suites. */
function toNewStep(source: YamlSource, kind: 'choose' | 'applyManifest' | 'deleteManifest' | 'labelNamespace', value: unknown, path: Path): Step | undefined {
  switch (kind) {
    case 'choose': {
      const v = validateAt(source, stepSchemas.choose, value, path);
      if (!v) return undefined;
      const [countMin, countMax] = countRange(v.count);
      return { choose: { name: v.name, from: v.from, countMin, countMax, ...(v.seed !== undefined ? { seed: v.seed } : {}) } };
    }
    case 'applyManifest': {
      const v = validateAt(source, stepSchemas.applyManifest, value, path);
      return v && { applyManifest: { file: v.file } };
    }
    case 'deleteManifest': {
      const v = validateAt(source, stepSchemas.deleteManifest, value, path);
      return v && { deleteManifest: { file: v.file } };
    }
    case 'labelNamespace': {
      const v = validateAt(source, stepSchemas.labelNamespace, value, path);
      return v && { labelNamespace: withNamespace({ labels: v.labels, restartDeployments: v.restartDeployments }, v.namespace) };
    }
  }
}

/** Every `{{choice.NAME}}` must follow a choose step of that name. */
function checkChoices(source: YamlSource, steps: Array<Step | undefined>): void {
  const chosen = new Set<string>();
  steps.forEach((step, i) => {
    if (!step) return;
    for (const m of JSON.stringify(step).matchAll(/\{\{\s*choice\.([A-Za-z0-9_]+)\s*\}\}/g)) {
      const name = m[1] ?? '';
      if (!chosen.has(name)) source.report(['disruption', 'steps', i], `{{choice.${name}}} is not chosen by an earlier step (add a choose step with name: ${name})`);
    }
    if ('choose' in step) chosen.add(step.choose.name);
  });
}

function withNamespace<T extends object>(step: T, namespace: string | undefined): T & { namespace?: string } {
  return namespace === undefined ? step : { ...step, namespace };
}
