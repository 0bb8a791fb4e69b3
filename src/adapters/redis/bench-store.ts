// Benchmark history in Redis: each run one JSON string (benchRunCodec), each suite a sorted
// set of its run ids by start time, trimmed to `keepRuns` (the oldest runs' records are
// deleted with them), and the journal of runs in progress (benchJournalCodec), so a run a
// crash interrupted is found, its Fortio load stopped and the run marked at the next start.
// Unreadable records are skipped and reported, never fatal.

import type { Redis } from 'ioredis';
import type { BenchRun } from '../../benchmark/model.js';
import { sampleOf, type BaselineSample } from '../../benchmark/compare.js';
import { benchJournalCodec, benchRunCodec, benchSummaryCodec, type BenchJournalEntry, type ReportUnreadable } from './codecs.js';
import { stateKeys, type StateKeys } from './keys.js';

export type { BenchJournalEntry } from './codecs.js';

export class BenchStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys = stateKeys(),
    private readonly onUnreadable: ReportUnreadable = () => undefined,
  ) {}

  /** Writes the run and indexes it; keeps the newest `keepRuns` runs of its suite. */
  async save(run: BenchRun, keepRuns: number): Promise<void> {
    const index = this.keys.benchRuns(run.suite);
    const summaries = this.keys.benchSummaries(run.suite);
    const summary = benchSummaryCodec.encode({ runId: run.id, state: run.state, samples: run.results.map(sampleOf) });
    await this.redis.multi().set(this.keys.benchRun(run.id), benchRunCodec.encode(run)).hset(summaries, run.id, summary).zadd(index, run.startedAt, run.id).exec();
    const extra = (await this.redis.zcard(index)) - keepRuns;
    if (extra <= 0) return;
    const old = await this.redis.zrange(index, "0", String(extra - 1));
    if (old.length === 0) return;
    await this.redis.multi().zrem(index, ...old).hdel(summaries, ...old).del(...old.map((id) => this.keys.benchRun(id))).exec();
  }

  async get(runId: string): Promise<BenchRun | undefined> {
    const key = this.keys.benchRun(runId);
    const text = await this.redis.get(key);
    if (text === null) return undefined;
    const parsed = benchRunCodec.parse(text);
    if (parsed.kind === 'ok') return parsed.value;
    this.onUnreadable({ key, field: '', reason: parsed.reason });
    return undefined;
  }

  /** Run ids of a suite, newest first (at most `limit`). */
  async ids(suite: string, limit = 1000): Promise<string[]> {
    return this.redis.zrevrange(this.keys.benchRuns(suite), 0, limit - 1);
  }

  /** Runs of a suite, newest first, unreadable ones skipped. */
  async list(suite: string, limit = 1000): Promise<BenchRun[]> {
    const ids = await this.ids(suite, limit);
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(...ids.map((id) => this.keys.benchRun(id)));
    const runs: BenchRun[] = [];
    texts.forEach((text, i) => {
      if (text === null) return;
      const parsed = benchRunCodec.parse(text);
      if (parsed.kind === 'ok') runs.push(parsed.value);
      else this.onUnreadable({ key: this.keys.benchRun(ids[i] as string), field: '', reason: parsed.reason });
    });
    return runs;
  }

  /**
   * Baseline samples of a suite's finished runs, newest runs first (summaries, not whole
   * runs), read `pageRuns` runs at a time until `enough` says the samples so far suffice.
   */
  async history(suite: string, o: { enough?: (samples: readonly BaselineSample[]) => boolean; limit?: number; pageRuns?: number } = {}): Promise<BaselineSample[]> {
    const ids = await this.ids(suite, o.limit ?? 1000);
    const key = this.keys.benchSummaries(suite);
    const page = Math.max(1, o.pageRuns ?? 10);
    const samples: BaselineSample[] = [];
    for (let start = 0; start < ids.length; start += page) {
      const slice = ids.slice(start, start + page);
      const texts = await this.redis.hmget(key, ...slice);
      texts.forEach((text, i) => {
        if (text === null) return;
        const parsed = benchSummaryCodec.parse(text);
        if (parsed.kind === 'ok') {
          if (parsed.value.state === 'done') samples.push(...parsed.value.samples);
        } else this.onUnreadable({ key, field: slice[i] as string, reason: parsed.reason });
      });
      if (o.enough?.(samples)) break;
    }
    return samples;
  }

  async journalPut(entry: BenchJournalEntry): Promise<void> {
    await this.redis.hset(this.keys.benchJournal(), entry.runId, benchJournalCodec.encode(entry));
  }

  async journalRemove(runId: string): Promise<void> {
    await this.redis.hdel(this.keys.benchJournal(), runId);
  }

  async journal(): Promise<BenchJournalEntry[]> {
    const key = this.keys.benchJournal();
    const all = await this.redis.hgetall(key);
    const entries: BenchJournalEntry[] = [];
    for (const [field, text] of Object.entries(all)) {
      const parsed = benchJournalCodec.parse(text);
      if (parsed.kind === 'ok') entries.push(parsed.value);
      else this.onUnreadable({ key, field, reason: parsed.reason });
    }
    return entries;
  }
}
