// Fault injection for the fake API server: the next N matching requests answer with an
// error status (429 carries `Retry-After: 0`) or hang for a while, so tests can prove
// mesh-soak retries, reports and times out the way it claims.

export interface FaultSpec {
  method?: string;
  pathPrefix?: string;
  status?: 500 | 429 | 503;
  /** Hang this long before answering normally: a timeout from the client's side. */
  delayMs?: number;
  times: number;
}

export type FaultAction = { status: 500 | 429 | 503 } | { delayMs: number };

export class FaultInjector {
  private faults: FaultSpec[] = [];

  inject(spec: FaultSpec): void {
    if (spec.status === undefined && spec.delayMs === undefined) throw new Error('fault needs a status or a delayMs');
    this.faults.push({ ...spec });
  }

  clear(): void {
    this.faults = [];
  }

  /** How many injected faults are still waiting to fire. */
  get pending(): number {
    return this.faults.reduce((n, f) => n + f.times, 0);
  }

  /** Consumes and returns the first fault matching this request, if any. */
  take(method: string, path: string): FaultAction | undefined {
    const f = this.faults.find(
      (x) => x.times > 0 && (x.method === undefined || x.method.toUpperCase() === method) && (x.pathPrefix === undefined || path.startsWith(x.pathPrefix)),
    );
    if (!f) return undefined;
    f.times--;
    this.faults = this.faults.filter((x) => x.times > 0);
    return f.status !== undefined ? { status: f.status } : { delayMs: f.delayMs ?? 0 };
  }
}
