// The disruption port: what the daemon's scheduler needs from the disruption machinery (run
// one disruption of a suite, restore included; undo what a crashed run left behind), and the
// one result union every caller switches on. Kept tiny so the scheduler never learns about
// Kubernetes.

import type { Suite } from '../config/model.js';

/** One step as it ran (the run ledger keeps these). */
export interface StepReport {
  what: string;
  outcome: 'success' | 'failure';
  startedAt: number;
  endedAt: number;
}

export type DisruptionResult =
  /** Every step ran and everything it changed is restored. */
  | { outcome: 'success'; steps?: StepReport[] }
  /** A step or the restore failed; the message says which and why. */
  | { outcome: 'failure'; message: string; steps?: StepReport[] }
  /** Another run of the suite holds its lock, or another suite a shared resource (named): nothing was done. */
  | { outcome: 'busy'; resources?: string[] }
  /** This job id was already taken by a run (finished, or crashed and left to the journal). */
  | { outcome: 'already-done' };

export interface DisruptionJobRef {
  id: string;
  scheduledAt: number;
  /** Called once the run holds its locks and its claim, just before the first step. */
  onStarted?: (at: number) => Promise<void>;
}

export interface DisruptionRunner {
  run(suite: Suite, job: DisruptionJobRef): Promise<DisruptionResult>;
  /** Undoes journal entries left by an interrupted run; resolves to how many are still pending. */
  restorePending(): Promise<number>;
}
