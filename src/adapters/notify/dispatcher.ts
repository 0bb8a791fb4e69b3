// Fans alert events out to every sink without ever making the caller wait on the network:
// enqueue() only appends to a bounded per-sink queue; one worker per sink delivers in batches,
// retrying with jittered exponential backoff. It also remembers which alerts are firing, so
// Alertmanager can be re-sent the current set on a timer and each resolution goes out once.
//
// May import: checks/ (AlertEvent), config/ (model types), shared/.
import { NotifyFault } from './notify-fault.js';
import { alertKey, type AlertEvent, type Notifier, type SinkNotifier } from './notifier.js';
import { messageOf } from '../../shared/errors.js';
import { sleep, withTimeout } from '../../shared/time.js';

export type NotifyOutcome = 'success' | 'failure' | 'dropped';

export interface Sink {
  /** Metric label and log field; never the URL. */
  name: string;
  notifier: SinkNotifier;
  /** Receives resend()'s periodic re-sends (Alertmanager expires alerts not re-sent). */
  resendFiring?: boolean;
}

/** The few logger methods used; a pino Logger fits. */
export interface DispatcherLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface DispatcherOptions {
  sinks: Sink[];
  /** Called once per event and sink with how its delivery ended. */
  onOutcome: (sink: string, outcome: NotifyOutcome) => void;
  logger: DispatcherLogger;
  /** Events waiting per sink before the oldest are dropped. Default 1000. */
  maxQueue?: number;
  /** Events per request. Default 100. */
  batchSize?: number;
  /** Attempts per batch, the first included. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt. Default 500 ms. */
  baseDelayMs?: number;
  /** Cap on one retry delay. Default 8 s. */
  maxDelayMs?: number;
  /** Source of jitter in [0, 1); injectable for tests. */
  random?: () => number;
}

// Resolutions already sent, remembered so duplicates are dropped; bounded so it cannot grow forever.
const MAX_RESOLVED_KEYS = 10_000;

interface SinkState {
  sink: Sink;
  queue: AlertEvent[];
  running: Promise<void> | null;
}

export class NotificationDispatcher implements Notifier {
  private readonly states: SinkState[];
  private readonly firingAlerts = new Map<string, AlertEvent>();
  private readonly resolvedKeys = new Set<string>();
  private readonly abort = new AbortController();
  private readonly idleWaiters = new Set<() => void>();
  private closed = false;
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;

  constructor(private readonly opts: DispatcherOptions) {
    this.states = opts.sinks.map((sink) => ({ sink, queue: [], running: null }));
    this.maxQueue = Math.max(1, opts.maxQueue ?? 1000);
    this.batchSize = Math.max(1, opts.batchSize ?? 100);
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 8_000;
    this.random = opts.random ?? Math.random;
  }

  /** Queues events for every sink and returns at once; delivery happens in the background. */
  enqueue(events: AlertEvent[]): void {
    if (this.closed) {
      for (const s of this.states) for (let i = 0; i < events.length; i++) this.opts.onOutcome(s.sink.name, 'dropped');
      return;
    }
    const accepted = events.filter((e) => this.track(e));
    if (accepted.length > 0) this.push(this.states, accepted);
  }

  /**
   * Queues the given firing alerts for the sinks that want re-sends only (Alertmanager),
   * skipping those already queued there; returns how many. The daemon passes what the shared
   * state says is failing, so any replica keeps every alert alive.
   */
  resend(events: AlertEvent[]): number {
    if (this.closed || events.length === 0) return 0;
    let queued = 0;
    for (const s of this.states.filter((st) => st.sink.resendFiring)) {
      // A sink still working through its backlog already holds these; do not pile up copies.
      const waiting = new Set(s.queue.map(alertKey));
      const fresh = events.filter((e) => e.status === 'firing' && !waiting.has(alertKey(e)));
      if (fresh.length > 0) this.push([s], fresh);
      queued = Math.max(queued, fresh.length);
    }
    return queued;
  }

  /** The alerts currently firing, as last enqueued. */
  firing(): AlertEvent[] {
    return [...this.firingAlerts.values()];
  }

