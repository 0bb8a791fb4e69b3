// Whether each suite is really being checked: the watchdog and the record of failed ticks.
// A suite is "stalled" when no tick of it completed (on any replica: the shared tick records
// are fed in by housekeeping) for `missedTicks` tick intervals — never less than `minWindowMs`,
// so start-up and a busy machine do not flap readiness. A suite whose latest attempt failed
// (Redis out of memory, authentication, a deadline) is "failing" until a tick completes.
// Paused suites are not watched. Pure: times are passed in; the daemon turns the verdicts
// into /readyz reasons, log lines and the suite_stalled gauge.

export interface TickHealthOptions {
  /** Each watched suite and its tick interval. */
  suites: Array<{ suite: string; tickMs: number }>;
  /** When watching began (the daemon's start): the baseline before any tick completes. */
  startedAt: number;
  /** Tick intervals without a completed tick before a suite is stalled; default 5. */
  missedTicks?: number;
  /** The shortest stall window; default 30 s. */
  minWindowMs?: number;
}

export interface SuiteHealth {
  suite: string;
  /** The last completed tick (or the start), epoch ms. */
  lastCompletedAt: number;
  stalled: boolean;
  /** Set while the latest attempt failed after the last completed tick. */
  failure?: { reason: string; at: number };
  windowMs: number;
}

interface Entry {
  tickMs: number;
  completedAt: number;
  failure?: { reason: string; at: number };
}

export class TickHealth {
  private readonly entries = new Map<string, Entry>();
  private readonly missedTicks: number;
  private readonly minWindowMs: number;

  constructor(o: TickHealthOptions) {
    this.missedTicks = o.missedTicks ?? 5;
    this.minWindowMs = o.minWindowMs ?? 30_000;
    for (const s of o.suites) this.entries.set(s.suite, { tickMs: s.tickMs, completedAt: o.startedAt });
  }

  /** A tick of the suite completed (ran, or found the suite paused) at `at`. */
  completed(suite: string, at: number): void {
    const e = this.entries.get(suite);
    if (!e) return;
    if (at >= e.completedAt) e.completedAt = at;
    if (e.failure && e.failure.at <= at) delete e.failure;
  }

  /** A tick of the suite failed to run or persist. */
  failed(suite: string, reason: string, at: number): void {
    const e = this.entries.get(suite);
    if (e && at >= e.completedAt) e.failure = { reason, at };
  }

  /** Every watched suite's health at `now`; paused suites are never stalled. */
  check(now: number, paused: ReadonlySet<string> = new Set()): SuiteHealth[] {
    const out: SuiteHealth[] = [];
    for (const [suite, e] of this.entries) {
      const windowMs = Math.max(this.minWindowMs, this.missedTicks * e.tickMs);
      const stalled = !paused.has(suite) && now - e.completedAt > windowMs;
      out.push({ suite, lastCompletedAt: e.completedAt, stalled, windowMs, ...(e.failure ? { failure: e.failure } : {}) });
    }
    return out;
  }

  /** The /readyz reasons for `check()`'s answer. */
  static reasons(health: SuiteHealth[], now: number): string[] {
    const out: string[] = [];
    for (const h of health) {
      if (h.failure) out.push(`suite ${h.suite}: last tick failed: ${h.failure.reason}`);
      if (h.stalled) {
        const s = Math.round((now - h.lastCompletedAt) / 1000);
        out.push(`suite ${h.suite}: no completed tick for ${s} s (watchdog window ${Math.round(h.windowMs / 1000)} s)`);
      }
    }
    return out;
  }
}
