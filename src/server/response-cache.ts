// A tiny single-flight cache for expensive answers (/metrics, /api/v1/status): within
// `ttlMs` of the last computation the same answer is served, and while one computation runs
// every caller waits for it rather than starting another. So 500 requests a second cost
// about one computation a second, whatever the clients do. invalidate() makes the next
// caller compute afresh (a computation started before it is not joined). Clock passed in.

export interface ResponseCache<T> {
  get(): Promise<T>;
  /** The next get() computes afresh (after a change the answer must show at once). */
  invalidate(): void;
}

export function responseCache<T>(compute: () => Promise<T>, ttlMs: number, now: () => number = Date.now): ResponseCache<T> {
  let generation = 0;
  let value: { at: number; v: T; generation: number } | undefined;
  let running: { p: Promise<T>; generation: number } | undefined;
  return {
    get() {
      if (value && value.generation === generation && now() - value.at < ttlMs) return Promise.resolve(value.v);
      if (running && running.generation === generation) return running.p;
      const mine = generation;
      const p = compute()
        .then((v) => {
          if (mine === generation) value = { at: now(), v, generation: mine };
          return v;
        })
        .finally(() => {
          if (running?.p === p) running = undefined;
        });
      running = { p, generation: mine };
      return p;
    },
    invalidate() {
      generation++;
      value = undefined;
    },
  };
}
