// What the daemon needs from the disruption machinery (src/suites/disruption*.ts, built
// elsewhere): run one disruption of a suite, restore included, and undo whatever a crashed
// run left behind. Kept tiny so the scheduler never learns about Kubernetes.

import type { Suite } from '../config/model.js';

export interface DisruptionResult {
  outcome: 'success' | 'failure';
  message?: string;
}

export interface DisruptionRunner {
  run(suite: Suite, job: { id: string; scheduledAt: number }): Promise<DisruptionResult>;
  /** Undoes journal entries left by an interrupted run; resolves to how many are still pending. */
  restorePending(): Promise<number>;
}

/** The failure message of run() when another disruption of the suite holds its lock. */
export const ANOTHER_RUNNING = 'another disruption of this suite is running';
