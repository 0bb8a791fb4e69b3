// A tiny single-flight cache for expensive answers (/metrics, /api/v1/status): within
// `ttlMs` of the last computation the same answer is served, and while one computation runs
// every caller waits for it rather than starting another. So 500 requests a second cost
// about one computation a second, whatever the clients do. A change of the state's version
// (a tick or disruption finished, Redis came or went) or invalidate() makes the next caller
// compute afresh (a computation started before it is not joined), so a client reading right
// after a change sees it. Clock passed in.

export interface ResponseCache<T> {
  get(): Promise<T>;
  /** The next get() computes afresh (after a change the answer must show at once). */
  invalidate(): void;
}

/** `version`: the state's version; an answer computed under another version is never served. */
export function responseCache<T>(compute: () => Promise<T>, ttlMs: number, now: () => number = Date.now, version: () => number = () => 0): ResponseCache<T> {
  let local = 0;
  let seen = version();
  const current = (): number => {
    const v = version();
    if (v !== seen) {
      seen = v;
      local++;
    }
    return local;
  };
  let value: { at: number; v: T; generation: number } | undefined;
  let running: { p: Promise<T>; generation: number } | undefined;
  return {
    get() {
      const generation = current();
      if (value && value.generation === generation && now() - value.at < ttlMs) return Promise.resolve(value.v);
      if (running && running.generation === generation) return running.p;
      const mine = generation;
      const p = compute()
        .then((v) => {
          if (mine === local) value = { at: now(), v, generation: mine };
          return v;
        })
        .finally(() => {
          if (running?.p === p) running = undefined;
        });
      running = { p, generation: mine };
      return p;
    },
    invalidate() {
      local++;
      value = undefined;
    },
  };
}
