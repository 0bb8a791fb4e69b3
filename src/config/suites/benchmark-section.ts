// A suite's `benchmark:` section, from validated schema output to the BenchmarkSpec the
// benchmark runner reads, plus the rules that span fields: the load must outlast warm-up
// plus cool-down (or no resources could be measured), every mode needs a target URL, and a
// benchmark suite has no disruption (the benchmark holds its namespaces exclusively).

import type { BenchmarkSpec, BenchMode } from '../../benchmark/model.js';
import type { Schedule } from '../model.js';
import { ms, toSchedule } from '../resolve.js';
import type { SuiteFileInput } from '../schema.js';
import type { YamlSource } from '../yaml-source.js';
import { checkScheduleShape, isRecord } from '../cross-checks.js';

export type BenchmarkSection = BenchmarkSpec & { schedule?: Schedule };

type Input = NonNullable<SuiteFileInput['benchmark']>;

/** The section of a suite file (raw for the schedule's shape, parsed when valid), or undefined. */
export function benchmarkSection(
  source: YamlSource,
  raw: unknown,
  parsed: Input | undefined,
  suite: { hasDisruption: boolean; entrySchedule: Schedule | undefined },
): BenchmarkSection | undefined {
  if (isRecord(raw) && raw['schedule'] !== undefined) checkScheduleShape(source, raw['schedule'], ['benchmark', 'schedule']);
  if (!parsed) return undefined;
  return toBenchmark(source, parsed, { hasDisruption: suite.hasDisruption, ...(suite.entrySchedule ? { entrySchedule: suite.entrySchedule } : {}) });
}

/** Reports cross-field problems on `source`; the section when there are none. */
export function toBenchmark(source: YamlSource, b: Input, suite: { hasDisruption: boolean; entrySchedule?: Schedule }): BenchmarkSection | undefined {
  const before = source.problems.length;
  const durationMs = ms(b.duration);
  const warmupMs = ms(b.warmup);
  const cooldownMs = ms(b.cooldown);
  if (durationMs <= warmupMs + cooldownMs) {
    source.report(['benchmark', 'duration'], `the load (${b.duration}) must last longer than warmup + cooldown (${b.warmup} + ${b.cooldown}), or no CPU and memory can be measured`);
  }
  for (const mode of b.modes) {
    if (b.targets[mode] === undefined) source.report(['benchmark', 'modes'], `mode '${mode}' has no URL in benchmark.targets.${mode}`);
  }
  if (suite.hasDisruption) source.report(['benchmark'], 'a benchmark suite cannot also have a disruption: the benchmark holds its namespaces exclusively');
  if (source.problems.length > before) return undefined;
  const targets: Partial<Record<BenchMode, string>> = {};
  for (const [mode, url] of Object.entries(b.targets)) if (url !== undefined) targets[mode as BenchMode] = url;
  const section: BenchmarkSection = {
    connections: b.connections,
    qps: b.qps,
    payloadBytes: b.payloadBytes,
    modes: [...new Set(b.modes)],
    durationMs,
    warmupMs,
    cooldownMs,
    stepMs: ms(b.step),
    targets,
    fortioUrl: b.fortio.url,
    istioVersion: b.istioVersion,
    regression: {
      baseline: 'pinned' in b.regression.baseline ? { kind: 'pinned', runId: b.regression.baseline.pinned } : { kind: 'median', lastN: b.regression.baseline.lastN },
      thresholds: { p99Percent: b.regression.p99, cpuPercent: b.regression.cpu, ...(b.regression.mem !== undefined ? { memPercent: b.regression.mem } : {}) },
    },
    keepRuns: b.keepRuns,
  };
  if (b.fortio.via === 'apiserver') section.fortioVia = 'apiserver';
  const schedule = suite.entrySchedule ?? toSchedule(b.schedule);
  if (schedule) section.schedule = schedule;
  return section;
}
