// Undoing one restore-journal entry, whatever step wrote it, and confirming it through the
// API before the caller clears the entry: scale back to the original replicas; an object
// deleted when it did not exist before, else applied as it was; namespace labels set back
// (and the deployments restarted when the step restarted them); a choice has nothing to undo.

import type { ClusterOps } from '../cluster-ops.js';
import type { JournalEntry } from '../restore-journal.js';
import { objectOps } from './manifest-steps.js';

/** What the restore did, for the log line. */
export function describeRestore(e: JournalEntry): string {
  switch (e.kind) {
    case 'scale':
      return `${e.deployment} in ${e.namespace} to ${e.original} replicas`;
    case 'choice':
      return `choice ${e.name} of job ${e.jobId} forgotten`;
    case 'object':
      return `${e.ref.kind} ${e.ref.namespace ? `${e.ref.namespace}/` : ''}${e.ref.name} ${e.original === null ? 'deleted' : 'applied as it was'}`;
    case 'namespaceLabels':
      return `namespace ${e.namespace} labels back to ${JSON.stringify(e.original)}${e.restartDeployments ? ', deployments restarted' : ''}`;
  }
}

export async function restoreEntry(ops: ClusterOps, e: JournalEntry, now: () => number): Promise<void> {
  switch (e.kind) {
    case 'scale': {
      await ops.setScale(e.namespace, e.deployment, e.original);
      // Clear only what the API confirms: read it back rather than trust the write.
      const actual = await ops.getScale(e.namespace, e.deployment);
      if (actual !== e.original) throw new Error(`the API reports ${actual} replicas after the restore`);
      return;
    }
    case 'choice':
      return;
    case 'object': {
      const objects = objectOps(ops, 'restoring a manifest object');
      if (e.original === null) await objects.delete(e.ref);
      else await objects.apply(e.original);
      const after = await objects.read(e.ref);
      const gone = after === null || (after['metadata'] as { deletionTimestamp?: unknown } | undefined)?.deletionTimestamp !== undefined;
      if (e.original === null ? !gone : after === null) throw new Error(`the API still reports it ${e.original === null ? 'present' : 'absent'}`);
      return;
    }
    case 'namespaceLabels':
      return restoreLabels(ops, e, now);
  }
}

async function restoreLabels(ops: ClusterOps, e: Extract<JournalEntry, { kind: 'namespaceLabels' }>, now: () => number): Promise<void> {
  const objects = objectOps(ops, 'restoring namespace labels');
  await objects.patchNamespaceLabels(e.namespace, e.original);
  const after = await objects.read({ apiVersion: 'v1', kind: 'Namespace', name: e.namespace });
  if (after === null) throw new Error(`namespace ${e.namespace} no longer exists`);
  const labels = (after['metadata'] as { labels?: Record<string, string> } | undefined)?.labels ?? {};
  for (const [k, v] of Object.entries(e.original)) {
    if ((labels[k] ?? null) !== v) throw new Error(`label ${k} of namespace ${e.namespace} is ${labels[k] ?? 'absent'} after the restore`);
  }
  if (e.restartDeployments) await objects.restartDeployments(e.namespace, new Date(now()));
}
