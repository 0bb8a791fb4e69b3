// When a job was meant to run. A job scheduler's job id is `repeat:<scheduler>:<slot ms>`,
// and its `opts.delay` (not `job.delay`, which is zeroed once the job leaves the delayed
// set) added to its `timestamp` gives the same slot. A one-off job without a delay was
// meant to run when it was added. Tick lag is the start time minus this.

export interface TimedJob {
  id?: string | undefined;
  timestamp: number;
  opts: { delay?: number };
}

const SCHEDULED_ID = /^repeat:.+:(\d+)$/;

export function scheduledAt(job: TimedJob): number {
  const slot = SCHEDULED_ID.exec(job.id ?? '')?.[1];
  if (slot !== undefined) return Number(slot);
  return job.timestamp + (job.opts.delay ?? 0);
}
