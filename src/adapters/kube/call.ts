// One Kubernetes API call under the context's retry policy (and its clock and timer),
// failures as KubeError.

import type { KubeContext } from './clients.js';
import { withRetry } from './retry.js';

export function call<T>(ctx: KubeContext, what: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  return withRetry(ctx.retry, what, fn, { signal, now: ctx.now, sleep: ctx.sleep });
}