  /** Waits until every queue is empty and nothing is in flight; false if timeoutMs passed first. */
  async flush(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return true;
    let waiter: () => void = () => undefined;
    const idle = new Promise<void>((resolve) => {
      waiter = resolve;
      this.idleWaiters.add(resolve);
    });
    const outcome = await withTimeout(idle, timeoutMs);
    this.idleWaiters.delete(waiter);
    return outcome !== 'timeout';
  }

  /**
   * Stops accepting events, cancels retry waits and drops what is still queued (counted as
   * dropped). Resolves when the workers have stopped; a request in flight ends by its timeout.
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.abort.abort();
      for (const s of this.states) {
        for (let i = 0; i < s.queue.length; i++) this.opts.onOutcome(s.sink.name, 'dropped');
        s.queue.length = 0;
      }
    }
    await Promise.all(this.states.map((s) => s.running));
  }

  /** Updates the firing set; false for a resolution that was already sent. */
  private track(e: AlertEvent): boolean {
    const key = alertKey(e);
    if (e.status === 'firing') {
      this.firingAlerts.set(key, e);
      this.resolvedKeys.delete(key);
      return true;
    }
    this.firingAlerts.delete(key);
    if (this.resolvedKeys.has(key)) return false;
    this.resolvedKeys.add(key);
    if (this.resolvedKeys.size > MAX_RESOLVED_KEYS) {
      const oldest = this.resolvedKeys.values().next();
      if (!oldest.done) this.resolvedKeys.delete(oldest.value);
    }
    return true;
  }

  private push(targets: SinkState[], events: AlertEvent[]): void {
    for (const s of targets) {
      s.queue.push(...events);
      const excess = s.queue.length - this.maxQueue;
      if (excess > 0) {
        s.queue.splice(0, excess);
        for (let i = 0; i < excess; i++) this.opts.onOutcome(s.sink.name, 'dropped');
        this.opts.logger.warn({ sink: s.sink.name, dropped: excess }, 'notification queue full; dropped the oldest events');
      }
      if (!s.running) {
        s.running = this.work(s).finally(() => {
          s.running = null;
          // Events may have arrived between the last batch and this point.
          if (s.queue.length > 0 && !this.closed) this.push([s], []);
          else this.notifyIfIdle();
        });
      }
    }
  }

  private async work(s: SinkState): Promise<void> {
    // Start on the next turn: events enqueued in the same tick travel in one request, and a
    // notifier's synchronous set-up never runs inside the caller's enqueue().
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (s.queue.length > 0 && !this.closed) {
      const batch = s.queue.splice(0, this.batchSize);
      const ok = await this.deliver(s.sink, batch);
      for (let i = 0; i < batch.length; i++) this.opts.onOutcome(s.sink.name, ok ? 'success' : 'failure');
    }
  }

  private async deliver(sink: Sink, batch: AlertEvent[]): Promise<boolean> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        await sink.notifier.notify(batch);
        return true;
      } catch (err) {
        const fault = faultFields(err);
        const last = attempt === this.maxAttempts || !fault.retryable || this.closed;
        if (last) {
          this.opts.logger.error({ sink: sink.name, attempt, events: batch.length, ...fault }, 'notification failed; giving up');
          return false;
        }
        this.opts.logger.warn({ sink: sink.name, attempt, ...fault }, 'notification attempt failed; retrying');
        if (!(await this.sleep(this.backoff(attempt)))) return false;
      }
    }
    return false;
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    // ±25 % so sinks that failed together do not retry in lockstep.
    return exp * (0.75 + this.random() * 0.5);
  }

  /** Resolves true after ms, or false at once when the dispatcher is closed. */
  private sleep(ms: number): Promise<boolean> {
    return sleep(ms, this.abort.signal).then(
      () => true,
      () => false,
    );
  }

  private isIdle(): boolean {
    return this.states.every((s) => s.queue.length === 0 && !s.running);
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    for (const w of [...this.idleWaiters]) w();
  }
}

/** Log fields for a delivery error: kind, status and message, never the URL or headers. */
function faultFields(err: unknown): { kind: string; status?: number; message: string; retryable: boolean } {
  if (err instanceof NotifyFault) {
    return { kind: err.kind, message: err.message, retryable: err.retryable, ...(err.status ? { status: err.status } : {}) };
  }
  return { kind: 'error', message: messageOf(err), retryable: true };
}
