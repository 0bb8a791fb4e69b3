// When a job was meant to run. BullMQ's job schedulers store the slot as the job's
// `timestamp + delay` (and as `opts.prevMillis`); a one-off job added without a delay was
// meant to run when it was added. Tick lag is the start time minus this.

export interface TimedJob {
  timestamp: number;
  delay?: number;
  opts: { prevMillis?: number };
}

export function scheduledAt(job: TimedJob): number {
  if (typeof job.opts.prevMillis === 'number' && job.opts.prevMillis > 0) return job.opts.prevMillis;
  return job.timestamp + (job.delay ?? 0);
}
