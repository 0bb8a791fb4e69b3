// `mesh-soak suites list|render|apply|delete`: the configured suites and their manifests.
// `render` prints what `apply` would send (multi-document YAML); `apply` is server-side apply
// with field manager mesh-soak through the config's kubeconfig; `delete` removes the same
// objects, last first. An unknown suite or subcommand is a user mistake (exit 2). A namespace
// of the suite that is still Terminating (a `suites delete` moments ago) is waited out, bounded
// by --namespace-timeout, with a progress line every few seconds.

import type { KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { loadConfig } from '../config/load-config.js';
import type { Config, Suite } from '../config/model.js';
import { formatDuration, parseDuration } from '../checks/duration.js';
import { UserError } from '../shared/errors.js';
import {
  applyManifests,
  createKubeClients,
  deleteManifests,
  isNamespaceTerminating,
  waitNamespacesActive,
  type KubeContext,
  type NamespaceWait,
} from '../adapters/kube/index.js';
import { renderManifests } from '../config/suites/render-manifests.js';
import { findSuite } from '../config/suites/find-suite.js';
import { stepKind } from '../disruption/steps/step-kind.js';
import { configPath, configPathOrExample, type Command, type CommandContext } from './command.js';
import { CLUSTER_OPTION, clusterArgs, clusterForSuite } from './cluster-option.js';
import { clusterTarget, suiteOn } from '../config/clusters.js';

const SUBCOMMANDS = ['list', 'render', 'apply', 'delete'] as const;
type Sub = (typeof SUBCOMMANDS)[number];

export const suitesCommand: Command = {
  summary: 'list the suites; render, apply or delete a suite\'s manifests',
  help: [
    'usage: mesh-soak suites list [--config FILE]  (list and render: without a config, the shipped suites)',
    '       mesh-soak suites render SUITE    the rendered manifests, as multi-document YAML',
    '       mesh-soak suites apply SUITE [--namespace-timeout 5m]',
    '                                        server-side apply (field manager mesh-soak); waits, at',
    '                                        most that long, for a namespace still Terminating',
    '       mesh-soak suites delete SUITE    delete the suite\'s objects',
    '       (apply, delete: [--cluster NAME] with clusters: in the config)',
    '',
    'apply and delete use kubernetes.kubeconfig from the config (absent: the in-cluster',
    'service account, then ~/.kube/config). With clusters: in the config, --cluster NAME picks',
    'the cluster (its kubeconfig and context); needed when the suite runs on more than one.',
    '',
    'Exit: 0 done, 1 the cluster refused or failed, 2 unknown suite or invalid config.',
  ].join('\n'),
  options: { 'namespace-timeout': { type: 'string' }, ...CLUSTER_OPTION },
  async run(ctx) {
    const [sub, ...names] = ctx.positionals;
    if (!isSub(sub)) {
      throw new UserError(`suites: ${sub ? `unknown subcommand "${sub}"` : 'missing subcommand'}; use one of ${SUBCOMMANDS.join(', ')}`);
    }
    // list and render need no cluster: without a config they show the shipped suites.
    const file = sub === 'list' || sub === 'render' ? configPathOrExample(ctx) : configPath(ctx);
    const config = await loadConfig(file, { env: ctx.env });
    if ((sub === 'list' || sub === 'render') && clusterArgs(ctx).length > 0) throw new UserError(`suites ${sub}: --cluster applies to apply and delete only`);
    if (sub === 'list') {
      if (names.length > 0) throw new UserError('suites list: takes no suite name');
      ctx.stdout.write(listTable(config));
      return 0;
    }
    if (names.length !== 1) throw new UserError(`suites ${sub}: name exactly one suite`);
    const suite = findSuite(config, names[0], `suites ${sub}`);
    const objects = (await renderManifests(suite)) as KubernetesObject[];
    if (sub === 'render') {
      ctx.stdout.write(toYamlDocuments(objects));
      return 0;
    }
    const target = clusterOf(config, suite, clusterArgs(ctx), `suites ${sub}`);
    return sub === 'apply' ? apply(ctx, target, objects) : remove(ctx, target, objects);
  },
};

function isSub(s: string | undefined): s is Sub {
  return (SUBCOMMANDS as readonly string[]).includes(s ?? '');
}

export function toYamlDocuments(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

function schedule(s: Suite): string {
  if (!s.disruption) return '-';
  const sch = s.disruption.schedule;
  return 'every' in sch ? `every ${formatDuration(sch.every)}` : `cron ${sch.cron}`;
}

export function listTable(config: Config): string {
  const header = ['NAME', 'NAMESPACE', 'SCHEDULE', 'STEPS', 'CHECKS', 'ENABLED'];
  const rows = config.suites.map((s) => [
    s.name,
    s.namespace,
    schedule(s),
    s.disruption?.steps.length ? s.disruption.steps.map(stepKind).join(',') : '-',
    String(s.checks.length),
    s.enabled ? 'yes' : 'no',
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return `${all.map(line).join('\n')}\n`;
}

function describe(o: KubernetesObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind ?? '?'} ${ns}${o.metadata?.name ?? '?'}`;
}

/** How long `apply` waits for a Terminating namespace, and how often it looks. */
const NAMESPACE_TIMEOUT = '5m';
const NAMESPACE_POLL_MS = 1000;
const PROGRESS_EVERY_MS = 5000;

function namespaceTimeoutMs(ctx: CommandContext): number {
  const text = (ctx.values['namespace-timeout'] as string | undefined) ?? NAMESPACE_TIMEOUT;
  const ms = parseDuration(text);
  if (typeof ms !== 'number') throw new UserError(`--namespace-timeout: ${ms.error}`);
  return ms;
}

/** The namespaces apply writes into: the Namespace objects and every object's namespace. */
function namespacesOf(objects: KubernetesObject[]): string[] {
  const names = objects.map((o) => (o.kind === 'Namespace' ? o.metadata?.name : o.metadata?.namespace));
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))];
}

/** Waits out Terminating namespaces, printing a line when one is first seen and every few seconds. */
async function waitForNamespaces(ctx: CommandContext, kube: KubeContext, suite: Suite, names: string[], timeoutMs: number): Promise<void> {
  let printedAt = -Infinity;
  const onWait = (w: NamespaceWait): void => {
    if (w.elapsedMs - printedAt < PROGRESS_EVERY_MS) return;
    printedAt = w.elapsedMs;
    const left = w.remaining ? ` (${w.remaining})` : '';
    ctx.stdout.write(`suite ${suite.name}: namespace ${w.namespace} is Terminating${left}; waited ${formatDuration(Math.floor(w.elapsedMs / 1000) * 1000)} of at most ${formatDuration(timeoutMs)}\n`);
  };
  try {
    await waitNamespacesActive(kube, names, { timeoutMs, pollMs: NAMESPACE_POLL_MS, onWait });
  } catch (e) {
    if (e instanceof Error) e.message = `suites apply ${suite.name}: ${e.message}`;
    throw e;
  }
}

interface Target {
  /** The suite, or its instance (`cluster/suite`) with clusters: in the config. */
  suite: Suite;
  kubernetes: { kubeconfig?: string; context?: string };
}

/** Where apply and delete act: the suite's one cluster or the --cluster named (config/clusters.ts). */
function clusterOf(config: Config, suite: Suite, given: string[], command: string): Target {
  const cluster = clusterForSuite(config, suite, given, command);
  if (cluster === undefined) return { suite, kubernetes: config.kubernetes };
  return { suite: suiteOn(suite, cluster), kubernetes: clusterTarget(config, cluster).kubernetes };
}

function kubeOf(t: Target): KubeContext {
  const { kubeconfig, context } = t.kubernetes;
  return createKubeClients(kubeconfig, context !== undefined ? { context } : {});
}

async function apply(ctx: CommandContext, target: Target, objects: KubernetesObject[]): Promise<number> {
  const timeoutMs = namespaceTimeoutMs(ctx);
  const { suite } = target;
  const kube = kubeOf(target);
  const namespaces = namespacesOf(objects);
  await waitForNamespaces(ctx, kube, suite, namespaces, timeoutMs);
  try {
    await applyManifests(kube, objects);
  } catch (e) {
    // Deleted between the wait and the apply (or by someone else): wait once more, apply again.
    if (!isNamespaceTerminating(e)) throw e;
    await waitForNamespaces(ctx, kube, suite, namespaces, timeoutMs);
    await applyManifests(kube, objects);
  }
  for (const o of objects) ctx.stdout.write(`applied ${describe(o)}\n`);
  ctx.stdout.write(`suite ${suite.name}: ${objects.length} objects applied (field manager mesh-soak)\n`);
  return 0;
}

async function remove(ctx: CommandContext, target: Target, objects: KubernetesObject[]): Promise<number> {
  const { suite } = target;
  const kube = kubeOf(target);
  const deleted = await deleteManifests(kube, objects);
  ctx.stdout.write(`suite ${suite.name}: ${deleted} of ${objects.length} objects deleted (the others did not exist)\n`);
  return 0;
}
